/* o365-transport.c — MailTransport over O365SmtpSession. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-connection-gate.h"
#include "o365-send-pacer.h"
#include "o365-smtp-session.h"
#include "o365-transport.h"

struct _O365Transport
{
  GObject parent_instance;

  char *account_key;
  O365SmtpConfig *config;
  O365Transcript *transcript;
};

static void o365_transport_mail_transport_init (MailTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365Transport, o365_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MAIL_TYPE_TRANSPORT,
                                                      o365_transport_mail_transport_init))

static void
o365_transport_finalize (GObject *object)
{
  O365Transport *self = O365_TRANSPORT (object);

  g_free (self->account_key);
  o365_smtp_config_free (self->config);
  g_clear_pointer (&self->transcript, o365_transcript_unref);

  G_OBJECT_CLASS (o365_transport_parent_class)->finalize (object);
}

static void
o365_transport_class_init (O365TransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_transport_finalize;
}

static void
o365_transport_init (O365Transport *self)
{
}

O365Transport *
o365_transport_new (const char *account_key, const O365SmtpConfig *config, O365Transcript *transcript)
{
  O365Transport *self;

  g_return_val_if_fail (account_key != NULL && config != NULL, NULL);

  self = g_object_new (O365_TYPE_TRANSPORT, NULL);
  self->account_key = g_strdup (account_key);
  self->config = o365_smtp_config_copy (config);
  self->transcript = transcript != NULL ? o365_transcript_ref (transcript) : NULL;
  return self;
}

/* --- one batch ------------------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *messages;    /* MailOutgoing */
  GPtrArray *submissions; /* MailSubmission, same order */
  O365SmtpSession *session;
  guint next;
  GError *session_error;  /* why the session ended part-way, if it did */
  gboolean gate_held;
} SubmitData;

static void
submit_data_free (SubmitData *data)
{
  g_ptr_array_unref (data->messages);
  g_ptr_array_unref (data->submissions);
  g_clear_object (&data->session);
  g_clear_error (&data->session_error);
  g_free (data);
}

static void
on_progress (MailOutgoing *message, guint64 bytes_sent, gint64 total_bytes, gpointer user_data)
{
  mail_transport_emit_progress (MAIL_TRANSPORT (user_data), message, bytes_sent, total_bytes);
}

/* Releases the gate and completes the task (taking it). */
static void
complete (GTask *task, GError *error)
{
  O365Transport *self = g_task_get_source_object (task);
  SubmitData *data = g_task_get_task_data (task);

  if (data->gate_held)
    {
      data->gate_held = FALSE;
      o365_connection_gate_release (self->account_key);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_ptr_array_ref (data->submissions), (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
on_session_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  o365_smtp_session_close_finish (O365_SMTP_SESSION (source), result);
  complete (user_data, NULL);
}

static void send_next (GTask *task);

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SubmitData *data = g_task_get_task_data (task);

  if (!o365_smtp_session_send_finish (data->session, result, &data->session_error))
    {
      /* The rest of the batch was not sent at all: safe to retry as it is. */
      for (guint i = data->next; i < data->messages->len; i++)
        {
          GError *not_sent = g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                          _("Not sent: the connection ended before this message (%s)"),
                                          data->session_error->message);

          mail_submission_set_failed (g_ptr_array_index (data->submissions, i), not_sent, NULL);
        }
      complete (task, NULL);
      return;
    }
  send_next (task);
}

static void
on_paced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SubmitData *data = g_task_get_task_data (task);
  GError *error = NULL;
  guint index = data->next++;

  if (!o365_send_pacer_wait_finish (result, &error))
    {
      for (guint i = index; i < data->messages->len; i++)
        mail_submission_set_failed (g_ptr_array_index (data->submissions, i), g_error_copy (error), NULL);
      g_error_free (error);
      o365_smtp_session_close_async (data->session, NULL, on_session_closed, task);
      return;
    }
  o365_smtp_session_send_async (data->session, g_ptr_array_index (data->messages, index),
                                g_ptr_array_index (data->submissions, index),
                                g_task_get_cancellable (task), on_sent, task);
}

static void
send_next (GTask *task)
{
  O365Transport *self = g_task_get_source_object (task);
  SubmitData *data = g_task_get_task_data (task);

  if (data->next == data->messages->len)
    {
      o365_smtp_session_close_async (data->session, NULL, on_session_closed, task);
      return;
    }
  o365_send_pacer_wait_async (self->account_key, g_task_get_cancellable (task), on_paced, task);
}

static void
on_session_open (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SubmitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_smtp_session_open_finish (data->session, result, &error))
    {
      complete (task, error);
      return;
    }
  send_next (task);
}

static void
on_gate_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  SubmitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_connection_gate_acquire_finish (result, &error))
    {
      complete (task, error);
      return;
    }
  data->gate_held = TRUE;
  data->session = o365_smtp_session_new (self->config, self->transcript);
  o365_smtp_session_set_progress_func (data->session, on_progress, self);
  o365_smtp_session_open_async (data->session, g_task_get_cancellable (task), on_session_open, task);
}

static void
o365_transport_submit_async (MailTransport *transport,
                             GPtrArray *messages,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  O365Transport *self = O365_TRANSPORT (transport);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SubmitData *data = g_new0 (SubmitData, 1);

  g_task_set_source_tag (task, o365_transport_submit_async);
  data->messages = g_ptr_array_new_with_free_func (g_object_unref);
  data->submissions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < messages->len; i++)
    {
      MailOutgoing *message = g_ptr_array_index (messages, i);

      g_ptr_array_add (data->messages, g_object_ref (message));
      g_ptr_array_add (data->submissions, mail_submission_new (message));
    }
  g_task_set_task_data (task, data, (GDestroyNotify) submit_data_free);
  o365_connection_gate_acquire_async (self->account_key, cancellable, on_gate_acquired, task);
}

static GPtrArray *
o365_transport_submit_finish (MailTransport *transport, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_transport_submit_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
o365_transport_mail_transport_init (MailTransportInterface *iface)
{
  iface->submit_async = o365_transport_submit_async;
  iface->submit_finish = o365_transport_submit_finish;
}
