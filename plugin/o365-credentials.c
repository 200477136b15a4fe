/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-credentials.c — libsecret, asynchronously; errors a person can act on. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-credentials.h"

G_DEFINE_QUARK (o365-credentials-error-quark, o365_credentials_error)

static const char *const kind_names[] = {
  [O365_SECRET_PASSWORD] = "password",
  [O365_SECRET_APP_PASSWORD] = "app-password",
  [O365_SECRET_OAUTH2_REFRESH_TOKEN] = "oauth2-refresh-token",
};

const SecretSchema *
o365_credentials_get_schema (void)
{
  static const SecretSchema schema = {
    "org.o365account.Credential", SECRET_SCHEMA_DONT_MATCH_NAME,
    {
      { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "address", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

const char *
o365_secret_kind_to_string (O365SecretKind kind)
{
  g_return_val_if_fail (kind <= O365_SECRET_OAUTH2_REFRESH_TOKEN, NULL);
  return kind_names[kind];
}

gboolean
o365_secret_kind_from_auth_method (const char *auth_method, O365SecretKind *kind)
{
  if (g_strcmp0 (auth_method, "password") == 0)
    *kind = O365_SECRET_PASSWORD;
  else if (g_strcmp0 (auth_method, "app-password") == 0)
    *kind = O365_SECRET_APP_PASSWORD;
  else if (g_strcmp0 (auth_method, "oauth2") == 0)
    *kind = O365_SECRET_OAUTH2_REFRESH_TOKEN;
  else
    return FALSE;
  return TRUE;
}

static char *
label_for (O365SecretKind kind, const char *address)
{
  switch (kind)
    {
    case O365_SECRET_PASSWORD:
      return g_strdup_printf (_("Office 365 password for %s"), address);
    case O365_SECRET_APP_PASSWORD:
      return g_strdup_printf (_("Office 365 app password for %s"), address);
    case O365_SECRET_OAUTH2_REFRESH_TOKEN:
      return g_strdup_printf (_("Office 365 sign-in (OAuth2 refresh token) for %s"), address);
    }
  g_return_val_if_reached (NULL);
}

/* Turns libsecret's and D-Bus's errors into ones that say what to do. */
static GError *
keyring_error (GError *error)
{
  g_autoptr (GError) owned = error;

  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_LOCKED,
                                _("The keyring is locked and was not unlocked; the password "
                                  "was not stored or read (it is never kept anywhere else)"));
  if (owned->domain == SECRET_ERROR && owned->code == SECRET_ERROR_IS_LOCKED)
    return g_error_new_literal (O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_LOCKED,
                                _("The keyring is locked; unlock it (for example by logging in "
                                  "again) and retry"));
  return g_error_new (O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_UNAVAILABLE,
                      _("The system keyring (Secret Service) is not available: %s. Passwords "
                        "are only ever kept there; start gnome-keyring or another Secret "
                        "Service and retry."), owned->message);
}

/* --- store ---------------------------------------------------------------------------------- */

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
o365_credentials_store_async (const char *account_id,
                              const char *address,
                              O365SecretKind kind,
                              const char *secret,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *label = label_for (kind, address);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, o365_credentials_store_async);
  g_hash_table_insert (attributes, "account-id", (gpointer) account_id);
  g_hash_table_insert (attributes, "address", (gpointer) address);
  g_hash_table_insert (attributes, "kind", (gpointer) kind_names[kind]);
  secret_password_storev (o365_credentials_get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                          label, secret, cancellable, on_stored, task);
}

gboolean
o365_credentials_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_credentials_store_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- lookup --------------------------------------------------------------------------------- */

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else if (secret == NULL)
    g_task_return_new_error (task, O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_NOT_FOUND,
                             _("No %s is stored in the keyring for this account; add it again "
                               "(o365-account add) or set it in the account settings"),
                             (const char *) g_task_get_task_data (task));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

void
o365_credentials_lookup_async (const char *account_id,
                               O365SecretKind kind,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, o365_credentials_lookup_async);
  g_task_set_task_data (task, (gpointer) kind_names[kind], NULL);
  g_hash_table_insert (attributes, "account-id", (gpointer) account_id);
  g_hash_table_insert (attributes, "kind", (gpointer) kind_names[kind]);
  secret_password_lookupv (o365_credentials_get_schema (), attributes, cancellable, on_looked_up, task);
}

char *
o365_credentials_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_credentials_lookup_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- clear ---------------------------------------------------------------------------------- */

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The account's items of @kind (NULL: of every kind). */
static void
clear_items (const char *account_id, const char *kind, GCancellable *cancellable, GAsyncReadyCallback callback,
             gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, o365_credentials_clear_async);
  g_hash_table_insert (attributes, "account-id", (gpointer) account_id);
  if (kind != NULL)
    g_hash_table_insert (attributes, "kind", (gpointer) kind);
  secret_password_clearv (o365_credentials_get_schema (), attributes, cancellable, on_cleared, task);
}

void
o365_credentials_clear_async (const char *account_id,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  clear_items (account_id, NULL, cancellable, callback, user_data);
}

void
o365_credentials_clear_kind_async (const char *account_id,
                                   O365SecretKind kind,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  clear_items (account_id, o365_secret_kind_to_string (kind), cancellable, callback, user_data);
}

/* Finishes both o365_credentials_clear_async() and o365_credentials_clear_kind_async(). */
gboolean
o365_credentials_clear_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_credentials_clear_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
