/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-session.c — the engine against the Office-365-like test server: sign-in methods,
 * delivery, several messages on one connection, progress, the transcript. */
#include "config.h"

#include "engine-test-utils.h"
#include "mail-transport-error.h"
#include "o365-connection-gate.h"
#include "o365-smtp-sasl.h"
#include "o365-smtp-auth.h"
#include "o365-transport.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define USER "alice@contoso.test"
#define PASSWORD "correct horse battery staple"
#define TOKEN "eyJ0eXAiOiJKV1QiLCJub25jZSI6IjEyMyJ9.payload.signature"

static const char *const one_recipient[] = { "bob@example.test", NULL };

static const char message_text[] =
  "From: Alice <alice@contoso.test>\n"
  "To: Bob <bob@example.test>\n"
  "Subject: Hello\n"
  "\n"
  "First line\n"
  ".leading dot\n"
  ".\n"
  "Last line without newline";

static SmtpTestServer *
start_office365 (const char *password, const char *token)
{
  g_autoptr (GError) error = NULL;
  SmtpTestServer *server = smtp_test_server_new_office365 ();

  smtp_test_server_set_credentials (server, USER, password, token);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

static GBytes *
stored_message (SmtpTestServer *server, guint index)
{
  const SmtpTestMessage *message = smtp_test_server_get_message (server, index);

  g_assert_nonnull (message);
  if (message->body != NULL)
    return g_bytes_ref (message->body);
  {
    char *contents = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (message->path, &contents, &length, NULL));
    return g_bytes_new_take (contents, length);
  }
}

/* What the server must store: line ends normalised to CRLF, a final CRLF added. */
static char *
normalised (const char *text)
{
  g_autoptr (GRegex) eol = g_regex_new ("\r\n|\r|\n", 0, 0, NULL);
  g_autofree char *crlf = g_regex_replace_literal (eol, text, -1, 0, "\r\n", 0, NULL);

  return g_str_has_suffix (crlf, "\r\n") ? g_steal_pointer (&crlf) : g_strconcat (crlf, "\r\n", NULL);
}

static void
assert_nothing_sensitive_before_tls (SmtpTestServer *server)
{
  g_assert_false (smtp_test_server_received_contains_plaintext (server, "AUTH"));
  g_assert_false (smtp_test_server_received_contains_plaintext (server, "MAIL FROM"));
  g_assert_false (smtp_test_server_received_contains_plaintext (server, "RCPT TO"));
}

static void
test_login_and_send (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (MailOutgoing) message = engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailSubmission) submission = engine_test_submit_one (config, message, transcript, &error);
  g_autoptr (GBytes) stored = NULL;
  g_autofree char *expected = normalised (message_text);
  MailReply *final;

  g_assert_no_error (error);
  g_test_message ("%s", transcript->str);
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  final = mail_submission_get_final_reply (submission);
  g_assert_cmpuint (mail_reply_get_code (final), ==, 250);
  g_assert_cmpstr (mail_reply_get_enhanced_code (final), ==, "2.0.0");
  /* Office 365 announces the message id in the final reply. */
  g_assert_true (g_str_has_prefix (mail_reply_get_text (final), "OK <"));
  g_assert_nonnull (strstr (mail_reply_get_text (final), smtp_test_server_get_message (server, 0)->message_id));
  g_assert_cmpuint (mail_submission_get_n_recipients (submission), ==, 1);
  g_assert_cmpuint (mail_reply_get_code (mail_submission_get_recipient_reply (submission, 0)), ==, 250);

  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 1);
  stored = stored_message (server, 0);
  g_assert_cmpmem (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored), expected, strlen (expected));
  g_assert_cmpstr (smtp_test_server_get_message (server, 0)->mail_from, ==, USER);
  assert_nothing_sensitive_before_tls (server);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 1);
}

static void
test_transcript_redacts_credentials (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (MailOutgoing) message = engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailSubmission) submission = engine_test_submit_one (config, message, transcript, &error);
  g_autofree char *password_b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  g_autofree char *user_b64 = g_base64_encode ((const guchar *) USER, strlen (USER));

  g_assert_no_error (error);
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_nonnull (strstr (transcript->str, "C: AUTH LOGIN"));
  g_assert_nonnull (strstr (transcript->str, "<credentials redacted>"));
  g_assert_nonnull (strstr (transcript->str, "S: 250 2.0.0 OK <"));
  g_assert_nonnull (strstr (transcript->str, "TLS 1."));
  g_assert_null (strstr (transcript->str, PASSWORD));
  g_assert_null (strstr (transcript->str, password_b64));
  g_assert_null (strstr (transcript->str, user_b64));
  /* The body is shown as its size only. */
  g_assert_null (strstr (transcript->str, "leading dot"));
}

static void
test_several_messages_one_connection (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (GError) error = NULL;
  guint trips_first, trips_total;

  for (int i = 0; i < 3; i++)
    g_ptr_array_add (messages, engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE));
  submissions = engine_test_submit (config, messages, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < submissions->len; i++)
    g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, i)), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 1);
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 3);
  g_assert_false (smtp_test_server_received_contains (server, "RSET"));

  /* Round trips (client flights the server waited for): EHLO, STARTTLS, EHLO, AUTH LOGIN ×3,
   * then per message the pipelined envelope and the body, then QUIT. */
  trips_total = smtp_test_server_get_round_trips (server);
  trips_first = 6 + 2 + 1;
  g_assert_cmpuint (trips_total, ==, trips_first + 2 * 2);
}

static void
test_xoauth2_inline_and_continuation (void)
{
  g_autofree char *long_token = NULL;
  const char *tokens[2] = { TOKEN, NULL };

  /* A 6 KB token (Microsoft issues ones over 4 KB) goes through the 334 continuation. */
  long_token = g_strnfill (6 * 1024, 'A');
  tokens[1] = long_token;
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr (SmtpTestServer) server = start_office365 (NULL, tokens[i]);
      g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, tokens[i]);
      g_autoptr (MailOutgoing) message = engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
      g_autoptr (GString) transcript = g_string_new (NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (MailSubmission) submission = NULL;

      config->auth_kind = O365_SMTP_AUTH_OAUTH2;
      submission = engine_test_submit_one (config, message, transcript, &error);
      g_assert_no_error (error);
      g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
      if (i == 0)
        g_assert_nonnull (strstr (transcript->str, "C: AUTH XOAUTH2 <credentials redacted>"));
      else
        g_assert_nonnull (strstr (transcript->str, "C: AUTH XOAUTH2\n"));
      g_assert_null (strstr (transcript->str, tokens[i]));
    }
}

static void
test_xoauth2_error_challenge (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (NULL, TOKEN);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, "expired-token");
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpSession) session = NULL;

  config->auth_kind = O365_SMTP_AUTH_OAUTH2;
  session = engine_test_open_session (config, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "535"));
  g_assert_nonnull (strstr (error->message, "status"));
}

static void
test_wrong_password (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, "wrong");
  g_autoptr (MailOutgoing) message = engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailSubmission) submission = engine_test_submit_one (config, message, NULL, &error);

  g_assert_null (submission);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "5.7.3"));
  g_assert_cmpint (mail_transport_error_classify (error), ==, MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (server, "MAIL FROM"));
}

static void
test_smtp_auth_disabled (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpSession) session = NULL;

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  smtp_test_server_set_auth_disabled (server, TRUE);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  session = engine_test_open_session (config, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_DISABLED);
  g_assert_nonnull (strstr (error->message, "administrator"));
  g_assert_nonnull (strstr (error->message, "5.7.139"));
}

static void
test_session_facts (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpSession) session = engine_test_open_session (config, NULL, &error);
  const O365SmtpCapabilities *capabilities;

  g_assert_no_error (error);
  g_assert_true (g_str_equal (o365_smtp_session_get_tls_version (session), "TLS 1.3") ||
                 g_str_equal (o365_smtp_session_get_tls_version (session), "TLS 1.2"));
  g_assert_cmpstr (o365_smtp_session_get_auth_mechanism (session), ==, "LOGIN");
  capabilities = o365_smtp_session_get_capabilities (session);
  /* After TLS, as Office 365 says it: AUTH LOGIN XOAUTH2, no STARTTLS, SIZE 157286400. */
  g_assert_false (capabilities->starttls);
  g_assert_true (o365_smtp_capabilities_has_auth (capabilities, "XOAUTH2"));
  g_assert_false (o365_smtp_capabilities_has_auth (capabilities, "PLAIN"));
  g_assert_cmpuint (capabilities->size_limit, ==, 157286400);
  g_assert_true (capabilities->pipelining);
}

typedef struct
{
  guint calls;
  guint64 last_sent;
  gint64 total;
} ProgressLog;

static void
on_progress (MailTransport *transport, MailOutgoing *message, guint64 sent, gint64 total, gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpuint (sent, >=, log->last_sent);
  log->calls++;
  log->last_sent = sent;
  log->total = total;
}

static void
on_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GPtrArray **submissions = user_data;

  *submissions = mail_transport_submit_finish (MAIL_TRANSPORT (source), result, NULL);
}

static void
test_progress_on_large_message (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (GString) text = g_string_new ("Subject: big\n\n");
  g_autoptr (MailOutgoing) message = NULL;
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  GPtrArray *submissions = NULL;
  ProgressLog log = { 0 };

  while (text->len < 1024 * 1024)
    g_string_append (text, "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n");
  message = engine_test_message (USER, one_recipient, text->str, MAIL_OUTGOING_NONE);
  g_ptr_array_add (messages, message);
  transport = o365_transport_new ("progress", config);
  g_signal_connect (transport, "progress", G_CALLBACK (on_progress), &log);
  mail_transport_submit_async (MAIL_TRANSPORT (transport), messages, NULL, on_submitted, &submissions);
  while (submissions == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (log.calls, >, 2);
  g_assert_cmpuint (log.last_sent, ==, text->len);
  g_assert_cmpint (log.total, ==, (gint64) text->len);
  g_ptr_array_unref (submissions);
}

/* A host that cannot record that the message is in flight (a full disk, say). */
static void
refuse_end (MailOutgoing *outgoing, GTask *task, gpointer user_data)
{
  guint *calls = user_data;

  (*calls)++;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space left on device");
  g_object_unref (task);
}

/* The host's hook runs before the end of data; when it fails, the end is never sent, so the
 * server does not have the message and it failed for now, not "status unknown". */
static void
test_end_held_back_by_host (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (MailOutgoing) message = engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
  g_autoptr (MailSubmission) submission = NULL;
  g_autoptr (GError) error = NULL;
  guint calls = 0;

  mail_outgoing_set_before_end_func (message, refuse_end, &calls, NULL);
  submission = engine_test_submit_one (config, message, NULL, &error);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_nonnull (submission);
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_FAILED);
  g_assert_error (mail_submission_get_error (submission), MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY);
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 0);
}

/* The server's log, as connections open and close: the most that were ever open at once. */
typedef struct
{
  guint open;
  guint most;
} OpenCount;

static void
count_open (const char *line, gpointer user_data)
{
  OpenCount *count = user_data;

  if (strstr (line, "] connected from ") != NULL)
    {
      count->open++;
      count->most = MAX (count->most, count->open);
    }
  else if (g_str_has_suffix (line, "] closed") && count->open > 0)
    count->open--;
}

static GPtrArray *
one_message_batch (void)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (messages, engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE));
  return messages;
}

/* The outcome is known at the final reply: the submission completes without waiting for the
 * answer to QUIT (here one that never comes), and the next submission for the account waits for
 * that connection to end instead of opening a second one beside it. */
static void
test_outcome_before_quit_answer (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GPtrArray) first = one_message_batch ();
  g_autoptr (GPtrArray) second = one_message_batch ();
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (GError) error = NULL;
  OpenCount count = { 0 };

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  smtp_test_server_set_hang_after_quit (server, TRUE);
  smtp_test_server_set_log_func (server, count_open, &count);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  /* The QUIT timeout is then 3 s: far longer than the wait below. */
  config->timeout_ms = 3000;
  transport = o365_transport_new ("test-account", config);

  submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  /* Reported while the client still waits for the 221 that never comes: its connection is open. */
  g_assert_false (smtp_test_server_wait_idle (server, 1000));
  g_assert_cmpuint (count.open, ==, 1);

  g_clear_pointer (&submissions, g_ptr_array_unref);
  submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), second, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 2);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 2);
  g_assert_true (smtp_test_server_wait_idle (server, 10000));
  g_assert_cmpuint (count.most, ==, 1);
}

static void
collect_transcript (MailTransport *transport, const char *line, gpointer user_data)
{
  g_string_append_printf (user_data, "%s\n", line);
}

/* mail_transport_set_idle_timeout(): the next submission goes out over the connection kept
 * signed in, checked with NOOP first; an unused one is closed after the timeout, and 0 closes it
 * at once. */
static void
test_kept_connection_reused (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  OpenCount count = { 0 };

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  smtp_test_server_set_log_func (server, count_open, &count);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  transport = o365_transport_new ("kept", config);
  g_signal_connect (transport, "transcript", G_CALLBACK (collect_transcript), transcript);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 30);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GPtrArray) batch = one_message_batch ();
      g_autoptr (GPtrArray) submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), batch, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
    }
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 3);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 1);
  /* Kept, not closed: nothing said QUIT yet. */
  g_assert_false (smtp_test_server_wait_idle (server, 300));
  /* Used again at once: no NOOP round trip (the envelope is the check). */
  g_assert_null (strstr (transcript->str, "C: NOOP"));
  g_assert_null (strstr (transcript->str, "C: QUIT"));

  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 0);
  g_assert_true (smtp_test_server_wait_idle (server, 5000));
  g_assert_nonnull (strstr (transcript->str, "C: QUIT"));
  g_assert_cmpuint (count.most, ==, 1);
}

/* Unused for the idle timeout, the kept connection goes; the next submission opens a new one. */
static void
test_kept_connection_times_out (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GPtrArray) first = one_message_batch ();
  g_autoptr (GPtrArray) second = one_message_batch ();
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (GError) error = NULL;

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  transport = o365_transport_new ("kept-timeout", config);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 1);

  submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), first, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (smtp_test_server_wait_idle (server, 5000));
  g_clear_pointer (&submissions, g_ptr_array_unref);
  submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), second, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 2);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 0);
  g_assert_true (smtp_test_server_wait_idle (server, 5000));
}

static gboolean
on_pause_over (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* After a pause, a kept connection is asked with NOOP before a message goes over it. */
static void
test_kept_connection_checked_after_pause (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  gboolean paused = FALSE;

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  transport = o365_transport_new ("kept-pause", config);
  g_signal_connect (transport, "transcript", G_CALLBACK (collect_transcript), transcript);
  /* Fresh for a third of it: 1 s. */
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 3);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GPtrArray) batch = one_message_batch ();
      g_autoptr (GPtrArray) submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), batch, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
      if (i == 0)
        {
          g_timeout_add (1500, on_pause_over, &paused);
          test_wait_for_flag (&paused, 5000);
        }
    }
  g_assert_nonnull (strstr (transcript->str, "C: NOOP"));
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 1);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 0);
  g_assert_true (smtp_test_server_wait_idle (server, 5000));
}

/* The server closed the kept connection (here: it was restarted) before the next message: that
 * message goes over a new connection, not refused, and not twice. */
static void
test_kept_connection_lost (void)
{
  g_autoptr (SmtpTestServer) first_server = smtp_test_server_new_office365 ();
  g_autoptr (SmtpTestServer) second_server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GPtrArray) first = one_message_batch ();
  g_autoptr (GPtrArray) second = one_message_batch ();
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;

  smtp_test_server_set_credentials (first_server, USER, PASSWORD, NULL);
  smtp_test_server_set_credentials (second_server, USER, PASSWORD, NULL);
  g_assert_true (smtp_test_server_start (first_server, 0, &error));
  port = smtp_test_server_get_port (first_server);
  config = engine_test_config (port, USER, PASSWORD);
  transport = o365_transport_new ("kept-lost", config);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 30);

  submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), first, NULL, &error);
  g_assert_no_error (error);
  smtp_test_server_stop (first_server);
  g_assert_true (smtp_test_server_start (second_server, port, &error));
  g_clear_pointer (&submissions, g_ptr_array_unref);
  submissions = engine_test_submit_through (MAIL_TRANSPORT (transport), second, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (smtp_test_server_get_n_messages (first_server), ==, 1);
  g_assert_cmpuint (smtp_test_server_get_n_messages (second_server), ==, 1);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 0);
  g_assert_true (smtp_test_server_wait_idle (second_server, 5000));
}

static void
on_gate_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *acquired = user_data;

  *acquired = o365_connection_gate_acquire_finish (result, NULL);
}

/* A transport dropped while it keeps its connection (the agent leaving on SIGTERM) closes the
 * connection and lets the account's next operation in: the gate goes with its account key. */
static void
test_kept_connection_released_on_finalize (void)
{
  g_autoptr (SmtpTestServer) server = start_office365 (PASSWORD, NULL);
  g_autoptr (O365SmtpConfig) config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  g_autoptr (MailOutgoing) message = engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  g_autoptr (O365Transport) transport = o365_transport_new ("kept-finalize", config);
  g_autoptr (GTimer) timer = g_timer_new ();
  GPtrArray *submissions = NULL;
  gboolean acquired = FALSE;

  g_ptr_array_add (messages, message);
  mail_transport_set_idle_timeout (MAIL_TRANSPORT (transport), 30);
  mail_transport_submit_async (MAIL_TRANSPORT (transport), messages, NULL, on_submitted, &submissions);
  while (submissions == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  g_ptr_array_unref (submissions);

  g_clear_object (&transport);
  o365_connection_gate_acquire_async ("kept-finalize", NULL, on_gate_acquired, &acquired);
  while (!acquired && g_timer_elapsed (timer, NULL) < 5)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (acquired);
  o365_connection_gate_release ("kept-finalize");
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/session/login-and-send", test_login_and_send);
  g_test_add_func ("/session/transcript-redacts-credentials", test_transcript_redacts_credentials);
  g_test_add_func ("/session/several-messages-one-connection", test_several_messages_one_connection);
  g_test_add_func ("/session/xoauth2-inline-and-continuation", test_xoauth2_inline_and_continuation);
  g_test_add_func ("/session/xoauth2-error-challenge", test_xoauth2_error_challenge);
  g_test_add_func ("/session/wrong-password", test_wrong_password);
  g_test_add_func ("/session/smtp-auth-disabled", test_smtp_auth_disabled);
  g_test_add_func ("/session/facts", test_session_facts);
  g_test_add_func ("/session/progress-on-large-message", test_progress_on_large_message);
  g_test_add_func ("/session/end-held-back-by-host", test_end_held_back_by_host);
  g_test_add_func ("/session/outcome-before-quit-answer", test_outcome_before_quit_answer);
  g_test_add_func ("/session/kept-connection-reused", test_kept_connection_reused);
  g_test_add_func ("/session/kept-connection-times-out", test_kept_connection_times_out);
  g_test_add_func ("/session/kept-connection-checked-after-pause", test_kept_connection_checked_after_pause);
  g_test_add_func ("/session/kept-connection-lost", test_kept_connection_lost);
  g_test_add_func ("/session/kept-connection-released-on-finalize", test_kept_connection_released_on_finalize);
  return g_test_run ();
}
