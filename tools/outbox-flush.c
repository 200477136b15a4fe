/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-flush.c — one transport session for a batch of outbox entries, outcomes filed back. */
#include "config.h"

#include <glib/gi18n.h>

#include "outbox-flush.h"

typedef struct
{
  Outbox *outbox;
  OutboxFlushFlags flags;
  GPtrArray *entries;  /* OutboxEntry, the caller's */
  GPtrArray *results;  /* OutboxResult, one per entry */
  GPtrArray *batch;    /* the results whose message went into the submission, in its order */
} FlushData;

static void
flush_data_free (FlushData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_clear_pointer (&data->batch, g_ptr_array_unref);
  g_free (data);
}

void
outbox_result_free (OutboxResult *result)
{
  if (result == NULL)
    return;
  g_clear_error (&result->error);
  g_clear_pointer (&result->final_reply, mail_reply_unref);
  g_free (result->failed_path);
  g_clear_error (&result->store_error);
  g_free (result);
}

/* The message stays in the outbox in @state, not sent because of @error (taken). */
static void
keep (OutboxResult *result, OutboxState state, GError *error)
{
  result->outcome = state == OUTBOX_STATE_HELD_UNKNOWN ? OUTBOX_OUTCOME_HELD_UNKNOWN : OUTBOX_OUTCOME_QUEUED;
  result->error = error;
}

/* As keep(), with the attempt and its reason recorded in the outbox. */
static void
keep_queued (FlushData *data, OutboxResult *result, OutboxState state, GError *error)
{
  keep (result, state, error);
  outbox_entry_record_failure (data->outbox, result->entry, state, error->message, &result->store_error);
}

/* Refused for good: moved to failed/, never sent again. */
static void
fail_for_good (FlushData *data, OutboxResult *result, const GError *error)
{
  result->outcome = OUTBOX_OUTCOME_FAILED;
  result->error = g_error_copy (error);
  result->failed_path = outbox_entry_move_to_failed (data->outbox, result->entry, error->message,
                                                     &result->store_error);
}

/* Files one submission's outcome into the outbox. */
static void
apply_submission (FlushData *data, OutboxResult *result, MailSubmission *submission)
{
  const GError *error = mail_submission_get_error (submission);
  MailReply *reply = mail_submission_get_final_reply (submission);

  if (reply != NULL)
    result->final_reply = mail_reply_ref (reply);
  switch (mail_submission_get_status (submission))
    {
    case MAIL_SUBMISSION_SENT:
      result->outcome = OUTBOX_OUTCOME_SENT;
      outbox_entry_remove (data->outbox, result->entry, &result->store_error);
      return;
    case MAIL_SUBMISSION_STATUS_UNKNOWN:
      keep_queued (data, result, OUTBOX_STATE_HELD_UNKNOWN, g_error_copy (error));
      return;
    case MAIL_SUBMISSION_NOT_ATTEMPTED:
      keep_queued (data, result, OUTBOX_STATE_QUEUED,
                   g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                        _("The session ended before this message was sent")));
      return;
    case MAIL_SUBMISSION_FAILED:
      if (mail_transport_error_classify (error) == MAIL_FAILURE_TEMPORARY)
        keep_queued (data, result, OUTBOX_STATE_QUEUED, g_error_copy (error));
      else
        fail_for_good (data, result, error);
      return;
    }
  g_assert_not_reached ();
}

/* Files the failure of a session that ended before any message was started: nothing was sent. */
static void
apply_session_failure (FlushData *data, OutboxResult *result, const GError *error)
{
  switch (mail_transport_error_classify (error))
    {
    case MAIL_FAILURE_STATUS_UNKNOWN:
      /* The transport cannot tell: nothing is resent without asking. */
      keep_queued (data, result, OUTBOX_STATE_HELD_UNKNOWN, g_error_copy (error));
      return;
    case MAIL_FAILURE_PERMANENT:
      if (data->flags & OUTBOX_FLUSH_NEW_MESSAGES)
        {
          fail_for_good (data, result, error);
          return;
        }
      break;
    case MAIL_FAILURE_TEMPORARY:
      break;
    }
  /* The message keeps its state, with this attempt's reason. */
  keep_queued (data, result, result->entry->state, g_error_copy (error));
}

static void
on_submitted (GObject *source, GAsyncResult *async_result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FlushData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) submissions = mail_transport_submit_finish (MAIL_TRANSPORT (source), async_result, &error);

  if (submissions == NULL)
    {
      for (guint i = 0; i < data->batch->len; i++)
        apply_session_failure (data, g_ptr_array_index (data->batch, i), error);
    }
  else if (submissions->len != data->batch->len)
    {
      /* A broken transport: record nothing, so that every message stays as it was. */
      for (guint i = 0; i < data->batch->len; i++)
        {
          OutboxResult *result = g_ptr_array_index (data->batch, i);

          keep (result, result->entry->state,
                g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN,
                             _("The transport reported %u outcomes for %u messages"),
                             submissions->len, data->batch->len));
        }
    }
  else
    {
      for (guint i = 0; i < submissions->len; i++)
        apply_submission (data, g_ptr_array_index (data->batch, i), g_ptr_array_index (submissions, i));
    }
  g_task_return_pointer (task, g_ptr_array_ref (data->results), (GDestroyNotify) g_ptr_array_unref);
}

void
outbox_flush_async (Outbox *outbox,
                    MailTransport *transport,
                    GPtrArray *entries,
                    OutboxFlushFlags flags,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  FlushData *data;

  g_return_if_fail (outbox != NULL && MAIL_IS_TRANSPORT (transport) && entries != NULL);

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, outbox_flush_async);
  data = g_new0 (FlushData, 1);
  data->outbox = outbox;
  data->flags = flags;
  data->entries = g_ptr_array_ref (entries);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_result_free);
  data->batch = g_ptr_array_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) flush_data_free);

  for (guint i = 0; i < entries->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (entries, i);
      OutboxResult *result = g_new0 (OutboxResult, 1);
      g_autoptr (GFileInputStream) content = NULL;
      g_autoptr (GError) error = NULL;
      goffset size = -1;

      result->entry = entry;
      g_ptr_array_add (data->results, result);
      content = outbox_entry_read (outbox, entry, &size, &error);
      if (content == NULL)
        {
          /* Unreadable now (a disk error): left queued for a later flush, never dropped. */
          result->outcome = OUTBOX_OUTCOME_QUEUED;
          result->error = g_steal_pointer (&error);
          continue;
        }
      g_ptr_array_add (messages, mail_outgoing_new (entry->sender, (const char *const *) entry->recipients,
                                                    G_INPUT_STREAM (content), size, entry->flags));
      mail_outgoing_set_dsn (g_ptr_array_index (messages, messages->len - 1), entry->dsn[OUTBOX_DSN_NOTIFY],
                             entry->dsn[OUTBOX_DSN_RETURN], entry->dsn[OUTBOX_DSN_ENVID]);
      g_ptr_array_add (data->batch, result);
    }

  if (messages->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->results), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  mail_transport_submit_async (transport, messages, cancellable, on_submitted, g_steal_pointer (&task));
}

GPtrArray *
outbox_flush_finish (MailTransport *transport, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == outbox_flush_async, NULL);
  /* Never an error: a failed session is in the results (see on_submitted()). */
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
