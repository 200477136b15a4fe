/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-transport-steps.c — the gate, the batch and notes, shared by the transports. */
#include "config.h"

#include "o365-connection-gate.h"
#include "o365-credentials.h"
#include "o365-transport-steps.h"

void
o365_transport_note (MailTransport *transport, const char *format, ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  if (!mail_transport_wants_transcript (transport))
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat ("*  ", text, NULL);
  mail_transport_emit_transcript (transport, line);
}

void
o365_transport_prepare_batch (GPtrArray *messages, GPtrArray **copies, GPtrArray **submissions)
{
  *copies = g_ptr_array_new_with_free_func (g_object_unref);
  *submissions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < messages->len; i++)
    {
      MailOutgoing *message = g_ptr_array_index (messages, i);

      g_ptr_array_add (*copies, g_object_ref (message));
      g_ptr_array_add (*submissions, mail_submission_new (message));
    }
}

void
o365_transport_start_operation (gpointer source_object,
                                gpointer source_tag,
                                const char *gate_key,
                                gpointer task_data,
                                GDestroyNotify task_data_free,
                                GCancellable *cancellable,
                                GAsyncReadyCallback on_gate_acquired,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, task_data_free);
  o365_connection_gate_acquire_async (gate_key, cancellable, on_gate_acquired, task);
}

/* What each keyring failure means to a host (the contract promises only MAIL_TRANSPORT_ERROR
 * and G_IO_ERROR_CANCELLED): a keyring that is absent or locked now may work later, so the
 * message waits; no secret stored needs a person. */
static const struct
{
  O365CredentialsError credentials;
  MailTransportError transport;
} credentials_errors[] = {
  { O365_CREDENTIALS_ERROR_UNAVAILABLE, MAIL_TRANSPORT_ERROR_TEMPORARY },
  { O365_CREDENTIALS_ERROR_LOCKED, MAIL_TRANSPORT_ERROR_TEMPORARY },
  { O365_CREDENTIALS_ERROR_NOT_FOUND, MAIL_TRANSPORT_ERROR_AUTH_FAILED },
};

/* Returns @error (taken) in the contract's domain. */
static GError *
contract_error (GError *error)
{
  g_autoptr (GError) owned = error;

  if (owned->domain != O365_CREDENTIALS_ERROR)
    return g_steal_pointer (&owned);
  for (gsize i = 0; i < G_N_ELEMENTS (credentials_errors); i++)
    if (owned->code == (int) credentials_errors[i].credentials)
      return g_error_new_literal (MAIL_TRANSPORT_ERROR, credentials_errors[i].transport, owned->message);
  return g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PERMANENT, owned->message);
}

void
o365_transport_complete (GTask *task,
                         const char *gate_key,
                         gboolean *gate_held,
                         GError *error,
                         gpointer result,
                         GDestroyNotify result_free)
{
  if (*gate_held)
    {
      *gate_held = FALSE;
      o365_connection_gate_release (gate_key);
    }
  if (error != NULL)
    g_task_return_error (task, contract_error (error));
  else
    g_task_return_pointer (task, result, result_free);
  g_object_unref (task);
}
