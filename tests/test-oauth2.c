/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-oauth2.c — “Sign in with Microsoft” against the tests' identity provider
 * (oauth2-test-idp, a real HTTP server on loopback), the tests' SMTP server and a real
 * gnome-keyring (keyring-harness): the device code flow and its timing, the browser flow with
 * PKCE driven the way a browser follows the redirect, XOAUTH2 byte for byte, the refresh-once
 * rule after 535 5.7.3, rotation of the refresh token in the keyring, and no token anywhere it
 * must not be. */
#include "config.h"

#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "engine-test-utils.h"
#include "harness-fixture.h"
#include "mail-sign-in.h"
#include "mail-transport-error.h"
#include "mail-transport.h"
#include "o365-account.h"
#include "o365-credentials.h"
#include "o365-oauth2-client.h"
#include "o365-oauth2-device-flow.h"
#include "o365-oauth2-pkce.h"
#include "o365-oauth2-tokens.h"
#include "o365-validate.h"
#include "oauth2-test-browser.h"
#include "oauth2-test-idp.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
#define SCOPE "https://outlook.office.com/SMTP.Send offline_access"
#define USER "alice@example.test"
#define WAIT_MS 30000

static HarnessFixture *keyring;

/* --- helpers -------------------------------------------------------------------------------- */

static OAuth2TestIdp *
start_idp (void)
{
  g_autoptr (GError) error = NULL;
  OAuth2TestIdp *idp = oauth2_test_idp_new (CLIENT_ID, SCOPE);

  g_assert_true (oauth2_test_idp_start (idp, &error));
  g_assert_no_error (error);
  return idp;
}

static O365OAuth2Client *
client_for (OAuth2TestIdp *idp)
{
  g_autoptr (GError) error = NULL;
  O365OAuth2Client *client = o365_oauth2_client_new (oauth2_test_idp_get_authority (idp), "organizations",
                                                     CLIENT_ID, SCOPE, &error);

  g_assert_no_error (error);
  return client;
}

static char *
new_account_id (const char *what)
{
  static guint serial;

  return g_strdup_printf ("%s-%u-%d", what, ++serial, (int) getpid ());
}

/* An OAuth2 account whose identity platform is @idp and whose server is localhost:@smtp_port. */
static O365Account *
new_account (const char *id, OAuth2TestIdp *idp, guint16 smtp_port)
{
  O365Account *account = o365_account_new (id);
  g_autofree char *ca = test_cert_path ("ca.pem");

  g_object_set (account, "address", USER, "server", "localhost", "port", (guint) smtp_port,
                "ca-file", ca, "auth-method", "oauth2", "oauth2-client-id", CLIENT_ID,
                "oauth2-authority", oauth2_test_idp_get_authority (idp), "timeout", 10, NULL);
  return account;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  char *secret;
  GError *error;
} Wait;

static void
wait_clear (Wait *wait)
{
  g_clear_pointer (&wait->secret, secret_password_free);
  g_clear_error (&wait->error);
  wait->done = wait->ok = FALSE;
}

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = o365_credentials_store_finish (result, &wait->error);
  wait->done = TRUE;
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->secret = o365_credentials_lookup_finish (result, &wait->error);
  wait->done = TRUE;
}

/* As an earlier sign-in would have left it. */
static void
store_refresh_token (const char *account_id, const char *refresh_token)
{
  Wait wait = { 0 };

  o365_credentials_store_async (account_id, USER, O365_SECRET_OAUTH2_REFRESH_TOKEN, refresh_token, NULL,
                                on_stored, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  g_assert_no_error (wait.error);
}

/* The stored refresh token, or NULL when there is none. */
static char *
stored_refresh_token (const char *account_id)
{
  Wait wait = { 0 };
  char *secret;

  o365_credentials_lookup_async (account_id, O365_SECRET_OAUTH2_REFRESH_TOKEN, NULL, on_looked_up, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  if (wait.error != NULL)
    g_assert_error (wait.error, O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_NOT_FOUND);
  secret = g_steal_pointer (&wait.secret);
  wait_clear (&wait);
  return secret;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main loop run for @ms: what should not happen has its chance to. */
static void
run_loop_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  test_wait_for_flag (&done, ms + WAIT_MS);
}

/* --- the SMTP side --------------------------------------------------------------------------- */

#define EHLO_BEFORE_TLS "250-mx.test Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n" \
                        "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
#define EHLO_AFTER_TLS  "250-mx.test Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n" \
                        "250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n250 8BITMIME\r\n"

/* A script up to the AUTH command, Office 365's way. */
static SmtpTestScript *
script_until_auth (void)
{
  SmtpTestScript *script = smtp_test_script_new ();

  smtp_test_script_send (script, "220 mx.test Microsoft ESMTP MAIL Service ready\r\n");
  smtp_test_script_expect_prefix (script, "EHLO ");
  smtp_test_script_send (script, EHLO_BEFORE_TLS);
  smtp_test_script_expect_line (script, "STARTTLS");
  smtp_test_script_send (script, "220 2.0.0 SMTP server ready\r\n");
  smtp_test_script_starttls (script, "server", G_TLS_PROTOCOL_VERSION_UNKNOWN);
  smtp_test_script_expect_prefix (script, "EHLO ");
  smtp_test_script_send (script, EHLO_AFTER_TLS);
  return script;
}

static void
script_signed_in_and_quit (SmtpTestScript *script)
{
  smtp_test_script_send (script, "235 2.7.0 Authentication successful\r\n");
  smtp_test_script_expect_line (script, "QUIT");
  smtp_test_script_send (script, "221 2.0.0 Service closing transmission channel\r\n");
}

/* What XOAUTH2 must put on the wire, computed here without the plug-in's encoder. */
static char *
xoauth2_base64 (const char *user, const char *token)
{
  g_autofree char *raw = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", user, token);

  return g_base64_encode ((const guchar *) raw, strlen (raw));
}

static SmtpTestServer *
start_office365 (const char *token)
{
  g_autoptr (GError) error = NULL;
  SmtpTestServer *server = smtp_test_server_new_office365 ();

  smtp_test_server_set_credentials (server, USER, NULL, token);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

/* Connects, signs in and says goodbye through the account's transport; returns the error. */
static GError *
check_account (O365Account *account, GString *transcript)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailTransport) transport = mail_account_create_transport (MAIL_ACCOUNT (account), &error);
  g_autoptr (GVariant) facts = NULL;

  g_assert_no_error (error);
  facts = engine_test_check (transport, transcript, &error);
  return g_steal_pointer (&error);
}

/* Nothing of what the identity provider issued appears in @text. */
static void
assert_no_secret_in (OAuth2TestIdp *idp, const char *what, const char *text, gsize length)
{
  if (oauth2_test_idp_find_issued (idp, text, length) != NULL)
    g_error ("an issued token or code appears in %s", what);
}

/* --- pure parts ------------------------------------------------------------------------------ */

static void
test_pkce_challenge (void)
{
  g_autofree char *challenge = o365_oauth2_pkce_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr (GError) error = NULL;

  /* RFC 7636 Appendix B. */
  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

  a = o365_oauth2_random_string (32, &error);
  g_assert_no_error (error);
  b = o365_oauth2_random_string (32, &error);
  g_assert_cmpuint (strlen (a), ==, 43);
  g_assert_cmpstr (a, !=, b);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_error_responses (void)
{
  static const struct
  {
    guint status;
    const char *body;
    O365OAuth2Error code;
    const char *says;
  } cases[] = {
    { 400, "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70008: The refresh token has expired due to "
           "inactivity.\\r\\nTrace ID: x\",\"error_codes\":[70008]}",
      O365_OAUTH2_ERROR_INVALID_GRANT, "sign in with Microsoft again" },
    { 400, "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS65001: The user or administrator has not "
           "consented\",\"error_codes\":[65001]}",
      O365_OAUTH2_ERROR_CONSENT_REQUIRED, "administrator must grant consent" },
    { 401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000218: The request body must contain "
           "'client_assertion' or 'client_secret'\",\"error_codes\":[7000218]}",
      O365_OAUTH2_ERROR_INVALID_CLIENT, "Allow public client flows" },
    { 400, "{\"error\":\"unauthorized_client\",\"error_codes\":[700016]}", O365_OAUTH2_ERROR_INVALID_CLIENT,
      "does not accept the client id" },
    { 400, "{\"error\":\"invalid_scope\"}", O365_OAUTH2_ERROR_INVALID_SCOPE, "SMTP.Send" },
    { 400, "{\"error\":\"invalid_grant\",\"error_codes\":[50020]}", O365_OAUTH2_ERROR_WRONG_TENANT, "consumers" },
    { 503, "{\"error\":\"temporarily_unavailable\"}", O365_OAUTH2_ERROR_SERVER, "temporarily" },
    { 502, "<html>Bad gateway</html>", O365_OAUTH2_ERROR_SERVER, "HTTP 502" },
    { 200, "{\"token_type\":\"Bearer\"}", O365_OAUTH2_ERROR_PROTOCOL, "no usable access token" },
    { 200, "{\"access_token\":\"a b\"}", O365_OAUTH2_ERROR_PROTOCOL, "no usable access token" },
    { 400, "{\"error\":\"weird\\u0007thing\",\"error_description\":\"line one\\nline two\"}",
      O365_OAUTH2_ERROR_FAILED, "Microsoft says: line one" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (O365OAuth2TokenSet) tokens =
        o365_oauth2_parse_token_response (cases[i].status, cases[i].body, strlen (cases[i].body), &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].body);
      g_assert_null (tokens);
      g_assert_error (error, O365_OAUTH2_ERROR, (gint) cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_assert_null (strstr (error->message, "line two"));
      g_assert_null (strchr (error->message, '\a'));
    }

  {
    static const char body[] = "{\"access_token\":\"at\",\"expires_in\":\"3599\",\"refresh_token\":\"rt\"}";
    g_autoptr (GError) error = NULL;
    g_autoptr (O365OAuth2TokenSet) tokens = o365_oauth2_parse_token_response (200, body, strlen (body), &error);
    gint64 left;

    g_assert_no_error (error);
    g_assert_cmpstr (tokens->access_token, ==, "at");
    g_assert_cmpstr (tokens->refresh_token, ==, "rt");
    left = (tokens->expires_at - g_get_real_time ()) / G_USEC_PER_SEC;
    g_assert_cmpint (left, >=, 3590);
    g_assert_cmpint (left, <=, 3599);
  }
  {
    static const char body[] = "{\"device_code\":\"dc\",\"user_code\":\"ABC\",\"verification_uri\":"
                               "\"https://microsoft.com/devicelogin\",\"expires_in\":900}";
    g_autoptr (GError) error = NULL;
    g_autoptr (O365OAuth2DeviceCode) code = o365_oauth2_parse_device_code_response (200, body, strlen (body), &error);

    g_assert_no_error (error);
    /* RFC 8628 §3.2: no interval means 5 seconds. */
    g_assert_cmpuint (code->interval, ==, 5);
    g_assert_cmpuint (code->expires_in, ==, 900);
  }
}

/* A token answer is one JSON object, and a token is exactly what was sent: a second object
 * (json-glib would keep the last), a NUL (a C string would cut the token there) or a bidi
 * control is refused; the text a person reads has no bidi controls. */
static void
test_token_response_refused (void)
{
  static const struct
  {
    const char *body;
    gsize length; /* 0: strlen */
    const char *says;
  } cases[] = {
    { "{\"access_token\":\"good\",\"refresh_token\":\"rt\"}{\"access_token\":\"evil\"}", 0, "not a JSON object" },
    { "{\"access_token\":\"good\"} {}", 0, "not a JSON object" },
    { "{\"access_token\":\"abc\\u0000def\",\"refresh_token\":\"rt\"}", 0, "not a JSON object" },
    { "{\"access_token\":\"at\",\"refresh_token\":\"abc\\u0000def\"}", 0, "not a JSON object" },
    { "{\"access_token\":\"abc\0def\"}", 25, "not a JSON object" },
    { "{\"access_token\":\"abc\\u202edef\"}", 0, "no usable access token" },
    { "{\"access_token\":\"abc\xe2\x81\xa6" "def\"}", 0, "no usable access token" },
    { "{\"access_token\":\"at\",\"refresh_token\":\"r\\u200ft\"}", 0, "an unusable refresh token" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = cases[i].length != 0 ? cases[i].length : strlen (cases[i].body);
      g_autoptr (GError) error = NULL;
      g_autoptr (O365OAuth2TokenSet) tokens = o365_oauth2_parse_token_response (200, cases[i].body, length, &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].body);
      g_assert_null (tokens);
      g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }

  {
    static const char body[] = "{\"error\":\"invalid\\u202egrant\",\"error_description\":"
                               "\"AADSTS1: \\u2066evil\\u2069 \\u200etext\"}";
    g_autoptr (GError) error = NULL;
    g_autoptr (O365OAuth2TokenSet) tokens = o365_oauth2_parse_token_response (400, body, strlen (body), &error);

    g_assert_null (tokens);
    g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==, "Microsoft refused the sign-in (invalidgrant). Microsoft says: AADSTS1: evil text");
  }
}

static void
test_settings_checked (void)
{
  static const char *const good_authorities[] = {
    "https://login.microsoftonline.com", "https://login.microsoftonline.us/", "http://127.0.0.1:8080",
    "http://localhost:1", "http://[::1]:9", NULL,
  };
  static const char *const bad_authorities[] = {
    "http://login.microsoftonline.com", "https://login.microsoftonline.com/evil", "ftp://x.test",
    "https://user@login.microsoftonline.com", "https://x.test/?a=b", "login.microsoftonline.com", NULL,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (O365OAuth2Client) client = NULL;

  for (guint i = 0; good_authorities[i] != NULL; i++)
    {
      g_assert_true (o365_validate_oauth2_authority (good_authorities[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; bad_authorities[i] != NULL; i++)
    {
      g_test_message ("%s", bad_authorities[i]);
      g_assert_false (o365_validate_oauth2_authority (bad_authorities[i], &error));
      g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE);
      g_clear_error (&error);
    }
  g_assert_true (o365_validate_oauth2_tenant ("organizations", NULL));
  g_assert_true (o365_validate_oauth2_tenant ("contoso.onmicrosoft.com", NULL));
  g_assert_true (o365_validate_oauth2_tenant ("72f988bf-86f1-41af-91ab-2d7cd011db47", NULL));
  g_assert_false (o365_validate_oauth2_tenant ("common/../evil", NULL));
  g_assert_false (o365_validate_oauth2_tenant ("", NULL));
  g_assert_true (o365_validate_oauth2_client_id (CLIENT_ID, NULL));
  g_assert_true (o365_validate_oauth2_client_id ("", NULL));
  g_assert_false (o365_validate_oauth2_client_id ("my-app", NULL));

  client = o365_oauth2_client_new ("https://login.microsoftonline.com", "a/b", CLIENT_ID, SCOPE, &error);
  g_assert_null (client);
  g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_INVALID_SETTING);
  g_clear_error (&error);

  /* No client id in the account: the one built in, or an error saying how to get one. */
  client = o365_oauth2_client_new ("https://login.microsoftonline.com", "organizations", "", SCOPE, &error);
  if (*OAUTH2_CLIENT_ID == '\0')
    {
      g_assert_null (client);
      g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_NO_CLIENT_ID);
      g_assert_nonnull (strstr (error->message, "Allow public client flows"));
      g_assert_nonnull (strstr (error->message, "http://127.0.0.1"));
      g_assert_nonnull (strstr (error->message, "SMTP.Send"));
      g_assert_nonnull (strstr (error->message, "README"));
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpstr (o365_oauth2_client_get_client_id (client), ==, OAUTH2_CLIENT_ID);
    }
}

static void
test_account_without_client_id (void)
{
  g_autofree char *id = new_account_id ("no-client-id");
  g_autoptr (O365Account) account = o365_account_new (id);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailTransport) transport = NULL;

  if (*OAUTH2_CLIENT_ID != '\0')
    {
      g_test_skip ("built with -Doauth2_client_id: every account has a client id");
      return;
    }
  g_object_set (account, "address", USER, "auth-method", "oauth2", NULL);
  transport = mail_account_create_transport (MAIL_ACCOUNT (account), &error);
  g_assert_null (transport);
  g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_NO_CLIENT_ID);
  g_assert_nonnull (strstr (error->message, "oauth2-client-id"));
  /* … and the command that sets it. */
  g_assert_nonnull (strstr (error->message, "o365-account edit ADDRESS --client-id ID"));
}

/* --- device code flow ------------------------------------------------------------------------ */

typedef struct
{
  gboolean done;
  O365OAuth2TokenSet *tokens;
  GError *error;
  char *user_code;
  char *verification_uri;
  gint64 code_shown;
  gint64 finished;
  GCancellable *cancel_after_code;
} FlowRun;

static void
flow_run_clear (FlowRun *run)
{
  g_clear_pointer (&run->tokens, o365_oauth2_token_set_free);
  g_clear_error (&run->error);
  g_free (run->user_code);
  g_free (run->verification_uri);
  g_clear_object (&run->cancel_after_code);
}

static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_user_code (const O365OAuth2DeviceCode *code, gpointer user_data)
{
  FlowRun *run = user_data;

  run->user_code = g_strdup (code->user_code);
  run->verification_uri = g_strdup (code->verification_uri);
  run->code_shown = g_get_monotonic_time ();
  if (run->cancel_after_code != NULL)
    g_timeout_add_full (G_PRIORITY_DEFAULT, 300, cancel_now, g_object_ref (run->cancel_after_code), g_object_unref);
}

static void
on_device_flow_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlowRun *run = user_data;

  run->tokens = o365_oauth2_device_flow_finish (result, &run->error);
  run->finished = g_get_monotonic_time ();
  run->done = TRUE;
}

static void
run_device_flow (OAuth2TestIdp *idp, FlowRun *run)
{
  g_autoptr (O365OAuth2Client) client = client_for (idp);
  O365OAuth2Prompt prompt = { on_user_code, NULL, NULL, run };

  o365_oauth2_device_flow_async (client, &prompt, run->cancel_after_code, on_device_flow_done, run);
  test_wait_for_flag (&run->done, WAIT_MS);
}

static gdouble
seconds_between (gint64 from, gint64 to)
{
  return (gdouble) (to - from) / G_USEC_PER_SEC;
}

static void
test_device_pending_slow_down_success (void)
{
  static const OAuth2TestPoll polls[] = {
    OAUTH2_TEST_POLL_PENDING, OAUTH2_TEST_POLL_SLOW_DOWN, OAUTH2_TEST_POLL_APPROVE,
  };
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  FlowRun run = { 0 };
  GArray *times;
  gint64 previous;
  /* Seconds each poll must wait: the interval, then the interval again, then 5 s more after
   * slow_down (RFC 8628 §3.5). */
  static const guint expected_gaps[] = { 1, 1, 6 };

  oauth2_test_idp_set_device_timing (idp, 1, 60);
  oauth2_test_idp_script_polls (idp, polls, G_N_ELEMENTS (polls));
  run_device_flow (idp, &run);

  g_assert_no_error (run.error);
  g_assert_nonnull (run.tokens);
  g_assert_cmpstr (run.tokens->refresh_token, ==, oauth2_test_idp_get_refresh_token (idp));
  g_assert_nonnull (run.user_code);
  g_assert_true (g_str_has_prefix (run.verification_uri, oauth2_test_idp_get_authority (idp)));
  g_assert_null (oauth2_test_idp_get_violation (idp));

  times = oauth2_test_idp_get_poll_times (idp);
  g_assert_cmpuint (times->len, ==, 3);
  g_assert_cmpuint (oauth2_test_idp_get_early_polls (idp), ==, 0);
  previous = oauth2_test_idp_get_device_code_issued (idp);
  for (guint i = 0; i < times->len; i++)
    {
      gdouble gap = seconds_between (previous, g_array_index (times, gint64, i));

      g_test_message ("poll %u came %.3f s after the previous step (interval %u s)", i + 1, gap, expected_gaps[i]);
      g_assert_cmpfloat (gap, >=, expected_gaps[i]);
      /* Polling at the interval, not much later. */
      g_assert_cmpfloat (gap, <, expected_gaps[i] + 1.0);
      previous = g_array_index (times, gint64, i);
    }
  g_assert_cmpfloat (seconds_between (run.code_shown, run.finished), >=, 8.0);
  flow_run_clear (&run);
}

static void
test_device_expired (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  FlowRun run = { 0 };

  oauth2_test_idp_set_device_timing (idp, 1, 2);
  run_device_flow (idp, &run);
  g_assert_error (run.error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_EXPIRED);
  g_assert_nonnull (strstr (run.error->message, "start again"));
  /* The server said so (expired_token), and that ended the polling. */
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "expired_token"), ==, 1);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "device_code"), ==, 2);
  flow_run_clear (&run);
}

static void
test_device_expired_by_own_clock (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  FlowRun run = { 0 };
  guint polls;

  /* A server that never says expired_token: the client stops when the code's time is up. */
  oauth2_test_idp_set_device_timing (idp, 1, 2);
  oauth2_test_idp_set_enforce_expiry (idp, FALSE);
  run_device_flow (idp, &run);
  g_assert_error (run.error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_EXPIRED);
  g_assert_cmpfloat (seconds_between (run.code_shown, run.finished), <, 4.5);
  polls = oauth2_test_idp_get_count (idp, "device_code");
  run_loop_for (2000);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "device_code"), ==, polls);
  flow_run_clear (&run);
}

static void
test_device_denied (void)
{
  static const OAuth2TestPoll polls[] = { OAUTH2_TEST_POLL_PENDING, OAUTH2_TEST_POLL_DENY };
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  FlowRun run = { 0 };

  oauth2_test_idp_set_device_timing (idp, 1, 60);
  oauth2_test_idp_script_polls (idp, polls, G_N_ELEMENTS (polls));
  run_device_flow (idp, &run);
  g_assert_error (run.error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_ACCESS_DENIED);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "device_code"), ==, 2);
  flow_run_clear (&run);
}

static void
test_device_cancelled (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  FlowRun run = { 0 };

  oauth2_test_idp_set_device_timing (idp, 1, 60);
  run.cancel_after_code = g_cancellable_new ();
  run_device_flow (idp, &run);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* At once, not at the next poll. */
  g_assert_cmpfloat (seconds_between (run.code_shown, run.finished), <, 0.9);
  run_loop_for (1500);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "device_code"), ==, 0);
  flow_run_clear (&run);
}

/* --- the browser flow (PKCE) ----------------------------------------------------------------- */

static gboolean
on_open_uri (MailSignIn *sign_in, const char *uri, gpointer user_data)
{
  OAuth2TestBrowser *browser = user_data;

  oauth2_test_browser_open (browser, uri);
  return TRUE;
}

/* The device code flow's other device: the person opens the page and types the code. */
static void
on_user_code_signal (MailSignIn *sign_in, const char *verification_uri, const char *user_code, guint expires_in,
                     gpointer user_data)
{
  g_autofree char *uri = g_strdup_printf ("%s?code=%s", verification_uri, user_code);

  g_assert_cmpuint (expires_in, >, 0);
  oauth2_test_browser_open (user_data, uri);
}

static void
on_status (MailSignIn *sign_in, const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

static void
on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = mail_account_sign_in_finish (MAIL_ACCOUNT (source), result, &wait->error);
  wait->done = TRUE;
}

/* Signs @account in with @flow, the tests' browser playing the person's part. */
static void
sign_in (O365Account *account, MailSignInFlow flow, OAuth2TestBrowser *browser, GPtrArray *statuses, Wait *wait)
{
  g_autoptr (MailSignIn) sign_in = mail_sign_in_new (flow);

  g_signal_connect (sign_in, "open-uri", G_CALLBACK (on_open_uri), browser);
  g_signal_connect (sign_in, "user-code", G_CALLBACK (on_user_code_signal), browser);
  if (statuses != NULL)
    g_signal_connect (sign_in, "status", G_CALLBACK (on_status), statuses);
  mail_account_sign_in_async (MAIL_ACCOUNT (account), sign_in, NULL, on_signed_in, wait);
  test_wait_for_flag (&wait->done, WAIT_MS);
  test_wait_for_flag (&browser->done, WAIT_MS);
}

static void
test_pkce_end_to_end (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("pkce");
  g_autoptr (O365Account) account = new_account (id, idp, 587);
  g_autoptr (GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GRegex) loopback = g_regex_new ("^http://127\\.0\\.0\\.1:[0-9]+$", 0, 0, NULL);
  g_autofree char *stored = NULL;
  GUri *landed;
  OAuth2TestBrowser browser = { 0 };
  OAuth2TestBrowser late = { 0 };
  Wait wait = { 0 };

  sign_in (account, MAIL_SIGN_IN_FLOW_BROWSER, &browser, statuses, &wait);
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);

  /* The address opened asks for a code with an S256 challenge and names the account. */
  g_assert_true (g_str_has_prefix (browser.opened, oauth2_test_idp_get_authority (idp)));
  g_assert_nonnull (strstr (browser.opened, "/organizations/oauth2/v2.0/authorize?"));
  g_assert_nonnull (strstr (browser.opened, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (browser.opened, "login_hint=alice%40example.test"));
  g_assert_null (strstr (browser.opened, "code_verifier"));
  /* Microsoft sent the browser back to http://127.0.0.1:PORT, the address the listener is bound
   * to (not "localhost", which may mean [::1] and another program's listener). */
  g_assert_true (g_regex_match (loopback, oauth2_test_idp_get_redirect_uri (idp), 0, NULL));
  landed = oauth2_test_browser_get_uri (&browser);
  g_assert_cmpstr (g_uri_get_host (landed), ==, "127.0.0.1");
  g_assert_nonnull (g_uri_get_query (landed));
  g_assert_cmpuint (browser.status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (browser.page, "You can close this window"));

  /* The verifier matched the challenge at the token endpoint; nothing broke Microsoft's rules. */
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "authorize"), ==, 1);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "authorization_code"), ==, 1);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "pkce_verified"), ==, 1);
  g_assert_null (oauth2_test_idp_get_violation (idp));
  stored = stored_refresh_token (id);
  g_assert_cmpstr (stored, ==, oauth2_test_idp_get_refresh_token (idp));
  g_assert_true (g_ptr_array_find_with_equal_func (statuses, "Waiting for you to sign in in your web browser…",
                                                   g_str_equal, NULL));

  /* One shot: once its page is out, nothing listens there any more. */
  run_loop_for (300);
  oauth2_test_browser_open (&late, oauth2_test_idp_get_redirect_uri (idp));
  test_wait_for_flag (&late.done, WAIT_MS);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);

  oauth2_test_browser_clear (&browser);
  oauth2_test_browser_clear (&late);
  wait_clear (&wait);
}

/* An answer with somebody else's state (Microsoft sent one, or some page made the browser load
 * the listener's address) is refused with an error page, but the sign-in waits on. */
static void
test_pkce_wrong_state (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("pkce-state");
  g_autoptr (O365Account) account = new_account (id, idp, 587);
  g_autoptr (MailSignIn) sign_in = mail_sign_in_new (MAIL_SIGN_IN_FLOW_BROWSER);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *stored = NULL;
  OAuth2TestBrowser browser = { 0 };
  Wait wait = { 0 };

  oauth2_test_idp_set_authorize_mode (idp, OAUTH2_TEST_AUTHORIZE_WRONG_STATE);
  g_signal_connect (sign_in, "open-uri", G_CALLBACK (on_open_uri), &browser);
  mail_account_sign_in_async (MAIL_ACCOUNT (account), sign_in, cancellable, on_signed_in, &wait);
  test_wait_for_flag (&browser.done, WAIT_MS);
  g_assert_cmpuint (browser.status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (browser.page, "does not belong to the sign-in in progress"));
  run_loop_for (300);
  g_assert_false (wait.done);

  g_cancellable_cancel (cancellable);
  test_wait_for_flag (&wait.done, WAIT_MS);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The foreign code was never redeemed, and nothing was stored. */
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "authorization_code"), ==, 0);
  stored = stored_refresh_token (id);
  g_assert_null (stored);
  oauth2_test_browser_clear (&browser);
  wait_clear (&wait);
}

/* The other program's request: the listener's address with a made-up code and a wrong state,
 * or none. Then the real browser. */
typedef struct
{
  OAuth2TestBrowser forged[2];
  char *authorize_uri;
} Intruder;

static gboolean
on_open_uri_after_intruder (MailSignIn *sign_in, const char *uri, gpointer user_data)
{
  Intruder *intruder = user_data;
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GHashTable) query = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  const char *redirect_uri = g_hash_table_lookup (query, "redirect_uri");
  g_autofree char *wrong = g_strdup_printf ("%s?code=forged-code&state=forged-state", redirect_uri);
  g_autofree char *missing = g_strdup_printf ("%s?code=forged-code", redirect_uri);

  oauth2_test_browser_open (&intruder->forged[0], wrong);
  oauth2_test_browser_open (&intruder->forged[1], missing);
  intruder->authorize_uri = g_strdup (uri);
  return TRUE;
}

static void
test_pkce_foreign_answer_ignored (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("pkce-foreign");
  g_autoptr (O365Account) account = new_account (id, idp, 587);
  g_autoptr (MailSignIn) sign_in = mail_sign_in_new (MAIL_SIGN_IN_FLOW_BROWSER);
  g_autofree char *stored = NULL;
  OAuth2TestBrowser browser = { 0 };
  Intruder intruder = { 0 };
  Wait wait = { 0 };

  g_signal_connect (sign_in, "open-uri", G_CALLBACK (on_open_uri_after_intruder), &intruder);
  mail_account_sign_in_async (MAIL_ACCOUNT (account), sign_in, NULL, on_signed_in, &wait);
  for (guint i = 0; i < G_N_ELEMENTS (intruder.forged); i++)
    {
      test_wait_for_flag (&intruder.forged[i].done, WAIT_MS);
      g_assert_no_error (intruder.forged[i].error);
      g_assert_cmpuint (intruder.forged[i].status, ==, SOUP_STATUS_BAD_REQUEST);
      g_assert_nonnull (strstr (intruder.forged[i].page, "does not belong to the sign-in in progress"));
    }
  g_assert_false (wait.done);

  /* The listener still waits, and takes the real answer. */
  oauth2_test_browser_open (&browser, intruder.authorize_uri);
  test_wait_for_flag (&wait.done, WAIT_MS);
  test_wait_for_flag (&browser.done, WAIT_MS);
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
  g_assert_cmpuint (browser.status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (browser.page, "You can close this window"));
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "authorization_code"), ==, 1);
  g_assert_null (oauth2_test_idp_get_violation (idp));
  stored = stored_refresh_token (id);
  g_assert_cmpstr (stored, ==, oauth2_test_idp_get_refresh_token (idp));
  for (guint i = 0; i < G_N_ELEMENTS (intruder.forged); i++)
    oauth2_test_browser_clear (&intruder.forged[i]);
  g_free (intruder.authorize_uri);
  oauth2_test_browser_clear (&browser);
  wait_clear (&wait);
}

static void
test_pkce_denied (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("pkce-denied");
  g_autoptr (O365Account) account = new_account (id, idp, 587);
  OAuth2TestBrowser browser = { 0 };
  Wait wait = { 0 };

  oauth2_test_idp_set_authorize_mode (idp, OAUTH2_TEST_AUTHORIZE_DENY);
  sign_in (account, MAIL_SIGN_IN_FLOW_BROWSER, &browser, NULL, &wait);
  g_assert_error (wait.error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_ACCESS_DENIED);
  g_assert_nonnull (strstr (browser.page, "Sign-in failed"));
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "authorization_code"), ==, 0);
  oauth2_test_browser_clear (&browser);
  wait_clear (&wait);
}

/* --- XOAUTH2 with the tokens the identity provider issued ------------------------------------ */

#define TOKEN_A "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkEifQ.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnLUE"
#define TOKEN_B "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkIifQ.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnLUI"

/* An account signed in earlier: a refresh token in the keyring, nothing in memory. */
static O365Account *
signed_in_account (const char *id, OAuth2TestIdp *idp, guint16 smtp_port)
{
  g_autofree char *refresh_token = oauth2_test_idp_mint_refresh_token (idp);

  store_refresh_token (id, refresh_token);
  return new_account (id, idp, smtp_port);
}

static SmtpTestServer *
start_scripted (SmtpTestScript *script)
{
  g_autoptr (GError) error = NULL;
  SmtpTestServer *server = smtp_test_server_new_scripted ();

  smtp_test_server_add_script (server, script);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

static void
test_xoauth2_exact_string (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("xoauth2");
  g_autofree char *expected = xoauth2_base64 (USER, TOKEN_A);
  g_autofree char *line = g_strconcat ("AUTH XOAUTH2 ", expected, NULL);
  SmtpTestScript *script = script_until_auth ();
  g_autoptr (SmtpTestServer) server = NULL;
  g_autoptr (O365Account) account = NULL;
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  oauth2_test_idp_set_access_token (idp, TOKEN_A);
  smtp_test_script_expect_line (script, line);
  script_signed_in_and_quit (script);
  server = start_scripted (script);
  account = signed_in_account (id, idp, smtp_test_server_get_port (server));

  error = check_account (account, transcript);
  g_assert_no_error (error);
  g_assert_true (smtp_test_server_wait_idle (server, WAIT_MS));
  g_assert_null (smtp_test_server_get_script_failure (server));
  g_assert_true (smtp_test_server_get_script_completed (server));
  g_assert_nonnull (strstr (transcript->str, "C: AUTH XOAUTH2 <credentials redacted>"));
  g_assert_null (strstr (transcript->str, expected));
  assert_no_secret_in (idp, "the transcript", transcript->str, transcript->len);
}

static void
test_xoauth2_long_token_continuation (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("xoauth2-long");
  g_autofree char *filler = g_strnfill (6 * 1024, 'x');
  g_autofree char *token = g_strconcat ("eyJ0eXAiOiJKV1QifQ.", filler, ".c2ln", NULL);
  g_autofree char *expected = xoauth2_base64 (USER, token);
  SmtpTestScript *script = script_until_auth ();
  g_autoptr (SmtpTestServer) server = NULL;
  g_autoptr (O365Account) account = NULL;
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  /* Over 4 KB: the command goes alone, the response after the server's 334. */
  g_assert_cmpuint (strlen ("AUTH XOAUTH2 ") + strlen (expected) + 2, >, 4096);
  oauth2_test_idp_set_access_token (idp, token);
  smtp_test_script_expect_line (script, "AUTH XOAUTH2");
  smtp_test_script_send (script, "334 \r\n");
  smtp_test_script_expect_line (script, expected);
  script_signed_in_and_quit (script);
  server = start_scripted (script);
  account = signed_in_account (id, idp, smtp_test_server_get_port (server));

  error = check_account (account, transcript);
  g_assert_no_error (error);
  g_assert_true (smtp_test_server_wait_idle (server, WAIT_MS));
  g_assert_null (smtp_test_server_get_script_failure (server));
  g_assert_true (smtp_test_server_get_script_completed (server));
  g_assert_nonnull (strstr (transcript->str, "C: AUTH XOAUTH2\n"));
  assert_no_secret_in (idp, "the transcript", transcript->str, transcript->len);
}

/* The server refuses every token: the error challenge, one refresh, one retry, then the error. */
static void
test_error_challenge_retries_once (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("challenge");
  g_autoptr (SmtpTestServer) server = start_office365 ("a-token-nobody-issued");
  g_autoptr (O365Account) account = signed_in_account (id, idp, smtp_test_server_get_port (server));
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  error = check_account (account, transcript);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "status 401"));
  g_assert_nonnull (strstr (error->message, "5.7.3"));
  g_assert_cmpint (mail_transport_error_classify (error), ==, MAIL_FAILURE_PERMANENT);

  /* Two sessions and two token requests (the first and the one retry), then no more. */
  run_loop_for (500);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 2);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 2);
  g_assert_nonnull (strstr (transcript->str, "renewing it and trying once more"));
  g_assert_null (strstr (strstr (transcript->str, "renewing it and trying once more") + 1,
                         "renewing it and trying once more"));
  assert_no_secret_in (idp, "the transcript", transcript->str, transcript->len);
}

/* A remembered token the server stops taking: one refresh, and the retry gets through. */
static void
test_refused_token_refreshed_and_retried (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("retry");
  g_autoptr (SmtpTestServer) server = start_office365 (TOKEN_A);
  g_autoptr (O365Account) account = signed_in_account (id, idp, smtp_test_server_get_port (server));
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) first = NULL, second = NULL;
  g_autofree char *stored = NULL;

  oauth2_test_idp_set_access_token (idp, TOKEN_A);
  first = check_account (account, NULL);
  g_assert_no_error (first);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 1);

  /* TOKEN_A is revoked at the server while this process still holds it, valid for an hour. */
  smtp_test_server_set_credentials (server, USER, NULL, TOKEN_B);
  oauth2_test_idp_set_access_token (idp, TOKEN_B);
  second = check_account (account, transcript);
  g_assert_no_error (second);
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 3);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 2);
  g_assert_nonnull (strstr (transcript->str, "renewing it and trying once more"));
  stored = stored_refresh_token (id);
  g_assert_cmpstr (stored, ==, oauth2_test_idp_get_refresh_token (idp));
  assert_no_secret_in (idp, "the transcript", transcript->str, transcript->len);
}

/* --- the tokens over time -------------------------------------------------------------------- */

static char *
secret_tool_search (const char *account_id)
{
  const char *argv[] = { "secret-tool", "search", "--all", "--unlock", "account-id", account_id, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, NULL, &error));
  g_assert_no_error (error);
  /* It prints the attributes on stderr and the label and secret on stdout. */
  return g_strconcat (out, err, NULL);
}

static guint
count_occurrences (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_rotation_in_real_keyring (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("rotation");
  g_autoptr (SmtpTestServer) server = start_office365 (TOKEN_A);
  g_autoptr (O365Account) account = NULL;
  g_autofree char *first = NULL, *second = NULL, *third = NULL, *found = NULL, *newest_line = NULL;
  g_autoptr (GError) error = NULL;

  /* Access tokens that live 2 minutes are inside the 5-minute margin: every use refreshes. */
  oauth2_test_idp_set_access_token (idp, TOKEN_A);
  oauth2_test_idp_set_access_token_lifetime (idp, 120);
  account = signed_in_account (id, idp, smtp_test_server_get_port (server));
  first = g_strdup (oauth2_test_idp_get_refresh_token (idp));

  error = check_account (account, NULL);
  g_assert_no_error (error);
  second = g_strdup (oauth2_test_idp_get_refresh_token (idp));
  error = check_account (account, NULL);
  g_assert_no_error (error);
  third = g_strdup (oauth2_test_idp_get_refresh_token (idp));

  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 2);
  g_assert_cmpstr (first, !=, second);
  g_assert_cmpstr (second, !=, third);

  /* What another program sees in the Secret Service: one item, holding the newest token. */
  found = secret_tool_search (id);
  g_test_message ("%s", found);
  g_assert_cmpuint (count_occurrences (found, "attribute.account-id = "), ==, 1);
  g_assert_nonnull (strstr (found, "attribute.kind = oauth2-refresh-token"));
  g_assert_nonnull (strstr (found, "label = Office 365 sign-in (OAuth2 refresh token) for " USER));
  newest_line = g_strconcat ("secret = ", third, "\n", NULL);
  g_assert_nonnull (strstr (found, newest_line));
  g_assert_null (strstr (found, first));
  g_assert_null (strstr (found, second));
}

static void
test_access_token_kept_in_memory (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("memory");
  g_autoptr (SmtpTestServer) server = start_office365 (TOKEN_A);
  g_autoptr (O365Account) account = signed_in_account (id, idp, smtp_test_server_get_port (server));
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  oauth2_test_idp_set_access_token (idp, TOKEN_A);
  error = check_account (account, NULL);
  g_assert_no_error (error);
  error = check_account (account, transcript);
  g_assert_no_error (error);
  /* An hour's token serves the second session from memory: one token request in all. */
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 1);
  g_assert_nonnull (strstr (transcript->str, "the remembered access token"));
}

static void
on_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->secret = o365_oauth2_tokens_get_finish (result, NULL, NULL, &wait->error);
  wait->done = TRUE;
}

/* Two refreshes of one account at once, with no connection gate held (issue 16.9): the second
 * waits for the first's exchange under the refresh lock, never redeeming the token the first
 * just rotated; in this process it then takes the first's access token. */
static void
test_concurrent_refreshes_redeem_once (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autoptr (O365OAuth2Client) client = client_for (idp);
  g_autofree char *id = new_account_id ("concurrent");
  g_autofree char *refresh_token = oauth2_test_idp_mint_refresh_token (idp);
  g_autofree char *stored = NULL;
  Wait first = { 0 }, second = { 0 };

  oauth2_test_idp_set_access_token (idp, TOKEN_A);
  store_refresh_token (id, refresh_token);
  o365_oauth2_tokens_get_async (client, id, USER, FALSE, NULL, on_token, &first);
  o365_oauth2_tokens_get_async (client, id, USER, FALSE, NULL, on_token, &second);
  test_wait_for_flag (&first.done, WAIT_MS);
  test_wait_for_flag (&second.done, WAIT_MS);
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_cmpstr (first.secret, ==, TOKEN_A);
  g_assert_cmpstr (second.secret, ==, TOKEN_A);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token_reused"), ==, 0);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 1);
  stored = stored_refresh_token (id);
  g_assert_cmpstr (stored, ==, oauth2_test_idp_get_refresh_token (idp));
  wait_clear (&first);
  wait_clear (&second);
}

static void
test_revoked_means_sign_in_again (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("revoked");
  g_autoptr (SmtpTestServer) server = start_office365 (TOKEN_A);
  g_autoptr (O365Account) account = signed_in_account (id, idp, smtp_test_server_get_port (server));
  g_autoptr (GError) error = NULL;

  oauth2_test_idp_revoke (idp);
  error = check_account (account, NULL);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "sign in with Microsoft again"));
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 0);
}

static void
test_not_signed_in (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("never-signed-in");
  g_autoptr (SmtpTestServer) server = start_office365 (TOKEN_A);
  g_autoptr (O365Account) account = new_account (id, idp, smtp_test_server_get_port (server));
  g_autoptr (GError) error = NULL;

  error = check_account (account, NULL);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "has not signed in with Microsoft"));
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 0);
}

static void
test_identity_platform_unreachable (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("unreachable");
  g_autoptr (SmtpTestServer) server = start_office365 (TOKEN_A);
  g_autoptr (O365Account) account = signed_in_account (id, idp, smtp_test_server_get_port (server));
  g_autoptr (GError) error = NULL;

  /* Nothing listens there any more: a temporary failure, so a queued message waits. */
  oauth2_test_idp_stop (idp);
  error = check_account (account, NULL);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_CONNECT);
  g_assert_cmpint (mail_transport_error_classify (error), ==, MAIL_FAILURE_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "sign-in service"));
}

/* --- no token where it does not belong ------------------------------------------------------- */

static void
assert_no_secret_in_files (OAuth2TestIdp *idp, const char *dir)
{
  g_autofree char *found = oauth2_test_idp_find_issued_in_files (idp, dir);

  if (found != NULL)
    g_error ("an issued token or code appears in %s", found);
}

static void
test_no_token_anywhere (void)
{
  g_autoptr (OAuth2TestIdp) idp = start_idp ();
  g_autofree char *id = new_account_id ("nowhere");
  g_autoptr (SmtpTestServer) server = NULL;
  g_autoptr (O365Account) account = NULL;
  g_autoptr (GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) transcript = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;
  GSettings *settings;
  OAuth2TestBrowser browser = { 0 };
  Wait wait = { 0 };

  /* A sign-in with a code, as a person on another device does it, then a session. */
  oauth2_test_idp_set_device_timing (idp, 1, 60);
  oauth2_test_idp_set_access_token (idp, TOKEN_A);
  server = start_office365 (TOKEN_A);
  account = new_account (id, idp, smtp_test_server_get_port (server));
  sign_in (account, MAIL_SIGN_IN_FLOW_DEVICE_CODE, &browser, statuses, &wait);
  g_assert_no_error (wait.error);
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "devicelogin"), ==, 1);
  g_assert_true (o365_account_save (account, &error));
  g_assert_no_error (error);
  error = check_account (account, transcript);
  g_assert_no_error (error);
  /* The sign-in left the access token in memory: the session did not need another. */
  g_assert_cmpuint (oauth2_test_idp_get_count (idp, "refresh_token"), ==, 0);

  assert_no_secret_in (idp, "the transcript", transcript->str, transcript->len);
  for (guint i = 0; i < statuses->len; i++)
    assert_no_secret_in (idp, "a status message", g_ptr_array_index (statuses, i),
                         strlen (g_ptr_array_index (statuses, i)));
  /* Every setting of the account. */
  {
    g_autofree char *path = g_strdup_printf ("/org/o365account/accounts/%s/", id);

    settings = g_settings_new_with_path (O365_ACCOUNT_SCHEMA, path);
  }
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr (GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      assert_no_secret_in (idp, keys[i], text, strlen (text));
    }
  g_object_unref (settings);
  /* Every file this test's home and the keyring daemon's home hold (the keyring is encrypted). */
  assert_no_secret_in_files (idp, g_get_home_dir ());
  assert_no_secret_in_files (idp, g_get_user_config_dir ());
  assert_no_secret_in_files (idp, g_get_user_data_dir ());
  assert_no_secret_in_files (idp, g_get_user_cache_dir ());
  assert_no_secret_in_files (idp, harness_fixture_get (keyring, "HOME"));
  oauth2_test_browser_clear (&browser);
  wait_clear (&wait);
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

  g_test_add_func ("/oauth2/pkce-challenge", test_pkce_challenge);
  g_test_add_func ("/oauth2/error-responses", test_error_responses);
  g_test_add_func ("/oauth2/token-response-refused", test_token_response_refused);
  g_test_add_func ("/oauth2/settings-checked", test_settings_checked);
  g_test_add_func ("/oauth2/account-without-client-id", test_account_without_client_id);
  g_test_add_func ("/oauth2/device/pending-slow-down-success", test_device_pending_slow_down_success);
  g_test_add_func ("/oauth2/device/expired", test_device_expired);
  g_test_add_func ("/oauth2/device/expired-by-own-clock", test_device_expired_by_own_clock);
  g_test_add_func ("/oauth2/device/denied", test_device_denied);
  g_test_add_func ("/oauth2/device/cancelled", test_device_cancelled);
  g_test_add_func ("/oauth2/pkce/end-to-end", test_pkce_end_to_end);
  g_test_add_func ("/oauth2/pkce/wrong-state", test_pkce_wrong_state);
  g_test_add_func ("/oauth2/pkce/foreign-answer-ignored", test_pkce_foreign_answer_ignored);
  g_test_add_func ("/oauth2/pkce/denied", test_pkce_denied);
  g_test_add_func ("/oauth2/xoauth2/exact-string", test_xoauth2_exact_string);
  g_test_add_func ("/oauth2/xoauth2/long-token-continuation", test_xoauth2_long_token_continuation);
  g_test_add_func ("/oauth2/xoauth2/error-challenge-retries-once", test_error_challenge_retries_once);
  g_test_add_func ("/oauth2/xoauth2/refused-token-refreshed-and-retried", test_refused_token_refreshed_and_retried);
  g_test_add_func ("/oauth2/tokens/rotation-in-real-keyring", test_rotation_in_real_keyring);
  g_test_add_func ("/oauth2/tokens/access-token-kept-in-memory", test_access_token_kept_in_memory);
  g_test_add_func ("/oauth2/tokens/concurrent-refreshes-redeem-once", test_concurrent_refreshes_redeem_once);
  g_test_add_func ("/oauth2/tokens/revoked-means-sign-in-again", test_revoked_means_sign_in_again);
  g_test_add_func ("/oauth2/tokens/not-signed-in", test_not_signed_in);
  g_test_add_func ("/oauth2/tokens/identity-platform-unreachable", test_identity_platform_unreachable);
  g_test_add_func ("/oauth2/no-token-anywhere", test_no_token_anywhere);
  status = g_test_run ();
  harness_fixture_free (keyring);
  return status;
}
