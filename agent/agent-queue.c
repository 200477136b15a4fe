/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-queue.c — per account: the entries handed over, one flush at a time, the retry timer. */
#include "config.h"

#include <glib/gi18n.h>

#include "agent-queue.h"
#include "host-accounts.h"
#include "outbox-result-variant.h"

struct _AgentQueue
{
  Outbox *outbox;
  MailPluginLoader *loader;
  OutboxRetryPolicy policy;
  guint connection_idle_seconds;
  gboolean debug;
  AgentQueueCallbacks callbacks;
  gpointer user_data;
  GHashTable *accounts; /* address, case-folded → AgentAccount */
  GHashTable *waiters;  /* entry id → GPtrArray of GTask (Send calls waiting for it) */
  GHashTable *recent;   /* entry id → RecentOutcome: what its last attempt gave, for a while */
  gboolean idle;
};

/* A Send can arrive after the agent took the entry on its own (a flush that started between the
 * caller's commit and its call): the caller then gets the outcome of that attempt, which may
 * already be over. */
#define RECENT_OUTCOME_SECONDS 300

typedef struct
{
  GVariant *result;
  gint64 when;
} RecentOutcome;

static void
recent_outcome_free (RecentOutcome *recent)
{
  g_variant_unref (recent->result);
  g_free (recent);
}

typedef struct
{
  AgentQueue *queue;
  char *address;
  MailTransport *transport; /* made for a flush, kept while its connection is: settings
                             * changed meanwhile (o365-account edit) apply to the next one */
  guint transport_drop_id;
  GPtrArray *handed;        /* OutboxEntry, locked: handed over for the next flush */
  gboolean busy;            /* a flush is running */
  gboolean again;           /* something came while it ran */
  gboolean forced;          /* … and it was a Flush */
  guint retry_id;
  gint64 throttled_until;   /* the server said "too many": no retry before this */
  struct _FlushRun *running;
} AgentAccount;

typedef struct _FlushRun
{
  AgentAccount *account;
  GPtrArray *entries;       /* OutboxEntry, locked, being sent */
  GArray *earlier_attempts; /* guint per entry: its attempts before this flush */
} FlushRun;

static void
agent_account_free (AgentAccount *account)
{
  g_clear_handle_id (&account->retry_id, g_source_remove);
  g_clear_handle_id (&account->transport_drop_id, g_source_remove);
  if (account->transport != NULL)
    g_signal_handlers_disconnect_by_data (account->transport, account);
  g_clear_object (&account->transport);
  g_clear_pointer (&account->handed, g_ptr_array_unref);
  g_free (account->address);
  g_free (account);
}

AgentQueue *
agent_queue_new (Outbox *outbox,
                 MailPluginLoader *loader,
                 const OutboxRetryPolicy *policy,
                 guint connection_idle_seconds,
                 gboolean debug,
                 const AgentQueueCallbacks *callbacks,
                 gpointer user_data)
{
  AgentQueue *self = g_new0 (AgentQueue, 1);

  self->outbox = outbox;
  self->loader = g_object_ref (loader);
  self->policy = *policy;
  self->connection_idle_seconds = connection_idle_seconds;
  self->debug = debug;
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) agent_account_free);
  self->waiters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->recent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) recent_outcome_free);
  self->idle = TRUE;
  return self;
}

void
agent_queue_free (AgentQueue *self)
{
  if (self == NULL)
    return;
  g_hash_table_destroy (self->accounts);
  g_hash_table_destroy (self->waiters);
  g_hash_table_destroy (self->recent);
  g_object_unref (self->loader);
  g_free (self);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static AgentAccount *
account_for (AgentQueue *self, const char *address)
{
  g_autofree char *key = g_utf8_casefold (address, -1);
  AgentAccount *account = g_hash_table_lookup (self->accounts, key);

  if (account == NULL)
    {
      account = g_new0 (AgentAccount, 1);
      account->queue = self;
      account->address = g_strdup (address);
      account->handed = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
      g_hash_table_insert (self->accounts, g_steal_pointer (&key), account);
    }
  return account;
}

gboolean
agent_queue_is_idle (AgentQueue *self)
{
  GHashTableIter iter;
  AgentAccount *account;

  if (g_hash_table_size (self->waiters) > 0)
    return FALSE;
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &account))
    if (account->busy || account->retry_id != 0 || account->handed->len > 0)
      return FALSE;
  return TRUE;
}

static void
update_idle (AgentQueue *self)
{
  gboolean idle = agent_queue_is_idle (self);

  if (idle == self->idle)
    return;
  self->idle = idle;
  if (self->callbacks.idle_changed != NULL)
    self->callbacks.idle_changed (idle, self->user_data);
}

/* --- the retry schedule ---------------------------------------------------------------------- */

static gint64
entry_due (AgentAccount *account, const OutboxEntry *entry)
{
  return outbox_retry_due (&account->queue->policy, entry, account->throttled_until);
}

static gboolean
belongs_to (const OutboxEntry *entry, AgentAccount *account)
{
  g_autofree char *a = g_utf8_casefold (entry->account, -1);
  g_autofree char *b = g_utf8_casefold (account->address, -1);

  return g_str_equal (a, b);
}

static void kick (AgentAccount *account, gboolean forced);

static gboolean
on_retry_due (gpointer user_data)
{
  AgentAccount *account = user_data;

  account->retry_id = 0;
  kick (account, FALSE);
  return G_SOURCE_REMOVE;
}

/* Arms the timer for the account's next queued entry. Entries waiting for a sign-in, held or
 * failed wait for a person; they are not retried by themselves. */
static void
schedule (AgentAccount *account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = outbox_list (account->queue->outbox, &error);
  gint64 next = G_MAXINT64;
  gint64 now = now_seconds ();

  g_clear_handle_id (&account->retry_id, g_source_remove);
  if (listed == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  for (guint i = 0; i < listed->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (listed, i);

      if (entry->state == OUTBOX_STATE_QUEUED && belongs_to (entry, account))
        next = MIN (next, entry_due (account, entry));
    }
  if (next == G_MAXINT64)
    return;
  g_message ("%s: next attempt in %" G_GINT64_FORMAT " s", account->address, MAX (next - now, 1));
  account->retry_id = g_timeout_add_seconds (MAX (next - now, 1), on_retry_due, account);
}

/* --- flushing -------------------------------------------------------------------------------- */

static void
on_transcript (MailTransport *transport, const char *line, gpointer user_data)
{
  AgentAccount *account = user_data;

  g_printerr ("%s: %s\n", account->address, line);
}

static void
on_progress (MailTransport *transport, MailOutgoing *message, guint64 sent, gint64 total, gpointer user_data)
{
  AgentAccount *account = user_data;
  const char *id = outbox_flush_message_entry_id (message);

  if (id != NULL && account->queue->callbacks.progress != NULL)
    account->queue->callbacks.progress (id, sent, total, account->queue->user_data);
}

static gboolean
on_transport_unused (gpointer user_data)
{
  AgentAccount *account = user_data;

  account->transport_drop_id = 0;
  g_signal_handlers_disconnect_by_data (account->transport, account);
  g_clear_object (&account->transport);
  return G_SOURCE_REMOVE;
}

/* After a flush: the transport goes once its kept connection has (the next flush makes a new
 * one from the account's settings as they are then). */
static void
drop_transport_later (AgentAccount *account)
{
  g_clear_handle_id (&account->transport_drop_id, g_source_remove);
  if (account->transport != NULL)
    account->transport_drop_id =
      g_timeout_add_seconds (account->queue->connection_idle_seconds + 1, on_transport_unused, account);
}

static MailTransport *
ensure_transport (AgentAccount *account, GError **error)
{
  g_autoptr (MailAccount) mail_account = NULL;

  g_clear_handle_id (&account->transport_drop_id, g_source_remove);
  if (account->transport != NULL)
    return account->transport;
  mail_account = host_find_account (account->queue->loader, account->address, error);
  if (mail_account == NULL)
    return NULL;
  account->transport = mail_account_create_transport (mail_account, error);
  if (account->transport == NULL)
    return NULL;
  mail_transport_set_idle_timeout (account->transport, account->queue->connection_idle_seconds);
  g_signal_connect (account->transport, "progress", G_CALLBACK (on_progress), account);
  if (account->queue->debug)
    g_signal_connect (account->transport, "transcript", G_CALLBACK (on_transcript), account);
  return account->transport;
}

/* Gives @result to whoever waits for its entry, then to the service. */
static void
deliver (AgentQueue *self, const OutboxResult *result, guint earlier_attempts)
{
  g_autoptr (GVariant) variant = g_variant_ref_sink (outbox_result_to_variant (result));
  g_autoptr (GPtrArray) waiting = NULL;
  gpointer key = NULL;

  RecentOutcome *recent = g_new (RecentOutcome, 1);
  GHashTableIter iter;
  RecentOutcome *old;

  /* Forget what is old, then remember this one. */
  g_hash_table_iter_init (&iter, self->recent);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &old))
    if (old->when < now_seconds () - RECENT_OUTCOME_SECONDS)
      g_hash_table_iter_remove (&iter);
  recent->result = g_variant_ref (variant);
  recent->when = now_seconds ();
  g_hash_table_replace (self->recent, g_strdup (result->entry->id), recent);

  if (g_hash_table_steal_extended (self->waiters, result->entry->id, &key, (gpointer *) &waiting))
    g_free (key);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    g_task_return_pointer (g_ptr_array_index (waiting, i), g_variant_ref (variant), (GDestroyNotify) g_variant_unref);
  if (self->callbacks.outcome != NULL)
    self->callbacks.outcome (result, waiting != NULL && waiting->len > 0, earlier_attempts, self->user_data);
}

static void
flush_run_free (FlushRun *run)
{
  g_ptr_array_unref (run->entries);
  g_array_unref (run->earlier_attempts);
  g_free (run);
}

static void
on_flushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FlushRun *run = user_data;
  AgentAccount *account = run->account;
  AgentQueue *self = account->queue;
  g_autoptr (GPtrArray) results = outbox_flush_finish (MAIL_TRANSPORT (source), result);

  for (guint i = 0; i < results->len; i++)
    {
      OutboxResult *outcome = g_ptr_array_index (results, i);

      if (outcome->error != NULL &&
          g_error_matches (outcome->error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_RATE_LIMITED))
        account->throttled_until =
          now_seconds () + outbox_retry_delay (&self->policy, outcome->entry->id, outcome->entry->attempts, TRUE);
      deliver (self, outcome, g_array_index (run->earlier_attempts, guint, i));
    }
  flush_run_free (run); /* unlocks the entries */
  account->running = NULL;
  account->busy = FALSE;
  drop_transport_later (account);
  if (account->again)
    {
      gboolean forced = account->forced;

      account->again = account->forced = FALSE;
      kick (account, forced);
    }
  else
    schedule (account);
  update_idle (self);
}

/* Whether the flush that is starting takes @entry (claimed, of the account). */
static gboolean
is_eligible (AgentAccount *account, const OutboxEntry *entry, gboolean forced, gboolean with_new, gint64 now)
{
  if (forced)
    return outbox_state_is_sendable (entry->state, FALSE);
  if (entry->state != OUTBOX_STATE_QUEUED || outbox_entry_is_deferred ((OutboxEntry *) entry, now))
    return FALSE;
  /* A connection is being made for a new message anyway: the waiting ones go with it. */
  return with_new || entry_due (account, entry) <= now;
}

/* Starts a flush of the account (or notes that another must follow the running one). */
static void
kick (AgentAccount *account, gboolean forced)
{
  AgentQueue *self = account->queue;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) claimed = NULL;
  FlushRun *run;
  MailTransport *transport;
  gboolean with_new;
  gint64 now = now_seconds ();

  if (account->busy)
    {
      account->again = TRUE;
      account->forced |= forced;
      return;
    }
  g_clear_handle_id (&account->retry_id, g_source_remove);
  run = g_new0 (FlushRun, 1);
  run->account = account;
  run->entries = g_steal_pointer (&account->handed);
  run->earlier_attempts = g_array_new (FALSE, FALSE, sizeof (guint));
  account->handed = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  with_new = run->entries->len > 0;
  claimed = outbox_claim (self->outbox, account->address, FALSE, &error);
  if (claimed == NULL)
    g_warning ("%s", error->message);
  for (guint i = 0; claimed != NULL && i < claimed->len; i++)
    if (is_eligible (account, g_ptr_array_index (claimed, i), forced, with_new, now))
      g_ptr_array_add (run->entries, g_steal_pointer (&g_ptr_array_index (claimed, i)));
  g_clear_error (&error);
  if (run->entries->len == 0)
    {
      flush_run_free (run);
      schedule (account);
      update_idle (self);
      return;
    }
  for (guint i = 0; i < run->entries->len; i++)
    g_array_append_val (run->earlier_attempts, ((OutboxEntry *) g_ptr_array_index (run->entries, i))->attempts);

  transport = ensure_transport (account, &error);
  if (transport == NULL)
    {
      /* No such account any more (removed, or its plug-in gone): the messages wait, said why. */
      for (guint i = 0; i < run->entries->len; i++)
        {
          OutboxResult result = { .entry = g_ptr_array_index (run->entries, i), .outcome = OUTBOX_OUTCOME_QUEUED,
                                  .error = error };

          outbox_entry_record_failure (self->outbox, result.entry, OUTBOX_STATE_QUEUED, error->message, NULL);
          deliver (self, &result, g_array_index (run->earlier_attempts, guint, i));
        }
      flush_run_free (run);
      schedule (account);
      update_idle (self);
      return;
    }
  account->busy = TRUE;
  account->running = run;
  g_message ("%s: sending %u message(s)", account->address, run->entries->len);
  outbox_flush_async (self->outbox, transport, run->entries, OUTBOX_FLUSH_NONE, NULL, on_flushed, run);
}

/* --- what the service asks ------------------------------------------------------------------- */

static gboolean
array_has_entry (GPtrArray *entries, const char *id)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    if (g_str_equal (((OutboxEntry *) g_ptr_array_index (entries, i))->id, id))
      return TRUE;
  return FALSE;
}

/* Whether entry @id is locked by this process: handed over for, or in, a flush. */
static gboolean
holds_entry (AgentQueue *self, const char *id)
{
  GHashTableIter iter;
  AgentAccount *account;

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &account))
    if (array_has_entry (account->handed, id) ||
        (account->running != NULL && array_has_entry (account->running->entries, id)))
      return TRUE;
  return FALSE;
}

static void
add_waiter (AgentQueue *self, const char *id, GTask *task)
{
  GPtrArray *waiting = g_hash_table_lookup (self->waiters, id);

  if (waiting == NULL)
    {
      waiting = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->waiters, g_strdup (id), waiting);
    }
  g_ptr_array_add (waiting, task);
}

void
agent_queue_send_async (AgentQueue *self,
                        const char *id,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  OutboxEntry *entry;

  g_task_set_source_tag (task, agent_queue_send_async);
  entry = outbox_claim_entry (self->outbox, id, &error);
  if (entry == NULL && holds_entry (self, id))
    {
      /* Taken by a flush of ours before its sender asked: that flush's outcome is the answer. */
      add_waiter (self, id, g_steal_pointer (&task));
      return;
    }
  if (entry == NULL && g_hash_table_contains (self->recent, id))
    {
      RecentOutcome *recent = g_hash_table_lookup (self->recent, id);

      /* Already sent (or filed) by a flush of ours that ended before its sender asked. */
      g_task_return_pointer (task, g_variant_ref (recent->result), (GDestroyNotify) g_variant_unref);
      return;
    }
  if (entry == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!outbox_state_is_sendable (entry->state, FALSE))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Message %s is %s: only a person sends it again (“o365-send --requeue %s”)"),
                               id, outbox_state_to_string (entry->state), id);
      outbox_entry_free (entry);
      return;
    }
  add_waiter (self, id, g_steal_pointer (&task));
  {
    AgentAccount *account = account_for (self, entry->account);

    g_ptr_array_add (account->handed, entry);
    kick (account, FALSE);
  }
  update_idle (self);
}

GVariant *
agent_queue_send_finish (AgentQueue *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == agent_queue_send_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Every account with something queued (in any state a flush may send), by address. */
static GPtrArray *
accounts_with_entries (AgentQueue *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = outbox_list (self->outbox, &error);
  GPtrArray *accounts = g_ptr_array_new ();

  if (listed == NULL)
    {
      g_warning ("%s", error->message);
      return accounts;
    }
  for (guint i = 0; i < listed->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (listed, i);
      AgentAccount *account;

      if (!outbox_state_is_sendable (entry->state, FALSE))
        continue;
      account = account_for (self, entry->account);
      if (!g_ptr_array_find (accounts, account, NULL))
        g_ptr_array_add (accounts, account);
    }
  return accounts;
}

void
agent_queue_flush (AgentQueue *self, const char *address)
{
  g_autoptr (GPtrArray) accounts = NULL;

  if (address != NULL)
    kick (account_for (self, address), TRUE);
  else
    {
      accounts = accounts_with_entries (self);
      for (guint i = 0; i < accounts->len; i++)
        kick (g_ptr_array_index (accounts, i), TRUE);
    }
  update_idle (self);
}

void
agent_queue_rescan (AgentQueue *self)
{
  g_autoptr (GPtrArray) accounts = accounts_with_entries (self);

  for (guint i = 0; i < accounts->len; i++)
    {
      AgentAccount *account = g_ptr_array_index (accounts, i);

      if (!account->busy)
        schedule (account);
    }
  update_idle (self);
}
