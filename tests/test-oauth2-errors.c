/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-oauth2-errors.c — every error answer of the Microsoft identity platform the table knows,
 * by OAuth error name and by AADSTS code, gives the right error code and the whole message; the
 * order of the rules, the fallback and the cleaning of Microsoft's description hold. */
#include "config.h"

#include <string.h>

#include "o365-oauth2-errors.h"
#include "test-utils.h"

#define CLIENT_ID "11111111-2222-3333-4444-555555555555"

#define CONSENT                                                                                   \
  "Your organisation has not approved this app (client id " CLIENT_ID ") to send mail for you: " \
  "an administrator must grant consent in Microsoft Entra ID (see “Sign in with Microsoft” in "  \
  "the README)"
#define PUBLIC_CLIENT                                                                             \
  "The app registration (client id " CLIENT_ID ") does not allow public client flows: in "       \
  "Microsoft Entra ID, under App registrations → Authentication, turn on “Allow public client "  \
  "flows”"
#define UNKNOWN_CLIENT                                                                            \
  "Microsoft does not accept the client id " CLIENT_ID " for this sign-in: check the client id, " \
  "the tenant and the app registration"
#define WRONG_TENANT                                                                              \
  "This Microsoft account does not belong to the configured tenant: use the tenant of your "     \
  "organisation, or “consumers” for Outlook.com and Hotmail"
#define POLICY                                                                                    \
  "Your organisation’s access policies (Conditional Access) block this sign-in; ask your "       \
  "administrator"
#define SIGN_IN_AGAIN "The sign-in with Microsoft has expired or was revoked: sign in with Microsoft again"
#define SCOPE                                                                                     \
  "The app registration may not ask to send mail: add the delegated permission SMTP.Send "        \
  "(Office 365 Exchange Online) to it"
#define DECLINED "The sign-in was declined"
#define EXPIRED "The sign-in code expired before the sign-in was completed: start again"
#define UNAVAILABLE "Microsoft’s sign-in service is temporarily unavailable: try again later"

typedef struct
{
  const char *name;
  const char *error;       /* the answer's "error"; NULL when it had none */
  gint64 codes[3];         /* its "error_codes", 0-terminated */
  const char *description; /* its "error_description" */
  O365OAuth2Error code;
  const char *message;     /* the whole message */
} ErrorCase;

static const ErrorCase cases[] = {
  /* The device flow's "not yet": no sentence, nothing of Microsoft's added. */
  { "authorization-pending", "authorization_pending", { 70016 },
    "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.",
    O365_OAUTH2_ERROR_AUTHORIZATION_PENDING, "Waiting for the sign-in to be completed" },
  { "slow-down", "slow_down", { 0 }, "poll less often",
    O365_OAUTH2_ERROR_SLOW_DOWN, "The sign-in service asked to be polled less often" },

  { "consent-required", "consent_required", { 0 }, NULL,
    O365_OAUTH2_ERROR_CONSENT_REQUIRED, CONSENT "." },
  { "consent-65001", "invalid_grant", { 65001 },
    "AADSTS65001: The user or administrator has not consented to use the application.",
    O365_OAUTH2_ERROR_CONSENT_REQUIRED,
    CONSENT ". Microsoft says: AADSTS65001: The user or administrator has not consented to use "
    "the application." },
  { "consent-90094", "invalid_grant", { 90094 }, NULL, O365_OAUTH2_ERROR_CONSENT_REQUIRED, CONSENT "." },
  { "consent-90095", "access_denied", { 90095 }, NULL, O365_OAUTH2_ERROR_CONSENT_REQUIRED, CONSENT "." },
  /* Consent is asked about before the tenant. */
  { "consent-before-tenant", "invalid_grant", { 50020, 65001 }, NULL,
    O365_OAUTH2_ERROR_CONSENT_REQUIRED, CONSENT "." },

  { "public-client-flows-off", "invalid_client", { 7000218 }, NULL,
    O365_OAUTH2_ERROR_INVALID_CLIENT, PUBLIC_CLIENT "." },
  { "public-client-flows-off-any-name", "invalid_request", { 7000218 }, NULL,
    O365_OAUTH2_ERROR_INVALID_CLIENT, PUBLIC_CLIENT "." },
  { "invalid-client", "invalid_client", { 0 }, NULL, O365_OAUTH2_ERROR_INVALID_CLIENT, UNKNOWN_CLIENT "." },
  { "unauthorized-client", "unauthorized_client", { 700016 }, NULL,
    O365_OAUTH2_ERROR_INVALID_CLIENT, UNKNOWN_CLIENT "." },
  /* The client's name is asked about before the tenant's codes. */
  { "client-before-tenant", "unauthorized_client", { 50020 }, NULL,
    O365_OAUTH2_ERROR_INVALID_CLIENT, UNKNOWN_CLIENT "." },

  { "wrong-tenant-50020", "invalid_grant", { 50020 }, NULL, O365_OAUTH2_ERROR_WRONG_TENANT, WRONG_TENANT "." },
  { "wrong-tenant-90072", "invalid_request", { 90072 }, NULL, O365_OAUTH2_ERROR_WRONG_TENANT, WRONG_TENANT "." },
  { "wrong-tenant-500200", "invalid_grant", { 500200 }, NULL, O365_OAUTH2_ERROR_WRONG_TENANT, WRONG_TENANT "." },
  /* The tenant is asked about before the policies. */
  { "tenant-before-policy", "invalid_grant", { 53003, 50020 }, NULL,
    O365_OAUTH2_ERROR_WRONG_TENANT, WRONG_TENANT "." },

  { "policy-53000", "invalid_grant", { 53000 }, NULL, O365_OAUTH2_ERROR_ACCESS_DENIED, POLICY "." },
  { "policy-53001", "invalid_grant", { 53001 }, NULL, O365_OAUTH2_ERROR_ACCESS_DENIED, POLICY "." },
  { "policy-53002", "invalid_grant", { 53002 }, NULL, O365_OAUTH2_ERROR_ACCESS_DENIED, POLICY "." },
  { "policy-53003", "invalid_grant", { 53003 },
    "AADSTS53003: Access has been blocked by Conditional Access policies.",
    O365_OAUTH2_ERROR_ACCESS_DENIED,
    POLICY ". Microsoft says: AADSTS53003: Access has been blocked by Conditional Access policies." },
  { "policy-53004", "interaction_required", { 53004 }, NULL, O365_OAUTH2_ERROR_ACCESS_DENIED, POLICY "." },

  { "invalid-grant", "invalid_grant", { 70008 }, NULL, O365_OAUTH2_ERROR_INVALID_GRANT, SIGN_IN_AGAIN "." },
  { "interaction-required", "interaction_required", { 0 }, NULL,
    O365_OAUTH2_ERROR_INVALID_GRANT, SIGN_IN_AGAIN "." },
  { "login-required", "login_required", { 0 }, NULL, O365_OAUTH2_ERROR_INVALID_GRANT, SIGN_IN_AGAIN "." },
  { "invalid-scope", "invalid_scope", { 0 }, NULL, O365_OAUTH2_ERROR_INVALID_SCOPE, SCOPE "." },
  { "access-denied", "access_denied", { 0 }, NULL, O365_OAUTH2_ERROR_ACCESS_DENIED, DECLINED "." },
  { "authorization-declined", "authorization_declined", { 0 }, NULL,
    O365_OAUTH2_ERROR_ACCESS_DENIED, DECLINED "." },
  { "expired-token", "expired_token", { 0 }, NULL, O365_OAUTH2_ERROR_EXPIRED, EXPIRED "." },
  { "code-expired", "code_expired", { 0 }, NULL, O365_OAUTH2_ERROR_EXPIRED, EXPIRED "." },
  { "temporarily-unavailable", "temporarily_unavailable", { 0 }, NULL,
    O365_OAUTH2_ERROR_SERVER, UNAVAILABLE "." },
  { "server-error", "server_error", { 0 }, NULL, O365_OAUTH2_ERROR_SERVER, UNAVAILABLE "." },

  /* Anything else: Microsoft's name for it, cleaned. */
  { "unknown", "invalid_request", { 0 }, NULL,
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (invalid_request)." },
  { "unknown-code-only", "invalid_request", { 12345 }, NULL,
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (invalid_request)." },
  { "unknown-control-bytes", "weird\athing\nsecond line", { 0 }, "line one\r\nline two",
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (weirdthing). Microsoft says: line one" },
  { "no-name", NULL, { 0 }, NULL,
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (no reason given)." },
  { "empty-name", "", { 0 }, NULL,
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (no reason given)." },
  /* A name is matched exactly. */
  { "name-case-matters", "Invalid_Grant", { 0 }, NULL,
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (Invalid_Grant)." },

  /* Microsoft's description: first line, no control characters, trimmed; else nothing. */
  { "description-cleaned", "invalid_scope", { 0 }, "  AADSTS70011: \ascope\t is invalid. \r\nTrace ID: 1",
    O365_OAUTH2_ERROR_INVALID_SCOPE, SCOPE ". Microsoft says: AADSTS70011: scope is invalid." },
  /* Bidirectional controls (U+202E, U+2067, U+200E) would make it read otherwise. */
  { "description-bidi", "invalid_scope", { 0 }, "evil \xe2\x80\xae" "gpj.exe\xe2\x81\xa7 x\xe2\x80\x8e",
    O365_OAUTH2_ERROR_INVALID_SCOPE, SCOPE ". Microsoft says: evil gpj.exe x" },
  { "unknown-bidi", "bad\xe2\x80\xaa" "name", { 0 }, NULL,
    O365_OAUTH2_ERROR_FAILED, "Microsoft refused the sign-in (badname)." },
  { "description-blank", "invalid_scope", { 0 }, " \t ", O365_OAUTH2_ERROR_INVALID_SCOPE, SCOPE "." },
  { "description-empty", "invalid_scope", { 0 }, "", O365_OAUTH2_ERROR_INVALID_SCOPE, SCOPE "." },
  { "description-not-utf8", "invalid_scope", { 0 }, "caf\xe9", O365_OAUTH2_ERROR_INVALID_SCOPE, SCOPE "." },
};

static guint
n_codes (const ErrorCase *c)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (c->codes) && c->codes[n] != 0)
    n++;
  return n;
}

static void
test_case (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr (GError) error =
    o365_oauth2_error_from_response (c->error, c->description, c->codes, n_codes (c), CLIENT_ID);

  g_assert_error (error, O365_OAUTH2_ERROR, (gint) c->code);
  g_assert_cmpstr (error->message, ==, c->message);
}

/* Without a client id the sentence still reads, with an empty one. */
static void
test_no_client_id (void)
{
  static const gint64 codes[] = { 65001 };
  g_autoptr (GError) error = o365_oauth2_error_from_response ("invalid_grant", NULL, codes, 1, NULL);

  g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_CONSENT_REQUIRED);
  g_assert_nonnull (strstr (error->message, "(client id ) to send mail"));
}

static void
test_no_codes (void)
{
  g_autoptr (GError) error = o365_oauth2_error_from_response ("invalid_grant", NULL, NULL, 0, CLIENT_ID);

  g_assert_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_INVALID_GRANT);
}

/* Microsoft's words stop after 300 characters; a name is cleaned the same way. */
static void
test_long_description (void)
{
  g_autofree char *long_text = g_strnfill (400, 'x');
  g_autofree char *kept = g_strnfill (300, 'x');
  g_autofree char *expected = g_strconcat (DECLINED ". Microsoft says: ", kept, "…", NULL);
  g_autofree char *expected_name = g_strconcat ("Microsoft refused the sign-in (", kept, "…).", NULL);
  g_autoptr (GError) error = o365_oauth2_error_from_response ("access_denied", long_text, NULL, 0, CLIENT_ID);
  g_autoptr (GError) name_error = o365_oauth2_error_from_response (long_text, NULL, NULL, 0, CLIENT_ID);

  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpstr (name_error->message, ==, expected_name);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/oauth2-errors/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/oauth2-errors/no-client-id", test_no_client_id);
  g_test_add_func ("/oauth2-errors/no-codes", test_no_codes);
  g_test_add_func ("/oauth2-errors/long-description", test_long_description);

  return g_test_run ();
}
