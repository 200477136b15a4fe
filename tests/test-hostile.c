/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-hostile.c — the engine against hostile servers (docs/testing.md, layer 4): STARTTLS injection,
 * missing or refused STARTTLS, capability changes across TLS, the certificate matrix, broken
 * replies, 421 / disconnect / silence at every stage, pipelining cascades, SIZE, AUTH abuse,
 * body hygiene, header and envelope injection, SMTPUTF8/8BITMIME, redaction.
 *
 * Each case checks the error (code and classification) and what did or did not reach the
 * server, byte for byte where that matters. */
#include "config.h"

#include <string.h>

#include "engine-test-utils.h"
#include "mail-transport-error.h"
#include "o365-smtp-body-encoder.h"
#include "o365-smtp-reply.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define USER "alice@contoso.test"
#define PASSWORD "correct horse battery staple"
#define TOKEN "eyJ0eXAiOiJKV1QiLCJub25jZSI6ImhvcyJ9.payload.signature"
#define RECIPIENT "bob@example.test"
#define BODY_MARKER "BODY-MARKER-7f3a"
/* Silence cases wait this long for each reply: long enough for loopback, short for the suite. */
#define SHORT_TIMEOUT_MS 300
#define IDLE_TIMEOUT_MS 10000

#define GREETING "220 mx.test Microsoft ESMTP MAIL Service ready\r\n"
/* As smtp.office365.com answers (docs/office365.md), before and after TLS. */
#define EHLO_BEFORE_TLS                                                                           \
  "250-mx.test Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n"          \
  "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n250-BINARYMIME\r\n"                 \
  "250-CHUNKING\r\n250 SMTPUTF8\r\n"
#define EHLO_AFTER_TLS                                                                            \
  "250-mx.test Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n"          \
  "250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n250-8BITMIME\r\n250-BINARYMIME\r\n"       \
  "250-CHUNKING\r\n250 SMTPUTF8\r\n"
#define READY_FOR_TLS "220 2.0.0 SMTP server ready\r\n"
#define SERVICE_NOT_ACTIVE "421 4.3.2 Service not active\r\n"

static const char *const one_recipient[] = { RECIPIENT, NULL };

static const char message_text[] =
  "From: Alice <" USER ">\r\n"
  "To: Bob <" RECIPIENT ">\r\n"
  "Subject: hostile\r\n"
  "\r\n"
  BODY_MARKER "\r\n";

/* --- Scripts ---------------------------------------------------------------------------------- */

/* Points of a session, in order. script_until (S) plays a well-behaved server up to the moment
 * it must answer the client's command of stage S (for AT_HANDSHAKE: start TLS). */
typedef enum
{
  AT_GREETING,
  AT_EHLO,
  AT_STARTTLS,
  AT_HANDSHAKE,
  AT_EHLO_AFTER_TLS,
  AT_AUTH,
  AT_SIGNED_IN, /* the 235 is sent: the client's envelope comes next */
  AT_MAIL,      /* the pipelined MAIL, RCPT, DATA of the default message were read */
  AT_RCPT,
  AT_DATA,
  AT_DOT,       /* the body was read up to its final dot */
} Stage;

typedef struct
{
  const char *ehlo_before_tls;
  const char *cert;
  GTlsProtocolVersion max_version;
  const char *ehlo_after_tls;
} Profile;

static const Profile office365_like = {
  EHLO_BEFORE_TLS, "server", G_TLS_PROTOCOL_VERSION_UNKNOWN, EHLO_AFTER_TLS,
};

static char *
base64_of (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

static SmtpTestScript *
script_until_with (const Profile *profile, Stage stage)
{
  SmtpTestScript *script = smtp_test_script_new ();
  g_autofree char *user = base64_of (USER);
  g_autofree char *password = base64_of (PASSWORD);

  for (Stage step = AT_EHLO; step <= stage; step++)
    {
      switch (step)
        {
        case AT_EHLO:
          smtp_test_script_send (script, GREETING);
          smtp_test_script_expect_line (script, "EHLO client.test");
          break;
        case AT_STARTTLS:
          smtp_test_script_send (script, profile->ehlo_before_tls);
          smtp_test_script_expect_line (script, "STARTTLS");
          break;
        case AT_HANDSHAKE:
          smtp_test_script_send (script, READY_FOR_TLS);
          break;
        case AT_EHLO_AFTER_TLS:
          smtp_test_script_starttls (script, profile->cert, profile->max_version);
          smtp_test_script_expect_line (script, "EHLO client.test");
          break;
        case AT_AUTH:
          smtp_test_script_send (script, profile->ehlo_after_tls);
          smtp_test_script_expect_line (script, "AUTH LOGIN");
          break;
        case AT_SIGNED_IN:
          smtp_test_script_send (script, "334 VXNlcm5hbWU6\r\n");
          smtp_test_script_expect_line (script, user);
          smtp_test_script_send (script, "334 UGFzc3dvcmQ6\r\n");
          smtp_test_script_expect_line (script, password);
          smtp_test_script_send (script, "235 2.7.0 Authentication successful\r\n");
          break;
        case AT_MAIL:
          smtp_test_script_expect_prefix (script, "MAIL FROM:<" USER ">");
          smtp_test_script_expect_line (script, "RCPT TO:<" RECIPIENT ">");
          smtp_test_script_expect_line (script, "DATA");
          break;
        case AT_RCPT:
          smtp_test_script_send (script, "250 2.1.0 Sender OK\r\n");
          break;
        case AT_DATA:
          smtp_test_script_send (script, "250 2.1.5 Recipient OK\r\n");
          break;
        case AT_DOT:
          smtp_test_script_send (script, "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
          smtp_test_script_expect_data (script);
          break;
        case AT_GREETING:
        default:
          g_assert_not_reached ();
        }
    }
  return script;
}

static SmtpTestScript *
script_until (Stage stage)
{
  return script_until_with (&office365_like, stage);
}

/* The server accepts the message on the wire and the client says goodbye. */
static void
script_accept_and_quit (SmtpTestScript *script)
{
  smtp_test_script_send (script, "250 2.0.0 OK <id@mx.test> [Hostname=mx.test]\r\n");
  smtp_test_script_expect_line (script, "QUIT");
  smtp_test_script_send (script, "221 2.0.0 Service closing transmission channel\r\n");
}

static void
script_quit (SmtpTestScript *script)
{
  smtp_test_script_expect_line (script, "QUIT");
  smtp_test_script_send (script, "221 2.0.0 Service closing transmission channel\r\n");
}

/* --- Running a case ---------------------------------------------------------------------------- */

typedef struct
{
  SmtpTestServer *server;
  O365SmtpConfig *config;
  GString *transcript;
  MailSubmission *submission; /* NULL when the session failed before the message */
  GError *error;              /* the session error then */
} Run;

static void
run_clear (Run *run)
{
  g_clear_object (&run->server);
  g_clear_pointer (&run->config, o365_smtp_config_free);
  if (run->transcript != NULL)
    g_string_free (run->transcript, TRUE);
  g_clear_object (&run->submission);
  g_clear_error (&run->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Starts a server playing @script (taken; NULL: no script, any connection is a failure). */
static void
run_start (Run *run, SmtpTestScript *script)
{
  g_autoptr (GError) error = NULL;

  run->server = smtp_test_server_new_scripted ();
  if (script != NULL)
    smtp_test_server_add_script (run->server, script);
  g_assert_true (smtp_test_server_start (run->server, 0, &error));
  g_assert_no_error (error);
  run->config = engine_test_config (smtp_test_server_get_port (run->server), USER, PASSWORD);
  run->transcript = g_string_new (NULL);
}

static MailOutgoing *
message_from_bytes (const char *sender,
                    const char *const *recipients,
                    const void *data,
                    gsize length,
                    MailOutgoingFlags flags)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, length);
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

  return mail_outgoing_new (sender, recipients, stream, (goffset) length, flags);
}

static MailOutgoing *
default_message (void)
{
  return engine_test_message (USER, one_recipient, message_text, MAIL_OUTGOING_NONE);
}

/* Lets the server's script finish: it records what the client still sends until it closes. */
static void
run_wait_server (Run *run)
{
  g_assert_true (smtp_test_server_wait_idle (run->server, IDLE_TIMEOUT_MS));
  g_test_message ("transcript:\n%s", run->transcript->str);
  if (smtp_test_server_get_script_failure (run->server) != NULL)
    g_test_message ("script: %s", smtp_test_server_get_script_failure (run->server));
}

/* Submits @message (taken; NULL: the default message) and waits for the server's script. */
static void
run_submit (Run *run, MailOutgoing *message)
{
  g_autoptr (MailOutgoing) owned = message != NULL ? message : default_message ();

  run->submission = engine_test_submit_one (run->config, owned, run->transcript, &run->error);
  run_wait_server (run);
}

static void
assert_failure (const GError *error, MailTransportError code, MailFailureClass class)
{
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, (gint) code);
  g_assert_cmpint (mail_transport_error_classify (error), ==, class);
}

/* The session ended before the message was started. */
static void
assert_session_failed (Run *run, MailTransportError code, MailFailureClass class)
{
  g_assert_null (run->submission);
  assert_failure (run->error, code, class);
}

static void
assert_message (Run *run, MailSubmissionStatus status, MailTransportError code, MailFailureClass class)
{
  g_assert_no_error (run->error);
  g_assert_nonnull (run->submission);
  g_assert_cmpint (mail_submission_get_status (run->submission), ==, status);
  assert_failure (mail_submission_get_error (run->submission), code, class);
}

static void
assert_script_completed (Run *run)
{
  g_assert_cmpstr (smtp_test_server_get_script_failure (run->server), ==, NULL);
  g_assert_true (smtp_test_server_get_script_completed (run->server));
}

/* --- Recordings -------------------------------------------------------------------------------- */

/* Bytes as text, everything but printable ASCII as \xNN: recordings compare and print as
 * strings, NUL bytes included. */
static char *
escape_bytes (const void *data, gsize length)
{
  const guint8 *bytes = data;
  GString *out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\')
        g_string_append_c (out, (char) bytes[i]);
      else
        g_string_append_printf (out, "\\x%02x", bytes[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
escape (const char *text)
{
  return escape_bytes (text, strlen (text));
}

typedef enum
{
  PART_ALL,
  PART_PLAINTEXT, /* before TLS began (all of it if it never did) */
  PART_TLS,       /* after TLS began */
} Part;

/* What the client sent on the first connection, escaped. */
static char *
recorded (Run *run, Part part)
{
  g_autoptr (GBytes) bytes = smtp_test_server_get_received (run->server, 0);
  gssize tls_offset = smtp_test_server_get_tls_offset (run->server, 0);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  gsize start = 0;

  if (part == PART_TLS)
    {
      g_assert_cmpint (tls_offset, >=, 0);
      start = (gsize) tls_offset;
    }
  else if (part == PART_PLAINTEXT && tls_offset >= 0)
    length = (gsize) tls_offset;
  /* An empty recording may have no data pointer at all. */
  return escape_bytes (length > start ? data + start : "", length - start);
}

static void
assert_recorded (Run *run, Part part, const char *expected)
{
  g_autofree char *got = recorded (run, part);
  g_autofree char *want = escape (expected);

  g_assert_cmpstr (got, ==, want);
}

static void
assert_recorded_ends_with (Run *run, const char *tail)
{
  g_autofree char *got = recorded (run, PART_ALL);
  g_autofree char *want = escape (tail);
  gsize n = strlen (got), m = strlen (want);

  g_assert_cmpstr (n >= m ? got + n - m : got, ==, want);
}

/* Everything the client sent after the first @marker on the first connection, escaped. */
static char *
recorded_after (Run *run, const char *marker)
{
  g_autofree char *got = recorded (run, PART_ALL);
  g_autofree char *escaped_marker = escape (marker);
  const char *found = strstr (got, escaped_marker);

  g_assert_nonnull (found);
  return g_strdup (found + strlen (escaped_marker));
}

static void
assert_recorded_after (Run *run, const char *marker, const char *expected)
{
  g_autofree char *got = recorded_after (run, marker);
  g_autofree char *want = escape (expected);

  g_assert_cmpstr (got, ==, want);
}

/* Nothing that needs TLS or a signed-in session left the client in the clear. */
static void
assert_nothing_sensitive_in_plaintext (Run *run)
{
  g_assert_false (smtp_test_server_received_contains_plaintext (run->server, "AUTH"));
  g_assert_false (smtp_test_server_received_contains_plaintext (run->server, "MAIL FROM"));
  g_assert_false (smtp_test_server_received_contains_plaintext (run->server, "RCPT TO"));
}

static void
assert_no_envelope (Run *run)
{
  g_assert_false (smtp_test_server_received_contains (run->server, "MAIL FROM"));
  g_assert_false (smtp_test_server_received_contains (run->server, "RCPT TO"));
  g_assert_false (smtp_test_server_received_contains (run->server, BODY_MARKER));
}

/* No C0/C1 control character, DEL or line separator: what a hostile server sent must not
 * reach a terminal, a log line or a label as such. */
static void
assert_displayable (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        {
          g_autofree char *shown = escape (text);

          g_test_fail_printf ("control character U+%04X in “%s”", c, shown);
          return;
        }
    }
}

/* --- STARTTLS injection ------------------------------------------------------------------------ */

/* The acceptance test: the 220 and an injected reply in one write. Were the second line kept,
 * it would be read as the first reply inside TLS (the CVE-2020-14928 class). */
static void
test_injection_one_write (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_STARTTLS);

  smtp_test_script_send (script, "220 Ready\r\n250-x\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
  g_assert_cmpint (smtp_test_server_get_tls_offset (run.server, 0), ==, -1);
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\nSTARTTLS\r\n");
  assert_script_completed (&run);
}

static void
test_injection_partial_line (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_STARTTLS);

  smtp_test_script_send (script, "220 Ready\r\n25");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  g_assert_cmpint (smtp_test_server_get_tls_offset (run.server, 0), ==, -1);
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\nSTARTTLS\r\n");
  assert_script_completed (&run);
}

/* The 220 arrives with the EHLO reply, before STARTTLS was even sent. */
static void
test_injection_early (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_EHLO);

  smtp_test_script_send (script, EHLO_BEFORE_TLS READY_FOR_TLS);
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

/* A greeting and an EHLO reply in one write: the reply answers a command not yet sent, so the
 * client must not send EHLO and take it as the answer. */
static void
test_out_of_step_greeting (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = smtp_test_script_new ();

  smtp_test_script_send (script, GREETING EHLO_BEFORE_TLS);
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded (&run, PART_ALL, "");
  assert_script_completed (&run);
}

/* "334 Username:" and "235" together: answering the 334 and then reading the 235 would sign in
 * having sent only the user name. The password must never be sent. */
static void
test_out_of_step_login (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_AUTH);
  g_autofree char *password = base64_of (PASSWORD);
  g_autofree char *user = base64_of (USER);

  smtp_test_script_send (script, "334 VXNlcm5hbWU6\r\n235 2.7.0 Authentication successful\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, user));
  g_assert_false (smtp_test_server_received_contains (run.server, password));
  assert_recorded_ends_with (&run, "AUTH LOGIN\r\n");
  assert_script_completed (&run);
}

/* Two final replies for one message: the second would pass for the answer to the next
 * message's MAIL. The first message is sent; the next one is not, and says why. */
static void
test_out_of_step_after_final_reply (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_DOT);
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) submissions = NULL;
  MailSubmission *second;

  smtp_test_script_send (script, "250 2.0.0 OK <one@mx.test>\r\n250 2.0.0 OK <two@mx.test>\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  g_ptr_array_add (messages, default_message ());
  g_ptr_array_add (messages, default_message ());
  submissions = engine_test_submit (run.config, messages, run.transcript, &run.error);
  run_wait_server (&run);

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_SENT);
  second = g_ptr_array_index (submissions, 1);
  g_assert_cmpint (mail_submission_get_status (second), ==, MAIL_SUBMISSION_FAILED);
  assert_failure (mail_submission_get_error (second), MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY);
  g_assert_nonnull (strstr (mail_submission_get_error (second)->message, "never sent"));
  assert_recorded_ends_with (&run, "\r\n.\r\n");
  assert_script_completed (&run);
}

/* Injected plaintext in its own write, after the client has read the 220 and begun the
 * handshake: the TLS layer must refuse it, never the SMTP reader take it. The delay lets the
 * client read the 220 alone (together, it would be the one-write case). */
static void
test_injection_late (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_HANDSHAKE);

  smtp_test_script_delay (script, 500);
  smtp_test_script_send (script, "250-x\r\n250 AUTH PLAIN\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
  assert_no_envelope (&run);
  assert_script_completed (&run);
}

/* --- STARTTLS missing or refused, EHLO refused ------------------------------------------------- */

static void
test_starttls_not_offered (void)
{
  g_auto (Run) run = { 0 };
  Profile profile = office365_like;
  SmtpTestScript *script;

  profile.ehlo_before_tls = "250-mx.test Hello\r\n250-AUTH LOGIN PLAIN\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
  script = script_until_with (&profile, AT_STARTTLS);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT);
  /* The script wanted STARTTLS next and got the client's close instead. */
  g_assert_nonnull (smtp_test_server_get_script_failure (run.server));
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\n");
}

typedef struct
{
  const char *path;
  const char *reply;
  MailTransportError code;
  MailFailureClass class;
} RefusalCase;

static const RefusalCase starttls_refusals[] = {
  /* RFC 3207: a temporary reason; retry later, never without TLS. */
  { "/hostile/starttls/refused-454", "454 4.7.0 TLS not available due to temporary reason\r\n",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY },
  { "/hostile/starttls/refused-500", "500 5.5.1 Command unrecognized\r\n",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT },
  { "/hostile/starttls/refused-501", "501 5.5.4 Syntax error\r\n",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT },
  { "/hostile/starttls/refused-502", "502 5.5.1 Command not implemented\r\n",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT },
  { "/hostile/starttls/refused-503", "503 5.5.2 Send hello first\r\n",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT },
  /* The server is going away: try again later, still without a plaintext fallback. */
  { "/hostile/starttls/refused-421", SERVICE_NOT_ACTIVE,
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY },
  /* A positive reply that is not 220 does not start TLS either. */
  { "/hostile/starttls/odd-250", "250 2.0.0 OK\r\n",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT },
};

static void
test_starttls_refused (gconstpointer data)
{
  const RefusalCase *refusal = data;
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_STARTTLS);

  smtp_test_script_send (script, refusal->reply);
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, refusal->code, refusal->class);
  /* Nothing after STARTTLS: no AUTH, no envelope, not even a second try. */
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\nSTARTTLS\r\n");
  assert_script_completed (&run);
}

static const RefusalCase ehlo_refusals[] = {
  { "/hostile/ehlo/refused-550", "550 5.7.1 Access denied\r\n",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT },
  { "/hostile/ehlo/refused-421", SERVICE_NOT_ACTIVE,
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY },
  { "/hostile/ehlo/refused-502", "502 5.5.1 Command not implemented\r\n",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT },
};

static void
test_ehlo_refused (gconstpointer data)
{
  const RefusalCase *refusal = data;
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_EHLO);

  smtp_test_script_send (script, refusal->reply);
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, refusal->code, refusal->class);
  /* No HELO fallback (it could not do STARTTLS), nothing else. */
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

/* --- Capabilities across TLS ------------------------------------------------------------------- */

/* The client must read AUTH from the EHLO after TLS only. */
static void
run_auth_capability_case (Run *run, const char *ehlo_before_tls, const char *ehlo_after_tls)
{
  Profile profile = office365_like;
  SmtpTestScript *script;

  profile.ehlo_before_tls = ehlo_before_tls;
  script = script_until_with (&profile, AT_EHLO_AFTER_TLS);
  smtp_test_script_send (script, ehlo_after_tls);
  smtp_test_script_silence (script);
  run_start (run, script);
  run_submit (run, NULL);
}

static void
test_auth_only_before_tls (void)
{
  g_auto (Run) run = { 0 };

  run_auth_capability_case (&run,
                            "250-mx.test Hello\r\n250-AUTH LOGIN PLAIN\r\n250-STARTTLS\r\n250 PIPELINING\r\n",
                            "250-mx.test Hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n");

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED, MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
  assert_recorded (&run, PART_TLS, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

static void
test_no_auth_after_tls (void)
{
  g_auto (Run) run = { 0 };

  run_auth_capability_case (&run, "250-mx.test Hello\r\n250 STARTTLS\r\n", "250 mx.test Hello\r\n");

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED, MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
  assert_recorded (&run, PART_TLS, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

static void
test_xoauth2_only_with_password (void)
{
  g_auto (Run) run = { 0 };

  run_auth_capability_case (&run, EHLO_BEFORE_TLS,
                            "250-mx.test Hello\r\n250-PIPELINING\r\n250 AUTH XOAUTH2\r\n");

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED, MAIL_FAILURE_PERMANENT);
  g_assert_nonnull (strstr (run.error->message, "XOAUTH2"));
  g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
  assert_recorded (&run, PART_TLS, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

/* A SIZE limit seen before TLS is forgotten: the message goes out under the one after TLS
 * (none here, so no SIZE= parameter either). */
static void
test_size_before_tls_forgotten (void)
{
  g_auto (Run) run = { 0 };
  Profile profile = office365_like;
  SmtpTestScript *script;

  profile.ehlo_before_tls = "250-mx.test Hello\r\n250-SIZE 10\r\n250 STARTTLS\r\n";
  profile.ehlo_after_tls = "250-mx.test Hello\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n";
  script = script_until_with (&profile, AT_SIGNED_IN);
  smtp_test_script_expect_line (script, "MAIL FROM:<" USER ">");
  smtp_test_script_expect_line (script, "RCPT TO:<" RECIPIENT ">");
  smtp_test_script_expect_line (script, "DATA");
  smtp_test_script_send (script, "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Go ahead\r\n");
  smtp_test_script_expect_data (script);
  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (run.submission), ==, MAIL_SUBMISSION_SENT);
  assert_script_completed (&run);
}

/* --- Certificates and TLS versions ------------------------------------------------------------- */

typedef struct
{
  const char *path;
  const char *cert;
  GTlsProtocolVersion max_version;
} TlsCase;

static const TlsCase refused_certificates[] = {
  { "/hostile/certificate/expired", "expired", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/not-yet-valid", "not-yet-valid", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/self-signed", "self-signed", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/wrong-name", "wrong-name", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/cn-only", "cn-only", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/bad-wildcard", "bad-wildcard", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/partial-wildcard", "partial-wildcard", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/missing-intermediate", "leaf-via-intermediate", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/certificate/other-ca", "other-ca-leaf", G_TLS_PROTOCOL_VERSION_UNKNOWN },
  { "/hostile/tls-version/tls-1.1-only", "server", G_TLS_PROTOCOL_VERSION_TLS_1_1 },
  { "/hostile/tls-version/tls-1.0-only", "server", G_TLS_PROTOCOL_VERSION_TLS_1_0 },
};

static void
test_tls_refused (gconstpointer data)
{
  const TlsCase *tls = data;
  g_auto (Run) run = { 0 };
  Profile profile = office365_like;
  SmtpTestScript *script;

  profile.cert = tls->cert;
  profile.max_version = tls->max_version;
  script = script_until_with (&profile, AT_EHLO_AFTER_TLS);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT);
  /* Not one byte of application data went over the refused connection. */
  assert_recorded (&run, PART_PLAINTEXT, "EHLO client.test\r\nSTARTTLS\r\n");
  assert_recorded (&run, PART_TLS, "");
  g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
}

/* The leaf with its intermediate, as a server should send it: accepted. */
static void
test_certificate_chain_full (void)
{
  g_auto (Run) run = { 0 };
  Profile profile = office365_like;
  SmtpTestScript *script;

  profile.cert = "chain-full";
  script = script_until_with (&profile, AT_DOT);
  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (run.submission), ==, MAIL_SUBMISSION_SENT);
  assert_script_completed (&run);
}

/* --- Broken replies ---------------------------------------------------------------------------- */

/* @reply (@length bytes) answers EHLO; the client must stop there with a protocol error. */
static void
run_bad_ehlo_reply (Run *run, const void *reply, gsize length)
{
  SmtpTestScript *script = script_until (AT_EHLO);

  smtp_test_script_send_bytes (script, reply, length);
  smtp_test_script_silence (script);
  run_start (run, script);
  run_submit (run, NULL);

  assert_session_failed (run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded (run, PART_ALL, "EHLO client.test\r\n");
  assert_script_completed (run);
}

static void
test_over_long_line (void)
{
  g_auto (Run) run = { 0 };
  g_autofree char *filler = g_strnfill (O365_SMTP_REPLY_MAX_LINE + 100, 'a');
  g_autofree char *reply = g_strconcat ("250-", filler, "\r\n250 STARTTLS\r\n", NULL);

  run_bad_ehlo_reply (&run, reply, strlen (reply));
}

/* No line end at all: the client must give up at the limit, not wait for the time-out. */
static void
test_over_long_line_unterminated (void)
{
  g_auto (Run) run = { 0 };
  g_autofree char *reply = g_strnfill (2 * O365_SMTP_REPLY_MAX_LINE + 100, '2');

  run_bad_ehlo_reply (&run, reply, strlen (reply));
}

static void
test_endless_multiline (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_EHLO);

  smtp_test_script_send_endless (script, "250-x\r\n");
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

typedef struct
{
  const char *path;
  const char *reply;
} MalformedCase;

static const MalformedCase malformed_replies[] = {
  { "/hostile/reply/malformed/letter-in-code", "2x0 ok\r\n" },
  { "/hostile/reply/malformed/two-digit-code", "25 ok\r\n" },
  { "/hostile/reply/malformed/1xx", "1xx\r\n" },
  { "/hostile/reply/malformed/code-150", "150 ok\r\n" },
  { "/hostile/reply/malformed/code-600", "600 ok\r\n" },
  { "/hostile/reply/malformed/no-separator", "250ok\r\n" },
  { "/hostile/reply/malformed/code-changes", "250-mx.test\r\n251 STARTTLS\r\n" },
  { "/hostile/reply/malformed/empty-line", "\r\n" },
  { "/hostile/reply/malformed/leading-space", " 250 ok\r\n" },
};

static void
test_malformed_reply (gconstpointer data)
{
  const MalformedCase *malformed = data;
  g_auto (Run) run = { 0 };

  run_bad_ehlo_reply (&run, malformed->reply, strlen (malformed->reply));
}

/* NUL, escape sequences, BEL, DEL, C1 and line separators in a greeting (accepted) and in an
 * EHLO refusal (shown to the user): none of them reaches the error or the transcript. */
static void
test_control_bytes (void)
{
  static const char greeting[] = "220 mx.test \0\x1b[2J\x07 ESMTP ready\r\n";
  static const char refusal[] = "550-5.7.1 go\0away\x1b]0;owned\x07\r\n"
                                "550 5.7.1 \x7f\xc2\x85\xe2\x80\xa8\x9b" "end\r\n";
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = smtp_test_script_new ();
  g_auto (GStrv) lines = NULL;

  smtp_test_script_send_bytes (script, greeting, sizeof greeting - 1);
  smtp_test_script_expect_line (script, "EHLO client.test");
  smtp_test_script_send_bytes (script, refusal, sizeof refusal - 1);
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT);
  /* The text is still shown, only made harmless. */
  g_assert_nonnull (strstr (run.error->message, "away"));
  assert_displayable (run.error->message);
  g_assert_nonnull (strstr (run.transcript->str, "ESMTP ready"));
  lines = g_strsplit (run.transcript->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    assert_displayable (lines[i]);
  assert_recorded (&run, PART_ALL, "EHLO client.test\r\n");
  assert_script_completed (&run);
}

/* --- 421, disconnect and silence at every stage ------------------------------------------------ */

typedef enum
{
  HOSTILE_421,
  HOSTILE_CLOSE,
  HOSTILE_SILENCE,
} Hostility;

typedef struct
{
  char *path;
  Hostility hostility;
  Stage stage;
} StageCase;

static const struct
{
  Stage stage;
  const char *name;
  const char *last_command; /* what the client sent last before the server misbehaved */
} stages[] = {
  { AT_GREETING, "greeting", "" },
  { AT_EHLO, "ehlo", "EHLO client.test\r\n" },
  { AT_STARTTLS, "starttls", "STARTTLS\r\n" },
  { AT_HANDSHAKE, "tls-handshake", NULL },
  { AT_EHLO_AFTER_TLS, "ehlo-after-tls", "EHLO client.test\r\n" },
  { AT_AUTH, "auth", "AUTH LOGIN\r\n" },
  { AT_MAIL, "mail", "DATA\r\n" },
  { AT_RCPT, "rcpt", "DATA\r\n" },
  { AT_DATA, "data", "DATA\r\n" },
  { AT_DOT, "after-final-dot", "\r\n.\r\n" },
};

static void
test_stage (gconstpointer data)
{
  const StageCase *stage_case = data;
  Stage stage = stage_case->stage;
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (stage);
  MailTransportError code;
  MailFailureClass class;
  const char *last_command = NULL;

  switch (stage_case->hostility)
    {
    case HOSTILE_421:
      smtp_test_script_send (script, SERVICE_NOT_ACTIVE);
      smtp_test_script_silence (script);
      /* The server said it is going away: a definite refusal, even after the dot. */
      code = MAIL_TRANSPORT_ERROR_TEMPORARY;
      break;
    case HOSTILE_CLOSE:
      smtp_test_script_close (script);
      /* A handshake cut short is indistinguishable from a server refusing our TLS. */
      code = stage == AT_HANDSHAKE ? MAIL_TRANSPORT_ERROR_TLS : MAIL_TRANSPORT_ERROR_TEMPORARY;
      break;
    case HOSTILE_SILENCE:
    default:
      smtp_test_script_silence (script);
      code = MAIL_TRANSPORT_ERROR_TIMEOUT;
      break;
    }
  /* Without a reply to the final dot nobody knows whether the message was taken. */
  if (stage == AT_DOT && stage_case->hostility != HOSTILE_421)
    code = MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN;
  class = code == MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN ? MAIL_FAILURE_STATUS_UNKNOWN
          : code == MAIL_TRANSPORT_ERROR_TLS          ? MAIL_FAILURE_PERMANENT
                                                      : MAIL_FAILURE_TEMPORARY;

  run_start (&run, script);
  run.config->timeout_ms = SHORT_TIMEOUT_MS;
  run.config->data_end_timeout_ms = SHORT_TIMEOUT_MS;
  run_submit (&run, NULL);

  if (stage < AT_MAIL)
    assert_session_failed (&run, code, class);
  else
    assert_message (&run,
                    code == MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN ? MAIL_SUBMISSION_STATUS_UNKNOWN
                                                                : MAIL_SUBMISSION_FAILED,
                    code, class);

  /* The client said nothing more after the failure, and nothing it should not have before. */
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    if (stages[i].stage == stage)
      last_command = stages[i].last_command;
  if (stage == AT_GREETING)
    assert_recorded (&run, PART_ALL, "");
  else if (last_command != NULL)
    assert_recorded_ends_with (&run, last_command);
  assert_nothing_sensitive_in_plaintext (&run);
  if (stage < AT_AUTH)
    g_assert_false (smtp_test_server_received_contains (run.server, "AUTH"));
  if (stage < AT_MAIL)
    assert_no_envelope (&run);
  if (stage < AT_DOT)
    g_assert_false (smtp_test_server_received_contains (run.server, BODY_MARKER));
  assert_script_completed (&run);
}

/* A body far larger than the socket buffers, so the server's misbehaviour hits the client
 * while it is still writing it: the final dot was never sent, so the message failed for sure. */
static void
test_body_interrupted (gconstpointer data)
{
  Hostility hostility = GPOINTER_TO_INT (data);
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_DATA);
  g_autoptr (GString) text = g_string_new ("Subject: big\r\n\r\n");

  while (text->len < 32 * 1024 * 1024)
    g_string_append (text, BODY_MARKER " 0123456789abcdefghijklmnopqrstuvwxyz0123456789\r\n");
  smtp_test_script_send (script, "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
  if (hostility == HOSTILE_CLOSE)
    smtp_test_script_close (script);
  else
    {
      /* Not reading at all (silence would drain): the client's writes stall. */
      smtp_test_script_delay (script, 4 * SHORT_TIMEOUT_MS);
      smtp_test_script_silence (script);
    }
  run_start (&run, script);
  run.config->timeout_ms = SHORT_TIMEOUT_MS;
  run_submit (&run, engine_test_message (USER, one_recipient, text->str, MAIL_OUTGOING_NONE));

  assert_message (&run, MAIL_SUBMISSION_FAILED,
                  hostility == HOSTILE_CLOSE ? MAIL_TRANSPORT_ERROR_TEMPORARY : MAIL_TRANSPORT_ERROR_TIMEOUT,
                  MAIL_FAILURE_TEMPORARY);
  g_assert_false (smtp_test_server_received_contains (run.server, "\r\n.\r\n"));
  assert_script_completed (&run);
}

/* The message is through; a server that never answers QUIT changes nothing about it. */
static void
test_silence_after_quit (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_DOT);

  smtp_test_script_send (script, "250 2.0.0 OK <id@mx.test> [Hostname=mx.test]\r\n");
  smtp_test_script_expect_line (script, "QUIT");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run.config->timeout_ms = SHORT_TIMEOUT_MS;
  run_submit (&run, NULL);

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (run.submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_null (mail_submission_get_error (run.submission));
  assert_script_completed (&run);
}

/* --- Pipelining -------------------------------------------------------------------------------- */

static void
test_mail_refused_then_503 (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_MAIL);

  smtp_test_script_send (script,
                         "550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n"
                         "503 5.5.1 Bad sequence of commands\r\n"
                         "503 5.5.1 Bad sequence of commands\r\n");
  script_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  /* The first refusal is the reason; the 503s only follow from it. */
  assert_message (&run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
                  MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, BODY_MARKER));
  assert_recorded_after (&run, "DATA\r\n", "QUIT\r\n");
  assert_script_completed (&run);
}

/* After a refused transaction the next message on the connection starts with RSET. */
static void
test_mail_refused_next_message_resets (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_MAIL);
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) submissions = NULL;

  smtp_test_script_send (script,
                         "550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n"
                         "503 5.5.1 Bad sequence of commands\r\n"
                         "503 5.5.1 Bad sequence of commands\r\n");
  smtp_test_script_expect_line (script, "RSET");
  smtp_test_script_expect_prefix (script, "MAIL FROM:<" USER ">");
  smtp_test_script_expect_line (script, "RCPT TO:<" RECIPIENT ">");
  smtp_test_script_expect_line (script, "DATA");
  smtp_test_script_send (script, "250 2.0.0 Resetting\r\n250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Go ahead\r\n");
  smtp_test_script_expect_data (script);
  script_accept_and_quit (script);
  run_start (&run, script);
  g_ptr_array_add (messages, default_message ());
  g_ptr_array_add (messages, default_message ());
  submissions = engine_test_submit (run.config, messages, run.transcript, &run.error);
  run_wait_server (&run);

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 0)), ==, MAIL_SUBMISSION_FAILED);
  assert_failure (mail_submission_get_error (g_ptr_array_index (submissions, 0)),
                  MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, MAIL_FAILURE_PERMANENT);
  g_assert_cmpint (mail_submission_get_status (g_ptr_array_index (submissions, 1)), ==, MAIL_SUBMISSION_SENT);
  assert_script_completed (&run);
}

static const char *const three_recipients[] = {
  "bob@example.test", "carol@example.test", "dave@example.test", NULL,
};

static SmtpTestScript *
script_three_recipient_envelope (void)
{
  SmtpTestScript *script = script_until (AT_SIGNED_IN);

  smtp_test_script_expect_prefix (script, "MAIL FROM:<" USER ">");
  for (guint i = 0; three_recipients[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", three_recipients[i]);

      smtp_test_script_expect_line (script, line);
    }
  smtp_test_script_expect_line (script, "DATA");
  return script;
}

static void
test_some_recipients_refused (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_three_recipient_envelope ();
  MailSubmission *submission;

  smtp_test_script_send (script,
                         "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n"
                         "550 5.1.1 User unknown\r\n250 2.1.5 Recipient OK\r\n354 Go ahead\r\n");
  smtp_test_script_expect_data (script);
  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, engine_test_message (USER, three_recipients, message_text, MAIL_OUTGOING_NONE));

  g_assert_no_error (run.error);
  submission = run.submission;
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (mail_submission_get_n_recipients (submission), ==, 3);
  g_assert_cmpstr (mail_submission_get_recipient (submission, 1), ==, "carol@example.test");
  g_assert_cmpuint (mail_reply_get_code (mail_submission_get_recipient_reply (submission, 0)), ==, 250);
  g_assert_cmpuint (mail_reply_get_code (mail_submission_get_recipient_reply (submission, 1)), ==, 550);
  g_assert_cmpstr (mail_reply_get_enhanced_code (mail_submission_get_recipient_reply (submission, 1)), ==,
                   "5.1.1");
  g_assert_cmpuint (mail_reply_get_code (mail_submission_get_recipient_reply (submission, 2)), ==, 250);
  assert_script_completed (&run);
}

static void
test_all_recipients_refused (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_three_recipient_envelope ();

  smtp_test_script_send (script,
                         "250 2.1.0 Sender OK\r\n550 5.1.1 User unknown\r\n550 5.1.1 User unknown\r\n"
                         "550 5.1.1 User unknown\r\n554 5.5.1 No valid recipients\r\n");
  script_quit (script);
  run_start (&run, script);
  run_submit (&run, engine_test_message (USER, three_recipients, message_text, MAIL_OUTGOING_NONE));

  assert_message (&run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,
                  MAIL_FAILURE_PERMANENT);
  g_assert_cmpuint (mail_submission_get_n_recipients (run.submission), ==, 3);
  g_assert_false (smtp_test_server_received_contains (run.server, BODY_MARKER));
  assert_recorded_after (&run, "DATA\r\n", "QUIT\r\n");
  assert_script_completed (&run);
}

/* RFC 2920 §3.1: a server may answer DATA with 354 although no recipient was accepted; the
 * client must then end the data at once, with an empty message. */
static void
test_all_recipients_refused_despite_354 (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_three_recipient_envelope ();

  smtp_test_script_send (script,
                         "250 2.1.0 Sender OK\r\n550 5.1.1 User unknown\r\n550 5.1.1 User unknown\r\n"
                         "550 5.1.1 User unknown\r\n354 Go ahead\r\n");
  smtp_test_script_expect_line (script, ".");
  smtp_test_script_send (script, "554 5.5.1 No valid recipients\r\n");
  script_quit (script);
  run_start (&run, script);
  run_submit (&run, engine_test_message (USER, three_recipients, message_text, MAIL_OUTGOING_NONE));

  assert_message (&run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,
                  MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, BODY_MARKER));
  assert_recorded_after (&run, "DATA\r\n", ".\r\nQUIT\r\n");
  assert_script_completed (&run);
}

/* A "250" for the final dot that arrives with the 354, before the body was sent, answers a
 * command not yet given: taking it would report a message as sent that the server never
 * acknowledged. The body must not be sent either (the conversation is out of step). */
static void
test_final_reply_before_body (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_MAIL);

  smtp_test_script_send (script,
                         "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 Go ahead\r\n"
                         "250 2.0.0 OK <early@mx.test>\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_message (&run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY);
  g_assert_nonnull (strstr (mail_submission_get_error (run.submission)->message, "never sent"));
  g_assert_null (mail_submission_get_final_reply (run.submission));
  g_assert_false (smtp_test_server_received_contains (run.server, BODY_MARKER));
  assert_recorded_ends_with (&run, "DATA\r\n");
  assert_script_completed (&run);
}

/* After TLS the server does not offer PIPELINING (it did before TLS): one command per flight.
 * Every read of the server then has to wait for the client: EHLO, STARTTLS, EHLO, AUTH LOGIN,
 * user name, password, MAIL, RCPT, DATA, body, QUIT. Pipelined, RCPT and DATA would come with
 * MAIL. */
static const Profile no_pipelining = {
  EHLO_BEFORE_TLS, "server", G_TLS_PROTOCOL_VERSION_UNKNOWN,
  "250-mx.test Hello\r\n250-SIZE 157286400\r\n250-AUTH LOGIN\r\n250 8BITMIME\r\n",
};

static void
test_no_pipelining_one_at_a_time (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until_with (&no_pipelining, AT_SIGNED_IN);

  smtp_test_script_expect_prefix (script, "MAIL FROM:<" USER ">");
  smtp_test_script_send (script, "250 2.1.0 Sender OK\r\n");
  smtp_test_script_expect_line (script, "RCPT TO:<" RECIPIENT ">");
  smtp_test_script_send (script, "250 2.1.5 Recipient OK\r\n");
  smtp_test_script_expect_line (script, "DATA");
  smtp_test_script_send (script, "354 Go ahead\r\n");
  smtp_test_script_expect_data (script);
  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (run.submission), ==, MAIL_SUBMISSION_SENT);
  assert_script_completed (&run);
  g_assert_cmpuint (smtp_test_server_get_round_trips (run.server), ==, 11);
}

static void
test_no_pipelining_mail_refused (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until_with (&no_pipelining, AT_SIGNED_IN);

  smtp_test_script_expect_prefix (script, "MAIL FROM:<" USER ">");
  smtp_test_script_send (script, "550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n");
  script_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_message (&run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
                  MAIL_FAILURE_PERMANENT);
  /* The rest of the envelope was never sent. */
  g_assert_false (smtp_test_server_received_contains (run.server, "RCPT TO"));
  g_assert_false (smtp_test_server_received_contains (run.server, "DATA"));
  assert_script_completed (&run);
}

static void
test_no_pipelining_recipients_refused (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until_with (&no_pipelining, AT_SIGNED_IN);

  smtp_test_script_expect_prefix (script, "MAIL FROM:<" USER ">");
  smtp_test_script_send (script, "250 2.1.0 Sender OK\r\n");
  smtp_test_script_expect_line (script, "RCPT TO:<" RECIPIENT ">");
  smtp_test_script_send (script, "550 5.1.1 User unknown\r\n");
  script_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_message (&run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,
                  MAIL_FAILURE_PERMANENT);
  g_assert_false (smtp_test_server_received_contains (run.server, "DATA"));
  assert_script_completed (&run);
}

/* --- Refused locally, before the envelope ------------------------------------------------------ */

typedef struct
{
  const char *path;
  const char *ehlo_after_tls; /* NULL: Office 365's */
  const char *sender;
  const char *recipient;
  const char *text;           /* NULL: the default message */
  MailOutgoingFlags flags;
  MailTransportError code;
} LocalCase;

static const LocalCase local_refusals[] = {
  { "/hostile/refused-locally/size", "250-mx.test Hello\r\n250-SIZE 50\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n",
    USER, RECIPIENT, NULL, MAIL_OUTGOING_NONE, MAIL_TRANSPORT_ERROR_TOO_LARGE },
  { "/hostile/refused-locally/smtputf8-not-offered",
    "250-mx.test Hello\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH LOGIN\r\n",
    USER, "bjørn@example.test", NULL, MAIL_OUTGOING_NONE, MAIL_TRANSPORT_ERROR_UNSUPPORTED },
  { "/hostile/refused-locally/utf8-headers-smtputf8-not-offered",
    "250-mx.test Hello\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH LOGIN\r\n",
    USER, RECIPIENT, "Subject: Grüße\r\n\r\n" BODY_MARKER "\r\n",
    MAIL_OUTGOING_UTF8_HEADERS | MAIL_OUTGOING_8BIT_BODY,
    MAIL_TRANSPORT_ERROR_UNSUPPORTED },
  { "/hostile/refused-locally/8bitmime-not-offered",
    "250-mx.test Hello\r\n250-PIPELINING\r\n250-SMTPUTF8\r\n250 AUTH LOGIN\r\n",
    USER, RECIPIENT, "Subject: hi\r\n\r\nCafé " BODY_MARKER "\r\n", MAIL_OUTGOING_8BIT_BODY,
    MAIL_TRANSPORT_ERROR_UNSUPPORTED },
  { "/hostile/refused-locally/sender-crlf", NULL,
    USER ">\r\nRCPT TO:<evil@evil.test", RECIPIENT, NULL, MAIL_OUTGOING_NONE,
    MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
  { "/hostile/refused-locally/sender-cr", NULL,
    USER "\rRSET", RECIPIENT, NULL, MAIL_OUTGOING_NONE, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
  { "/hostile/refused-locally/recipient-crlf", NULL,
    USER, RECIPIENT ">\r\nRCPT TO:<evil@evil.test", NULL, MAIL_OUTGOING_NONE,
    MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
  { "/hostile/refused-locally/recipient-lf", NULL,
    USER, RECIPIENT "\nDATA", NULL, MAIL_OUTGOING_NONE, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
};

static void
test_refused_locally (gconstpointer data)
{
  const LocalCase *local = data;
  g_auto (Run) run = { 0 };
  Profile profile = office365_like;
  const char *recipients[] = { local->recipient, NULL };
  SmtpTestScript *script;

  if (local->ehlo_after_tls != NULL)
    profile.ehlo_after_tls = local->ehlo_after_tls;
  script = script_until_with (&profile, AT_SIGNED_IN);
  /* The very next thing the client says must be goodbye: the session itself was fine. */
  script_quit (script);
  run_start (&run, script);
  run_submit (&run, engine_test_message (local->sender, recipients,
                                         local->text != NULL ? local->text : message_text, local->flags));

  assert_message (&run, MAIL_SUBMISSION_FAILED, local->code, MAIL_FAILURE_PERMANENT);
  assert_no_envelope (&run);
  g_assert_false (smtp_test_server_received_contains (run.server, "evil"));
  assert_script_completed (&run);
}

typedef struct
{
  const char *path;
  const char *ehlo_name;
  const char *username;
} NameCase;

static const NameCase name_refusals[] = {
  { "/hostile/refused-before-connect/ehlo-name-crlf", "client.test\r\nMAIL FROM:<evil@evil.test>", USER },
  { "/hostile/refused-before-connect/ehlo-name-lf", "client.test\nRSET", USER },
  { "/hostile/refused-before-connect/user-name-crlf", "client.test", USER "\r\nAUTH PLAIN evil" },
  { "/hostile/refused-before-connect/user-name-cr", "client.test", USER "\rRSET" },
};

/* Names that could smuggle a command are refused before even connecting. */
static void
test_refused_before_connect (gconstpointer data)
{
  const NameCase *names = data;
  g_auto (Run) run = { 0 };

  run_start (&run, NULL);
  g_free (run.config->ehlo_name);
  run.config->ehlo_name = g_strdup (names->ehlo_name);
  g_free (run.config->username);
  run.config->username = g_strdup (names->username);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE, MAIL_FAILURE_PERMANENT);
  g_assert_cmpuint (smtp_test_server_get_n_connections (run.server), ==, 0);
  g_assert_null (smtp_test_server_get_script_failure (run.server));
}

/* --- AUTH abuse -------------------------------------------------------------------------------- */

/* LOGIN asks for two things; a third 334 is refused, and nothing more is sent. */
static void
test_auth_endless_334 (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_AUTH);
  g_autofree char *user = base64_of (USER);
  g_autofree char *password = base64_of (PASSWORD);
  g_autofree char *expected = g_strdup_printf ("EHLO client.test\r\nAUTH LOGIN\r\n%s\r\n%s\r\n", user, password);

  smtp_test_script_send (script, "334 VXNlcm5hbWU6\r\n");
  smtp_test_script_expect_line (script, user);
  smtp_test_script_send (script, "334 UGFzc3dvcmQ6\r\n");
  smtp_test_script_expect_line (script, password);
  smtp_test_script_send (script, "334 UGFzc3dvcmQ6\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded (&run, PART_TLS, expected);
  assert_script_completed (&run);
}

/* A 334 the client cannot take: it must stop before sending any credential. */
static void
run_bad_challenge (Run *run, const char *challenge)
{
  SmtpTestScript *script = script_until (AT_AUTH);

  smtp_test_script_send (script, challenge);
  smtp_test_script_silence (script);
  run_start (run, script);
  run_submit (run, NULL);

  assert_session_failed (run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded (run, PART_TLS, "EHLO client.test\r\nAUTH LOGIN\r\n");
  assert_script_completed (run);
}

static void
test_auth_huge_challenge (void)
{
  g_auto (Run) run = { 0 };
  g_autofree char *huge = g_strnfill (O365_SMTP_REPLY_MAX_LINE + 1000, 'Q');
  g_autofree char *challenge = g_strconcat ("334 ", huge, "\r\n", NULL);

  run_bad_challenge (&run, challenge);
}

static void
test_auth_bad_base64 (void)
{
  g_auto (Run) run = { 0 };

  run_bad_challenge (&run, "334 VXNlc*5hbWU6!!\r\n");
}

static char *
xoauth2_error_challenge (void)
{
  static const char json[] =
    "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://outlook.office.com/SMTP.Send\"}";
  g_autofree char *encoded = base64_of (json);

  return g_strconcat ("334 ", encoded, "\r\n", NULL);
}

static SmtpTestScript *
script_xoauth2_refused (void)
{
  SmtpTestScript *script = script_until (AT_EHLO_AFTER_TLS);
  g_autofree char *challenge = xoauth2_error_challenge ();

  smtp_test_script_send (script, EHLO_AFTER_TLS);
  smtp_test_script_expect_prefix (script, "AUTH XOAUTH2 ");
  smtp_test_script_send (script, challenge);
  smtp_test_script_expect_line (script, "");
  return script;
}

static void
test_xoauth2_error_challenge (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_xoauth2_refused ();

  smtp_test_script_send (script,
                         "535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.outlook.com]\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run.config->auth_kind = O365_SMTP_AUTH_OAUTH2;
  o365_smtp_config_set_secret (run.config, TOKEN);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT);
  g_assert_nonnull (strstr (run.error->message, "401"));
  g_assert_nonnull (strstr (run.error->message, "5.7.3"));
  assert_no_envelope (&run);
  assert_script_completed (&run);
}

/* After the empty line the server owes the final reply, not another challenge. */
static void
test_xoauth2_second_challenge (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_xoauth2_refused ();
  g_autofree char *challenge = xoauth2_error_challenge ();

  smtp_test_script_send (script, challenge);
  smtp_test_script_silence (script);
  run_start (&run, script);
  run.config->auth_kind = O365_SMTP_AUTH_OAUTH2;
  o365_smtp_config_set_secret (run.config, TOKEN);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_PROTOCOL, MAIL_FAILURE_PERMANENT);
  assert_recorded_ends_with (&run, "\r\n\r\n");
  assert_no_envelope (&run);
  assert_script_completed (&run);
}

/* --- Body hygiene ------------------------------------------------------------------------------ */

typedef struct
{
  const char *path;
  const char *text;
  const char *wire; /* the body as it must be on the wire, without the final ".\r\n" */
} BodyCase;

static const BodyCase bodies[] = {
  { "/hostile/body/bare-lf", "Subject: t\n\none\ntwo\n", "Subject: t\r\n\r\none\r\ntwo\r\n" },
  { "/hostile/body/bare-cr", "Subject: t\r\rone\rtwo\r", "Subject: t\r\n\r\none\r\ntwo\r\n" },
  { "/hostile/body/lf-cr", "Subject: t\n\rone\n\r", "Subject: t\r\n\r\none\r\n\r\n" },
  /* SMTP smuggling: each must stay one line holding a stuffed dot, never an end of data. */
  { "/hostile/body/lf-dot-lf", "Subject: t\n\nbefore\n.\nMAIL FROM:<evil@evil.test>\n",
    "Subject: t\r\n\r\nbefore\r\n..\r\nMAIL FROM:<evil@evil.test>\r\n" },
  { "/hostile/body/cr-dot-cr", "Subject: t\r\n\r\nbefore\r.\rMAIL FROM:<evil@evil.test>\r\n",
    "Subject: t\r\n\r\nbefore\r\n..\r\nMAIL FROM:<evil@evil.test>\r\n" },
  { "/hostile/body/crlf-dot-lf", "Subject: t\r\n\r\nbefore\r\n.\nafter\r\n",
    "Subject: t\r\n\r\nbefore\r\n..\r\nafter\r\n" },
  { "/hostile/body/crlf-dot-crlf", "Subject: t\r\n\r\nbefore\r\n.\r\nafter\r\n",
    "Subject: t\r\n\r\nbefore\r\n..\r\nafter\r\n" },
  { "/hostile/body/dot-stuffing", ".first\n..second\n.\n...\n", "..first\r\n...second\r\n..\r\n....\r\n" },
  { "/hostile/body/no-final-newline", "Subject: t\n\nlast line", "Subject: t\r\n\r\nlast line\r\n" },
  { "/hostile/body/ends-with-dot", "Subject: t\n\n.", "Subject: t\r\n\r\n..\r\n" },
  { "/hostile/body/empty", "", "" },
};

/* No bare CR or LF anywhere in @wire (escaped recording text, so "\x0d\x0a" is a CRLF). */
static void
assert_only_crlf (const char *wire)
{
  for (const char *p = strstr (wire, "\\x0"); p != NULL; p = strstr (p + 1, "\\x0"))
    {
      if (g_str_has_prefix (p, "\\x0d"))
        g_assert_true (g_str_has_prefix (p, "\\x0d\\x0a"));
      else if (g_str_has_prefix (p, "\\x0a"))
        g_assert_true (p - wire >= 4 && g_str_has_prefix (p - 4, "\\x0d\\x0a"));
    }
}

static void
test_body (gconstpointer data)
{
  const BodyCase *body = data;
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_DOT);
  g_autoptr (GBytes) wire = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  g_autofree char *after_data = NULL;
  g_autofree char *want_after_data = NULL;
  gsize length;
  const char *bytes;

  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, engine_test_message (USER, one_recipient, body->text, MAIL_OUTGOING_NONE));

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (run.submission), ==, MAIL_SUBMISSION_SENT);
  assert_script_completed (&run);

  wire = smtp_test_server_get_data (run.server, 0);
  bytes = g_bytes_get_data (wire, &length);
  got = escape_bytes (bytes, length);
  want = escape (body->wire);
  g_assert_cmpstr (got, ==, want);
  g_assert_null (strstr (got, "\\x0a.\\x0a"));
  g_assert_null (strstr (got, "\\x0d.\\x0d"));

  /* On the wire: the body, CRLF.CRLF (the CRLF already ends the body's last line), QUIT. */
  after_data = recorded_after (&run, "DATA\r\n");
  want_after_data = g_strconcat (want, "." "\\x0d\\x0a" "QUIT" "\\x0d\\x0a", NULL);
  g_assert_cmpstr (after_data, ==, want_after_data);
  assert_only_crlf (after_data);
}

/* A message that cannot be sent as it is, found while its body is already streaming: the
 * connection is closed so the server discards what it got, instead of "." delivering it cut. */
static void
run_unsendable_body (Run *run, const void *text, gsize length)
{
  SmtpTestScript *script = script_until (AT_DATA);
  g_autofree char *after_data = NULL;

  smtp_test_script_send (script, "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
  smtp_test_script_silence (script);
  run_start (run, script);
  run_submit (run, message_from_bytes (USER, one_recipient, text, length, MAIL_OUTGOING_NONE));

  assert_message (run, MAIL_SUBMISSION_FAILED, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE, MAIL_FAILURE_PERMANENT);
  after_data = recorded_after (run, "DATA\r\n");
  g_assert_null (strstr (after_data, "\\x0d\\x0a.\\x0d\\x0a"));
  g_assert_false (g_str_has_prefix (after_data, ".\\x0d\\x0a"));
  g_assert_false (smtp_test_server_received_contains (run->server, "QUIT"));
  assert_script_completed (run);
}

static void
test_body_nul (void)
{
  static const char text[] = "Subject: t\r\n\r\nbefore\0after\r\n";
  g_auto (Run) run = { 0 };

  run_unsendable_body (&run, text, sizeof text - 1);
}

/* The over-long line comes after more than one body chunk, so part of the message is already
 * on the wire when it is found. */
static void
test_body_line_of_999_octets (void)
{
  g_auto (Run) run = { 0 };
  g_autoptr (GString) text = g_string_new ("Subject: t\r\n\r\n");
  g_autofree char *long_line = g_strnfill (O365_BODY_ENCODER_MAX_LINE + 1, 'x');

  while (text->len < 100 * 1024)
    g_string_append (text, BODY_MARKER " 0123456789 0123456789 0123456789 0123456789\r\n");
  g_string_append_printf (text, "%s\r\nafter\r\n", long_line);
  run_unsendable_body (&run, text->str, text->len);

  g_assert_true (smtp_test_server_received_contains (run.server, BODY_MARKER));
  g_assert_false (smtp_test_server_received_contains (run.server, long_line));
}

/* Exactly 998 octets is the limit, not over it. */
static void
test_body_line_of_998_octets (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_DOT);
  g_autofree char *line = g_strnfill (O365_BODY_ENCODER_MAX_LINE, 'x');
  g_autofree char *text = g_strconcat ("Subject: t\n\n", line, "\n", NULL);

  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, engine_test_message (USER, one_recipient, text, MAIL_OUTGOING_NONE));

  g_assert_no_error (run.error);
  g_assert_cmpint (mail_submission_get_status (run.submission), ==, MAIL_SUBMISSION_SENT);
  assert_script_completed (&run);
}

/* --- Redaction --------------------------------------------------------------------------------- */

static void
assert_transcript_hides (Run *run, const char *secret)
{
  g_assert_null (strstr (run->transcript->str, secret));
}

static void
test_redaction_login (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_DOT);
  g_autofree char *user = base64_of (USER);
  g_autofree char *password = base64_of (PASSWORD);

  script_accept_and_quit (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  g_assert_no_error (run.error);
  assert_script_completed (&run);
  /* They did go to the server (inside TLS), so their absence below means something. */
  g_assert_true (smtp_test_server_received_contains (run.server, password));
  g_assert_false (smtp_test_server_received_contains_plaintext (run.server, password));
  g_assert_nonnull (strstr (run.transcript->str, "C: AUTH LOGIN"));
  g_assert_nonnull (strstr (run.transcript->str, "<credentials redacted>"));
  assert_transcript_hides (&run, PASSWORD);
  assert_transcript_hides (&run, password);
  assert_transcript_hides (&run, user);
  /* The body is shown as its size, never its content. */
  assert_transcript_hides (&run, BODY_MARKER);
}

static void
test_redaction_plain (void)
{
  static const char plain[] = "\0" USER "\0" PASSWORD;
  g_auto (Run) run = { 0 };
  Profile profile = office365_like;
  SmtpTestScript *script;
  g_autofree char *response = g_base64_encode ((const guchar *) plain, sizeof plain - 1);
  g_autofree char *line = g_strconcat ("AUTH PLAIN ", response, NULL);
  g_autofree char *password = base64_of (PASSWORD);

  profile.ehlo_after_tls = "250-mx.test Hello\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n";
  script = script_until_with (&profile, AT_EHLO_AFTER_TLS);
  smtp_test_script_send (script, profile.ehlo_after_tls);
  smtp_test_script_expect_line (script, line);
  /* A refusal too: the failure path must not leak the secret either. */
  smtp_test_script_send (script, "535 5.7.3 Authentication unsuccessful\r\n");
  smtp_test_script_silence (script);
  run_start (&run, script);
  run_submit (&run, NULL);

  assert_session_failed (&run, MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT);
  assert_script_completed (&run);
  g_assert_nonnull (strstr (run.transcript->str, "C: AUTH PLAIN <credentials redacted>"));
  assert_transcript_hides (&run, PASSWORD);
  assert_transcript_hides (&run, password);
  assert_transcript_hides (&run, response);
  g_assert_null (strstr (run.error->message, response));
  g_assert_null (strstr (run.error->message, PASSWORD));
}

static void
test_redaction_xoauth2 (void)
{
  g_auto (Run) run = { 0 };
  SmtpTestScript *script = script_until (AT_EHLO_AFTER_TLS);
  g_autofree char *response = NULL;
  g_autofree char *token_b64 = base64_of (TOKEN);

  {
    g_autofree char *raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", USER, TOKEN);

    response = base64_of (raw);
  }
  smtp_test_script_send (script, EHLO_AFTER_TLS);
  {
    g_autofree char *line = g_strconcat ("AUTH XOAUTH2 ", response, NULL);

    smtp_test_script_expect_line (script, line);
  }
  smtp_test_script_send (script, "235 2.7.0 Authentication successful\r\n");
  script_quit (script);
  run_start (&run, script);
  run.config->auth_kind = O365_SMTP_AUTH_OAUTH2;
  o365_smtp_config_set_secret (run.config, TOKEN);
  {
    g_autoptr (O365SmtpSession) session = engine_test_open_session (run.config, run.transcript, &run.error);

    g_assert_no_error (run.error);
    g_assert_nonnull (session);
  }
  run_wait_server (&run);

  assert_script_completed (&run);
  g_assert_nonnull (strstr (run.transcript->str, "C: AUTH XOAUTH2 <credentials redacted>"));
  assert_transcript_hides (&run, TOKEN);
  assert_transcript_hides (&run, token_b64);
  assert_transcript_hides (&run, response);
}

/* ----------------------------------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  static const char *const hostility_names[] = { "421", "close", "silence" };
  static StageCase stage_cases[3 * G_N_ELEMENTS (stages)];
  guint n_stage_cases = 0;
  int status;

  test_init (&argc, &argv);

  g_test_add_func ("/hostile/starttls-injection/one-write", test_injection_one_write);
  g_test_add_func ("/hostile/starttls-injection/partial-line", test_injection_partial_line);
  g_test_add_func ("/hostile/starttls-injection/early", test_injection_early);
  g_test_add_func ("/hostile/out-of-step/greeting-and-ehlo-reply", test_out_of_step_greeting);
  g_test_add_func ("/hostile/out-of-step/login-334-and-235", test_out_of_step_login);
  g_test_add_func ("/hostile/out-of-step/two-final-replies", test_out_of_step_after_final_reply);
  g_test_add_func ("/hostile/starttls-injection/late", test_injection_late);

  g_test_add_func ("/hostile/starttls/not-offered", test_starttls_not_offered);
  for (guint i = 0; i < G_N_ELEMENTS (starttls_refusals); i++)
    g_test_add_data_func (starttls_refusals[i].path, &starttls_refusals[i], test_starttls_refused);
  for (guint i = 0; i < G_N_ELEMENTS (ehlo_refusals); i++)
    g_test_add_data_func (ehlo_refusals[i].path, &ehlo_refusals[i], test_ehlo_refused);

  g_test_add_func ("/hostile/capabilities/auth-only-before-tls", test_auth_only_before_tls);
  g_test_add_func ("/hostile/capabilities/no-auth-after-tls", test_no_auth_after_tls);
  g_test_add_func ("/hostile/capabilities/xoauth2-only-with-password", test_xoauth2_only_with_password);
  g_test_add_func ("/hostile/capabilities/size-before-tls-forgotten", test_size_before_tls_forgotten);

  for (guint i = 0; i < G_N_ELEMENTS (refused_certificates); i++)
    g_test_add_data_func (refused_certificates[i].path, &refused_certificates[i], test_tls_refused);
  g_test_add_func ("/hostile/certificate/chain-full-accepted", test_certificate_chain_full);

  g_test_add_func ("/hostile/reply/over-long-line", test_over_long_line);
  g_test_add_func ("/hostile/reply/over-long-unterminated", test_over_long_line_unterminated);
  g_test_add_func ("/hostile/reply/endless-multiline", test_endless_multiline);
  for (guint i = 0; i < G_N_ELEMENTS (malformed_replies); i++)
    g_test_add_data_func (malformed_replies[i].path, &malformed_replies[i], test_malformed_reply);
  g_test_add_func ("/hostile/reply/control-bytes", test_control_bytes);

  for (guint h = 0; h < G_N_ELEMENTS (hostility_names); h++)
    for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
      {
        StageCase *stage_case;

        /* A 421 is an SMTP reply: there is none in the middle of a TLS handshake. */
        if (h == HOSTILE_421 && stages[i].stage == AT_HANDSHAKE)
          continue;
        stage_case = &stage_cases[n_stage_cases++];
        stage_case->path = g_strdup_printf ("/hostile/%s/%s", hostility_names[h], stages[i].name);
        stage_case->hostility = (Hostility) h;
        stage_case->stage = stages[i].stage;
        g_test_add_data_func (stage_case->path, stage_case, test_stage);
      }

  g_test_add_data_func ("/hostile/close/during-body", GINT_TO_POINTER (HOSTILE_CLOSE), test_body_interrupted);
  g_test_add_data_func ("/hostile/silence/during-body", GINT_TO_POINTER (HOSTILE_SILENCE), test_body_interrupted);
  g_test_add_func ("/hostile/silence/quit", test_silence_after_quit);

  g_test_add_func ("/hostile/pipelining/mail-refused-then-503", test_mail_refused_then_503);
  g_test_add_func ("/hostile/pipelining/mail-refused-next-message-resets", test_mail_refused_next_message_resets);
  g_test_add_func ("/hostile/pipelining/some-recipients-refused", test_some_recipients_refused);
  g_test_add_func ("/hostile/pipelining/all-recipients-refused", test_all_recipients_refused);
  g_test_add_func ("/hostile/pipelining/all-recipients-refused-despite-354",
                   test_all_recipients_refused_despite_354);
  g_test_add_func ("/hostile/pipelining/final-reply-before-body", test_final_reply_before_body);
  g_test_add_func ("/hostile/pipelining/not-offered-one-at-a-time", test_no_pipelining_one_at_a_time);
  g_test_add_func ("/hostile/pipelining/not-offered-mail-refused", test_no_pipelining_mail_refused);
  g_test_add_func ("/hostile/pipelining/not-offered-recipients-refused", test_no_pipelining_recipients_refused);

  for (guint i = 0; i < G_N_ELEMENTS (local_refusals); i++)
    g_test_add_data_func (local_refusals[i].path, &local_refusals[i], test_refused_locally);
  for (guint i = 0; i < G_N_ELEMENTS (name_refusals); i++)
    g_test_add_data_func (name_refusals[i].path, &name_refusals[i], test_refused_before_connect);

  g_test_add_func ("/hostile/auth/endless-334", test_auth_endless_334);
  g_test_add_func ("/hostile/auth/huge-challenge", test_auth_huge_challenge);
  g_test_add_func ("/hostile/auth/bad-base64", test_auth_bad_base64);
  g_test_add_func ("/hostile/auth/xoauth2-error-challenge", test_xoauth2_error_challenge);
  g_test_add_func ("/hostile/auth/xoauth2-second-challenge", test_xoauth2_second_challenge);

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    g_test_add_data_func (bodies[i].path, &bodies[i], test_body);
  g_test_add_func ("/hostile/body/nul-byte", test_body_nul);
  g_test_add_func ("/hostile/body/line-of-999-octets", test_body_line_of_999_octets);
  g_test_add_func ("/hostile/body/line-of-998-octets", test_body_line_of_998_octets);

  g_test_add_func ("/hostile/redaction/login", test_redaction_login);
  g_test_add_func ("/hostile/redaction/plain", test_redaction_plain);
  g_test_add_func ("/hostile/redaction/xoauth2", test_redaction_xoauth2);

  status = g_test_run ();
  for (guint i = 0; i < n_stage_cases; i++)
    g_free (stage_cases[i].path);
  return status;
}
