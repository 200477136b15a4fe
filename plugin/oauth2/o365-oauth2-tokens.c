/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-tokens.c — access tokens in memory, refresh tokens in the keyring. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "o365-credentials.h"
#include "o365-file-lock.h"
#include "o365-oauth2-tokens.h"

/* The file lock held from reading the refresh token until its successor is stored: Microsoft
 * rotates refresh tokens, and one redeemed twice may be refused or revoke the sign-in. */
#define REFRESH_LOCK_PURPOSE "refresh"

typedef struct
{
  char *access_token;
  gint64 expires_at;
} CachedToken;

/* "account id\nscope" → CachedToken: one sign-in yields tokens for several audiences (SMTP,
 * Graph), each kept apart. Only ever touched from the main context. */
static GHashTable *cache;

static char *
cache_key (const char *account_id, const char *scope)
{
  return g_strconcat (account_id, "\n", scope, NULL);
}

static gboolean
is_for_account (gpointer key, gpointer value, gpointer account_id)
{
  return g_str_has_prefix (key, account_id) && ((char *) key)[strlen (account_id)] == '\n';
}

static void
cached_token_free (CachedToken *cached)
{
  secret_password_free (cached->access_token);
  g_free (cached);
}

static void
remember (const char *account_id, const char *scope, const char *access_token, gint64 expires_at)
{
  CachedToken *cached = g_new0 (CachedToken, 1);

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_token_free);
  cached->access_token = g_strdup (access_token);
  cached->expires_at = expires_at;
  g_hash_table_replace (cache, cache_key (account_id, scope), cached);
}

void
o365_oauth2_tokens_forget (const char *account_id)
{
  g_return_if_fail (account_id != NULL);

  if (cache != NULL)
    g_hash_table_foreach_remove (cache, is_for_account, (gpointer) account_id);
}

/* --- get ------------------------------------------------------------------------------------- */

typedef struct
{
  char *token;
  gint64 expires_at;
  gboolean refreshed;
} AccessToken;

static void
access_token_free (AccessToken *access)
{
  secret_password_free (access->token);
  g_free (access);
}

typedef struct
{
  char *account_id;
  char *address;
  char *used_refresh_token;  /* the one sent, to tell whether another process rotated it */
  GError *refusal;           /* the first invalid_grant, kept while the keyring is re-read */
  O365OAuth2TokenSet *tokens;
  gboolean force_refresh;
  int refresh_lock;          /* while refreshing, or -1 */
} GetData;

static void
release_refresh_lock (GetData *data)
{
  o365_file_lock_release (data->refresh_lock);
  data->refresh_lock = -1;
}

static void
get_data_free (GetData *data)
{
  release_refresh_lock (data);
  g_free (data->account_id);
  g_free (data->address);
  secret_password_free (data->used_refresh_token);
  g_clear_error (&data->refusal);
  g_clear_pointer (&data->tokens, o365_oauth2_token_set_free);
  g_free (data);
}

static void
return_access_token (GTask *task, const char *token, gint64 expires_at, gboolean refreshed)
{
  AccessToken *access = g_new0 (AccessToken, 1);

  access->token = g_strdup (token);
  access->expires_at = expires_at;
  access->refreshed = refreshed;
  g_task_return_pointer (task, access, (GDestroyNotify) access_token_free);
}

static void
finish_refresh (GTask *task)
{
  GetData *data = g_task_get_task_data (task);

  remember (data->account_id, o365_oauth2_client_get_scope (g_task_get_source_object (task)),
            data->tokens->access_token, data->tokens->expires_at);
  release_refresh_lock (data);
  return_access_token (task, data->tokens->access_token, data->tokens->expires_at, TRUE);
}

static void
on_rotated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  /* The access token is good either way; without the new refresh token stored the next
   * refresh uses the previous one, which Microsoft keeps honouring for a while. */
  if (!o365_credentials_store_finish (result, &error))
    g_warning ("The renewed Microsoft sign-in could not be stored in the keyring: %s", error->message);
  finish_refresh (task);
}

static void read_refresh_token (GTask *task);

static void
on_refreshed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GetData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->tokens = o365_oauth2_client_request_token_finish (O365_OAUTH2_CLIENT (source), result, &error);
  if (data->tokens == NULL)
    {
      if (data->refusal == NULL && g_error_matches (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_INVALID_GRANT))
        {
          data->refusal = error;
          read_refresh_token (g_steal_pointer (&task));
          return;
        }
      release_refresh_lock (data);
      g_task_return_error (task, error);
      return;
    }
  if (data->tokens->refresh_token != NULL &&
      !g_str_equal (data->tokens->refresh_token, data->used_refresh_token))
    {
      o365_credentials_store_async (data->account_id, data->address, O365_SECRET_OAUTH2_REFRESH_TOKEN,
                                    data->tokens->refresh_token, g_task_get_cancellable (task),
                                    on_rotated, g_object_ref (task));
      return;
    }
  finish_refresh (task);
}

static void
on_refresh_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GetData *data = g_task_get_task_data (task);
  GError *error = NULL;
  char *refresh_token = o365_credentials_lookup_finish (result, &error);

  if (refresh_token == NULL)
    {
      if (g_error_matches (error, O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_NOT_FOUND))
        {
          g_error_free (error);
          error = g_error_new_literal (O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_NOT_SIGNED_IN,
                                       _("This account has not signed in with Microsoft yet (the "
                                         "keyring holds no sign-in for it): sign in with "
                                         "Microsoft."));
        }
      release_refresh_lock (data);
      g_task_return_error (task, error);
      return;
    }
  /* Re-read after a refusal: unchanged means nobody rotated it, and the refusal stands. */
  if (data->refusal != NULL && g_str_equal (refresh_token, data->used_refresh_token))
    {
      secret_password_free (refresh_token);
      release_refresh_lock (data);
      g_task_return_error (task, g_steal_pointer (&data->refusal));
      return;
    }
  secret_password_free (data->used_refresh_token);
  data->used_refresh_token = refresh_token;
  {
    O365OAuth2Client *client = g_task_get_source_object (task);
    const char *params[] = {
      "refresh_token", data->used_refresh_token,
      "scope", o365_oauth2_client_get_scope (client),
      NULL,
    };

    o365_oauth2_client_request_token_async (client, "refresh_token", params, g_task_get_cancellable (task),
                                            on_refreshed, g_object_ref (task));
  }
}

static void
read_refresh_token (GTask *task)
{
  GetData *data = g_task_get_task_data (task);

  o365_credentials_lookup_async (data->account_id, O365_SECRET_OAUTH2_REFRESH_TOKEN,
                                 g_task_get_cancellable (task), on_refresh_token, task);
}

/* The access token in memory for @task's account and scope while it is good for the margin;
 * returns @task then (taken). */
static gboolean
return_remembered (GTask *task)
{
  GetData *data = g_task_get_task_data (task);
  g_autofree char *key = cache_key (data->account_id, o365_oauth2_client_get_scope (g_task_get_source_object (task)));
  CachedToken *cached = cache != NULL ? g_hash_table_lookup (cache, key) : NULL;

  if (cached == NULL ||
      cached->expires_at - (gint64) O365_OAUTH2_REFRESH_MARGIN_S * G_USEC_PER_SEC <= g_get_real_time ())
    return FALSE;
  return_access_token (task, cached->access_token, cached->expires_at, FALSE);
  g_object_unref (task);
  return TRUE;
}

static void
on_refresh_locked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GetData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->refresh_lock = o365_file_lock_acquire_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* A refresh this process waited for may have left a good token (unless the server just
   * refused the one in memory); another process's leaves only the rotated refresh token. */
  if (!data->force_refresh && return_remembered (task))
    return;
  read_refresh_token (task);
}

void
o365_oauth2_tokens_get_async (O365OAuth2Client *client,
                              const char *account_id,
                              const char *address,
                              gboolean force_refresh,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task;
  GetData *data;

  g_return_if_fail (O365_IS_OAUTH2_CLIENT (client));
  g_return_if_fail (account_id != NULL && address != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_oauth2_tokens_get_async);
  data = g_new0 (GetData, 1);
  data->account_id = g_strdup (account_id);
  data->address = g_strdup (address);
  data->force_refresh = force_refresh;
  data->refresh_lock = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) get_data_free);

  if (!force_refresh && return_remembered (task))
    return;
  o365_file_lock_acquire_async (account_id, REFRESH_LOCK_PURPOSE, cancellable, on_refresh_locked, task);
}

char *
o365_oauth2_tokens_get_finish (GAsyncResult *result, gboolean *refreshed, gint64 *expires_at, GError **error)
{
  AccessToken *access;
  char *token;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_tokens_get_async, NULL);

  access = g_task_propagate_pointer (G_TASK (result), error);
  if (access == NULL)
    return NULL;
  if (refreshed != NULL)
    *refreshed = access->refreshed;
  if (expires_at != NULL)
    *expires_at = access->expires_at;
  token = g_steal_pointer (&access->token);
  access_token_free (access);
  return token;
}

/* --- save ------------------------------------------------------------------------------------ */

typedef struct
{
  char *account_id;
  char *scope;
  char *access_token;
  gint64 expires_at;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->account_id);
  g_free (data->scope);
  secret_password_free (data->access_token);
  g_free (data);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_credentials_store_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  remember (data->account_id, data->scope, data->access_token, data->expires_at);
  g_task_return_boolean (task, TRUE);
}

void
o365_oauth2_tokens_save_async (const char *account_id,
                               const char *address,
                               const char *scope,
                               const O365OAuth2TokenSet *tokens,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;
  SaveData *data;

  g_return_if_fail (account_id != NULL && address != NULL && scope != NULL && tokens != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_oauth2_tokens_save_async);
  if (tokens->refresh_token == NULL)
    {
      g_task_return_new_error (task, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_PROTOCOL,
                               _("Microsoft did not let this program stay signed in (no refresh "
                                 "token came with the sign-in)."));
      g_object_unref (task);
      return;
    }
  data = g_new0 (SaveData, 1);
  data->account_id = g_strdup (account_id);
  data->scope = g_strdup (scope);
  data->access_token = g_strdup (tokens->access_token);
  data->expires_at = tokens->expires_at;
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  /* A new sign-in replaces whatever access token an earlier one left in memory. */
  o365_oauth2_tokens_forget (account_id);
  o365_credentials_store_async (account_id, address, O365_SECRET_OAUTH2_REFRESH_TOKEN, tokens->refresh_token,
                                cancellable, on_saved, task);
}

gboolean
o365_oauth2_tokens_save_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_tokens_save_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
