/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-connection-gate.h — at most one connection per account at a time, across processes.
 *
 * Office 365 allows 3 concurrent connections per mailbox and answers a fourth with
 * "432 4.3.2 … sender thread limit exceeded"; one is enough when every connection carries
 * all queued messages. Sends for the same account wait here in arrival order; other processes
 * (a second o365-send) wait for a file lock in $XDG_RUNTIME_DIR/o365-account, polled without
 * blocking. Main-context only (the same one for every user of a key).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void o365_connection_gate_acquire_async (const char *key,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean o365_connection_gate_acquire_finish (GAsyncResult *result, GError **error);
/* Lets the next waiter for @key in. Call once per successful acquire. */
void o365_connection_gate_release (const char *key);

G_END_DECLS
