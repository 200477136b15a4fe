/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-flush.c — one transport session for a batch of outbox entries, outcomes filed back. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "outbox-flush.h"

typedef struct
{
  Outbox *outbox;
  OutboxFlushFlags flags;
  GPtrArray *entries;  /* OutboxEntry, the caller's */
  GPtrArray *results;  /* OutboxResult, one per entry */
  GPtrArray *batch;    /* per message in the submission, in its order, the result it is part
                        * of: an entry for more recipients than one transaction takes is
                        * several consecutive messages */
} FlushData;

static void
flush_data_free (FlushData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_clear_pointer (&data->batch, g_ptr_array_unref);
  g_free (data);
}

const char *
outbox_flush_message_entry_id (MailOutgoing *message)
{
  return g_object_get_data (G_OBJECT (message), "outbox-entry-id");
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
  g_clear_pointer (&result->refused, g_ptr_array_unref);
  g_clear_pointer (&result->deferred, g_ptr_array_unref);
  g_free (result);
}

static void
refusal_free (OutboxRefusal *refusal)
{
  g_free (refusal->recipient);
  g_clear_error (&refusal->error);
  g_free (refusal);
}

void
outbox_result_add_refusal (GPtrArray **list, const char *recipient, const GError *error)
{
  OutboxRefusal *refusal = g_new0 (OutboxRefusal, 1);

  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func ((GDestroyNotify) refusal_free);
  refusal->recipient = g_strdup (recipient);
  refusal->error = g_error_copy (error);
  g_ptr_array_add (*list, refusal);
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

/* Refused for a while, the server saying how long (Retry-After): queued, not tried before then. */
static void
keep_deferred (FlushData *data, OutboxResult *result, GError *error, guint seconds)
{
  keep (result, OUTBOX_STATE_QUEUED, error);
  outbox_entry_record_deferral (data->outbox, result->entry, error->message, seconds, &result->store_error);
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
        keep_deferred (data, result, g_error_copy (error), mail_submission_get_retry_after (submission));
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
      /* A wrong or expired password or sign-in: the message waits until a person fixes it. */
      if (g_error_matches (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED))
        {
          keep_queued (data, result, OUTBOX_STATE_NEEDS_SIGN_IN, g_error_copy (error));
          return;
        }
      if (data->flags & OUTBOX_FLUSH_NEW_MESSAGES)
        {
          fail_for_good (data, result, error);
          return;
        }
      break;
    case MAIL_FAILURE_TEMPORARY:
      break;
    }
  /* The message keeps its state, with this attempt's reason; one marked in flight may have
   * reached the server. */
  keep_queued (data, result,
               result->entry->state == OUTBOX_STATE_IN_FLIGHT ? OUTBOX_STATE_HELD_UNKNOWN : result->entry->state,
               g_error_copy (error));
}

static gboolean
was_delivered (MailSubmission *submission)
{
  return mail_submission_get_status (submission) == MAIL_SUBMISSION_SENT;
}

/* Sorts the recipients of one part of a message that went to some recipients: refused for good
 * (reported), refused for a while or not reached (kept in @remaining). Returns whether this
 * part's outcome is unknown. */
static gboolean
sort_recipients (OutboxResult *result, MailSubmission *submission, GStrvBuilder *remaining, GError **reason)
{
  MailOutgoing *message = mail_submission_get_outgoing (submission);
  const GError *error = mail_submission_get_error (submission);
  const char *const *recipients = mail_outgoing_get_recipients (message);

  if (was_delivered (submission))
    {
      for (guint i = 0; i < mail_submission_get_n_recipients (submission); i++)
        {
          const GError *refusal = mail_submission_get_recipient_error (submission, i);
          const char *recipient = mail_submission_get_recipient (submission, i);

          if (refusal == NULL)
            continue;
          if (mail_transport_error_classify (refusal) == MAIL_FAILURE_TEMPORARY)
            {
              outbox_result_add_refusal (&result->deferred, recipient, refusal);
              g_strv_builder_add (remaining, recipient);
            }
          else
            outbox_result_add_refusal (&result->refused, recipient, refusal);
        }
      return FALSE;
    }

  /* Not sent to this part's recipients at all. */
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      if (error != NULL && mail_transport_error_classify (error) == MAIL_FAILURE_PERMANENT)
        outbox_result_add_refusal (&result->refused, recipients[i], error);
      else
        g_strv_builder_add (remaining, recipients[i]);
    }
  if (error != NULL && *reason == NULL)
    *reason = g_error_copy (error);
  return mail_submission_get_status (submission) == MAIL_SUBMISSION_STATUS_UNKNOWN;
}

/* Files the outcome of a message that went to some of its recipients: the entry keeps the rest
 * (refused for a while, or in a part that was not sent), or goes when there is none. */
static void
apply_partial_delivery (FlushData *data, OutboxResult *result, GPtrArray *submissions, guint from, guint to)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) remaining = NULL;
  g_autoptr (GError) reason = NULL;
  gboolean unknown = FALSE;
  OutboxState state;

  for (guint i = from; i < to; i++)
    {
      MailSubmission *submission = g_ptr_array_index (submissions, i);

      if (was_delivered (submission) && result->final_reply == NULL)
        result->final_reply = mail_reply_ref (mail_submission_get_final_reply (submission));
      unknown |= sort_recipients (result, submission, builder, &reason);
    }
  remaining = g_strv_builder_end (builder);
  if (remaining[0] == NULL)
    {
      result->outcome = OUTBOX_OUTCOME_SENT;
      outbox_entry_remove (data->outbox, result->entry, &result->store_error);
      return;
    }
  state = unknown ? OUTBOX_STATE_HELD_UNKNOWN : OUTBOX_STATE_QUEUED;
  if (reason == NULL)
    reason = g_error_copy (((OutboxRefusal *) g_ptr_array_index (result->deferred, 0))->error);
  result->outcome = unknown ? OUTBOX_OUTCOME_HELD_UNKNOWN : OUTBOX_OUTCOME_QUEUED;
  result->error = g_error_new (MAIL_TRANSPORT_ERROR,
                               unknown ? MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN : MAIL_TRANSPORT_ERROR_TEMPORARY,
                               /* TRANSLATORS: %u is a number of recipients, %s why */
                               ngettext ("%u recipient has not accepted it yet: %s",
                                         "%u recipients have not accepted it yet: %s", g_strv_length (remaining)),
                               g_strv_length (remaining), reason->message);
  outbox_entry_narrow_recipients (data->outbox, result->entry, (const char *const *) remaining, state,
                                  result->error->message, &result->store_error);
}

/* Files the outcome of the messages batch[from..to), the parts of one entry. */
static void
apply_parts (FlushData *data, GPtrArray *submissions, guint from, guint to)
{
  OutboxResult *result = g_ptr_array_index (data->batch, from);
  gboolean delivered = FALSE;
  gboolean refusals = FALSE;

  for (guint i = from; i < to; i++)
    {
      MailSubmission *submission = g_ptr_array_index (submissions, i);

      delivered |= was_delivered (submission);
      for (guint r = 0; r < mail_submission_get_n_recipients (submission); r++)
        refusals |= mail_submission_get_recipient_error (submission, r) != NULL;
    }
  if (delivered && (refusals || to - from > 1))
    apply_partial_delivery (data, result, submissions, from, to);
  else if (delivered)
    apply_submission (data, result, g_ptr_array_index (submissions, from));
  else
    {
      /* Sent to nobody: the first part that was tried says what became of the message. */
      guint first = from;

      while (first + 1 < to
             && mail_submission_get_status (g_ptr_array_index (submissions, first)) == MAIL_SUBMISSION_NOT_ATTEMPTED)
        first++;
      for (guint r = 0; r < mail_submission_get_n_recipients (g_ptr_array_index (submissions, first)); r++)
        {
          MailSubmission *submission = g_ptr_array_index (submissions, first);
          const GError *refusal = mail_submission_get_recipient_error (submission, r);

          if (refusal != NULL)
            outbox_result_add_refusal (&result->refused, mail_submission_get_recipient (submission, r), refusal);
        }
      apply_submission (data, result, g_ptr_array_index (submissions, first));
    }
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
      for (guint from = 0, to; from < submissions->len; from = to)
        {
          for (to = from + 1; to < submissions->len && g_ptr_array_index (data->batch, to) == g_ptr_array_index (data->batch, from); to++)
            ;
          apply_parts (data, submissions, from, to);
        }
    }
  g_task_return_pointer (task, g_ptr_array_ref (data->results), (GDestroyNotify) g_ptr_array_unref);
}

typedef struct
{
  Outbox *outbox;
  OutboxEntry *entry;
} InFlightMark;

/* Runs before the end of data is sent: once it is, the server may have the message, so the
 * outbox must say so first (a crash after it then holds the message instead of resending it).
 * If the mark cannot be written, the transport does not send the end. */
static void
mark_in_flight (MailOutgoing *outgoing, GTask *task, gpointer user_data)
{
  InFlightMark *mark = user_data;
  GError *error = NULL;

  if (outbox_entry_mark_in_flight (mark->outbox, mark->entry, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/* Adds @result's entry to @messages: one message per OUTBOX_RECIPIENTS_PER_TRANSACTION
 * recipients, each reading the data file from its start. */
static gboolean
add_parts (FlushData *data, Outbox *outbox, OutboxResult *result, GPtrArray *messages, GError **error)
{
  OutboxEntry *entry = result->entry;
  guint n_recipients = g_strv_length (entry->recipients);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint first = 0; first < n_recipients; first += OUTBOX_RECIPIENTS_PER_TRANSACTION)
    {
      guint n = MIN (OUTBOX_RECIPIENTS_PER_TRANSACTION, n_recipients - first);
      g_autofree const char **recipients = g_new0 (const char *, n + 1);
      g_autoptr (GFileInputStream) content = NULL;
      goffset size = -1;

      content = outbox_entry_read (outbox, entry, &size, error);
      if (content == NULL)
        return FALSE;
      InFlightMark *mark = g_new (InFlightMark, 1);
      MailOutgoing *part;

      memcpy (recipients, entry->recipients + first, n * sizeof (char *));
      part = mail_outgoing_new (entry->sender, recipients, G_INPUT_STREAM (content), size, entry->flags);
      mail_outgoing_set_dsn (part, entry->dsn[OUTBOX_DSN_NOTIFY], entry->dsn[OUTBOX_DSN_RETURN],
                             entry->dsn[OUTBOX_DSN_ENVID]);
      mark->outbox = outbox;
      mark->entry = entry;
      mail_outgoing_set_before_end_func (part, mark_in_flight, mark, g_free);
      g_object_set_data_full (G_OBJECT (part), "outbox-entry-id", g_strdup (entry->id), g_free);
      g_ptr_array_add (parts, part);
    }
  for (guint i = 0; i < parts->len; i++)
    {
      g_ptr_array_add (messages, g_object_ref (g_ptr_array_index (parts, i)));
      g_ptr_array_add (data->batch, result);
    }
  return TRUE;
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
      g_autoptr (GError) error = NULL;

      result->entry = entry;
      g_ptr_array_add (data->results, result);
      if (!add_parts (data, outbox, result, messages, &error))
        {
          /* Unreadable now (a disk error): left queued for a later flush, never dropped. */
          result->outcome = OUTBOX_OUTCOME_QUEUED;
          result->error = g_steal_pointer (&error);
        }
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
