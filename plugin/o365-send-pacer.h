/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-send-pacer.h — keeps each account under Office 365's rate limit (30 messages a minute
 * per mailbox, docs/office365.md): a sliding window of send times; a send that would exceed it waits.
 * The window is shared by every process of the user: a ledger file per account in
 * $XDG_RUNTIME_DIR/o365-account, read and written under its file lock. The limit can be changed
 * with O365_ACCOUNT_SEND_RATE=N/SECONDS (tests, other providers). Main-context only. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define O365_SEND_PACER_DEFAULT_MESSAGES 30
#define O365_SEND_PACER_DEFAULT_WINDOW_MS (60 * 1000)

/* Changes the limit for every account (tests and other providers), over the environment's;
 * 0 messages: no limit. */
void o365_send_pacer_set_limit (guint max_messages, guint window_ms);

/* Completes when one more message may be sent for @key now, and counts it as sent. */
void o365_send_pacer_wait_async (const char *key,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean o365_send_pacer_wait_finish (GAsyncResult *result, GError **error);

/* The message the latest wait for @key counted is through (its final reply came, or it ended
 * before): it now counts from this moment, so that the window holds between the messages'
 * arrivals, which is what the server counts, and not only between their starts. Never fails. */
void o365_send_pacer_sent_async (const char *key, GAsyncReadyCallback callback, gpointer user_data);
void o365_send_pacer_sent_finish (GAsyncResult *result);

G_END_DECLS
