/* engine-test-utils.c — synchronous wrappers around the asynchronous engine, for tests. */
#include "config.h"

#include "engine-test-utils.h"
#include "o365-send-pacer.h"
#include "o365-transport.h"
#include "test-utils.h"

/* Generous for loopback, short enough that a hung test fails quickly. */
#define TEST_TIMEOUT_MS 3000
#define TEST_WAIT_MS 20000

O365SmtpConfig *
engine_test_config (guint16 port, const char *username, const char *password)
{
  O365SmtpConfig *config = o365_smtp_config_new ();

  config->host = g_strdup ("localhost");
  config->port = port;
  config->ehlo_name = g_strdup ("client.test");
  config->ca_file = test_cert_path ("ca.pem");
  config->timeout_ms = TEST_TIMEOUT_MS;
  config->data_end_timeout_ms = TEST_TIMEOUT_MS;
  config->username = g_strdup (username);
  config->secret = g_strdup (password);
  config->auth_kind = O365_SMTP_AUTH_PASSWORD;
  return config;
}

MailOutgoing *
engine_test_message (const char *sender,
                     const char *const *recipients,
                     const char *text,
                     MailOutgoingFlags flags)
{
  gsize length = strlen (text);
  g_autoptr (GBytes) bytes = g_bytes_new (text, length);
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

  return mail_outgoing_new (sender, recipients, stream, (goffset) length, flags);
}

static void
append_line (const char *line, gpointer user_data)
{
  g_string_append_printf (user_data, "%s\n", line);
}

static void
on_transcript_line (MailTransport *transport, const char *line, gpointer user_data)
{
  append_line (line, user_data);
}

typedef struct
{
  gboolean done;
  GPtrArray *submissions;
  GError *error;
} SubmitWait;

static void
on_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SubmitWait *wait = user_data;

  wait->submissions = mail_transport_submit_finish (MAIL_TRANSPORT (source), result, &wait->error);
  wait->done = TRUE;
}

GPtrArray *
engine_test_submit (const O365SmtpConfig *config, GPtrArray *messages, GString *transcript, GError **error)
{
  g_autoptr (O365Transport) transport = o365_transport_new ("test-account", config);
  SubmitWait wait = { 0 };

  if (transcript != NULL)
    g_signal_connect (transport, "transcript", G_CALLBACK (on_transcript_line), transcript);
  /* Tests send quickly; the 30-a-minute pacing has its own test. */
  o365_send_pacer_set_limit (0, 0);
  mail_transport_submit_async (MAIL_TRANSPORT (transport), messages, NULL, on_submitted, &wait);
  test_wait_for_flag (&wait.done, TEST_WAIT_MS);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.submissions;
}

MailSubmission *
engine_test_submit_one (const O365SmtpConfig *config, MailOutgoing *message, GString *transcript, GError **error)
{
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  g_autoptr (GPtrArray) submissions = NULL;

  g_ptr_array_add (messages, message);
  submissions = engine_test_submit (config, messages, transcript, error);
  if (submissions == NULL)
    return NULL;
  g_assert_cmpuint (submissions->len, ==, 1);
  return g_object_ref (g_ptr_array_index (submissions, 0));
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} OpenWait;

static void
on_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OpenWait *wait = user_data;

  wait->ok = o365_smtp_session_open_finish (O365_SMTP_SESSION (source), result, &wait->error);
  wait->done = TRUE;
}

static void
on_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  o365_smtp_session_close_finish (O365_SMTP_SESSION (source), result);
  *(gboolean *) user_data = TRUE;
}

O365SmtpSession *
engine_test_open_session (const O365SmtpConfig *config, GString *transcript, GError **error)
{
  g_autoptr (O365Transcript) log = transcript != NULL ? o365_transcript_new (append_line, transcript, NULL) : NULL;
  g_autoptr (O365SmtpSession) session = o365_smtp_session_new (config, log);
  OpenWait wait = { 0 };
  gboolean closed = FALSE;

  o365_smtp_session_open_async (session, NULL, on_opened, &wait);
  test_wait_for_flag (&wait.done, TEST_WAIT_MS);
  o365_smtp_session_close_async (session, NULL, on_closed, &closed);
  test_wait_for_flag (&closed, TEST_WAIT_MS);
  if (!wait.ok)
    {
      g_propagate_error (error, wait.error);
      return NULL;
    }
  return g_steal_pointer (&session);
}
