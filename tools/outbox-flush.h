/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-flush.h — sends outbox entries over one transport session and files each outcome back
 * into the outbox: delivered → removed; temporary failure → stays queued with the reason;
 * refused for good → moved to failed/; status unknown → held, never resent silently. The one
 * implementation behind `o365-send`, `o365-send --flush` and `o365-account flush`. */
#pragma once

#include "mail-transport.h"
#include "outbox.h"

G_BEGIN_DECLS

typedef enum
{
  OUTBOX_OUTCOME_SENT,
  OUTBOX_OUTCOME_QUEUED,       /* temporary failure or not attempted: sent again by a flush */
  OUTBOX_OUTCOME_FAILED,       /* refused for good: moved to failed/ */
  OUTBOX_OUTCOME_HELD_UNKNOWN, /* may have been delivered: held until a person decides */
} OutboxOutcome;

/* Office 365 takes at most this many recipients per message (452 4.5.3 past it): a message
 * for more goes as several transactions over the same connection. */
#define OUTBOX_RECIPIENTS_PER_TRANSACTION 1000

/* One recipient the server refused while the message went to others. */
typedef struct
{
  char *recipient;
  GError *error; /* the server's reply with the transport's explanation */
} OutboxRefusal;

typedef struct
{
  OutboxEntry *entry;     /* borrowed from the array given to outbox_flush_async() */
  OutboxOutcome outcome;
  GError *error;          /* why it was not sent (NULL when sent) */
  MailReply *final_reply; /* the server's reply to the message, when there was one */
  char *failed_path;      /* FAILED: where the message is kept now */
  GError *store_error;    /* the outbox could not record the outcome (e.g. disk full) */
  /* When the message went to some recipients (SENT, or QUEUED/HELD_UNKNOWN for the rest): */
  GPtrArray *refused;     /* OutboxRefusal: refused for good, never retried */
  GPtrArray *deferred;    /* OutboxRefusal: refused for a while; the entry keeps only these */
} OutboxResult;

void outbox_result_free (OutboxResult *result);
/* Adds a refusal of @recipient for @error (copied) to *@list, creating it. */
void outbox_result_add_refusal (GPtrArray **list, const char *recipient, const GError *error);

typedef enum
{
  OUTBOX_FLUSH_NONE = 0,
  /* The messages were queued just now by a caller that waits for their outcome (o365-send):
   * when the session is refused for good (sign-in refused, say) they fail too, because that
   * caller is told so and keeps its copy, and a later flush must not send them as well. Without
   * it they stay queued, to be sent once the account is fixed. */
  OUTBOX_FLUSH_NEW_MESSAGES = 1 << 0,
} OutboxFlushFlags;

/* Sends @entries (claimed by this process, all for the account of @transport) with a single
 * mail_transport_submit_async() call, that is over one connection. @outbox and @entries must
 * outlive the call. */
void outbox_flush_async (Outbox *outbox,
                         MailTransport *transport,
                         GPtrArray *entries,
                         OutboxFlushFlags flags,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
/* Returns: (transfer container) one OutboxResult per entry, in order. A flush never fails as a
 * whole: when the session failed before any message was started, each result carries that
 * failure (queued or held with it as the reason of a failed attempt, or failed with
 * %OUTBOX_FLUSH_NEW_MESSAGES), so that hosts report every outcome the same way. */
GPtrArray *outbox_flush_finish (MailTransport *transport, GAsyncResult *result);

/* The id of the entry a message of a flush is (part of), for a MailTransport::progress
 * handler; NULL for a message that is not. */
const char *outbox_flush_message_entry_id (MailOutgoing *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OutboxResult, outbox_result_free)

G_END_DECLS
