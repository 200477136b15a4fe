/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-device-flow.c — request a code, show it, poll until there is an answer. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-deadline.h"
#include "o365-oauth2-device-flow.h"

#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

typedef struct
{
  O365OAuth2Prompt prompt;
  O365OAuth2DeviceCode *code;
  O365Deadline *deadline; /* the code's lifetime; also cancelled with the caller's cancellable */
  GSource *wait;          /* until the next poll */
  GSource *cancelled;     /* the deadline's cancellable, while waiting */
  guint interval;         /* seconds */
} DeviceFlowData;

static void
stop_waiting (DeviceFlowData *data)
{
  if (data->wait != NULL)
    {
      g_source_destroy (data->wait);
      g_clear_pointer (&data->wait, g_source_unref);
    }
  if (data->cancelled != NULL)
    {
      g_source_destroy (data->cancelled);
      g_clear_pointer (&data->cancelled, g_source_unref);
    }
}

static void
device_flow_data_free (DeviceFlowData *data)
{
  stop_waiting (data);
  g_clear_pointer (&data->deadline, o365_deadline_free);
  g_clear_pointer (&data->code, o365_oauth2_device_code_free);
  g_free (data);
}

/* The code ran out (our own clock) or the caller cancelled. */
static void
return_stopped (GTask *task)
{
  DeviceFlowData *data = g_task_get_task_data (task);

  if (data->deadline != NULL && o365_deadline_expired (data->deadline))
    g_task_return_new_error (task, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_EXPIRED,
                             _("The sign-in code expired before the sign-in was completed: "
                               "start again."));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The sign-in was cancelled"));
}

static void poll_token_endpoint (GTask *task);

static gboolean
on_wait_over (gpointer user_data)
{
  GTask *task = user_data;

  stop_waiting (g_task_get_task_data (task));
  poll_token_endpoint (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled_while_waiting (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;

  stop_waiting (g_task_get_task_data (task));
  return_stopped (task);
  return G_SOURCE_REMOVE;
}

static void
wait_for_next_poll (GTask *task)
{
  DeviceFlowData *data = g_task_get_task_data (task);
  GMainContext *context = g_task_get_context (task);

  data->wait = g_timeout_source_new (data->interval * 1000);
  g_source_set_static_name (data->wait, "[o365] device code poll interval");
  g_source_set_callback (data->wait, on_wait_over, g_object_ref (task), g_object_unref);
  g_source_attach (data->wait, context);

  data->cancelled = g_cancellable_source_new (o365_deadline_get_cancellable (data->deadline));
  g_source_set_static_name (data->cancelled, "[o365] device code flow cancelled");
  g_source_set_callback (data->cancelled, G_SOURCE_FUNC (on_cancelled_while_waiting),
                         g_object_ref (task), g_object_unref);
  g_source_attach (data->cancelled, context);
}

static void
on_polled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  DeviceFlowData *data = g_task_get_task_data (task);
  GError *error = NULL;
  O365OAuth2TokenSet *tokens;

  tokens = o365_oauth2_client_request_token_finish (O365_OAUTH2_CLIENT (source), result, &error);
  if (tokens != NULL)
    {
      g_task_return_pointer (task, tokens, (GDestroyNotify) o365_oauth2_token_set_free);
      return;
    }
  if (g_error_matches (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_AUTHORIZATION_PENDING) ||
      g_error_matches (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_SLOW_DOWN))
    {
      if (error->code == O365_OAUTH2_ERROR_SLOW_DOWN)
        data->interval += O365_OAUTH2_SLOW_DOWN_STEP_S;
      g_error_free (error);
      wait_for_next_poll (task);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return_stopped (task);
      return;
    }
  g_task_return_error (task, error);
}

static void
poll_token_endpoint (GTask *task)
{
  DeviceFlowData *data = g_task_get_task_data (task);
  const char *params[] = { "device_code", data->code->device_code, NULL };

  if (g_cancellable_is_cancelled (o365_deadline_get_cancellable (data->deadline)))
    {
      return_stopped (task);
      return;
    }
  o365_oauth2_client_request_token_async (g_task_get_source_object (task), DEVICE_CODE_GRANT, params,
                                          o365_deadline_get_cancellable (data->deadline),
                                          on_polled, g_object_ref (task));
}

static void
on_device_code (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  DeviceFlowData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->code = o365_oauth2_client_request_device_code_finish (O365_OAUTH2_CLIENT (source), result, &error);
  if (data->code == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->interval = data->code->interval;
  /* One interval of grace: the server's own expired_token, when it comes, says it best. */
  data->deadline = o365_deadline_new ((data->code->expires_in + data->interval) * 1000,
                                      g_task_get_cancellable (task));
  if (data->prompt.user_code != NULL)
    data->prompt.user_code (data->code, data->prompt.user_data);
  o365_oauth2_prompt_status (&data->prompt, _("Waiting for you to sign in…"));
  wait_for_next_poll (task);
}

void
o365_oauth2_device_flow_async (O365OAuth2Client *client,
                               const O365OAuth2Prompt *prompt,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;
  DeviceFlowData *data;

  g_return_if_fail (O365_IS_OAUTH2_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_oauth2_device_flow_async);
  data = g_new0 (DeviceFlowData, 1);
  if (prompt != NULL)
    data->prompt = *prompt;
  g_task_set_task_data (task, data, (GDestroyNotify) device_flow_data_free);
  o365_oauth2_prompt_status (&data->prompt, _("Asking Microsoft for a sign-in code…"));
  o365_oauth2_client_request_device_code_async (client, cancellable, on_device_code, task);
}

O365OAuth2TokenSet *
o365_oauth2_device_flow_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_device_flow_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
