/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-outbox.h — what o365-send and o365-account share about the outbox: sending entries and
 * waiting, telling a person what became of each message, flushing, and listing the queue. */
#pragma once

#include "mail-plugin-loader.h"
#include "outbox-flush.h"

G_BEGIN_DECLS

/* outbox_flush_async() for @account's entries, waited for in the default main context: one
 * OutboxResult per entry, for host_outbox_report(). With @debug the session transcript
 * (credentials redacted) goes to stderr. */
GPtrArray *host_outbox_send (Outbox *outbox,
                             MailTransport *transport,
                             GPtrArray *entries,
                             OutboxFlushFlags flags,
                             gboolean debug);

/* Tells what became of one message (a delivery only when @verbose) and returns its sysexits.h
 * status: 0 sent, EX_TEMPFAIL queued (or the failure's status when the transport refused the
 * session for good, so that a script sees the account needs a person), EX_PROTOCOL held, the
 * failure's status when refused. */
int host_outbox_report (Outbox *outbox, OutboxResult *result, gboolean verbose);

/* Sends what is queued for @address (NULL: for every account that has something queued), each
 * account's messages over one connection; held messages too with @include_unknown. Returns the
 * worst sysexits.h status. */
int host_outbox_flush (Outbox *outbox,
                       MailPluginLoader *loader,
                       const char *address,
                       gboolean include_unknown,
                       gboolean debug);

/* Prints every entry, failed/ too: id, account, state, attempts, recipients, last error. */
int host_outbox_print_queue (Outbox *outbox);

/* Requeues (@requeue) or discards entry @id, saying so; returns the sysexits.h status. */
int host_outbox_decide (Outbox *outbox, const char *id, gboolean requeue);

G_END_DECLS
