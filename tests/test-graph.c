/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-graph.c — the Microsoft Graph transport against the tests' Graph (graph-test-server, a
 * real HTTP server on loopback), the tests' identity provider for the tokens and a real
 * gnome-keyring: the message byte for byte as SMTP submits it, envelope-only recipients as Bcc,
 * one refresh and one retry after 401, the classes of 403, 429, 413, 500 and a dropped
 * connection, and "auto" switching to Graph when SMTP AUTH is off. Messages over Graph's
 * request limit: a draft, the large attachment in upload-session chunks, then send. */
#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <sys/resource.h>

#include "engine-test-utils.h"
#include "graph-test-server.h"
#include "harness-fixture.h"
#include "mail-transport-error.h"
#include "mail-transport.h"
#include "o365-account.h"
#include "o365-credentials.h"
#include "o365-graph-transport.h"
#include "o365-validate.h"
#include "oauth2-test-idp.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
/* Every request asks for offline_access; which audience is counted per scope. */
#define IDP_SCOPE "offline_access"
#define GRAPH_SCOPE "scope:https://graph.microsoft.com/Mail.Send offline_access"
#define USER "alice@example.test"
#define TOKEN "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkcifQ.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnLUc"
#define WAIT_MS 30000

/* CRLF throughout (what SMTP puts on the wire, dot-stuffing removed), a line starting with a
 * dot, and 8-bit text. */
#define MESSAGE "From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\n" \
                "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n" \
                "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" \
                "Grüße,\r\n.a line with a dot\r\nBob\r\n"
/* The same with bare LF line ends, as mutt writes it: SMTP submits it with CRLF. */
#define MESSAGE_LF "From: Alice <alice@example.test>\nTo: Bob <bob@example.test>\nSubject: LF\n\n" \
                   "Hello,\n.a line with a dot\nBob"
#define MESSAGE_LF_AS_SUBMITTED "From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\n" \
                                "Subject: LF\r\n\r\nHello,\r\n.a line with a dot\r\nBob\r\n"
#define HIDDEN "carol@example.test"

static HarnessFixture *keyring;

typedef struct
{
  OAuth2TestIdp *idp;
  GraphTestServer *graph;
  O365Account *account;
  char *id;
  GString *transcript;
} Fixture;

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (o365_credentials_store_finish (result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  static guint serial;
  g_autoptr (GError) error = NULL;
  g_autofree char *refresh_token = NULL;
  gboolean stored = FALSE;

  fixture->idp = oauth2_test_idp_new (CLIENT_ID, IDP_SCOPE);
  g_assert_true (oauth2_test_idp_start (fixture->idp, &error));
  oauth2_test_idp_set_access_token (fixture->idp, TOKEN);
  fixture->graph = graph_test_server_new (TOKEN);
  g_assert_true (graph_test_server_start (fixture->graph, &error));
  g_assert_no_error (error);
  fixture->id = g_strdup_printf ("graph-%u-%d", ++serial, (int) getpid ());
  /* As an earlier sign-in would have left it: a refresh token in the keyring. */
  refresh_token = oauth2_test_idp_mint_refresh_token (fixture->idp);
  o365_credentials_store_async (fixture->id, USER, O365_SECRET_OAUTH2_REFRESH_TOKEN, refresh_token, NULL,
                                on_stored, &stored);
  test_wait_for_flag (&stored, WAIT_MS);
  fixture->account = o365_account_new (fixture->id);
  g_object_set (fixture->account, "address", USER, "auth-method", "oauth2", "oauth2-client-id", CLIENT_ID,
                "oauth2-authority", oauth2_test_idp_get_authority (fixture->idp),
                "graph-endpoint", graph_test_server_get_endpoint (fixture->graph), "transport", "graph",
                "timeout", 10, NULL);
  fixture->transcript = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  /* No token in what a person or a log sees. */
  if (oauth2_test_idp_find_issued (fixture->idp, fixture->transcript->str, fixture->transcript->len) != NULL ||
      strstr (fixture->transcript->str, TOKEN) != NULL)
    g_error ("a token appears in the transcript");
  g_string_free (fixture->transcript, TRUE);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->graph);
  g_clear_object (&fixture->idp);
  g_free (fixture->id);
}

/* Sends @text to Bob (in To) and HIDDEN (only in the envelope); returns its submission. */
/* @message sent alone through the account's transport; returns its submission. */
static MailSubmission *
submit_one (Fixture *fixture, MailOutgoing *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailTransport) transport = mail_account_create_transport (MAIL_ACCOUNT (fixture->account), &error);
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  g_autoptr (GPtrArray) submissions = NULL;

  g_assert_no_error (error);
  g_ptr_array_add (messages, message);
  submissions = engine_test_submit_through (transport, messages, fixture->transcript, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (submissions->len, ==, 1);
  return g_object_ref (g_ptr_array_index (submissions, 0));
}

static MailSubmission *
send_text (Fixture *fixture, const char *text)
{
  const char *const recipients[] = { "bob@example.test", HIDDEN, NULL };
  g_autoptr (MailOutgoing) message = engine_test_message (USER, recipients, text, MAIL_OUTGOING_8BIT_BODY);

  return submit_one (fixture, message);
}

static MailSubmission *
send_message (Fixture *fixture)
{
  return send_text (fixture, MESSAGE);
}

/* The decoded MIME the server received, split into the Bcc header the transport put first
 * and the rest, which must be the message exactly. */
static void
assert_received_as (Fixture *fixture, guint index, const char *expected)
{
  GPtrArray *messages = graph_test_server_get_messages (fixture->graph);
  gsize length;
  const char *mime = g_bytes_get_data (g_ptr_array_index (messages, index), &length);
  const char *rest;
  g_autofree char *bcc = NULL;

  g_assert_cmpuint (messages->len, >, index);
  g_assert_true (g_str_has_prefix (mime, "Bcc: "));
  rest = strstr (mime, "\r\n");
  while (rest != NULL && rest[2] == ' ')
    rest = strstr (rest + 2, "\r\n");
  g_assert_nonnull (rest);
  bcc = g_strndup (mime, rest - mime);
  rest += 2;
  g_assert_cmpmem (rest, length - (rest - mime), expected, strlen (expected));
  /* Every envelope recipient is a recipient; the hidden one is in no visible header. */
  g_assert_nonnull (strstr (bcc, HIDDEN));
  g_assert_nonnull (strstr (bcc, "bob@example.test"));
  g_assert_null (strstr (rest, HIDDEN));
}

static void
assert_received (Fixture *fixture, guint index)
{
  assert_received_as (fixture, index, MESSAGE);
}

static void
test_sent_byte_identical (Fixture *fixture, gconstpointer data)
{
  g_autoptr (MailSubmission) submission = send_message (fixture);
  MailReply *reply = mail_submission_get_final_reply (submission);

  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (mail_reply_get_code (reply), ==, 202);
  g_assert_cmpstr (mail_reply_get_text (reply), ==, "accepted by Microsoft Graph");
  g_assert_null (graph_test_server_get_violation (fixture->graph));
  assert_received (fixture, 0);
  /* The token was asked for Graph's Mail.Send, from the one refresh token. */
  g_assert_cmpuint (oauth2_test_idp_get_count (fixture->idp, GRAPH_SCOPE), ==, 1);
}

/* @text sent once over SMTP (to the Office-365-like server, with the same sign-in) and once
 * through Graph: both must carry @submitted, the octets SMTP's DATA carries. */
static void
assert_same_as_smtp (Fixture *fixture, const char *text, const char *submitted)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SmtpTestServer) smtp = smtp_test_server_new_office365 ();
  g_autofree char *ca = test_cert_path ("ca.pem");
  g_autoptr (MailSubmission) by_smtp = NULL, by_graph = NULL;
  const SmtpTestMessage *received;

  smtp_test_server_set_credentials (smtp, USER, NULL, TOKEN);
  g_assert_true (smtp_test_server_start (smtp, 0, &error));
  g_object_set (fixture->account, "transport", "smtp", "server", "localhost",
                "port", (guint) smtp_test_server_get_port (smtp), "ca-file", ca, NULL);
  by_smtp = send_text (fixture, text);
  g_assert_cmpint (mail_submission_get_status (by_smtp), ==, MAIL_SUBMISSION_SENT);
  g_assert_true (smtp_test_server_wait_idle (smtp, WAIT_MS));
  received = smtp_test_server_get_message (smtp, 0);
  g_assert_nonnull (received->body);
  g_assert_cmpmem (g_bytes_get_data (received->body, NULL), g_bytes_get_size (received->body),
                   submitted, strlen (submitted));
  g_object_set (fixture->account, "transport", "graph", NULL);
  by_graph = send_text (fixture, text);
  g_assert_cmpint (mail_submission_get_status (by_graph), ==, MAIL_SUBMISSION_SENT);
  assert_received_as (fixture, 0, submitted);
}

static void
test_same_bytes_as_smtp (Fixture *fixture, gconstpointer data)
{
  assert_same_as_smtp (fixture, MESSAGE, MESSAGE);
}

/* Bare LF line ends: Graph gets the CRLF octets SMTP's DATA carries, not the file's. */
static void
test_lf_message_as_smtp_submits_it (Fixture *fixture, gconstpointer data)
{
  assert_same_as_smtp (fixture, MESSAGE_LF, MESSAGE_LF_AS_SUBMITTED);
}

static void
test_unauthorized_refreshes_once (Fixture *fixture, gconstpointer data)
{
  const GraphTestAnswer answers[] = { GRAPH_TEST_ANSWER_UNAUTHORIZED };
  g_autoptr (MailSubmission) submission = NULL;

  graph_test_server_script (fixture->graph, answers, G_N_ELEMENTS (answers));
  submission = send_message (fixture);
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (graph_test_server_get_n_requests (fixture->graph), ==, 2);
  g_assert_cmpuint (oauth2_test_idp_get_count (fixture->idp, "refresh_token"), ==, 2);
  g_assert_nonnull (strstr (fixture->transcript->str, "renewing it and trying once more"));
  assert_received (fixture, 0);
}

static void
test_unauthorized_twice_gives_up (Fixture *fixture, gconstpointer data)
{
  const GraphTestAnswer answers[] = { GRAPH_TEST_ANSWER_UNAUTHORIZED, GRAPH_TEST_ANSWER_UNAUTHORIZED,
                                      GRAPH_TEST_ANSWER_UNAUTHORIZED };
  g_autoptr (MailSubmission) submission = NULL;

  graph_test_server_script (fixture->graph, answers, G_N_ELEMENTS (answers));
  submission = send_message (fixture);
  g_assert_error (mail_submission_get_error (submission), MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_cmpuint (graph_test_server_get_n_requests (fixture->graph), ==, 2);
}

/* One scripted answer and what it must become. */
typedef struct
{
  GraphTestAnswer answer;
  MailTransportError code;
  MailFailureClass failure;
  const char *says;
} Outcome;

static const Outcome outcomes[] = {
  { GRAPH_TEST_ANSWER_FORBIDDEN, MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT, "Grant admin consent" },
  { GRAPH_TEST_ANSWER_THROTTLED, MAIL_TRANSPORT_ERROR_RATE_LIMITED, MAIL_FAILURE_TEMPORARY, "try again in 2 seconds" },
  { GRAPH_TEST_ANSWER_TOO_LARGE, MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "too large" },
  { GRAPH_TEST_ANSWER_SERVER_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "HTTP 500" },
  { GRAPH_TEST_ANSWER_DROP, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN, MAIL_FAILURE_STATUS_UNKNOWN, "may or may not" },
};

static void
test_answer_classified (Fixture *fixture, gconstpointer data)
{
  const Outcome *outcome = data;
  g_autoptr (MailSubmission) submission = NULL;
  const GError *error;

  graph_test_server_script (fixture->graph, &outcome->answer, 1);
  submission = send_message (fixture);
  error = mail_submission_get_error (submission);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, (gint) outcome->code);
  g_assert_cmpint (mail_transport_error_classify (error), ==, outcome->failure);
  g_assert_nonnull (strstr (error->message, outcome->says));
  g_assert_cmpuint (graph_test_server_get_messages (fixture->graph)->len, ==, 0);
  /* Retry-After travels with the submission for retry logic to honour. */
  if (outcome->answer == GRAPH_TEST_ANSWER_THROTTLED)
    g_assert_cmpuint (mail_submission_get_retry_after (submission), ==, 2);
}

static void
test_check_gets_me (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailTransport) transport = mail_account_create_transport (MAIL_ACCOUNT (fixture->account), &error);
  g_autoptr (GVariant) facts = NULL;
  const char *transport_name = NULL;

  g_assert_no_error (error);
  facts = engine_test_check (transport, fixture->transcript, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (facts, "transport", "&s", &transport_name));
  g_assert_cmpstr (transport_name, ==, "graph");
  g_assert_cmpuint (graph_test_server_get_n_requests (fixture->graph), ==, 1);
}

/* SMTP AUTH switched off for the tenant: the message goes through Graph, the account
 * remembers it, and the person is told once. */
static void
test_auto_switches_to_graph (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SmtpTestServer) smtp = smtp_test_server_new_office365 ();
  g_autofree char *ca = test_cert_path ("ca.pem");
  g_autoptr (MailSubmission) first = NULL, second = NULL;
  g_autoptr (O365Account) reread = NULL;
  g_autofree char *remembered = NULL;
  const char *note = "sends through Microsoft Graph from now on";

  smtp_test_server_set_credentials (smtp, USER, NULL, TOKEN);
  smtp_test_server_set_auth_disabled (smtp, TRUE);
  g_assert_true (smtp_test_server_start (smtp, 0, &error));
  g_object_set (fixture->account, "transport", "auto", "server", "localhost",
                "port", (guint) smtp_test_server_get_port (smtp), "ca-file", ca, NULL);
  g_assert_true (o365_account_save (fixture->account, &error));
  g_assert_no_error (error);

  g_test_expect_message ("o365-plugin", G_LOG_LEVEL_MESSAGE, "*sending through Microsoft Graph*");
  first = send_message (fixture);
  g_test_assert_expected_messages ();
  g_assert_cmpint (mail_submission_get_status (first), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (smtp_test_server_get_n_connections (smtp), ==, 1);
  g_assert_cmpuint (smtp_test_server_get_n_messages (smtp), ==, 0);
  assert_received (fixture, 0);
  g_assert_nonnull (strstr (fixture->transcript->str, note));

  reread = o365_account_new (fixture->id);
  g_object_get (reread, "transport", &remembered, NULL);
  g_assert_cmpstr (remembered, ==, "graph");

  /* The next message goes straight to Graph, without another word. */
  g_object_set (fixture->account, "transport", "graph", NULL);
  g_string_truncate (fixture->transcript, 0);
  second = send_message (fixture);
  g_assert_cmpint (mail_submission_get_status (second), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpuint (smtp_test_server_get_n_connections (smtp), ==, 1);
  g_assert_null (strstr (fixture->transcript->str, note));
  assert_received (fixture, 1);
}

/* --- messages over the request limit: draft, upload session, send --------------------------- */

#define LARGE_BOUNDARY "=-large-boundary-="

/* A message with a text part and @size bytes of pseudo-random binary attachment (base64 in
 * 76-column lines), written to a file so that neither the test nor the transport holds it in
 * memory; the attachment's SHA-256 in @sha256. */
static MailOutgoing *
large_message (gsize size, char **sha256, char **path)
{
  const char *const recipients[] = { "bob@example.test", HIDDEN, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr (GRand) rand = g_rand_new_with_seed (15);
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInputStream) stream = NULL;
  int fd = g_file_open_tmp ("test-graph-large-XXXXXX.eml", path, &error);
  FILE *out;
  guint8 raw[57 * 64];
  char line[80 * 64 + 8];

  g_assert_no_error (error);
  out = fdopen (fd, "w");
  fputs ("From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: Large\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" LARGE_BOUNDARY "\"\r\n\r\n"
         "--" LARGE_BOUNDARY "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
         "The measurements are attached.\r\n\r\n"
         "--" LARGE_BOUNDARY "\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
         "Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
         out);
  for (gsize done = 0; done < size;)
    {
      gsize n = MIN (sizeof raw, size - done), written = 0;

      for (gsize i = 0; i < n; i++)
        raw[i] = (guint8) g_rand_int (rand);
      g_checksum_update (checksum, raw, n);
      for (gsize i = 0; i < n; i += 57)
        {
          g_autofree char *encoded = g_base64_encode (raw + i, MIN (57, n - i));

          written += (gsize) g_snprintf (line + written, sizeof line - written, "%s\r\n", encoded);
        }
      fwrite (line, 1, written, out);
      done += n;
    }
  fputs ("--" LARGE_BOUNDARY "--\r\n", out);
  g_assert_cmpint (fclose (out), ==, 0);
  *sha256 = g_strdup (g_checksum_get_string (checksum));
  file = g_file_new_for_path (*path);
  stream = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  return mail_outgoing_new (USER, recipients, G_INPUT_STREAM (stream), -1, MAIL_OUTGOING_NONE);
}

static MailSubmission *
send_large (Fixture *fixture, gsize size, char **sha256)
{
  g_autofree char *path = NULL;
  g_autoptr (MailOutgoing) message = large_message (size, sha256, &path);
  MailSubmission *submission = submit_one (fixture, message);

  g_unlink (path);
  return submission;
}

static void
test_large_through_upload_session (Fixture *fixture, gconstpointer data)
{
  const gsize size = 40 * 1024 * 1024;
  g_autofree char *sha256 = NULL;
  g_autoptr (MailSubmission) submission = send_large (fixture, size, &sha256);
  GPtrArray *sent = graph_test_server_get_sent_drafts (fixture->graph);
  const GraphTestDraft *draft;
  const GraphTestAttachment *attachment;
  struct rusage usage;

  g_assert_no_error (mail_submission_get_error (submission));
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpstr (mail_reply_get_text (mail_submission_get_final_reply (submission)), ==,
                   "accepted by Microsoft Graph");
  g_assert_null (graph_test_server_get_violation (fixture->graph));
  g_assert_cmpuint (sent->len, ==, 1);
  draft = g_ptr_array_index (sent, 0);
  g_assert_cmpuint (draft->attachments->len, ==, 1);
  attachment = g_ptr_array_index (draft->attachments, 0);
  g_assert_cmpstr (attachment->name, ==, "data.bin");
  g_assert_cmpstr (attachment->content_type, ==, "application/octet-stream");
  g_assert_cmpuint (attachment->size, ==, size);
  g_assert_cmpuint (attachment->n_chunks, >, 1);
  /* Reassembled in Content-Range order, byte for byte the original. */
  g_assert_cmpstr (attachment->sha256, ==, sha256);
  /* The draft kept the text part, not the attachment; the hidden recipient is a Bcc only. */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (draft->mime, NULL), g_bytes_get_size (draft->mime),
                                  "The measurements are attached."));
  g_assert_cmpuint (g_bytes_get_size (draft->mime), <, 64 * 1024);
  g_assert_true (g_strv_contains ((const char *const *) draft->bcc, HIDDEN));
  g_assert_null (g_strstr_len (g_bytes_get_data (draft->mime, NULL), g_bytes_get_size (draft->mime), HIDDEN));
  g_assert_cmpuint (graph_test_server_get_messages (fixture->graph)->len, ==, 0);
  g_assert_cmpuint (graph_test_server_get_n_drafts (fixture->graph), ==, 0);
  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  g_test_message ("peak RSS after sending a %zu MiB attachment through Graph: %ld KiB", size / 1024 / 1024,
                  usage.ru_maxrss);
}

/* A 4 MiB attachment (over the limit, two chunks at least) with @fault in the server. */
static MailSubmission *
send_large_with_fault (Fixture *fixture, GraphTestFault fault)
{
  g_autofree char *sha256 = NULL;

  graph_test_server_set_fault (fixture->graph, fault);
  return send_large (fixture, 4 * 1024 * 1024, &sha256);
}

static void
test_large_chunk_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr (MailSubmission) submission = send_large_with_fault (fixture, GRAPH_TEST_FAULT_CHUNK_RANGE);
  const GError *error = mail_submission_get_error (submission);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "HTTP 416"));
  g_assert_cmpuint (graph_test_server_get_sent_drafts (fixture->graph)->len, ==, 0);
  /* The draft is gone again. */
  g_assert_cmpuint (graph_test_server_get_n_drafts (fixture->graph), ==, 0);
  g_assert_cmpuint (graph_test_server_get_n_deleted (fixture->graph), ==, 1);
}

static void
test_large_dropped_after_send (Fixture *fixture, gconstpointer data)
{
  g_autoptr (MailSubmission) submission = send_large_with_fault (fixture, GRAPH_TEST_FAULT_DROP_SEND);
  const GError *error = mail_submission_get_error (submission);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN);
  g_assert_cmpint (mail_transport_error_classify (error), ==, MAIL_FAILURE_STATUS_UNKNOWN);
  /* It was sent: nothing deletes it. */
  g_assert_cmpuint (graph_test_server_get_sent_drafts (fixture->graph)->len, ==, 1);
  g_assert_cmpuint (graph_test_server_get_n_deleted (fixture->graph), ==, 0);
}

/* A 401 in the middle: the token is renewed once and the same step made again, in the same draft. */
static void
test_large_unauthorized_refreshes_once (Fixture *fixture, gconstpointer data)
{
  g_autoptr (MailSubmission) submission = send_large_with_fault (fixture, GRAPH_TEST_FAULT_UNAUTHORIZED_SESSION);
  GPtrArray *sent = graph_test_server_get_sent_drafts (fixture->graph);

  g_assert_no_error (mail_submission_get_error (submission));
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpuint (((GraphTestDraft *) g_ptr_array_index (sent, 0))->attachments->len, ==, 1);
  g_assert_cmpuint (oauth2_test_idp_get_count (fixture->idp, "refresh_token"), ==, 2);
  g_assert_nonnull (strstr (fixture->transcript->str, "renewing it and trying once more"));
}

static void
test_large_draft_throttled (Fixture *fixture, gconstpointer data)
{
  g_autoptr (MailSubmission) submission = send_large_with_fault (fixture, GRAPH_TEST_FAULT_THROTTLED_DRAFT);
  const GError *error = mail_submission_get_error (submission);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_RATE_LIMITED);
  g_assert_cmpint (mail_transport_error_classify (error), ==, MAIL_FAILURE_TEMPORARY);
  g_assert_cmpuint (mail_submission_get_retry_after (submission), ==, 2);
  g_assert_cmpuint (graph_test_server_get_n_drafts (fixture->graph), ==, 0);
}

/* Password accounts stay on SMTP: Graph takes tokens only. */
static void
test_password_account_stays_on_smtp (void)
{
  g_autoptr (O365Account) account = o365_account_new ("graph-password");
  g_autoptr (GError) error = NULL;

  g_object_set (account, "address", USER, "auth-method", "password", "transport", "graph", NULL);
  g_assert_false (o365_account_validate (account, &error));
  g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_object_set (account, "transport", "auto", "graph-endpoint", "http://graph.example.test", NULL);
  g_assert_false (o365_account_validate (account, &error));
  g_assert_nonnull (strstr (error->message, "https"));
}

int
main (int argc, char **argv)
{
  const char *const shared[] = { "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", NULL };
  int status;

  test_init (&argc, &argv);
  keyring = harness_fixture_start ("keyring-harness", NULL);
  for (guint i = 0; shared[i] != NULL; i++)
    g_setenv (shared[i], harness_fixture_get (keyring, shared[i]), TRUE);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/graph/large-through-upload-session", test_large_through_upload_session, NULL);
  ADD ("/graph/large-chunk-refused", test_large_chunk_refused, NULL);
  ADD ("/graph/large-dropped-after-send", test_large_dropped_after_send, NULL);
  ADD ("/graph/large-unauthorized-refreshes-once", test_large_unauthorized_refreshes_once, NULL);
  ADD ("/graph/large-draft-throttled", test_large_draft_throttled, NULL);
  ADD ("/graph/sent-byte-identical", test_sent_byte_identical, NULL);
  ADD ("/graph/same-bytes-as-smtp", test_same_bytes_as_smtp, NULL);
  ADD ("/graph/lf-message-as-smtp-submits-it", test_lf_message_as_smtp_submits_it, NULL);
  ADD ("/graph/unauthorized-refreshes-once", test_unauthorized_refreshes_once, NULL);
  ADD ("/graph/unauthorized-twice-gives-up", test_unauthorized_twice_gives_up, NULL);
  ADD ("/graph/forbidden", test_answer_classified, &outcomes[0]);
  ADD ("/graph/throttled", test_answer_classified, &outcomes[1]);
  ADD ("/graph/too-large", test_answer_classified, &outcomes[2]);
  ADD ("/graph/server-error", test_answer_classified, &outcomes[3]);
  ADD ("/graph/dropped-after-request", test_answer_classified, &outcomes[4]);
  ADD ("/graph/check-gets-me", test_check_gets_me, NULL);
  ADD ("/graph/auto-switches-to-graph", test_auto_switches_to_graph, NULL);
  g_test_add_func ("/graph/password-account-stays-on-smtp", test_password_account_stays_on_smtp);
  status = g_test_run ();
  harness_fixture_free (keyring);
  return status;
}
