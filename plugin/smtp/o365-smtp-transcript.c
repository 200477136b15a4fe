/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-transcript.c — a redacted, sanitised session transcript. */
#include "config.h"

#include "o365-smtp-reply.h"
#include "o365-smtp-transcript.h"

struct _O365Transcript
{
  O365TranscriptFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
};

O365Transcript *
o365_transcript_new (O365TranscriptFunc func, gpointer user_data, GDestroyNotify destroy)
{
  O365Transcript *transcript;

  g_return_val_if_fail (func != NULL, NULL);

  transcript = g_atomic_rc_box_new0 (O365Transcript);
  transcript->func = func;
  transcript->user_data = user_data;
  transcript->destroy = destroy;
  return transcript;
}

O365Transcript *
o365_transcript_ref (O365Transcript *transcript)
{
  return g_atomic_rc_box_acquire (transcript);
}

static void
o365_transcript_clear (gpointer data)
{
  O365Transcript *transcript = data;

  if (transcript->destroy != NULL)
    transcript->destroy (transcript->user_data);
}

void
o365_transcript_unref (O365Transcript *transcript)
{
  g_atomic_rc_box_release_full (transcript, o365_transcript_clear);
}

static void
emit (O365Transcript *transcript, const char *prefix, const char *text, gsize length)
{
  g_autofree char *clean = o365_smtp_sanitize_text (text, length);
  g_autofree char *line = g_strconcat (prefix, clean, NULL);

  transcript->func (line, transcript->user_data);
}

void
o365_transcript_client_commands (O365Transcript *transcript, const char *commands)
{
  const char *line = commands;

  if (transcript == NULL)
    return;
  /* A pipelined flight is shown one command per line. */
  while (*line != '\0')
    {
      const char *end = strstr (line, "\r\n");
      gsize length = end != NULL ? (gsize) (end - line) : strlen (line);

      emit (transcript, "C: ", line, length);
      line += length + (end != NULL ? 2 : 0);
    }
}

void
o365_transcript_client_secret (O365Transcript *transcript, const char *visible_prefix)
{
  g_autofree char *text = NULL;

  if (transcript == NULL)
    return;
  text = g_strconcat (visible_prefix != NULL ? visible_prefix : "", "<credentials redacted>", NULL);
  emit (transcript, "C: ", text, strlen (text));
}

void
o365_transcript_server (O365Transcript *transcript, const MailReply *reply)
{
  g_auto (GStrv) lines = NULL;
  const char *enhanced;
  guint n_lines;

  if (transcript == NULL)
    return;
  enhanced = mail_reply_get_enhanced_code (reply);
  lines = g_strsplit (mail_reply_get_text (reply), "\n", -1);
  n_lines = MAX (g_strv_length (lines), 1);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autofree char *line = g_strdup_printf ("%u%c%s%s%s", mail_reply_get_code (reply),
                                               i + 1 == n_lines ? ' ' : '-',
                                               enhanced != NULL ? enhanced : "",
                                               enhanced != NULL ? " " : "",
                                               lines[i] != NULL ? lines[i] : "");

      emit (transcript, "S: ", line, strlen (line));
    }
}

void
o365_transcript_note (O365Transcript *transcript, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (transcript == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  emit (transcript, "*  ", text, strlen (text));
}
