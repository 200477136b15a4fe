/* o365-oauth2-client.h — the Microsoft identity platform v2 for one account: its endpoints
 * (AUTHORITY/TENANT/oauth2/v2.0/{devicecode,authorize,token}), the device-code and token
 * requests (libsoup 3, asynchronous on the caller's main context) and what its JSON answers
 * mean. Public client only: no client secret is ever sent.
 *
 * Errors are O365_OAUTH2_ERROR with a translated sentence saying what to do; network trouble
 * is O365_OAUTH2_ERROR_NETWORK, cancellation stays G_IO_ERROR_CANCELLED. Secrets (tokens,
 * device codes, verifiers) are wiped when the structures holding them are freed, and never
 * logged.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define O365_OAUTH2_ERROR (o365_oauth2_error_quark ())
GQuark o365_oauth2_error_quark (void);

typedef enum
{
  O365_OAUTH2_ERROR_NO_CLIENT_ID,          /* none built in, none configured: register an app */
  O365_OAUTH2_ERROR_INVALID_SETTING,       /* authority, tenant or client id unusable */
  O365_OAUTH2_ERROR_NOT_SIGNED_IN,         /* no refresh token in the keyring */
  O365_OAUTH2_ERROR_INVALID_GRANT,         /* refresh token or code expired or revoked: sign in again */
  O365_OAUTH2_ERROR_CONSENT_REQUIRED,      /* an administrator must approve the app */
  O365_OAUTH2_ERROR_INVALID_CLIENT,        /* client id unknown, or public client flows off */
  O365_OAUTH2_ERROR_INVALID_SCOPE,         /* the app may not ask for SMTP.Send */
  O365_OAUTH2_ERROR_WRONG_TENANT,          /* the person's account is not in that tenant */
  O365_OAUTH2_ERROR_ACCESS_DENIED,         /* declined, or blocked by policy */
  O365_OAUTH2_ERROR_EXPIRED,               /* the device code ran out before sign-in */
  O365_OAUTH2_ERROR_AUTHORIZATION_PENDING, /* device flow: not yet, poll again */
  O365_OAUTH2_ERROR_SLOW_DOWN,             /* device flow: poll 5 s less often */
  O365_OAUTH2_ERROR_STATE_MISMATCH,        /* a browser answer that is not this sign-in's */
  O365_OAUTH2_ERROR_BROWSER,               /* the local listener could not be set up */
  O365_OAUTH2_ERROR_TIMEOUT,               /* no answer from the browser in time */
  O365_OAUTH2_ERROR_SERVER,                /* the service is temporarily unavailable */
  O365_OAUTH2_ERROR_NETWORK,               /* the service could not be reached */
  O365_OAUTH2_ERROR_PROTOCOL,              /* an answer this program does not understand */
  O365_OAUTH2_ERROR_FAILED,                /* any other refusal, with Microsoft's words */
} O365OAuth2Error;

/* What a token request yields. */
typedef struct
{
  char *access_token;
  char *refresh_token; /* NULL when none was issued */
  gint64 expires_at;   /* g_get_real_time() when the access token stops working */
} O365OAuth2TokenSet;

void o365_oauth2_token_set_free (O365OAuth2TokenSet *tokens);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365OAuth2TokenSet, o365_oauth2_token_set_free)

/* The device authorization response (RFC 8628 §3.2). */
typedef struct
{
  char *device_code;      /* secret: only ever sent back to the token endpoint */
  char *user_code;
  char *verification_uri;
  guint expires_in;       /* seconds */
  guint interval;         /* seconds between polls */
} O365OAuth2DeviceCode;

void o365_oauth2_device_code_free (O365OAuth2DeviceCode *code);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365OAuth2DeviceCode, o365_oauth2_device_code_free)

/* How a flow reaches the person; every member may be NULL. */
typedef struct
{
  /* Device code flow: show the code and the address. */
  void (*user_code) (const O365OAuth2DeviceCode *code, gpointer user_data);
  /* Browser flow: TRUE when it opened @uri itself, FALSE to have the desktop's browser open it. */
  gboolean (*open_uri) (const char *uri, gpointer user_data);
  /* Progress for people, translated. */
  void (*status) (const char *message, gpointer user_data);
  gpointer user_data;
} O365OAuth2Prompt;

void o365_oauth2_prompt_status (const O365OAuth2Prompt *prompt, const char *message);

#define O365_TYPE_OAUTH2_CLIENT (o365_oauth2_client_get_type ())
G_DECLARE_FINAL_TYPE (O365OAuth2Client, o365_oauth2_client, O365, OAUTH2_CLIENT, GObject)

/* @authority: "https://login.microsoftonline.com" and the like; plain http only on loopback
 * (tests). @tenant: organizations, common, consumers, a tenant id or a domain. @client_id: the
 * account's override, or NULL/"" for the one built in (-Doauth2_client_id). @scope: space
 * separated. Fails with NO_CLIENT_ID or INVALID_SETTING. */
O365OAuth2Client *o365_oauth2_client_new (const char *authority,
                                          const char *tenant,
                                          const char *client_id,
                                          const char *scope,
                                          GError **error);

const char *o365_oauth2_client_get_client_id (O365OAuth2Client *self);
const char *o365_oauth2_client_get_scope (O365OAuth2Client *self);
/* "AUTHORITY/TENANT/oauth2/v2.0/@name". */
char *o365_oauth2_client_dup_endpoint (O365OAuth2Client *self, const char *name);
/* The authorization request (RFC 6749 §4.1.1) with a PKCE S256 challenge (RFC 7636 §4.3).
 * @login_hint may be NULL. */
char *o365_oauth2_client_build_authorize_uri (O365OAuth2Client *self,
                                              const char *redirect_uri,
                                              const char *state,
                                              const char *code_challenge,
                                              const char *login_hint);

void o365_oauth2_client_request_device_code_async (O365OAuth2Client *self,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
O365OAuth2DeviceCode *o365_oauth2_client_request_device_code_finish (O365OAuth2Client *self,
                                                                     GAsyncResult *result,
                                                                     GError **error);

/* A token request: @grant_type plus @params (name, value, …, NULL); client_id is added. */
void o365_oauth2_client_request_token_async (O365OAuth2Client *self,
                                             const char *grant_type,
                                             const char *const *params,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
O365OAuth2TokenSet *o365_oauth2_client_request_token_finish (O365OAuth2Client *self,
                                                             GAsyncResult *result,
                                                             GError **error);

/* Pure parts, for tests. @status is the HTTP status. */
O365OAuth2TokenSet *o365_oauth2_parse_token_response (guint status,
                                                      const char *body,
                                                      gsize length,
                                                      GError **error);
O365OAuth2DeviceCode *o365_oauth2_parse_device_code_response (guint status,
                                                              const char *body,
                                                              gsize length,
                                                              GError **error);
/* An error response ({"error": …, "error_description": …, "error_codes": […]} or a
 * redirect's error parameters) as a GError a person can act on. */
GError *o365_oauth2_error_from_response (const char *error_code,
                                         const char *description,
                                         const gint64 *aadsts_codes,
                                         guint n_aadsts_codes,
                                         const char *client_id);

G_END_DECLS
