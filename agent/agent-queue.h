/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-queue.h — the agent's sending: per account one flush at a time over one transport
 * whose connection is kept for reuse, messages handed over while one runs going out with the
 * next, and temporary failures retried from a timer (outbox-retry.h). The outbox stays the
 * truth: what the queue knows beyond it (who waits for which message) is lost with the process
 * and nothing else is. */
#pragma once

#include "outbox-retry.h"
#include "mail-plugin-loader.h"
#include "outbox-flush.h"

G_BEGIN_DECLS

typedef struct _AgentQueue AgentQueue;

typedef struct
{
  /* An attempt of entry result->entry ended: @told says whether a caller waiting for it was
   * given the result; @earlier_attempts how many attempts had failed before this one. */
  void (*outcome) (const OutboxResult *result, gboolean told, guint earlier_attempts, gpointer user_data);
  void (*progress) (const char *id, guint64 sent, gint64 total, gpointer user_data);
  /* The queue became idle (nothing being sent, nothing to retry) or busy again. */
  void (*idle_changed) (gboolean idle, gpointer user_data);
} AgentQueueCallbacks;

AgentQueue *agent_queue_new (Outbox *outbox,
                             MailPluginLoader *loader,
                             const OutboxRetryPolicy *policy,
                             guint connection_idle_seconds,
                             gboolean debug,
                             const AgentQueueCallbacks *callbacks,
                             gpointer user_data);
void agent_queue_free (AgentQueue *self);

/* Sends entry @id of the outbox with the next flush of its account; finishes with its result
 * (a{sv}, outbox-result-variant.h) once that attempt ended. Fails only when there is no such
 * entry or it cannot be sent (another process holds it, it is held or failed). */
void agent_queue_send_async (AgentQueue *self,
                             const char *id,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
GVariant *agent_queue_send_finish (AgentQueue *self, GAsyncResult *result, GError **error);

/* Tries the queued messages of @account (NULL: of every account) now, those waiting for a
 * sign-in and those the server asked to wait included. */
void agent_queue_flush (AgentQueue *self, const char *account);

/* Looks at the outbox again: what is queued is scheduled (at start-up, after a Retry). */
void agent_queue_rescan (AgentQueue *self);

gboolean agent_queue_is_idle (AgentQueue *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgentQueue, agent_queue_free)

G_END_DECLS
