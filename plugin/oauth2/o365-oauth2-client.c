/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-client.c — requests to the Microsoft identity platform and their answers. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "o365-json.h"
#include "o365-oauth2-client.h"
#include "o365-oauth2-errors.h"
#include "o365-validate.h"

/* Real answers are a few kilobytes (an access token over 4 KB, a refresh token, some fields);
 * anything far bigger is not a token response. Reading into one buffer of this size also means
 * no reallocation leaves copies of a token behind. */
#define MAX_RESPONSE_LENGTH (64 * 1024)
#define READ_CHUNK 8192
/* Per network step; a whole sign-in has its own limits. */
#define HTTP_TIMEOUT_S 60
/* When the server gives no lifetime: Microsoft's access tokens last 60 to 90 minutes, and a
 * token refused early is refreshed then (535 5.7.3). */
#define DEFAULT_EXPIRES_IN_S 3600
#define DEFAULT_DEVICE_CODE_EXPIRES_IN_S 900
/* Microsoft's codes live 15 minutes; waiting longer than this for a person is pointless, and it
 * keeps the polling deadline's arithmetic far from overflowing. */
#define MAX_DEVICE_CODE_EXPIRES_IN_S 3600
#define DEFAULT_POLL_INTERVAL_S 5
#define MAX_POLL_INTERVAL_S 60

struct _O365OAuth2Client
{
  GObject parent_instance;

  char *authority; /* without a trailing slash */
  char *tenant;
  char *client_id;
  char *scope;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (O365OAuth2Client, o365_oauth2_client, G_TYPE_OBJECT)

/* --- small pieces ---------------------------------------------------------------------------- */

void
o365_oauth2_token_set_free (O365OAuth2TokenSet *tokens)
{
  if (tokens == NULL)
    return;
  secret_password_free (tokens->access_token);
  secret_password_free (tokens->refresh_token);
  g_free (tokens);
}

void
o365_oauth2_device_code_free (O365OAuth2DeviceCode *code)
{
  if (code == NULL)
    return;
  secret_password_free (code->device_code);
  g_free (code->user_code);
  g_free (code->verification_uri);
  g_free (code);
}

void
o365_oauth2_prompt_status (const O365OAuth2Prompt *prompt, const char *message)
{
  if (prompt != NULL && prompt->status != NULL)
    prompt->status (message, prompt->user_data);
}

/* Tokens and codes are visible ASCII without spaces (RFC 6749 Appendix A); anything else would
 * break the XOAUTH2 framing or the form encoding. */
static gboolean
is_token_text (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
      return FALSE;
  return TRUE;
}

/* --- parsing --------------------------------------------------------------------------------- */

static gboolean
get_optional_string (JsonObject *object, const char *name, const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *value = json_node_get_string (node);
  return TRUE;
}

/* Seconds as a JSON number, or as a string of digits (Microsoft's older endpoints did that). */
static gboolean
get_seconds (JsonObject *object, const char *name, guint fallback, guint *value)
{
  JsonNode *node = json_object_get_member (object, name);
  guint64 parsed;

  *value = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 number = json_node_get_int (node);

      if (number < 0 || number > G_MAXINT32)
        return FALSE;
      *value = (guint) number;
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXINT32, &parsed, NULL))
    {
      *value = (guint) parsed;
      return TRUE;
    }
  return FALSE;
}

static GError *
protocol_error (const char *what)
{
  return g_error_new (O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_PROTOCOL,
                      _("The sign-in service sent an answer this program does not understand "
                        "(%s)"), what);
}

/* The JSON object of a response, or NULL with the error the response means. An object with an
 * "error" member is an OAuth error response whatever the HTTP status. Only exactly one object
 * counts: json-glib would keep the last of "{…}{…}", and cut a string at a "\u0000". */
static JsonObject *
parse_response (guint status, const char *body, gsize length, const char *client_id,
                JsonParser **parser_out, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *object;
  JsonNode *error_node;

  if (length > 0 && g_utf8_validate_len (body, length, NULL) && o365_json_is_single_object (body, length) &&
      json_parser_load_from_data (parser, body, (gssize) length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      object = json_node_get_object (root);
      error_node = json_object_get_member (object, "error");
      if (error_node != NULL)
        {
          const char *error_code = NULL, *description = NULL;
          JsonNode *codes_node = json_object_get_member (object, "error_codes");
          g_autoptr (GArray) codes = g_array_new (FALSE, FALSE, sizeof (gint64));

          if (!get_optional_string (object, "error", &error_code) || error_code == NULL)
            {
              g_propagate_error (error, protocol_error (_("an error without a name")));
              return NULL;
            }
          get_optional_string (object, "error_description", &description);
          if (codes_node != NULL && JSON_NODE_HOLDS_ARRAY (codes_node))
            {
              JsonArray *array = json_node_get_array (codes_node);

              for (guint i = 0; i < json_array_get_length (array); i++)
                {
                  JsonNode *element = json_array_get_element (array, i);

                  if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_INT64)
                    {
                      gint64 value = json_node_get_int (element);

                      g_array_append_val (codes, value);
                    }
                }
            }
          g_propagate_error (error, o365_oauth2_error_from_response (error_code, description,
                                                                     (const gint64 *) codes->data,
                                                                     codes->len, client_id));
          return NULL;
        }
      if (status == SOUP_STATUS_OK)
        {
          *parser_out = g_steal_pointer (&parser);
          return object;
        }
    }

  if (status >= 500)
    g_set_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_SERVER,
                 _("Microsoft’s sign-in service is temporarily unavailable (HTTP %u): try again "
                   "later"), status);
  else if (status != SOUP_STATUS_OK)
    {
      g_autofree char *what = g_strdup_printf (_("HTTP status %u"), status);

      g_propagate_error (error, protocol_error (what));
    }
  else
    g_propagate_error (error, protocol_error (_("not a JSON object")));
  return NULL;
}

static O365OAuth2TokenSet *
parse_tokens (guint status, const char *body, gsize length, const char *client_id, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *object = parse_response (status, body, length, client_id, &parser, error);
  const char *access_token = NULL, *refresh_token = NULL, *token_type = NULL;
  O365OAuth2TokenSet *tokens;
  guint expires_in;

  if (object == NULL)
    return NULL;
  if (!get_optional_string (object, "access_token", &access_token) || !is_token_text (access_token))
    {
      g_propagate_error (error, protocol_error (_("no usable access token")));
      return NULL;
    }
  if (!get_optional_string (object, "refresh_token", &refresh_token) ||
      (refresh_token != NULL && !is_token_text (refresh_token)))
    {
      g_propagate_error (error, protocol_error (_("an unusable refresh token")));
      return NULL;
    }
  if (!get_optional_string (object, "token_type", &token_type) ||
      (token_type != NULL && g_ascii_strcasecmp (token_type, "Bearer") != 0))
    {
      g_propagate_error (error, protocol_error (_("a token that is not a bearer token")));
      return NULL;
    }
  if (!get_seconds (object, "expires_in", DEFAULT_EXPIRES_IN_S, &expires_in))
    {
      g_propagate_error (error, protocol_error (_("an unreadable lifetime")));
      return NULL;
    }

  tokens = g_new0 (O365OAuth2TokenSet, 1);
  tokens->access_token = g_strdup (access_token);
  tokens->refresh_token = g_strdup (refresh_token);
  /* Wall-clock time: a laptop that slept through the expiry must see the token as old. */
  tokens->expires_at = g_get_real_time () + (gint64) expires_in * G_USEC_PER_SEC;
  return tokens;
}

O365OAuth2TokenSet *
o365_oauth2_parse_token_response (guint status, const char *body, gsize length, GError **error)
{
  return parse_tokens (status, body, length, NULL, error);
}

static gboolean
is_web_address (const char *text)
{
  g_autoptr (GUri) uri = NULL;

  if (text == NULL || !is_token_text (text))
    return FALSE;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  return uri != NULL && g_uri_get_host (uri) != NULL &&
         (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ||
          g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0);
}

static gboolean
is_user_code (const char *text)
{
  /* People type it: short, visible ASCII (Microsoft's are like "ABCD1234"). */
  return is_token_text (text) && strlen (text) <= 64;
}

static O365OAuth2DeviceCode *
parse_device_code (guint status, const char *body, gsize length, const char *client_id, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *object = parse_response (status, body, length, client_id, &parser, error);
  const char *device_code = NULL, *user_code = NULL, *verification_uri = NULL;
  O365OAuth2DeviceCode *code;
  guint expires_in, interval;

  if (object == NULL)
    return NULL;
  if (!get_optional_string (object, "device_code", &device_code) || !is_token_text (device_code) ||
      !get_optional_string (object, "user_code", &user_code) || !is_user_code (user_code))
    {
      g_propagate_error (error, protocol_error (_("no usable device code")));
      return NULL;
    }
  /* RFC 8628 says verification_uri; Microsoft's v1 endpoint said verification_url. */
  if (!get_optional_string (object, "verification_uri", &verification_uri) || verification_uri == NULL)
    get_optional_string (object, "verification_url", &verification_uri);
  if (!is_web_address (verification_uri))
    {
      g_propagate_error (error, protocol_error (_("no web address to sign in at")));
      return NULL;
    }
  if (!get_seconds (object, "expires_in", DEFAULT_DEVICE_CODE_EXPIRES_IN_S, &expires_in) ||
      !get_seconds (object, "interval", DEFAULT_POLL_INTERVAL_S, &interval) || expires_in == 0)
    {
      g_propagate_error (error, protocol_error (_("unreadable timing")));
      return NULL;
    }

  code = g_new0 (O365OAuth2DeviceCode, 1);
  code->device_code = g_strdup (device_code);
  code->user_code = g_strdup (user_code);
  code->verification_uri = g_strdup (verification_uri);
  code->expires_in = MIN (expires_in, MAX_DEVICE_CODE_EXPIRES_IN_S);
  code->interval = CLAMP (interval, 1, MAX_POLL_INTERVAL_S);
  return code;
}

O365OAuth2DeviceCode *
o365_oauth2_parse_device_code_response (guint status, const char *body, gsize length, GError **error)
{
  return parse_device_code (status, body, length, NULL, error);
}

/* --- the client ------------------------------------------------------------------------------ */

static void
o365_oauth2_client_finalize (GObject *object)
{
  O365OAuth2Client *self = O365_OAUTH2_CLIENT (object);

  g_free (self->authority);
  g_free (self->tenant);
  g_free (self->client_id);
  g_free (self->scope);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (o365_oauth2_client_parent_class)->finalize (object);
}

static void
o365_oauth2_client_class_init (O365OAuth2ClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_oauth2_client_finalize;
}

static void
o365_oauth2_client_init (O365OAuth2Client *self)
{
}

/* The settings check's message, in this module's domain. */
static void
setting_error (GError *settings_error, GError **error)
{
  g_set_error_literal (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_INVALID_SETTING,
                       settings_error->message);
  g_error_free (settings_error);
}

O365OAuth2Client *
o365_oauth2_client_new (const char *authority,
                        const char *tenant,
                        const char *client_id,
                        const char *scope,
                        GError **error)
{
  O365OAuth2Client *self;
  GError *settings_error = NULL;

  g_return_val_if_fail (authority != NULL && tenant != NULL && scope != NULL, NULL);

  if (client_id == NULL || *client_id == '\0')
    client_id = OAUTH2_CLIENT_ID;
  if (*client_id == '\0')
    {
      g_set_error_literal (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_NO_CLIENT_ID,
                           _("“Sign in with Microsoft” needs the client id of an app registered "
                             "in Microsoft Entra ID, and none is set. Register a public-client "
                             "app (redirect URI http://127.0.0.1, “Allow public client flows” "
                             "on, delegated permission SMTP.Send of Office 365 Exchange Online) "
                             "and enter its Application (client) ID in the account settings "
                             "(oauth2-client-id; in a terminal: o365-account edit ADDRESS --client-id ID), "
                             "or build with -Doauth2_client_id=…; the README "
                             "section “Sign in with Microsoft” explains each step."));
      return NULL;
    }
  if (*authority == '\0')
    {
      g_set_error_literal (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_INVALID_SETTING,
                           _("No sign-in service is known for this endpoint"));
      return NULL;
    }
  if (!o365_validate_oauth2_authority (authority, &settings_error) ||
      !o365_validate_oauth2_tenant (tenant, &settings_error) ||
      !o365_validate_oauth2_client_id (client_id, &settings_error))
    {
      setting_error (settings_error, error);
      return NULL;
    }

  self = g_object_new (O365_TYPE_OAUTH2_CLIENT, NULL);
  self->authority = g_strdup (authority);
  if (g_str_has_suffix (self->authority, "/"))
    self->authority[strlen (self->authority) - 1] = '\0';
  self->tenant = g_strdup (tenant);
  self->client_id = g_strdup (client_id);
  self->scope = g_strdup (scope);
  /* The system's proxy settings and CA store apply, as in a browser. */
  self->session = soup_session_new_with_options ("user-agent", "o365-account/" PACKAGE_VERSION,
                                                 "timeout", HTTP_TIMEOUT_S,
                                                 "idle-timeout", HTTP_TIMEOUT_S,
                                                 NULL);
  return self;
}

const char *
o365_oauth2_client_get_client_id (O365OAuth2Client *self)
{
  g_return_val_if_fail (O365_IS_OAUTH2_CLIENT (self), NULL);
  return self->client_id;
}

const char *
o365_oauth2_client_get_scope (O365OAuth2Client *self)
{
  g_return_val_if_fail (O365_IS_OAUTH2_CLIENT (self), NULL);
  return self->scope;
}

char *
o365_oauth2_client_dup_endpoint (O365OAuth2Client *self, const char *name)
{
  g_return_val_if_fail (O365_IS_OAUTH2_CLIENT (self), NULL);
  return g_strdup_printf ("%s/%s/oauth2/v2.0/%s", self->authority, self->tenant, name);
}

/* application/x-www-form-urlencoded (and query strings): unreserved characters as they are,
 * everything else percent-encoded. */
static void
append_param (GString *form, const char *name, const char *value)
{
  if (form->len > 0)
    g_string_append_c (form, '&');
  g_string_append_uri_escaped (form, name, NULL, FALSE);
  g_string_append_c (form, '=');
  g_string_append_uri_escaped (form, value, NULL, FALSE);
}

char *
o365_oauth2_client_build_authorize_uri (O365OAuth2Client *self,
                                        const char *redirect_uri,
                                        const char *state,
                                        const char *code_challenge,
                                        const char *login_hint)
{
  g_autofree char *endpoint = NULL;
  g_autoptr (GString) query = g_string_new (NULL);

  g_return_val_if_fail (O365_IS_OAUTH2_CLIENT (self), NULL);

  append_param (query, "client_id", self->client_id);
  append_param (query, "response_type", "code");
  append_param (query, "redirect_uri", redirect_uri);
  append_param (query, "response_mode", "query");
  append_param (query, "scope", self->scope);
  append_param (query, "state", state);
  append_param (query, "code_challenge", code_challenge);
  append_param (query, "code_challenge_method", "S256");
  if (login_hint != NULL && *login_hint != '\0')
    append_param (query, "login_hint", login_hint);
  endpoint = o365_oauth2_client_dup_endpoint (self, "authorize");
  return g_strconcat (endpoint, "?", query->str, NULL);
}

/* --- one POST -------------------------------------------------------------------------------- */

typedef enum
{
  EXPECT_DEVICE_CODE,
  EXPECT_TOKENS,
} Expect;

typedef struct
{
  Expect expect;
  char *url;             /* for error messages */
  SoupMessage *message;
  GInputStream *stream;
  GByteArray *body;      /* preallocated to MAX_RESPONSE_LENGTH + 1 */
} PostData;

static void
post_data_free (PostData *data)
{
  g_free (data->url);
  g_clear_object (&data->message);
  g_clear_object (&data->stream);
  if (data->body != NULL)
    {
      explicit_bzero (data->body->data, data->body->len);
      g_byte_array_unref (data->body);
    }
  g_free (data);
}

static void
wipe_free (gpointer text)
{
  secret_password_free (text);
}

/* Anything but cancellation becomes "could not reach", naming the service. */
static GError *
network_error (const char *url, GError *error)
{
  g_autoptr (GError) owned = error;

  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_steal_pointer (&owned);
  return g_error_new (O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_NETWORK,
                      _("Could not reach the sign-in service at %s: %s"), url, owned->message);
}

static void
finish_post (GTask *task)
{
  O365OAuth2Client *self = g_task_get_source_object (task);
  PostData *data = g_task_get_task_data (task);
  guint status = soup_message_get_status (data->message);
  const char *body = (const char *) data->body->data;
  GError *error = NULL;
  gpointer result;

  if (data->expect == EXPECT_DEVICE_CODE)
    result = parse_device_code (status, body, data->body->len, self->client_id, &error);
  else
    result = parse_tokens (status, body, data->body->len, self->client_id, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else if (data->expect == EXPECT_DEVICE_CODE)
    g_task_return_pointer (task, result, (GDestroyNotify) o365_oauth2_device_code_free);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) o365_oauth2_token_set_free);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PostData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  gsize have;

  if (n < 0)
    {
      g_task_return_error (task, network_error (data->url, error));
      return;
    }
  have = data->body->len - READ_CHUNK + (gsize) n;
  g_byte_array_set_size (data->body, (guint) have);
  if (n == 0)
    {
      finish_post (task);
      return;
    }
  if (have + READ_CHUNK > MAX_RESPONSE_LENGTH)
    {
      g_task_return_error (task, protocol_error (_("an answer far too long")));
      return;
    }
  g_byte_array_set_size (data->body, (guint) (have + READ_CHUNK));
  g_input_stream_read_async (data->stream, data->body->data + have, READ_CHUNK, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), on_read, g_object_ref (task));
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PostData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, network_error (data->url, error));
      return;
    }
  g_byte_array_set_size (data->body, READ_CHUNK);
  g_input_stream_read_async (data->stream, data->body->data, READ_CHUNK, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), on_read, g_object_ref (task));
}

/* Takes @form (wiped when libsoup is done with it). */
static void
post_form (O365OAuth2Client *self,
           const char *endpoint_name,
           char *form,
           Expect expect,
           gpointer source_tag,
           GCancellable *cancellable,
           GAsyncReadyCallback callback,
           gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PostData *data = g_new0 (PostData, 1);
  g_autoptr (GBytes) body = g_bytes_new_with_free_func (form, strlen (form), wipe_free, form);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);
  data->expect = expect;
  data->url = o365_oauth2_client_dup_endpoint (self, endpoint_name);
  data->body = g_byte_array_sized_new (MAX_RESPONSE_LENGTH + READ_CHUNK);
  data->message = soup_message_new ("POST", data->url);
  if (data->message == NULL)
    {
      g_task_return_error (task, protocol_error (data->url));
      g_object_unref (task);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (data->message), "Accept",
                                "application/json");
  soup_message_set_request_body_from_bytes (data->message, "application/x-www-form-urlencoded", body);
  soup_session_send_async (self->session, data->message, G_PRIORITY_DEFAULT, cancellable, on_sent, task);
}

/* A form big enough from the start, so that growing it leaves no copy of a secret behind. */
static GString *
new_form (const char *const *params)
{
  gsize size = 256;

  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    size += 3 * strlen (params[i]) + 2;
  return g_string_sized_new (size);
}

void
o365_oauth2_client_request_device_code_async (O365OAuth2Client *self,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data)
{
  GString *form;

  g_return_if_fail (O365_IS_OAUTH2_CLIENT (self));

  form = new_form (NULL);
  append_param (form, "client_id", self->client_id);
  append_param (form, "scope", self->scope);
  post_form (self, "devicecode", g_string_free (form, FALSE), EXPECT_DEVICE_CODE,
             o365_oauth2_client_request_device_code_async, cancellable, callback, user_data);
}

O365OAuth2DeviceCode *
o365_oauth2_client_request_device_code_finish (O365OAuth2Client *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_client_request_device_code_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
o365_oauth2_client_request_token_async (O365OAuth2Client *self,
                                        const char *grant_type,
                                        const char *const *params,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  GString *form;

  g_return_if_fail (O365_IS_OAUTH2_CLIENT (self));
  g_return_if_fail (grant_type != NULL);

  form = new_form (params);
  append_param (form, "client_id", self->client_id);
  append_param (form, "grant_type", grant_type);
  for (guint i = 0; params != NULL && params[i] != NULL && params[i + 1] != NULL; i += 2)
    append_param (form, params[i], params[i + 1]);
  post_form (self, "token", g_string_free (form, FALSE), EXPECT_TOKENS,
             o365_oauth2_client_request_token_async, cancellable, callback, user_data);
}

O365OAuth2TokenSet *
o365_oauth2_client_request_token_finish (O365OAuth2Client *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_client_request_token_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
