/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oauth2-test-idp.h — the tests' own identity provider: a real HTTP server (SoupServer) on
 * 127.0.0.1 answering like the Microsoft identity platform v2 at
 * /{tenant}/oauth2/v2.0/devicecode, /authorize and /token, with Microsoft's JSON bodies for
 * success and for errors ({"error", "error_description", "error_codes", "trace_id", …}).
 *
 * It checks what Microsoft checks of a public client: the method and form encoding, the tenant,
 * the client id, the scopes, no client secret, the grant's parameters; the redirect URI
 * (http://localhost or http://127.0.0.1, any port) and that it is the same at /authorize and /token; the PKCE
 * verifier against the S256 challenge. It issues rotating refresh tokens: a refresh answers with
 * a new one and the one used stops working. Device codes are approved by a scripted sequence of
 * poll answers, or as a person does it, at the verification page (GET /devicelogin?code=CODE).
 * It records when each poll came, for tests of the polling interval.
 *
 * Runs on the thread-default main context of oauth2_test_idp_start(). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the token endpoint answers to successive polls of one device code. After the script (or
 * without one) it says authorization_pending until the code is approved or declined at the
 * verification page, or has expired. */
typedef enum
{
  OAUTH2_TEST_POLL_PENDING,   /* authorization_pending */
  OAUTH2_TEST_POLL_SLOW_DOWN, /* slow_down: the interval grows by 5 s */
  OAUTH2_TEST_POLL_APPROVE,   /* tokens */
  OAUTH2_TEST_POLL_DENY,      /* access_denied */
  OAUTH2_TEST_POLL_EXPIRE,    /* expired_token */
} OAuth2TestPoll;

/* How /authorize answers (it never shows a page: the person always agrees at once). */
typedef enum
{
  OAUTH2_TEST_AUTHORIZE_APPROVE,     /* redirect with code and state */
  OAUTH2_TEST_AUTHORIZE_DENY,        /* redirect with error=access_denied and state */
  OAUTH2_TEST_AUTHORIZE_WRONG_STATE, /* redirect with a code but somebody else's state */
} OAuth2TestAuthorize;

#define OAUTH2_TEST_TYPE_IDP (oauth2_test_idp_get_type ())
G_DECLARE_FINAL_TYPE (OAuth2TestIdp, oauth2_test_idp, OAUTH2_TEST, IDP, GObject)

/* @client_id: the only one accepted; @scope: what every request must ask for (space separated). */
OAuth2TestIdp *oauth2_test_idp_new (const char *client_id, const char *scope);
gboolean oauth2_test_idp_start (OAuth2TestIdp *self, GError **error);
void oauth2_test_idp_stop (OAuth2TestIdp *self);
/* "http://127.0.0.1:PORT", what clients take as the authority. */
const char *oauth2_test_idp_get_authority (OAuth2TestIdp *self);

/* Device codes issued from now on. */
void oauth2_test_idp_set_device_timing (OAuth2TestIdp *self, guint interval_s, guint expires_in_s);
void oauth2_test_idp_script_polls (OAuth2TestIdp *self, const OAuth2TestPoll *polls, guint n_polls);
/* FALSE: never answer expired_token (a client must stop polling by its own clock). */
void oauth2_test_idp_set_enforce_expiry (OAuth2TestIdp *self, gboolean enforce);

void oauth2_test_idp_set_authorize_mode (OAuth2TestIdp *self, OAuth2TestAuthorize mode);

/* The access token every token response carries from now on; NULL: a new random one each time. */
void oauth2_test_idp_set_access_token (OAuth2TestIdp *self, const char *token);
void oauth2_test_idp_set_access_token_lifetime (OAuth2TestIdp *self, guint seconds);
/* A valid refresh token as an earlier sign-in would have left it (it replaces the current one). */
char *oauth2_test_idp_mint_refresh_token (OAuth2TestIdp *self);
/* Every refresh token stops working (the person revoked the sessions). */
void oauth2_test_idp_revoke (OAuth2TestIdp *self);

/* Results. */
const char *oauth2_test_idp_get_refresh_token (OAuth2TestIdp *self);  /* the valid one, or NULL */
/* Every access token, refresh token and device code it ever issued. */
GPtrArray *oauth2_test_idp_get_issued_secrets (OAuth2TestIdp *self);
/* Requests per kind: "devicecode", "authorize", "device_code", "authorization_code",
 * "refresh_token", "devicelogin"; token requests per scope asked for: "scope:SCOPE"; and
 * answers: "expired_token", "slow_down", …; "refresh_token_reused": a rotated refresh token
 * redeemed again (refused, as Microsoft may). */
guint oauth2_test_idp_get_count (OAuth2TestIdp *self, const char *what);
/* The first request that broke the rules ("token: client_secret sent"), or NULL. */
const char *oauth2_test_idp_get_violation (OAuth2TestIdp *self);
/* Of the last device code: when it was issued and when each poll came (g_get_monotonic_time()). */
gint64 oauth2_test_idp_get_device_code_issued (OAuth2TestIdp *self);
GArray *oauth2_test_idp_get_poll_times (OAuth2TestIdp *self);
/* Polls that came sooner after the previous one (or the code) than the interval in force. */
guint oauth2_test_idp_get_early_polls (OAuth2TestIdp *self);
/* The redirect URI the last /authorize named. */
const char *oauth2_test_idp_get_redirect_uri (OAuth2TestIdp *self);

/* Where an issued secret leaked: the first one found in @text (NULL if none), and the first
 * regular file under @dir holding one (NULL if none; free it). */
const char *oauth2_test_idp_find_issued (OAuth2TestIdp *self, const char *text, gsize length);
char *oauth2_test_idp_find_issued_in_files (OAuth2TestIdp *self, const char *dir);

G_END_DECLS
