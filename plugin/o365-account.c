/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account.c — an Office 365 account's settings as GObject properties.
 *
 * Every property is bound to its key in a delayed-apply GSettings, so edits (from a dialog or a
 * command) accumulate and only a successful o365_account_save() writes them: nothing invalid
 * ever reaches the settings store.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account-registry.h"
#include "o365-account.h"
#include "o365-credentials.h"
#include "o365-endpoints.h"
#include "o365-graph-transport.h"
#include "o365-oauth2-sign-in.h"
#include "o365-oauth2-tokens.h"
#include "o365-transport.h"
#include "o365-validate.h"

struct _O365Account
{
  GObject parent_instance;

  char *id;
  GSettings *settings;

  char *address;
  char *display_name;
  char *username;
  char *endpoint;
  char *server;
  guint port;
  char *security;
  char *auth_method;
  char *oauth2_tenant;
  char *oauth2_client_id;
  char *oauth2_authority;
  char *transport;
  char *graph_endpoint;
  char *ca_file;
  guint timeout;
};

static void o365_account_mail_account_init (MailAccountInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365Account, o365_account, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MAIL_TYPE_ACCOUNT,
                                                      o365_account_mail_account_init))

enum
{
  PROP_0,
  PROP_ID,
  PROP_ADDRESS,
  PROP_DISPLAY_NAME,
  PROP_USERNAME,
  PROP_ENDPOINT,
  PROP_SERVER,
  PROP_PORT,
  PROP_SECURITY,
  PROP_AUTH_METHOD,
  PROP_OAUTH2_TENANT,
  PROP_OAUTH2_CLIENT_ID,
  PROP_OAUTH2_AUTHORITY,
  PROP_TRANSPORT,
  PROP_GRAPH_ENDPOINT,
  PROP_CA_FILE,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Property ↔ key; every property but "id" is a settings key of the same name. */
static const char *const bound_keys[] = {
  "address", "display-name", "username", "endpoint", "server", "port", "security",
  "auth-method", "oauth2-tenant", "oauth2-client-id", "oauth2-authority", "transport",
  "graph-endpoint", "ca-file", "timeout",
};

static char **
string_field (O365Account *self, guint prop_id)
{
  switch (prop_id)
    {
    case PROP_ADDRESS: return &self->address;
    case PROP_DISPLAY_NAME: return &self->display_name;
    case PROP_USERNAME: return &self->username;
    case PROP_ENDPOINT: return &self->endpoint;
    case PROP_SERVER: return &self->server;
    case PROP_SECURITY: return &self->security;
    case PROP_AUTH_METHOD: return &self->auth_method;
    case PROP_OAUTH2_TENANT: return &self->oauth2_tenant;
    case PROP_OAUTH2_CLIENT_ID: return &self->oauth2_client_id;
    case PROP_OAUTH2_AUTHORITY: return &self->oauth2_authority;
    case PROP_TRANSPORT: return &self->transport;
    case PROP_GRAPH_ENDPOINT: return &self->graph_endpoint;
    case PROP_CA_FILE: return &self->ca_file;
    default: return NULL;
    }
}

static guint *
uint_field (O365Account *self, guint prop_id)
{
  switch (prop_id)
    {
    case PROP_PORT: return &self->port;
    case PROP_TIMEOUT: return &self->timeout;
    default: return NULL;
    }
}

static void
o365_account_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  O365Account *self = O365_ACCOUNT (object);
  char **string;
  guint *number;

  if (prop_id == PROP_ID)
    g_value_set_string (value, self->id);
  else if ((string = string_field (self, prop_id)) != NULL)
    g_value_set_string (value, *string);
  else if ((number = uint_field (self, prop_id)) != NULL)
    g_value_set_uint (value, *number);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/* A new preset brings its directory along (Outlook.com: consumers), unless the person chose
 * another one than the old preset's. */
static void
follow_endpoint_tenant (O365Account *self, const char *old_id, const char *new_id)
{
  const O365Endpoint *old_endpoint = o365_endpoints_find (old_id);
  const O365Endpoint *new_endpoint = o365_endpoints_find (new_id);

  if (old_endpoint != NULL && new_endpoint != NULL && self->oauth2_tenant != NULL &&
      g_str_equal (self->oauth2_tenant, old_endpoint->oauth2_tenant))
    g_object_set (self, "oauth2-tenant", new_endpoint->oauth2_tenant, NULL);
}

static void
o365_account_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  O365Account *self = O365_ACCOUNT (object);
  char **string;
  guint *number;

  if (prop_id == PROP_ID)
    self->id = g_value_dup_string (value);
  else if ((string = string_field (self, prop_id)) != NULL)
    {
      const char *text = g_value_get_string (value);

      if (text == NULL)
        text = "";
      if (!g_str_equal (*string, text))
        {
          g_autofree char *old = g_steal_pointer (string);

          *string = g_strdup (text);
          g_object_notify_by_pspec (object, pspec);
          if (prop_id == PROP_ENDPOINT)
            follow_endpoint_tenant (self, old, text);
        }
    }
  else if ((number = uint_field (self, prop_id)) != NULL)
    {
      if (*number != g_value_get_uint (value))
        {
          *number = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
o365_account_constructed (GObject *object)
{
  O365Account *self = O365_ACCOUNT (object);
  g_autofree char *path = NULL;

  G_OBJECT_CLASS (o365_account_parent_class)->constructed (object);

  path = mail_account_registry_dup_settings_path (self->id);
  self->settings = g_settings_new_with_path (O365_ACCOUNT_SCHEMA, path);
  g_settings_delay (self->settings);
  for (gsize i = 0; i < G_N_ELEMENTS (bound_keys); i++)
    g_settings_bind (self->settings, bound_keys[i], self, bound_keys[i], G_SETTINGS_BIND_DEFAULT);
}

static void
o365_account_finalize (GObject *object)
{
  O365Account *self = O365_ACCOUNT (object);

  g_clear_object (&self->settings);
  g_free (self->id);
  for (guint prop_id = PROP_ID + 1; prop_id < N_PROPS; prop_id++)
    {
      char **string = string_field (self, prop_id);

      if (string != NULL)
        g_free (*string);
    }

  G_OBJECT_CLASS (o365_account_parent_class)->finalize (object);
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, "",
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
o365_account_class_init (O365AccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = o365_account_get_property;
  object_class->set_property = o365_account_set_property;
  object_class->constructed = o365_account_constructed;
  object_class->finalize = o365_account_finalize;

  g_object_class_override_property (object_class, PROP_ID, "id");
  g_object_class_override_property (object_class, PROP_ADDRESS, "address");
  g_object_class_override_property (object_class, PROP_DISPLAY_NAME, "display-name");
  properties[PROP_USERNAME] = string_property ("username");
  properties[PROP_ENDPOINT] = string_property ("endpoint");
  properties[PROP_SERVER] = string_property ("server");
  properties[PROP_SECURITY] = string_property ("security");
  properties[PROP_AUTH_METHOD] = string_property ("auth-method");
  properties[PROP_OAUTH2_TENANT] = string_property ("oauth2-tenant");
  properties[PROP_OAUTH2_CLIENT_ID] = string_property ("oauth2-client-id");
  properties[PROP_OAUTH2_AUTHORITY] = string_property ("oauth2-authority");
  properties[PROP_TRANSPORT] = string_property ("transport");
  properties[PROP_GRAPH_ENDPOINT] = string_property ("graph-endpoint");
  properties[PROP_CA_FILE] = string_property ("ca-file");
  /* Ranges are checked by o365_account_validate(), so a dialog can hold a bad value while the
   * person is still typing and show why it is wrong. */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT, 587,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, 300,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  for (guint prop_id = PROP_USERNAME; prop_id < N_PROPS; prop_id++)
    g_object_class_install_property (object_class, prop_id, properties[prop_id]);
}

static void
o365_account_init (O365Account *self)
{
  for (guint prop_id = PROP_ID + 1; prop_id < N_PROPS; prop_id++)
    {
      char **string = string_field (self, prop_id);

      if (string != NULL)
        *string = g_strdup ("");
    }
}

/* --- MailAccount ---------------------------------------------------------------------------- */

static gboolean
o365_account_mail_validate (MailAccount *account, GError **error)
{
  return o365_account_validate (O365_ACCOUNT (account), error);
}

static gboolean
o365_account_mail_save (MailAccount *account, GError **error)
{
  return o365_account_save (O365_ACCOUNT (account), error);
}

static MailTransport *
o365_account_create_transport (MailAccount *account, GError **error)
{
  return o365_account_create_transport_with_secret (O365_ACCOUNT (account), NULL, error);
}

static void
on_secret_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!o365_credentials_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
o365_account_store_secret_async (MailAccount *account,
                                 const char *secret,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  O365Account *self = O365_ACCOUNT (account);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  O365SecretKind kind;

  g_task_set_source_tag (task, o365_account_store_secret_async);
  if (!o365_secret_kind_from_auth_method (self->auth_method, &kind) || kind == O365_SECRET_OAUTH2_REFRESH_TOKEN)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Sign-in method “%s” does not use a password"), self->auth_method);
      g_object_unref (task);
      return;
    }
  o365_credentials_store_async (self->id, self->address, kind, secret, cancellable, on_secret_stored, task);
}

static gboolean
o365_account_store_secret_finish (MailAccount *account, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_secrets_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  O365Account *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;

  /* The keyring first: an account whose secrets could not be removed stays listed, so the
   * person can retry instead of being left with an orphaned password. */
  if (!o365_credentials_clear_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_settings_revert (self->settings);
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (self->settings, keys[i]);
  g_settings_apply (self->settings);
  mail_account_registry_remove (self->id);
  o365_oauth2_tokens_forget (self->id);
  g_task_return_boolean (task, TRUE);
}

static void
o365_account_remove_async (MailAccount *account,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  O365Account *self = O365_ACCOUNT (account);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, o365_account_remove_async);
  o365_credentials_clear_async (self->id, cancellable, on_secrets_cleared, task);
}

static gboolean
o365_account_remove_finish (MailAccount *account, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_old_secret_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!o365_credentials_clear_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  O365Account *self = g_task_get_source_object (task);
  GError *error = NULL;
  O365SecretKind old_kind;

  if (!o365_oauth2_sign_in_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A password account that has just signed in with Microsoft moves over for good (before the
   * December 2026 switch-off): the method is saved and the password, of no use any more, leaves
   * the keyring. Only now, so that a failed sign-in leaves the account as it was. */
  if (o365_secret_kind_from_auth_method (self->auth_method, &old_kind) &&
      old_kind != O365_SECRET_OAUTH2_REFRESH_TOKEN)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_object_set (self, "auth-method", "oauth2", NULL);
      g_settings_apply (self->settings);
      o365_credentials_clear_kind_async (self->id, old_kind, cancellable, on_old_secret_cleared,
                                         g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
o365_account_sign_in_async (MailAccount *account,
                            MailSignIn *sign_in,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  O365Account *self = O365_ACCOUNT (account);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (O365OAuth2Client) client = NULL;
  g_autofree char *username = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, o365_account_sign_in_async);
  /* The keyring item is labelled with the address and the sign-in page pre-filled with the
   * user name: both must be right before anything is stored. */
  if (!o365_validate_address (self->address, &error) || !o365_validate_username (self->username, &error) ||
      (client = o365_account_create_oauth2_client (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  username = o365_account_dup_username (self);
  o365_oauth2_sign_in_async (client, self->id, self->address, username, sign_in, cancellable,
                             on_signed_in, task);
}

static gboolean
o365_account_sign_in_finish (MailAccount *account, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
o365_account_mail_account_init (MailAccountInterface *iface)
{
  iface->create_transport = o365_account_create_transport;
  iface->validate = o365_account_mail_validate;
  iface->save = o365_account_mail_save;
  iface->store_secret_async = o365_account_store_secret_async;
  iface->store_secret_finish = o365_account_store_secret_finish;
  iface->remove_async = o365_account_remove_async;
  iface->remove_finish = o365_account_remove_finish;
  iface->sign_in_async = o365_account_sign_in_async;
  iface->sign_in_finish = o365_account_sign_in_finish;
}

O365Account *
o365_account_new (const char *account_id)
{
  g_return_val_if_fail (account_id != NULL && *account_id != '\0', NULL);
  g_return_val_if_fail (strchr (account_id, '/') == NULL, NULL);

  return g_object_new (O365_TYPE_ACCOUNT, "id", account_id, NULL);
}

const char *
o365_account_get_id (O365Account *self)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), NULL);
  return self->id;
}

char *
o365_account_dup_username (O365Account *self)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), NULL);
  return g_strdup (*self->username != '\0' ? self->username : self->address);
}

gboolean
o365_account_validate (O365Account *self, GError **error)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), FALSE);

  if (!o365_validate_address (self->address, error) ||
      !o365_validate_username (self->username, error) ||
      !o365_validate_server (self->server, error) ||
      !o365_validate_port (self->port, error) ||
      !o365_validate_timeout (self->timeout, error) ||
      !o365_validate_oauth2_tenant (self->oauth2_tenant, error) ||
      !o365_validate_oauth2_client_id (self->oauth2_client_id, error) ||
      !o365_validate_oauth2_authority (self->oauth2_authority, error) ||
      !o365_validate_transport (self->transport, self->auth_method, error) ||
      !o365_validate_graph_endpoint (self->graph_endpoint, error))
    return FALSE;
  if (o365_endpoints_find (self->endpoint) == NULL)
    {
      g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                   _("Unknown endpoint “%s”"), self->endpoint);
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_account_save (O365Account *self, GError **error)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), FALSE);

  if (!o365_account_validate (self, error))
    return FALSE;
  g_settings_apply (self->settings);
  mail_account_registry_add (O365_ACCOUNT_TYPE_ID, self->id);
  return TRUE;
}

void
o365_account_revert (O365Account *self)
{
  g_return_if_fail (O365_IS_ACCOUNT (self));
  g_settings_revert (self->settings);
}

gboolean
o365_account_has_unsaved_changes (O365Account *self)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), FALSE);
  return g_settings_get_has_unapplied (self->settings);
}

O365SmtpConfig *
o365_account_build_smtp_config (O365Account *self, GError **error)
{
  O365SmtpConfig *config;

  g_return_val_if_fail (O365_IS_ACCOUNT (self), NULL);

  if (!o365_account_validate (self, error))
    return NULL;
  config = o365_smtp_config_new ();
  config->host = g_strdup (self->server);
  config->port = (guint16) self->port;
  config->ca_file = *self->ca_file != '\0' ? g_strdup (self->ca_file) : NULL;
  config->timeout_ms = self->timeout * 1000;
  /* RFC 5321 §4.5.3.2: the server may take 10 minutes over the final dot. */
  config->data_end_timeout_ms = MAX (self->timeout * 1000, O365_SMTP_DEFAULT_DATA_END_TIMEOUT_MS);
  config->username = o365_account_dup_username (self);
  config->auth_kind = g_str_equal (self->auth_method, "oauth2") ? O365_SMTP_AUTH_OAUTH2
                                                                 : O365_SMTP_AUTH_PASSWORD;
  return config;
}

/* The kind of secret the sign-in method uses; the error names an unknown method. */
static gboolean
check_auth_method (const char *auth_method, O365SecretKind *kind, GError **error)
{
  if (!o365_secret_kind_from_auth_method (auth_method, kind))
    {
      g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                   _("Unknown sign-in method “%s”"), auth_method);
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_account_validate_property (O365Account *self, const char *property, GError **error)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (property != NULL, FALSE);

  if (g_str_equal (property, "address"))
    return o365_validate_address (self->address, error);
  if (g_str_equal (property, "username"))
    return o365_validate_username (self->username, error);
  if (g_str_equal (property, "server"))
    return o365_validate_server (self->server, error);
  if (g_str_equal (property, "port"))
    return o365_validate_port (self->port, error);
  if (g_str_equal (property, "timeout"))
    return o365_validate_timeout (self->timeout, error);
  if (g_str_equal (property, "oauth2-tenant"))
    return o365_validate_oauth2_tenant (self->oauth2_tenant, error);
  if (g_str_equal (property, "oauth2-client-id"))
    return o365_validate_oauth2_client_id (self->oauth2_client_id, error);
  if (g_str_equal (property, "oauth2-authority"))
    return o365_validate_oauth2_authority (self->oauth2_authority, error);
  if (g_str_equal (property, "transport"))
    return o365_validate_transport (self->transport, self->auth_method, error);
  if (g_str_equal (property, "graph-endpoint"))
    return o365_validate_graph_endpoint (self->graph_endpoint, error);
  if (g_str_equal (property, "auth-method"))
    {
      O365SecretKind kind;

      if (!check_auth_method (self->auth_method, &kind, error))
        return FALSE;
      /* Microsoft signs in registered apps only: the account's own or the one built in. Said
       * here, beside the method, before the person tries to sign in. */
      if (kind == O365_SECRET_OAUTH2_REFRESH_TOKEN && *self->oauth2_client_id == '\0' &&
          *OAUTH2_CLIENT_ID == '\0')
        {
          g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                               _("“Sign in with Microsoft” needs the client ID of an app registered "
                                 "in Microsoft Entra ID, and this build has none: enter it as "
                                 "Client ID under Advanced (the README’s “Sign in with Microsoft” "
                                 "explains how to register one), or choose Password or App password"));
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (property, "ca-file"))
    {
      /* Only this machine can tell whether the file is there; a dialog says so at once
       * instead of at the first connection. */
      if (*self->ca_file != '\0' && !g_file_test (self->ca_file, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                       _("There is no file %s"), self->ca_file);
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (property, "endpoint") && o365_endpoints_find (self->endpoint) == NULL)
    {
      g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                   _("Unknown endpoint “%s”"), self->endpoint);
      return FALSE;
    }
  return TRUE;
}

static O365OAuth2Client *create_oauth2_client_for (O365Account *self, gboolean for_graph, GError **error);

/* "auto" found SMTP AUTH switched off: from now on the account sends through Graph. Written
 * straight to the settings store, not through the account's pending changes. */
static void
remember_graph (gpointer account_id)
{
  g_autofree char *path = mail_account_registry_dup_settings_path (account_id);
  g_autoptr (GSettings) settings = g_settings_new_with_path (O365_ACCOUNT_SCHEMA, path);

  g_settings_set_string (settings, "transport", "graph");
}

/* The Graph transport: the preset's Graph (or the graph-endpoint override) with a token for
 * its Mail.Send from the same sign-in. */
static O365GraphTransport *
create_graph_transport (O365Account *self, GError **error)
{
  const O365Endpoint *endpoint = o365_endpoints_find (self->endpoint);
  g_autoptr (O365OAuth2Client) client = create_oauth2_client_for (self, TRUE, error);

  if (client == NULL)
    return NULL;
  return o365_graph_transport_new (self->id, self->address,
                                   *self->graph_endpoint != '\0' ? self->graph_endpoint
                                                                  : endpoint->graph_endpoint,
                                   client, self->timeout);
}

MailTransport *
o365_account_create_transport_with_secret (O365Account *self, const char *secret, GError **error)
{
  g_autoptr (O365SmtpConfig) config = NULL;
  O365SecretKind kind;
  O365Transport *transport;

  g_return_val_if_fail (O365_IS_ACCOUNT (self), NULL);

  config = o365_account_build_smtp_config (self, error);
  if (config == NULL || !check_auth_method (self->auth_method, &kind, error))
    return NULL;
  if (kind == O365_SECRET_OAUTH2_REFRESH_TOKEN)
    {
      g_autoptr (O365OAuth2Client) client = o365_account_create_oauth2_client (self, error);
      g_autoptr (O365GraphTransport) graph = NULL;

      if (client == NULL || (graph = create_graph_transport (self, error)) == NULL)
        return NULL;
      if (g_str_equal (self->transport, "graph"))
        return MAIL_TRANSPORT (g_steal_pointer (&graph));
      transport = o365_transport_new (self->id, config);
      o365_transport_use_oauth2 (transport, self->id, self->address, client);
      if (g_str_equal (self->transport, "auto"))
        o365_transport_fall_back_to (transport, MAIL_TRANSPORT (graph), remember_graph, g_strdup (self->id), g_free);
      return MAIL_TRANSPORT (transport);
    }
  if (secret != NULL)
    {
      o365_smtp_config_set_secret (config, secret);
      return MAIL_TRANSPORT (o365_transport_new (self->id, config));
    }
  transport = o365_transport_new (self->id, config);
  o365_transport_use_keyring (transport, self->id, kind);
  return MAIL_TRANSPORT (transport);
}

/* @for_graph: the scopes of Graph's Mail.Send instead of SMTP's. */
static O365OAuth2Client *
create_oauth2_client_for (O365Account *self, gboolean for_graph, GError **error)
{
  const O365Endpoint *endpoint;

  endpoint = o365_endpoints_find (self->endpoint);
  if (endpoint == NULL)
    {
      g_set_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_INVALID_SETTING,
                   _("Unknown endpoint “%s”"), self->endpoint);
      return NULL;
    }
  return o365_oauth2_client_new (*self->oauth2_authority != '\0' ? self->oauth2_authority
                                                                 : endpoint->oauth2_authority,
                                 self->oauth2_tenant, self->oauth2_client_id,
                                 for_graph ? endpoint->graph_scope : endpoint->oauth2_scope,
                                 error);
}

O365OAuth2Client *
o365_account_create_oauth2_client (O365Account *self, GError **error)
{
  g_return_val_if_fail (O365_IS_ACCOUNT (self), NULL);
  return create_oauth2_client_for (self, FALSE, error);
}
