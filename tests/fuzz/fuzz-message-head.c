/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-message-head.c — libFuzzer target for the header block handling of o365-send
 * (tools/message-head.h), called the way o365-send calls it: the input is a whole message on
 * standard input; its head (up to and including the empty line) is found, refused when it
 * holds a bare CR, stripped of its Bcc fields and read for the -t recipients and the sender.
 *
 * Invariants: the head ends within the input, at most one empty line before the body, and
 * reading the message in pieces finds the same end; no Bcc field survives in what is sent,
 * whether judged line by line as the SMTP server sees it or by GMime; nothing but Bcc fields
 * is taken out, and taking them out twice changes nothing; every -t recipient and the sender
 * is safe in RCPT TO:<…> / MAIL FROM:<…> (non-empty, UTF-8, no control byte or angle
 * bracket, no space outside quotes), with no duplicates; the 8-bit test is exact. */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "fuzz-common.h"
#include "message-head.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  g_mime_init ();
  return 0;
}

/* The length of the field name @line starts with, up to its colon (blanks allowed before it),
 * or -1: RFC 5322 §2.2 and §4.5.3, written here independently of message-head.c. */
static gssize
field_name (const char *line, gsize length)
{
  gsize n = 0;

  while (n < length && line[n] != ':' && (guchar) line[n] > ' ' && (guchar) line[n] < 127)
    n++;
  for (gsize i = n; i < length; i++)
    {
      if (line[i] == ':')
        return n > 0 ? (gssize) n : -1;
      if (line[i] != ' ' && line[i] != '\t')
        return -1;
    }
  return -1;
}

/* Whether @name (@length octets) is a blind field: Bcc, or Resent-Bcc (removed too, as sendmail
 * does). */
static gboolean
is_blind_field (const char *name, gsize length)
{
  return (length == 3 && g_ascii_strncasecmp (name, "bcc", 3) == 0) ||
         (length == 10 && g_ascii_strncasecmp (name, "resent-bcc", 10) == 0);
}

/* Whether the field lines of @head (up to its empty line) hold a blind field. */
static gboolean
has_bcc_line (const char *head, gsize length)
{
  gsize line = 0;

  while (line < length)
    {
      const char *newline = memchr (head + line, '\n', length - line);
      gsize end = newline != NULL ? (gsize) (newline - head) + 1 : length;

      if (head[line] == '\n' || (head[line] == '\r' && end == line + 2))
        return FALSE;
      int name_length = field_name (head + line, end - line);

      if (name_length > 0 && is_blind_field (head + line, (gsize) name_length))
        return TRUE;
      line = end;
    }
  return FALSE;
}

/* Whether GMime, parsing @head, finds a blind header. It is parsed as a MIME part, whose
 * fields GMime splits as a message's but without parsing the address fields among them, on
 * which GMime 3.2.13 can leak (see tools/message-head.c); what is sent may hold such a field. */
static gboolean
gmime_sees_bcc (const char *head, gsize length)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeObject *message;
  gboolean found = FALSE;

  if (length == 0)
    return FALSE;
  stream = g_mime_stream_mem_new_with_buffer (head, length);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  message = g_mime_parser_construct_part (parser, NULL);
  if (message != NULL)
    {
      GMimeHeaderList *headers = g_mime_object_get_header_list (message);

      for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
        {
          const char *name = g_mime_header_get_name (g_mime_header_list_get_header_at (headers, i));

          if (is_blind_field (name, strlen (name)))
            found = TRUE;
        }
      g_object_unref (message);
    }
  g_object_unref (parser);
  g_object_unref (stream);
  return found;
}

/* What o365_smtp_envelope_check_address() accepts: non-empty UTF-8 without control bytes,
 * spaces or angle brackets outside a quoted local part (RFC 5321 §4.1.2: qtextSMTP includes
 * both, and mail_address_check() allows them there, so "\"a <b\"@example.com" is an address). */
static gboolean
is_envelope_address (const char *address)
{
  gboolean quoted = FALSE;

  if (address == NULL || *address == '\0' || !g_utf8_validate (address, -1, NULL))
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    {
      if (quoted && *p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        quoted = !quoted;
      else if (!quoted && (*p == ' ' || *p == '<' || *p == '>'))
        return FALSE;
    }
  return TRUE;
}

/* What must never reach a command line, known findings or not: a line end, a NUL or another
 * control byte would inject a command. */
static const char control_bytes[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                                    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f";

/* message_head_dup_recipients() once passed on what GMime hands back from a folded or
 * malformed field (tests/fuzz/RESULTS.md, findings 1–3): the folding line end itself
 * ('To: "a\n b"@example.com'), the raw octets of a domain literal ("To: e@[\xc4]"), an
 * unterminated quoted string with its '<' and spaces ('Bcc: "A <b, C"'). */
static void
check_address (const char *address)
{
  FUZZ_CHECK (address != NULL && address[strcspn (address, control_bytes)] == '\0',
              g_strescape (address, NULL));
  FUZZ_CHECK (is_envelope_address (address), g_strescape (address, NULL));
}

/* @kept must be @head with only whole lines taken out, in order. */
static gboolean
is_line_subsequence (const char *kept, gsize kept_length, const char *head, gsize head_length)
{
  gsize k = 0;
  gsize line = 0;

  while (line < head_length && k < kept_length)
    {
      const char *newline = memchr (head + line, '\n', head_length - line);
      gsize end = newline != NULL ? (gsize) (newline - head) + 1 : head_length;

      if (end - line <= kept_length - k && memcmp (kept + k, head + line, end - line) == 0)
        k += end - line;
      line = end;
    }
  return k == kept_length;
}

static void
check_recipients (GBytes *head)
{
  g_auto (GStrv) recipients = message_head_dup_recipients (head);
  g_autofree char *from = message_head_dup_from (head);

  FUZZ_CHECK (recipients != NULL, NULL);
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      check_address (recipients[i]);
      for (guint j = 0; j < i; j++)
        FUZZ_CHECK (g_ascii_strcasecmp (recipients[i], recipients[j]) != 0, "duplicate recipient");
    }
  if (from != NULL)
    check_address (from);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  gsize head_end = G_MAXSIZE, body_start = G_MAXSIZE;
  gsize end2, start2;
  gboolean eight_bit = FALSE;
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GBytes) sent = NULL;
  g_autoptr (GBytes) sent_twice = NULL;
  const char *sent_data;
  gsize sent_length;

  for (gsize i = 0; i < size; i++)
    eight_bit |= data[i] > 127;
  FUZZ_CHECK (message_has_8bit (data, size) == eight_bit, NULL);

  FUZZ_CHECK (message_head_find_end (text, size, TRUE, &head_end, &body_start), "no end in a whole message");
  FUZZ_CHECK (head_end <= body_start && body_start <= size, NULL);
  FUZZ_CHECK (body_start - head_end <= 2, "more than the empty line between head and body");
  /* o365-send reads in pieces: each prefix either asks for more or finds the same end. */
  for (gsize cut = 0; cut <= size; cut += 1 + cut / 4)
    if (message_head_find_end (text, cut, cut == size, &end2, &start2))
      {
        FUZZ_CHECK (end2 == head_end && start2 == body_start, "the end depends on the reads");
        break;
      }

  head = g_bytes_new (data, body_start);
  /* o365-send refuses such a head before anything else. */
  if (message_head_has_bare_cr (head))
    {
      FUZZ_CHECK (memchr (data, '\r', body_start) != NULL, NULL);
      return 0;
    }

  sent = message_head_remove_bcc (head);
  sent_data = g_bytes_get_data (sent, &sent_length);
  FUZZ_CHECK (!has_bcc_line (sent_data, sent_length), "a Bcc field is sent");
  FUZZ_CHECK (!gmime_sees_bcc (sent_data, sent_length), "GMime finds a Bcc field in what is sent");
  FUZZ_CHECK (is_line_subsequence (sent_data, sent_length, text, body_start), "more than lines taken out");
  if (!has_bcc_line (text, body_start))
    FUZZ_CHECK (g_bytes_equal (sent, head), "a head without Bcc changed");
  sent_twice = message_head_remove_bcc (sent);
  FUZZ_CHECK (g_bytes_equal (sent, sent_twice), "removing Bcc twice changes the head");

  check_recipients (head);
  return 0;
}
