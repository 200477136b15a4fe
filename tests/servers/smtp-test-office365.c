/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-office365.c — the office365 profile of the test server: one session answering like
 * smtp.office365.com (docs/office365.md), with the replies Exchange Online gives, byte for byte. */
#include "config.h"

#include <string.h>

#include "smtp-test-server-private.h"

/* What Exchange Online advertises with SIZE. */
#define SIZE_LIMIT G_GUINT64_CONSTANT (157286400)
/* Office 365's per-message recipient limit. */
#define MAX_RECIPIENTS 1000

#define AUTH_DISABLED_REPLY \
  "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. " \
  "Visit https://aka.ms/smtp_auth_disabled for more information."
#define AUTH_FAILED_REPLY "535 5.7.3 Authentication unsuccessful"
#define NEED_TLS_REPLY "451 5.7.3 STARTTLS is required to send mail"
#define NEED_HELLO_REPLY "503 5.5.2 Send hello first"
/* The XOAUTH2 error challenge, in the JSON shape clients already parse (RFC 7628 §3.2.2). */
#define XOAUTH2_ERROR_JSON "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://outlook.office.com/SMTP.Send\"}"

typedef enum {
  AUTH_IDLE,
  AUTH_LOGIN_USER,
  AUTH_LOGIN_PASSWORD,
  AUTH_XOAUTH2,
  AUTH_XOAUTH2_ERROR,
} AuthState;

/* What to do once the pending replies are written. */
typedef enum {
  THEN_READ,
  THEN_STARTTLS,
  THEN_DATA,
  THEN_CLOSE,
} Then;

typedef struct {
  SmtpTestSession base;
  SmtpTestOffice365Config config;
  GString *pending;       /* replies not written yet */
  gboolean greeted;
  gboolean tls;
  gboolean authenticated;
  AuthState auth;
  char *login_user;
  gsize login_user_length;
  char *mail_from;
  GPtrArray *rcpt_to;
  char *message_id;
  GFile *file;
  GOutputStream *sink;
  guint64 body_size;
  Then after_flush;
} Session;

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static void
reset_transaction (Session *s)
{
  g_clear_pointer (&s->mail_from, g_free);
  g_ptr_array_set_size (s->rcpt_to, 0);
  g_clear_pointer (&s->message_id, g_free);
  g_clear_object (&s->file);
  g_clear_object (&s->sink);
}

static void
session_free (gpointer data)
{
  Session *s = data;

  reset_transaction (s);
  smtp_test_session_clear (&s->base);
  g_free (s->config.cert_dir);
  g_free (s->config.cert_name);
  g_free (s->config.host);
  g_free (s->config.user);
  wipe_free (s->config.password);
  wipe_free (s->config.token);
  g_free (s->config.mail_dir);
  g_free (s->config.defer_recipient);
  g_free (s->config.refuse_recipient);
  g_string_free (s->pending, TRUE);
  g_free (s->login_user);
  g_ptr_array_unref (s->rcpt_to);
  g_free (s);
}

static void G_GNUC_PRINTF (2, 3)
reply (Session *s, const char *format, ...)
{
  g_autofree char *text = NULL;
  const char *first_end;
  guint more = 0;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_string_append (s->pending, text);
  g_string_append (s->pending, "\r\n");
  first_end = strstr (text, "\r\n");
  for (const char *p = first_end; p != NULL; p = strstr (p + 2, "\r\n"))
    more++;
  if (more == 0)
    smtp_test_session_log (&s->base, "S: %s", text);
  else
    smtp_test_session_log (&s->base, "S: %.*s (and %u more lines)", (int) (first_end - text), text,
                           more);
}

static void proceed (Session *s, Then then);

/* --hold-at greeting and after-dot: what the client still sends is read (recorded, never
 * answered), so its going away shows in the log as the connection's end. */
static void
on_held_drained (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;

  smtp_test_connection_drain_finish (s->base.conn, result, NULL);
  smtp_test_session_end (&s->base);
}

static void
hold_until_closed (Session *s)
{
  smtp_test_connection_drain_async (s->base.conn, s->base.cancellable, on_held_drained, s);
}

/* --hold-at data: nothing is read any more, so the client stays blocked in its writes; the
 * connection ends with the server. */
static gboolean
on_held_stopped (GCancellable *cancellable, gpointer user_data)
{
  Session *s = user_data;

  smtp_test_session_end (&s->base);
  return G_SOURCE_REMOVE;
}

static void
on_held_part (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;
  gsize length = smtp_test_connection_read_part_finish (s->base.conn, result, &error);
  GSource *stopped;

  if (error != NULL)
    {
      smtp_test_session_log (&s->base, "during DATA: %s", error->message);
      smtp_test_session_end (&s->base);
      return;
    }
  smtp_test_session_log (&s->base, "holding during DATA after %" G_GSIZE_FORMAT " bytes of the body (--hold-at data)",
                         length);
  stopped = g_cancellable_source_new (s->base.cancellable);
  g_source_set_callback (stopped, G_SOURCE_FUNC (on_held_stopped), s, NULL);
  g_source_attach (stopped, g_main_context_get_thread_default ());
  g_source_unref (stopped);
}

/* Canonical base64 only (g_base64_decode() would skip garbage): a bad response gets Exchange's
 * 501. "=" is the empty response (RFC 4954). */
static char *
decode_base64 (const char *text, gsize *length)
{
  gsize n = strlen (text);
  gsize data_end = strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  gsize padding = strspn (text + data_end, "=");
  guchar *decoded;

  if (g_str_equal (text, "="))
    {
      *length = 0;
      return g_strdup ("");
    }
  if (n % 4 != 0 || data_end + padding != n || padding > 2)
    return NULL;
  decoded = g_base64_decode (text, length);
  /* As a string for the comparisons below; the length tells about embedded NULs. */
  decoded = g_realloc (decoded, *length + 1);
  decoded[*length] = '\0';
  return (char *) decoded;
}

static void
auth_result (Session *s, gboolean accepted)
{
  s->auth = AUTH_IDLE;
  if (s->config.auth_disabled)
    reply (s, "%s", AUTH_DISABLED_REPLY);
  else if (accepted)
    {
      s->authenticated = TRUE;
      reply (s, "235 2.7.0 Authentication successful");
    }
  else
    reply (s, "%s", AUTH_FAILED_REPLY);
}

/* Byte for byte, so a NUL inside what the client sent cannot shorten the comparison. */
static gboolean
matches_configured (const char *configured, const char *given, gsize given_length)
{
  return configured != NULL && strlen (configured) == given_length
         && memcmp (configured, given, given_length) == 0;
}

static void
xoauth2 (Session *s, const char *response)
{
  gsize length;
  char *decoded = decode_base64 (response, &length);
  char *expected = NULL;
  g_autofree char *challenge = NULL;
  gboolean accepted;

  if (decoded == NULL)
    {
      s->auth = AUTH_IDLE;
      reply (s, "501 5.5.2 Cannot Base64-decode Client responses");
      return;
    }
  if (s->config.token != NULL && s->config.user != NULL)
    expected = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", s->config.user, s->config.token);
  accepted = matches_configured (expected, decoded, length);
  wipe_free (expected);
  wipe_free (decoded);
  if (accepted || s->config.auth_disabled)
    {
      auth_result (s, accepted);
      return;
    }
  /* A refused token gets the error challenge first; the client answers with an empty line. */
  s->auth = AUTH_XOAUTH2_ERROR;
  challenge = g_base64_encode ((const guchar *) XOAUTH2_ERROR_JSON, strlen (XOAUTH2_ERROR_JSON));
  reply (s, "334 %s", challenge);
}

static void
login_user (Session *s, const char *response)
{
  gsize length;
  char *decoded = decode_base64 (response, &length);

  if (decoded == NULL)
    {
      s->auth = AUTH_IDLE;
      reply (s, "501 5.5.2 Cannot Base64-decode Client responses");
      return;
    }
  g_free (s->login_user);
  s->login_user = decoded;
  s->login_user_length = length;
  s->auth = AUTH_LOGIN_PASSWORD;
  reply (s, "334 UGFzc3dvcmQ6");
}

static void
auth_response (Session *s, const char *line)
{
  gsize length;
  char *password;

  if (g_str_equal (line, "*"))
    {
      s->auth = AUTH_IDLE;
      reply (s, "501 5.7.0 Authentication cancelled");
      return;
    }
  switch (s->auth)
    {
    case AUTH_LOGIN_USER:
      login_user (s, line);
      break;
    case AUTH_LOGIN_PASSWORD:
      password = decode_base64 (line, &length);
      if (password == NULL)
        {
          s->auth = AUTH_IDLE;
          reply (s, "501 5.5.2 Cannot Base64-decode Client responses");
          return;
        }
      auth_result (s, matches_configured (s->config.user, s->login_user, s->login_user_length)
                        && matches_configured (s->config.password, password, length));
      wipe_free (password);
      break;
    case AUTH_XOAUTH2:
      xoauth2 (s, line);
      break;
    case AUTH_XOAUTH2_ERROR:
      auth_result (s, FALSE);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
auth (Session *s, const char *args)
{
  const char *space = strchr (args, ' ');
  g_autofree char *mechanism = g_ascii_strup (args, space != NULL ? space - args : -1);
  const char *initial = space != NULL ? space + 1 : NULL;

  if (!s->tls)
    reply (s, NEED_TLS_REPLY);
  else if (s->authenticated)
    reply (s, "503 5.5.1 Already authenticated");
  else if (g_str_equal (mechanism, "LOGIN") && initial != NULL)
    login_user (s, initial);
  else if (g_str_equal (mechanism, "LOGIN"))
    {
      s->auth = AUTH_LOGIN_USER;
      reply (s, "334 VXNlcm5hbWU6");
    }
  else if (g_str_equal (mechanism, "XOAUTH2") && initial != NULL)
    xoauth2 (s, initial);
  else if (g_str_equal (mechanism, "XOAUTH2"))
    {
      s->auth = AUTH_XOAUTH2;
      reply (s, "334 ");
    }
  else
    reply (s, "504 5.7.4 Unrecognized authentication type");
}

/* "FROM:<a@b> SIZE=10" after "MAIL ": the address, and where the parameters start. */
static char *
parse_path (const char *args, const char *keyword, const char **params)
{
  const char *open, *close;

  if (g_ascii_strncasecmp (args, keyword, strlen (keyword)) != 0)
    return NULL;
  open = args + strlen (keyword);
  while (*open == ' ')
    open++;
  close = *open == '<' ? strchr (open, '>') : NULL;
  if (close == NULL || (close[1] != '\0' && close[1] != ' '))
    return NULL;
  *params = close + 1;
  return g_strndup (open + 1, close - open - 1);
}

static void
mail (Session *s, const char *args)
{
  const char *params;
  g_autofree char *address = NULL;
  g_auto (GStrv) words = NULL;

  if (!s->tls)
    {
      reply (s, NEED_TLS_REPLY);
      return;
    }
  if (!s->authenticated)
    {
      reply (s, "530 5.7.57 Client not authenticated to send mail");
      return;
    }
  if (s->mail_from != NULL)
    {
      reply (s, "503 5.5.1 Sender already specified");
      return;
    }
  address = parse_path (args, "FROM:", &params);
  if (address == NULL)
    {
      reply (s, "501 5.5.4 Invalid arguments");
      return;
    }
  words = g_strsplit (params, " ", -1);
  for (char **word = words; *word != NULL; word++)
    {
      if (g_ascii_strncasecmp (*word, "SIZE=", 5) == 0
          && g_ascii_strtoull (*word + 5, NULL, 10) > SIZE_LIMIT)
        {
          reply (s, "552 5.3.4 Message size exceeds fixed maximum message size");
          return;
        }
    }
  s->mail_from = g_steal_pointer (&address);
  reply (s, "250 2.1.0 Sender OK");
}

static void
rcpt (Session *s, const char *args)
{
  const char *params;
  g_autofree char *address = NULL;

  if (s->mail_from == NULL)
    {
      reply (s, "503 5.5.1 Need mail command");
      return;
    }
  address = parse_path (args, "TO:", &params);
  if (address == NULL || *address == '\0')
    reply (s, "501 5.5.4 Invalid arguments");
  else if (s->rcpt_to->len >= MAX_RECIPIENTS)
    reply (s, "452 4.5.3 Too many recipients");
  else if (g_strcmp0 (address, s->config.defer_recipient) == 0)
    reply (s, "452 4.2.2 The recipient's mailbox is full");
  else if (g_strcmp0 (address, s->config.refuse_recipient) == 0)
    reply (s, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup");
  else
    {
      g_ptr_array_add (s->rcpt_to, g_steal_pointer (&address));
      reply (s, "250 2.1.5 Recipient OK");
    }
}

static Then
data (Session *s)
{
  if (s->mail_from == NULL)
    reply (s, "503 5.5.1 Need mail command");
  else if (s->rcpt_to->len == 0)
    reply (s, "503 5.5.1 Need rcpt command");
  else
    {
      reply (s, "354 Start mail input; end with <CRLF>.<CRLF>");
      return THEN_DATA;
    }
  return THEN_READ;
}

/* Letters, digits, '-' and '.', or an address literal: what Exchange takes as an EHLO name. */
static gboolean
valid_hello_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  if (name[0] == '[')
    return g_str_has_suffix (name, "]") && strchr (name, ' ') == NULL;
  for (const char *c = name; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && *c != '-' && *c != '.')
        return FALSE;
    }
  return TRUE;
}

static char *
peer_ip (Session *s)
{
  const char *peer = smtp_test_connection_get_peer (s->base.conn);
  const char *colon = strrchr (peer, ':');

  return g_strndup (peer, colon != NULL ? (gsize) (colon - peer) : strlen (peer));
}

static void
hello (Session *s, const char *name, gboolean extended)
{
  g_autofree char *ip = peer_ip (s);

  if (!valid_hello_name (name))
    {
      reply (s, "501 5.5.4 Invalid domain name");
      return;
    }
  reset_transaction (s);
  s->greeted = TRUE;
  if (!extended)
    {
      reply (s, "250 %s.outlook.office365.com Hello [%s]", s->config.host, ip);
      return;
    }
  /* docs/office365.md: after TLS, AUTH takes the place STARTTLS had. */
  reply (s,
         "250-%s.outlook.office365.com Hello [%s]\r\n"
         "250-SIZE 157286400\r\n"
         "250-PIPELINING\r\n"
         "250-DSN\r\n"
         "250-ENHANCEDSTATUSCODES\r\n"
         "250-%s\r\n"
         "250-8BITMIME\r\n"
         "250-BINARYMIME\r\n"
         "250-CHUNKING\r\n"
         "250 SMTPUTF8",
         s->config.host, ip, s->tls ? "AUTH LOGIN XOAUTH2" : "STARTTLS");
}

static Then
command (Session *s, const char *line)
{
  const char *space = strchr (line, ' ');
  g_autofree char *verb = g_ascii_strup (line, space != NULL ? space - line : -1);
  const char *args = space != NULL ? space + 1 : "";
  static const char *const need_hello[] = { "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT" };

  if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
    {
      hello (s, args, verb[0] == 'E');
      return THEN_READ;
    }
  if (g_str_equal (verb, "QUIT"))
    {
      if (s->config.hang_after_quit)
        {
          /* Fault injection: no 221 ever; reading on only to see the client close. */
          smtp_test_session_log (&s->base, "not answering QUIT (--hang-after-quit)");
          return THEN_READ;
        }
      reply (s, "221 2.0.0 Service closing transmission channel");
      return THEN_CLOSE;
    }
  if (g_str_equal (verb, "RSET"))
    {
      reset_transaction (s);
      reply (s, "250 2.0.0 Resetting");
      return THEN_READ;
    }
  if (g_str_equal (verb, "NOOP"))
    {
      reply (s, "250 2.0.0 OK");
      return THEN_READ;
    }
  if (!s->greeted && g_strv_contains (need_hello, verb))
    {
      reply (s, NEED_HELLO_REPLY);
      return THEN_READ;
    }
  if (g_str_equal (verb, "STARTTLS") && !s->tls)
    {
      reply (s, "220 2.0.0 SMTP server ready");
      return THEN_STARTTLS;
    }
  if (g_str_equal (verb, "AUTH"))
    auth (s, args);
  else if (g_str_equal (verb, "MAIL"))
    mail (s, args);
  else if (g_str_equal (verb, "RCPT"))
    rcpt (s, args);
  else if (g_str_equal (verb, "DATA"))
    return data (s);
  else
    reply (s, "500 5.3.3 Unrecognized command");
  return THEN_READ;
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = smtp_test_connection_read_line_finish (s->base.conn, result, &error);
  g_autofree char *line = NULL;
  gsize length;
  const char *data;

  if (bytes == NULL)
    {
      smtp_test_session_log (&s->base, "%s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        {
          reply (s, "500 5.5.6 Line too long");
          proceed (s, THEN_CLOSE);
        }
      else
        smtp_test_session_end (&s->base);
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  if (s->auth != AUTH_IDLE)
    smtp_test_session_log (&s->base, "C: <AUTH response, %" G_GSIZE_FORMAT " bytes, not shown>", length);
  else
    smtp_test_session_log_client_line (&s->base, bytes);
  if (length > 0 && memchr (data, '\0', length) != NULL)
    {
      s->auth = AUTH_IDLE;
      reply (s, "500 5.5.2 Syntax error");
      proceed (s, THEN_READ);
      return;
    }
  /* An empty line is an empty GBytes, whose data may be NULL. */
  line = length > 0 ? g_strndup (data, length) : g_strdup ("");
  if (s->auth != AUTH_IDLE)
    {
      auth_response (s, line);
      explicit_bzero (line, length);
      proceed (s, THEN_READ);
      return;
    }
  proceed (s, command (s, line));
}

static void
on_tls (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *protocol = smtp_test_connection_starttls_finish (s->base.conn, result, &error);

  if (protocol == NULL)
    {
      smtp_test_session_log (&s->base, "TLS handshake failed: %s", error->message);
      smtp_test_session_end (&s->base);
      return;
    }
  smtp_test_session_log (&s->base, "TLS established (%s)", protocol);
  /* RFC 3207 §4.2: forget everything learnt before TLS. */
  s->tls = TRUE;
  s->greeted = FALSE;
  reset_transaction (s);
  proceed (s, THEN_READ);
}

static void
drop_file (Session *s)
{
  if (s->file != NULL)
    g_file_delete (s->file, NULL, NULL);
}

/* Hands an accepted message to the server (which counts and lists it), or frees it. */
static void
keep_message (Session *s, SmtpTestMessage *message)
{
  if (s->base.server != NULL)
    smtp_test_server_take_message (s->base.server, message);
  else
    smtp_test_message_free (message);
}

static void
on_sink_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;
  guint64 size = s->body_size;
  g_autoptr (GStrvBuilder) recipients = g_strv_builder_new ();
  SmtpTestMessage *message;

  if (!g_output_stream_close_finish (s->sink, result, &error))
    {
      smtp_test_session_log (&s->base, "could not store the message: %s", error->message);
      drop_file (s);
      reply (s, "451 4.3.0 Could not store the message");
      reset_transaction (s);
      proceed (s, THEN_READ);
      return;
    }
  if (size > SIZE_LIMIT)
    {
      drop_file (s);
      reply (s, "552 5.3.4 Message size exceeds fixed maximum message size");
      reset_transaction (s);
      proceed (s, THEN_READ);
      return;
    }
  message = g_new0 (SmtpTestMessage, 1);
  message->mail_from = g_strdup (s->mail_from);
  for (guint i = 0; i < s->rcpt_to->len; i++)
    g_strv_builder_add (recipients, g_ptr_array_index (s->rcpt_to, i));
  message->rcpt_to = g_strv_builder_end (recipients);
  message->message_id = g_strdup_printf ("%s@%s.outlook.office365.com", s->message_id, s->config.host);
  message->size = size;
  if (s->file != NULL)
    message->path = g_file_get_path (s->file);
  else
    message->body = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (s->sink));
  smtp_test_session_log (&s->base, "message <%s> accepted: %" G_GUINT64_FORMAT " bytes from <%s> to %u recipient(s)%s%s",
                         message->message_id, size, message->mail_from, s->rcpt_to->len,
                         message->path != NULL ? ", stored as " : "",
                         message->path != NULL ? message->path : "");
  if (s->config.hold == SMTP_TEST_HOLD_AFTER_DOT)
    {
      /* Fault injection: as --hang-after-data, and the client's going away is logged. */
      smtp_test_session_log (&s->base, "holding after the final dot: the message is kept, no reply (--hold-at after-dot)");
      keep_message (s, message);
      hold_until_closed (s);
      return;
    }
  if (s->config.drop_after_data)
    {
      /* Fault injection: the message is kept but its reply never leaves, as when a connection
       * breaks right after the final dot. The client cannot know whether it was accepted. */
      smtp_test_session_log (&s->base, "dropping the connection without replying (--drop-after-data)");
      keep_message (s, message);
      proceed (s, THEN_CLOSE);
      return;
    }
  if (s->config.hang_after_data)
    {
      /* Fault injection: the message is kept, the connection stays open, no reply ever comes. */
      smtp_test_session_log (&s->base, "never replying (--hang-after-data)");
      keep_message (s, message);
      return;
    }
  reply (s, "250 2.0.0 OK <%s> [Hostname=%s.prod.outlook.com]", message->message_id, s->config.host);
  keep_message (s, message);
  reset_transaction (s);
  proceed (s, THEN_READ);
}

static void
on_body (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;

  s->body_size = smtp_test_connection_read_data_finish (s->base.conn, result, &error);
  if (error != NULL)
    {
      smtp_test_session_log (&s->base, "during DATA: %s", error->message);
      g_output_stream_close (s->sink, NULL, NULL);
      drop_file (s);
      smtp_test_session_end (&s->base);
      return;
    }
  g_output_stream_close_async (s->sink, G_PRIORITY_DEFAULT, NULL, on_sink_closed, s);
}

static void
read_body (Session *s)
{
  smtp_test_connection_read_data_async (s->base.conn, TRUE, s->sink, s->base.cancellable, on_body, s);
}

static void
on_file_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;
  GFileOutputStream *stream = g_file_create_finish (G_FILE (source), result, &error);

  if (stream == NULL)
    {
      /* The client is already sending the body: the only clean way out is to hang up. */
      smtp_test_session_log (&s->base, "could not store the message: %s", error->message);
      reply (s, "421 4.3.2 Service not active");
      proceed (s, THEN_CLOSE);
      return;
    }
  s->sink = G_OUTPUT_STREAM (stream);
  read_body (s);
}

static void
start_body (Session *s)
{
  if (s->config.hold == SMTP_TEST_HOLD_DATA)
    {
      smtp_test_connection_read_part_async (s->base.conn, s->base.cancellable, on_held_part, s);
      return;
    }
  s->message_id = g_strdup_printf ("%08X%08X%08X", g_random_int (), g_random_int (), g_random_int ());
  if (s->config.mail_dir == NULL)
    {
      s->sink = g_memory_output_stream_new_resizable ();
      read_body (s);
      return;
    }
  {
    g_autofree char *name = g_strconcat (s->message_id, ".eml", NULL);

    s->file = g_file_new_build_filename (s->config.mail_dir, name, NULL);
  }
  g_file_create_async (s->file, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT, s->base.cancellable,
                       on_file_created, s);
}

static void
then (Session *s, Then then)
{
  switch (then)
    {
    case THEN_READ:
      smtp_test_connection_read_line_async (s->base.conn, s->base.cancellable, on_line, s);
      break;
    case THEN_STARTTLS:
      smtp_test_connection_starttls_async (s->base.conn, s->config.cert_dir, s->config.cert_name,
                                           G_TLS_PROTOCOL_VERSION_UNKNOWN, s->base.cancellable,
                                           on_tls, s);
      break;
    case THEN_DATA:
      start_body (s);
      break;
    case THEN_CLOSE:
      smtp_test_session_end (&s->base);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_flushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autoptr (GError) error = NULL;

  if (!smtp_test_connection_write_finish (s->base.conn, result, &error))
    {
      smtp_test_session_log (&s->base, "%s", error->message);
      smtp_test_session_end (&s->base);
      return;
    }
  then (s, s->after_flush);
}

/* Replies wait while the client has more commands buffered, so a pipelined flight is answered
 * with one write (as Postfix does); everything pending goes out before waiting for the client. */
static void
proceed (Session *s, Then next)
{
  g_autoptr (GBytes) bytes = NULL;

  if (s->pending->len == 0
      || (next == THEN_READ && smtp_test_connection_has_line (s->base.conn)))
    {
      then (s, next);
      return;
    }
  bytes = g_bytes_new (s->pending->str, s->pending->len);
  g_string_truncate (s->pending, 0);
  s->after_flush = next;
  smtp_test_connection_write_async (s->base.conn, bytes, s->base.cancellable, on_flushed, s);
}

static const char *const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

void
smtp_test_office365_run (SmtpTestServer                *server,
                         SmtpTestConnection            *conn,
                         guint                          id,
                         const SmtpTestOffice365Config *config)
{
  Session *s = g_new0 (Session, 1);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  smtp_test_session_init (&s->base, server, conn, id, session_free);
  s->config.cert_dir = g_strdup (config->cert_dir);
  s->config.cert_name = g_strdup (config->cert_name);
  s->config.host = g_strdup (config->host);
  s->config.user = g_strdup (config->user);
  s->config.password = g_strdup (config->password);
  s->config.token = g_strdup (config->token);
  s->config.mail_dir = g_strdup (config->mail_dir);
  s->config.auth_disabled = config->auth_disabled;
  s->config.drop_after_data = config->drop_after_data;
  s->config.hang_after_data = config->hang_after_data;
  s->config.hold = config->hold;
  s->config.hang_after_quit = config->hang_after_quit;
  s->config.defer_recipient = g_strdup (config->defer_recipient);
  s->config.refuse_recipient = g_strdup (config->refuse_recipient);
  s->pending = g_string_new (NULL);
  s->rcpt_to = g_ptr_array_new_with_free_func (g_free);
  smtp_test_connection_set_record_bodies (conn, FALSE);
  if (s->config.hold == SMTP_TEST_HOLD_GREETING)
    {
      smtp_test_session_log (&s->base, "holding at the greeting: connected, nothing sent (--hold-at greeting)");
      hold_until_closed (s);
      return;
    }
  /* English names whatever the locale, as the real greeting has them. */
  reply (s, "220 %s.outlook.office365.com Microsoft ESMTP MAIL Service ready at %s, %d %s %d %02d:%02d:%02d +0000",
         s->config.host, day_names[g_date_time_get_day_of_week (now) - 1],
         g_date_time_get_day_of_month (now), month_names[g_date_time_get_month (now) - 1],
         g_date_time_get_year (now), g_date_time_get_hour (now), g_date_time_get_minute (now),
         g_date_time_get_second (now));
  proceed (s, THEN_READ);
}
