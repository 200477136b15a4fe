/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oauth2-test-idp.c — a Microsoft-like identity provider for tests, on loopback. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "oauth2-test-idp.h"

#define SLOW_DOWN_STEP_S 5
#define FORM_TYPE "application/x-www-form-urlencoded"

typedef enum
{
  DEVICE_PENDING,
  DEVICE_APPROVED,
  DEVICE_DECLINED,
  DEVICE_REDEEMED,
} DeviceState;

typedef struct
{
  char *device_code;
  char *user_code;
  gint64 issued;       /* monotonic µs */
  gint64 expires;
  gint64 last_poll;
  guint interval;      /* seconds, grows with slow_down */
  guint next_step;     /* into the poll script */
  DeviceState state;
} DeviceCode;

typedef struct
{
  char *redirect_uri;
  char *challenge;
  gboolean redeemed;
} AuthCode;

struct _OAuth2TestIdp
{
  GObject parent_instance;

  char *client_id;
  char **scopes;
  char *authority;
  SoupServer *server;

  guint interval;
  guint expires_in;
  gboolean enforce_expiry;
  GArray *script;                 /* OAuth2TestPoll */
  OAuth2TestAuthorize authorize_mode;
  char *fixed_access_token;
  guint lifetime;

  char *refresh_token;            /* the one valid now */
  GPtrArray *issued;
  GHashTable *counts;             /* what → count */
  char *violation;
  GPtrArray *device_codes;        /* DeviceCode */
  GHashTable *auth_codes;         /* code → AuthCode */
  char *redirect_uri;
  GArray *poll_times;             /* gint64 */
  gint64 device_issued;
  guint early_polls;
  guint serial;
};

G_DEFINE_FINAL_TYPE (OAuth2TestIdp, oauth2_test_idp, G_TYPE_OBJECT)

static void
device_code_free (DeviceCode *code)
{
  g_free (code->device_code);
  g_free (code->user_code);
  g_free (code);
}

static void
auth_code_free (AuthCode *code)
{
  g_free (code->redirect_uri);
  g_free (code->challenge);
  g_free (code);
}

static void
oauth2_test_idp_finalize (GObject *object)
{
  OAuth2TestIdp *self = OAUTH2_TEST_IDP (object);

  oauth2_test_idp_stop (self);
  g_free (self->client_id);
  g_strfreev (self->scopes);
  g_free (self->authority);
  g_array_unref (self->script);
  g_free (self->fixed_access_token);
  g_free (self->refresh_token);
  g_ptr_array_unref (self->issued);
  g_hash_table_unref (self->counts);
  g_free (self->violation);
  g_ptr_array_unref (self->device_codes);
  g_hash_table_unref (self->auth_codes);
  g_free (self->redirect_uri);
  g_array_unref (self->poll_times);

  G_OBJECT_CLASS (oauth2_test_idp_parent_class)->finalize (object);
}

static void
oauth2_test_idp_class_init (OAuth2TestIdpClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = oauth2_test_idp_finalize;
}

static void
oauth2_test_idp_init (OAuth2TestIdp *self)
{
  self->interval = 5;
  self->expires_in = 900;
  self->enforce_expiry = TRUE;
  self->lifetime = 3599;
  self->script = g_array_new (FALSE, FALSE, sizeof (OAuth2TestPoll));
  self->issued = g_ptr_array_new_with_free_func (g_free);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->device_codes = g_ptr_array_new_with_free_func ((GDestroyNotify) device_code_free);
  self->auth_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) auth_code_free);
  self->poll_times = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/* --- helpers -------------------------------------------------------------------------------- */

static void
count (OAuth2TestIdp *self, const char *what)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, what));

  g_hash_table_replace (self->counts, g_strdup (what), GUINT_TO_POINTER (n + 1));
}

static char *
base64url (const guchar *data, gsize length)
{
  char *text = g_base64_encode (data, length);

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  *strchrnul (text, '=') = '\0';
  return text;
}

static char *
s256 (const char *verifier)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, -1);
  g_checksum_get_digest (checksum, digest, &length);
  return base64url (digest, length);
}

/* Something that looks like what Microsoft hands out, unique, remembered as issued. */
static char *
new_secret (OAuth2TestIdp *self, const char *prefix)
{
  g_autofree char *uuid = g_uuid_string_random ();
  char *secret = g_strdup_printf ("%s%u.%s", prefix, ++self->serial, uuid);

  g_ptr_array_add (self->issued, g_strdup (secret));
  return secret;
}

static void
reply_json (SoupServerMessage *message, guint status, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  soup_message_headers_replace (headers, "Cache-Control", "no-store, no-cache");
  soup_message_headers_replace (headers, "Pragma", "no-cache");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, text, length);
}

/* Microsoft's error body: the OAuth error, an AADSTS description with trace lines, the codes. */
static void
reply_error (OAuth2TestIdp *self, SoupServerMessage *message, guint status, const char *error,
             gint64 aadsts, const char *text)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *trace = g_uuid_string_random ();
  g_autofree char *correlation = g_uuid_string_random ();
  g_autofree char *description = g_strdup_printf ("AADSTS%" G_GINT64_FORMAT ": %s\r\nTrace ID: %s\r\n"
                                                  "Correlation ID: %s\r\nTimestamp: 2026-11-02 10:00:00Z",
                                                  aadsts, text, trace, correlation);
  g_autofree char *uri = g_strdup_printf ("https://login.microsoftonline.com/error?code=%" G_GINT64_FORMAT, aadsts);

  count (self, error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error);
  json_builder_set_member_name (builder, "error_description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "error_codes");
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, aadsts);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, "2026-11-02 10:00:00Z");
  json_builder_set_member_name (builder, "trace_id");
  json_builder_add_string_value (builder, trace);
  json_builder_set_member_name (builder, "correlation_id");
  json_builder_add_string_value (builder, correlation);
  json_builder_set_member_name (builder, "error_uri");
  json_builder_add_string_value (builder, uri);
  json_builder_end_object (builder);
  reply_json (message, status, builder);
}

/* A request Microsoft would refuse as malformed: remembered, so the test fails on it. */
static void
violation (OAuth2TestIdp *self, SoupServerMessage *message, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
violation (OAuth2TestIdp *self, SoupServerMessage *message, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (self->violation == NULL)
    self->violation = g_strdup (text);
  reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_request", 900144, text);
}

static void
reply_page (SoupServerMessage *message, guint status, const char *text)
{
  g_autofree char *html = g_strdup_printf ("<!DOCTYPE html><html><body><p>%s</p></body></html>", text);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY, html, strlen (html));
}

/* The scopes asked for must include every configured one. */
static gboolean
has_scopes (OAuth2TestIdp *self, const char *scope)
{
  g_auto (GStrv) asked = scope != NULL ? g_strsplit (scope, " ", -1) : NULL;

  if (asked == NULL)
    return FALSE;
  for (guint i = 0; self->scopes[i] != NULL; i++)
    if (!g_strv_contains ((const char *const *) asked, self->scopes[i]))
      return FALSE;
  return TRUE;
}

/* What every request of a public client must get right; FALSE once it has answered. */
static gboolean
check_client (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *params, const char *where)
{
  const char *client_id = g_hash_table_lookup (params, "client_id");

  if (client_id == NULL)
    {
      violation (self, message, "%s: no client_id", where);
      return FALSE;
    }
  if (g_hash_table_contains (params, "client_secret") || g_hash_table_contains (params, "client_assertion"))
    {
      if (self->violation == NULL)
        self->violation = g_strdup_printf ("%s: a public client sent a secret", where);
      reply_error (self, message, SOUP_STATUS_UNAUTHORIZED, "invalid_client", 700025,
                   "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
      return FALSE;
    }
  if (!g_str_equal (client_id, self->client_id))
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "unauthorized_client", 700016,
                   "Application was not found in the directory.");
      return FALSE;
    }
  return TRUE;
}

/* The token response of a successful grant, with a rotated refresh token. */
static void
issue_tokens (OAuth2TestIdp *self, SoupServerMessage *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *access = NULL;
  g_autoptr (GString) granted = g_string_new (NULL);

  if (self->fixed_access_token != NULL)
    {
      access = g_strdup (self->fixed_access_token);
      g_ptr_array_add (self->issued, g_strdup (access));
    }
  else
    access = new_secret (self, "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.at");
  g_free (self->refresh_token);
  self->refresh_token = new_secret (self, "0.AXoA-rt");
  count (self, "tokens");

  /* Microsoft lists what was granted, offline_access aside. */
  for (guint i = 0; self->scopes[i] != NULL; i++)
    if (!g_str_equal (self->scopes[i], "offline_access"))
      g_string_append_printf (granted, "%s%s", granted->len > 0 ? " " : "", self->scopes[i]);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, granted->str);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, self->lifetime);
  json_builder_set_member_name (builder, "ext_expires_in");
  json_builder_add_int_value (builder, self->lifetime);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, access);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, self->refresh_token);
  json_builder_end_object (builder);
  reply_json (message, SOUP_STATUS_OK, builder);
}

/* --- /devicecode ----------------------------------------------------------------------------- */

static void
device_authorization (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *params)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *verification_uri = g_strdup_printf ("%s/devicelogin", self->authority);
  g_autofree char *text = NULL;
  DeviceCode *code;

  count (self, "devicecode");
  if (!check_client (self, message, params, "devicecode"))
    return;
  if (!has_scopes (self, g_hash_table_lookup (params, "scope")))
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_scope", 70011,
                   "The provided value for the input parameter 'scope' is not valid.");
      return;
    }

  code = g_new0 (DeviceCode, 1);
  code->device_code = new_secret (self, "DAQABAAEAAAD-dc");
  code->user_code = g_strdup_printf ("T%08X", g_random_int ());
  code->issued = code->last_poll = g_get_monotonic_time ();
  code->expires = code->issued + (gint64) self->expires_in * G_USEC_PER_SEC;
  code->interval = self->interval;
  g_ptr_array_add (self->device_codes, code);
  self->device_issued = code->issued;
  g_array_set_size (self->poll_times, 0);
  self->early_polls = 0;

  text = g_strdup_printf ("To sign in, use a web browser to open the page %s and enter the code %s to "
                          "authenticate.", verification_uri, code->user_code);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user_code");
  json_builder_add_string_value (builder, code->user_code);
  json_builder_set_member_name (builder, "device_code");
  json_builder_add_string_value (builder, code->device_code);
  json_builder_set_member_name (builder, "verification_uri");
  json_builder_add_string_value (builder, verification_uri);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, self->expires_in);
  json_builder_set_member_name (builder, "interval");
  json_builder_add_int_value (builder, self->interval);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  reply_json (message, SOUP_STATUS_OK, builder);
}

static DeviceCode *
find_device_code (OAuth2TestIdp *self, const char *device_code, const char *user_code)
{
  for (guint i = 0; i < self->device_codes->len; i++)
    {
      DeviceCode *code = g_ptr_array_index (self->device_codes, i);

      if ((device_code != NULL && g_str_equal (code->device_code, device_code)) ||
          (user_code != NULL && g_ascii_strcasecmp (code->user_code, user_code) == 0))
        return code;
    }
  return NULL;
}

static void
device_code_grant (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *params)
{
  DeviceCode *code = find_device_code (self, g_hash_table_lookup (params, "device_code"), NULL);
  gint64 now = g_get_monotonic_time ();
  OAuth2TestPoll step;

  count (self, "device_code");
  if (code == NULL)
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "bad_verification_code", 70000,
                   "The provided value for the input parameter 'device_code' is not valid.");
      return;
    }
  g_array_append_val (self->poll_times, now);
  if (now - code->last_poll < (gint64) code->interval * G_USEC_PER_SEC)
    self->early_polls++;
  code->last_poll = now;

  if (code->state == DEVICE_REDEEMED)
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 70000,
                   "The provided authorization code or refresh token has already been used.");
      return;
    }
  if (self->enforce_expiry && now >= code->expires)
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "expired_token", 70020,
                   "The provided value for the input parameter 'device_code' is not valid. This "
                   "device code has expired.");
      return;
    }
  if (code->next_step < self->script->len)
    step = g_array_index (self->script, OAuth2TestPoll, code->next_step++);
  else if (code->state == DEVICE_APPROVED)
    step = OAUTH2_TEST_POLL_APPROVE;
  else if (code->state == DEVICE_DECLINED)
    step = OAUTH2_TEST_POLL_DENY;
  else
    step = OAUTH2_TEST_POLL_PENDING;

  switch (step)
    {
    case OAUTH2_TEST_POLL_PENDING:
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "authorization_pending", 70016,
                   "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
      break;
    case OAUTH2_TEST_POLL_SLOW_DOWN:
      code->interval += SLOW_DOWN_STEP_S;
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "slow_down", 70016,
                   "OAuth 2.0 device flow error. Polling too often. Slow down.");
      break;
    case OAUTH2_TEST_POLL_APPROVE:
      code->state = DEVICE_REDEEMED;
      issue_tokens (self, message);
      break;
    case OAUTH2_TEST_POLL_DENY:
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "access_denied", 70017,
                   "The user declined the authorization request.");
      break;
    case OAUTH2_TEST_POLL_EXPIRE:
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "expired_token", 70020,
                   "This device code has expired.");
      break;
    }
}

/* GET /devicelogin?code=CODE[&deny=1]: what the person does on the other device. */
static void
device_login_page (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *query)
{
  DeviceCode *code = query != NULL ? find_device_code (self, NULL, g_hash_table_lookup (query, "code")) : NULL;

  count (self, "devicelogin");
  if (code == NULL || code->state != DEVICE_PENDING)
    {
      reply_page (message, SOUP_STATUS_NOT_FOUND, "That code is not valid.");
      return;
    }
  code->state = g_hash_table_contains (query, "deny") ? DEVICE_DECLINED : DEVICE_APPROVED;
  reply_page (message, SOUP_STATUS_OK, "You have signed in on your other device. You can close this window.");
}

/* --- /authorize ------------------------------------------------------------------------------ */

/* Microsoft takes a registered http://localhost or http://127.0.0.1 with any port (and no other
 * http) for a native client. */
static gboolean
is_loopback_redirect (const char *redirect_uri)
{
  g_autoptr (GUri) uri = redirect_uri != NULL ? g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_str_equal (g_uri_get_scheme (uri), "http") &&
         (g_strcmp0 (g_uri_get_host (uri), "localhost") == 0 ||
          g_strcmp0 (g_uri_get_host (uri), "127.0.0.1") == 0) &&
         g_uri_get_query (uri) == NULL;
}

static void
authorize (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *query)
{
  const char *redirect_uri, *state, *challenge;
  g_autofree char *location = NULL;
  g_autofree char *code = NULL;
  g_autofree char *escaped_state = NULL;
  AuthCode *auth;

  count (self, "authorize");
  if (query == NULL || !check_client (self, message, query, "authorize"))
    {
      if (query == NULL)
        violation (self, message, "authorize: no query");
      return;
    }
  redirect_uri = g_hash_table_lookup (query, "redirect_uri");
  state = g_hash_table_lookup (query, "state");
  challenge = g_hash_table_lookup (query, "code_challenge");
  if (!is_loopback_redirect (redirect_uri))
    {
      /* Microsoft shows this on its own page and never redirects to an unknown URI. */
      if (self->violation == NULL)
        self->violation = g_strdup_printf ("authorize: redirect_uri %s", redirect_uri);
      reply_page (message, SOUP_STATUS_BAD_REQUEST, "AADSTS50011: The redirect URI does not match.");
      return;
    }
  g_free (self->redirect_uri);
  self->redirect_uri = g_strdup (redirect_uri);
  if (g_strcmp0 (g_hash_table_lookup (query, "response_type"), "code") != 0 ||
      g_strcmp0 (g_hash_table_lookup (query, "code_challenge_method"), "S256") != 0 ||
      challenge == NULL || strlen (challenge) != 43 || state == NULL || *state == '\0' ||
      !has_scopes (self, g_hash_table_lookup (query, "scope")))
    {
      violation (self, message, "authorize: a parameter is missing or wrong");
      return;
    }

  escaped_state = g_uri_escape_string (self->authorize_mode == OAUTH2_TEST_AUTHORIZE_WRONG_STATE
                                         ? "forged-state-of-another-sign-in" : state, NULL, FALSE);
  if (self->authorize_mode == OAUTH2_TEST_AUTHORIZE_DENY)
    {
      location = g_strdup_printf ("%s?error=access_denied&error_description=%s&state=%s", redirect_uri,
                                  "AADSTS70000%3A+The+user+declined+to+sign+in.", escaped_state);
      soup_server_message_set_redirect (message, SOUP_STATUS_FOUND, location);
      return;
    }
  code = new_secret (self, "0.AXoA-code");
  auth = g_new0 (AuthCode, 1);
  auth->redirect_uri = g_strdup (redirect_uri);
  auth->challenge = g_strdup (challenge);
  g_hash_table_replace (self->auth_codes, g_strdup (code), auth);
  location = g_strdup_printf ("%s?code=%s&state=%s&session_state=%s", redirect_uri, code, escaped_state,
                              "1a2b3c4d-0000-4000-8000-000000000000");
  soup_server_message_set_redirect (message, SOUP_STATUS_FOUND, location);
}

static void
authorization_code_grant (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *params)
{
  const char *code = g_hash_table_lookup (params, "code");
  const char *verifier = g_hash_table_lookup (params, "code_verifier");
  AuthCode *auth = code != NULL ? g_hash_table_lookup (self->auth_codes, code) : NULL;
  g_autofree char *challenge = NULL;

  count (self, "authorization_code");
  if (code == NULL || verifier == NULL || g_hash_table_lookup (params, "redirect_uri") == NULL)
    {
      violation (self, message, "token: authorization_code without code, code_verifier or redirect_uri");
      return;
    }
  if (auth == NULL || auth->redeemed)
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 54005,
                   "OAuth2 Authorization code was already redeemed, please retry with a new valid code.");
      return;
    }
  if (!g_str_equal (auth->redirect_uri, g_hash_table_lookup (params, "redirect_uri")))
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 50148,
                   "The redirect_uri does not match the one of the authorization request.");
      return;
    }
  challenge = s256 (verifier);
  if (!g_str_equal (challenge, auth->challenge))
    {
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 501481,
                   "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
      return;
    }
  count (self, "pkce_verified");
  auth->redeemed = TRUE;
  issue_tokens (self, message);
}

static void
refresh_token_grant (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *params)
{
  const char *refresh_token = g_hash_table_lookup (params, "refresh_token");

  count (self, "refresh_token");
  if (refresh_token == NULL)
    {
      violation (self, message, "token: refresh_token grant without refresh_token");
      return;
    }
  if (self->refresh_token == NULL || !g_str_equal (refresh_token, self->refresh_token))
    {
      /* One it issued and rotated since: a redemption Microsoft may refuse, or answer by
       * revoking the sign-in. */
      if (g_ptr_array_find_with_equal_func (self->issued, refresh_token, g_str_equal, NULL))
        count (self, "refresh_token_reused");
      reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 70000,
                   "The provided value for the 'refresh_token' is not valid: it was used, revoked "
                   "or never issued.");
      return;
    }
  issue_tokens (self, message);
}

static void
token (OAuth2TestIdp *self, SoupServerMessage *message, GHashTable *params)
{
  const char *grant_type = g_hash_table_lookup (params, "grant_type");

  if (!check_client (self, message, params, "token"))
    return;
  if (g_strcmp0 (grant_type, "urn:ietf:params:oauth:grant-type:device_code") == 0)
    {
      device_code_grant (self, message, params);
      return;
    }
  if (!has_scopes (self, g_hash_table_lookup (params, "scope")))
    {
      violation (self, message, "token: %s without the scopes", grant_type != NULL ? grant_type : "(no grant)");
      return;
    }
  {
    g_autofree char *scope = g_strconcat ("scope:", (const char *) g_hash_table_lookup (params, "scope"), NULL);

    count (self, scope);
  }
  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    authorization_code_grant (self, message, params);
  else if (g_strcmp0 (grant_type, "refresh_token") == 0)
    refresh_token_grant (self, message, params);
  else
    reply_error (self, message, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type", 70003,
                 "The app requested an unsupported grant type.");
}

/* --- dispatch ------------------------------------------------------------------------------- */

static gboolean
is_tenant (const char *tenant)
{
  if (*tenant == '\0')
    return FALSE;
  for (const char *p = tenant; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static void
on_request (SoupServer *server,
            SoupServerMessage *message,
            const char *path,
            GHashTable *query,
            gpointer user_data)
{
  OAuth2TestIdp *self = user_data;
  const char *method = soup_server_message_get_method (message);
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  const char *endpoint;
  if (g_str_equal (path, "/devicelogin"))
    {
      device_login_page (self, message, query);
      return;
    }
  /* "", tenant, "oauth2", "v2.0", endpoint */
  if (g_strv_length (parts) != 5 || !g_str_equal (parts[2], "oauth2") || !g_str_equal (parts[3], "v2.0") ||
      !is_tenant (parts[1]))
    {
      reply_page (message, SOUP_STATUS_NOT_FOUND, "Not found");
      return;
    }
  endpoint = parts[4];
  if (g_str_equal (endpoint, "authorize"))
    {
      if (method != SOUP_METHOD_GET)
        violation (self, message, "authorize: %s", method);
      else
        authorize (self, message, query);
      return;
    }
  if (g_str_equal (endpoint, "devicecode") || g_str_equal (endpoint, "token"))
    {
      const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (message), NULL);
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GHashTable) params = NULL;
      g_autofree char *text = NULL;

      if (method != SOUP_METHOD_POST || g_strcmp0 (type, FORM_TYPE) != 0)
        {
          violation (self, message, "%s: %s %s", endpoint, method, type != NULL ? type : "(no type)");
          return;
        }
      if (query != NULL && g_hash_table_size (query) > 0)
        {
          violation (self, message, "%s: parameters in the URL", endpoint);
          return;
        }
      body = soup_message_body_flatten (soup_server_message_get_request_body (message));
      text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      params = soup_form_decode (text);
      if (g_str_equal (endpoint, "devicecode"))
        device_authorization (self, message, params);
      else
        token (self, message, params);
      return;
    }
  reply_page (message, SOUP_STATUS_NOT_FOUND, "Not found");
}

/* --- public --------------------------------------------------------------------------------- */

OAuth2TestIdp *
oauth2_test_idp_new (const char *client_id, const char *scope)
{
  OAuth2TestIdp *self = g_object_new (OAUTH2_TEST_TYPE_IDP, NULL);

  self->client_id = g_strdup (client_id);
  self->scopes = g_strsplit (scope, " ", -1);
  return self;
}

gboolean
oauth2_test_idp_start (OAuth2TestIdp *self, GError **error)
{
  GSList *uris;

  g_return_val_if_fail (self->server == NULL, FALSE);

  self->server = soup_server_new ("server-header", "oauth2-test-idp", NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_clear_object (&self->server);
      return FALSE;
    }
  uris = soup_server_get_uris (self->server);
  self->authority = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

void
oauth2_test_idp_stop (OAuth2TestIdp *self)
{
  if (self->server == NULL)
    return;
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

const char *
oauth2_test_idp_get_authority (OAuth2TestIdp *self)
{
  return self->authority;
}

void
oauth2_test_idp_set_device_timing (OAuth2TestIdp *self, guint interval_s, guint expires_in_s)
{
  self->interval = interval_s;
  self->expires_in = expires_in_s;
}

void
oauth2_test_idp_script_polls (OAuth2TestIdp *self, const OAuth2TestPoll *polls, guint n_polls)
{
  g_array_set_size (self->script, 0);
  g_array_append_vals (self->script, polls, n_polls);
}

void
oauth2_test_idp_set_enforce_expiry (OAuth2TestIdp *self, gboolean enforce)
{
  self->enforce_expiry = enforce;
}

void
oauth2_test_idp_set_authorize_mode (OAuth2TestIdp *self, OAuth2TestAuthorize mode)
{
  self->authorize_mode = mode;
}

void
oauth2_test_idp_set_access_token (OAuth2TestIdp *self, const char *token)
{
  g_free (self->fixed_access_token);
  self->fixed_access_token = g_strdup (token);
}

void
oauth2_test_idp_set_access_token_lifetime (OAuth2TestIdp *self, guint seconds)
{
  self->lifetime = seconds;
}

char *
oauth2_test_idp_mint_refresh_token (OAuth2TestIdp *self)
{
  g_free (self->refresh_token);
  self->refresh_token = new_secret (self, "0.AXoA-rt");
  return g_strdup (self->refresh_token);
}

void
oauth2_test_idp_revoke (OAuth2TestIdp *self)
{
  g_clear_pointer (&self->refresh_token, g_free);
}

const char *
oauth2_test_idp_get_refresh_token (OAuth2TestIdp *self)
{
  return self->refresh_token;
}

GPtrArray *
oauth2_test_idp_get_issued_secrets (OAuth2TestIdp *self)
{
  return self->issued;
}

guint
oauth2_test_idp_get_count (OAuth2TestIdp *self, const char *what)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, what));
}

const char *
oauth2_test_idp_get_violation (OAuth2TestIdp *self)
{
  return self->violation;
}

gint64
oauth2_test_idp_get_device_code_issued (OAuth2TestIdp *self)
{
  return self->device_issued;
}

GArray *
oauth2_test_idp_get_poll_times (OAuth2TestIdp *self)
{
  return self->poll_times;
}

guint
oauth2_test_idp_get_early_polls (OAuth2TestIdp *self)
{
  return self->early_polls;
}

const char *
oauth2_test_idp_get_redirect_uri (OAuth2TestIdp *self)
{
  return self->redirect_uri;
}

const char *
oauth2_test_idp_find_issued (OAuth2TestIdp *self, const char *text, gsize length)
{
  for (guint i = 0; i < self->issued->len; i++)
    {
      const char *secret = g_ptr_array_index (self->issued, i);

      if (length >= strlen (secret) && memmem (text, length, secret, strlen (secret)) != NULL)
        return secret;
    }
  return NULL;
}

char *
oauth2_test_idp_find_issued_in_files (OAuth2TestIdp *self, const char *dir)
{
  g_autoptr (GFile) file = g_file_new_for_path (dir);
  g_autoptr (GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children == NULL)
    return NULL;
  for (;;)
    {
      g_autoptr (GFileInfo) info = g_file_enumerator_next_file (children, NULL, NULL);
      g_autofree char *child = NULL;

      g_autofree char *contents = NULL;
      gsize length = 0;

      if (info == NULL)
        break;
      child = g_build_filename (dir, g_file_info_get_name (info), NULL);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          char *found = oauth2_test_idp_find_issued_in_files (self, child);

          if (found != NULL)
            return found;
        }
      else if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
               g_file_get_contents (child, &contents, &length, NULL) &&
               oauth2_test_idp_find_issued (self, contents, length) != NULL)
        return g_steal_pointer (&child);
    }
  return NULL;
}
