/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-session.c — what scripted and office365 sessions share: lifetime, and a redacted log. */
#include "config.h"

#include <string.h>

#include "smtp-test-server-private.h"

/* Enough of a line for a reader; the recording keeps all of it. */
#define LOG_LINE_MAX 200

void
smtp_test_session_init (SmtpTestSession    *session,
                        SmtpTestServer     *server,
                        SmtpTestConnection *conn,
                        guint               id,
                        GDestroyNotify      free_func)
{
  session->server = server;
  session->conn = g_object_ref (conn);
  session->cancellable = g_cancellable_new ();
  session->free_func = free_func;
  session->id = id;
  smtp_test_server_session_started (server, session);
}

void
smtp_test_session_clear (SmtpTestSession *session)
{
  g_clear_object (&session->conn);
  g_clear_object (&session->cancellable);
}

void
smtp_test_session_log (SmtpTestSession *session, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  if (session->server == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("[conn %u] %s", session->id, message);
  smtp_test_server_log (session->server, line);
}

char *
smtp_test_escape (const guint8 *data, gsize length)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < MIN (length, LOG_LINE_MAX); i++)
    {
      if (data[i] >= 0x20 && data[i] < 0x7f)
        g_string_append_c (out, data[i]);
      else
        g_string_append_printf (out, "\\x%02x", data[i]);
    }
  if (length > LOG_LINE_MAX)
    g_string_append_printf (out, "… (%" G_GSIZE_FORMAT " bytes)", length);
  return g_string_free (out, FALSE);
}

static gboolean
has_verb (const guint8 *data, gsize length, const char *verb)
{
  gsize n = strlen (verb);

  return length >= n && g_ascii_strncasecmp ((const char *) data, verb, n) == 0
         && (length == n || data[n] == ' ');
}

void
smtp_test_session_log_client_line (SmtpTestSession *session, GBytes *line)
{
  static const char *const shown[] = {
    "EHLO", "HELO", "STARTTLS", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "BDAT",
  };
  gsize length;
  const guint8 *data = g_bytes_get_data (line, &length);
  const guint8 *space;

  for (gsize i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      if (has_verb (data, length, shown[i]))
        {
          g_autofree char *text = smtp_test_escape (data, length);

          smtp_test_session_log (session, "C: %s", text);
          return;
        }
    }
  if (has_verb (data, length, "AUTH"))
    {
      /* The mechanism is safe to show; an initial response is a credential. */
      gsize end;
      g_autofree char *mechanism = NULL;

      space = length > 5 ? memchr (data + 5, ' ', length - 5) : NULL;
      end = space != NULL ? (gsize) (space - data) : length;
      mechanism = smtp_test_escape (data, end);
      if (space != NULL)
        smtp_test_session_log (session, "C: %s <initial response, %" G_GSIZE_FORMAT " bytes, not shown>",
                               mechanism, length - end - 1);
      else
        smtp_test_session_log (session, "C: %s", mechanism);
      return;
    }
  smtp_test_session_log (session, "C: <%" G_GSIZE_FORMAT " bytes, not shown>", length);
}

static void
on_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SmtpTestSession *session = user_data;

  smtp_test_connection_close_finish (session->conn, result);
  smtp_test_session_log (session, "closed");
  if (session->server != NULL)
    smtp_test_server_session_ended (session->server, session);
  session->free_func (session);
}

void
smtp_test_session_end (SmtpTestSession *session)
{
  smtp_test_connection_close_async (session->conn, on_closed, session);
}
