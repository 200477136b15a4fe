/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-sign-in.c — a flow, then its tokens stored. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-oauth2-device-flow.h"
#include "o365-oauth2-pkce.h"
#include "o365-oauth2-sign-in.h"
#include "o365-oauth2-tokens.h"

typedef struct
{
  MailSignIn *sign_in;
  char *account_id;
  char *address;
} SignInData;

static void
sign_in_data_free (SignInData *data)
{
  g_clear_object (&data->sign_in);
  g_free (data->account_id);
  g_free (data->address);
  g_free (data);
}

static void
prompt_user_code (const O365OAuth2DeviceCode *code, gpointer user_data)
{
  mail_sign_in_emit_user_code (user_data, code->verification_uri, code->user_code, code->expires_in);
}

static gboolean
prompt_open_uri (const char *uri, gpointer user_data)
{
  return mail_sign_in_emit_open_uri (user_data, uri);
}

static void
prompt_status (const char *message, gpointer user_data)
{
  mail_sign_in_emit_status (user_data, message);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SignInData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_oauth2_tokens_save_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  mail_sign_in_emit_status (data->sign_in, _("Signed in; the sign-in is kept in the system keyring."));
  g_task_return_boolean (task, TRUE);
}

static void
on_flow_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SignInData *data = g_task_get_task_data (task);
  g_autoptr (O365OAuth2TokenSet) tokens = NULL;
  GError *error = NULL;

  if (mail_sign_in_get_flow (data->sign_in) == MAIL_SIGN_IN_FLOW_BROWSER)
    tokens = o365_oauth2_pkce_flow_finish (result, &error);
  else
    tokens = o365_oauth2_device_flow_finish (result, &error);
  if (tokens == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  mail_sign_in_emit_status (data->sign_in, _("Signed in at Microsoft; storing the sign-in in the keyring…"));
  o365_oauth2_tokens_save_async (data->account_id, data->address,
                                 o365_oauth2_client_get_scope (g_task_get_source_object (task)), tokens,
                                 g_task_get_cancellable (task),
                                 on_saved, g_object_ref (task));
}

void
o365_oauth2_sign_in_async (O365OAuth2Client *client,
                           const char *account_id,
                           const char *address,
                           const char *login_hint,
                           MailSignIn *sign_in,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task;
  SignInData *data;
  O365OAuth2Prompt prompt = { prompt_user_code, prompt_open_uri, prompt_status, sign_in };

  g_return_if_fail (O365_IS_OAUTH2_CLIENT (client));
  g_return_if_fail (account_id != NULL && address != NULL);
  g_return_if_fail (MAIL_IS_SIGN_IN (sign_in));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_oauth2_sign_in_async);
  data = g_new0 (SignInData, 1);
  /* The prompt's user data: kept alive by the task for the whole flow. */
  data->sign_in = g_object_ref (sign_in);
  data->account_id = g_strdup (account_id);
  data->address = g_strdup (address);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_data_free);

  if (mail_sign_in_get_flow (sign_in) == MAIL_SIGN_IN_FLOW_BROWSER)
    o365_oauth2_pkce_flow_async (client, login_hint, &prompt, cancellable, on_flow_done, task);
  else
    o365_oauth2_device_flow_async (client, &prompt, cancellable, on_flow_done, task);
}

gboolean
o365_oauth2_sign_in_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_sign_in_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
