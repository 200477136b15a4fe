/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-file-lock.h — a lock per key across processes: flock() on a small file in
 * $XDG_RUNTIME_DIR/o365-account (private, gone at logout), taken by polling without blocking.
 * The connection gate, the pacer's shared ledger and the OAuth2 refresh use it, each with its
 * own @purpose (the file's suffix), so that holding one never waits for another. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Completes once this process holds the lock for @key and @purpose. */
void o365_file_lock_acquire_async (const char *key,
                                   const char *purpose,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
/* Returns: the locked file's descriptor, to pass to o365_file_lock_release(); -1 (and no
 * error) when no lock file can be had here (no runtime directory): in-process order then has
 * to do. Errors: G_IO_ERROR_CANCELLED. */
int o365_file_lock_acquire_finish (GAsyncResult *result, GError **error);
/* Unlocks (closing @fd); -1 is ignored. */
void o365_file_lock_release (int fd);

G_END_DECLS
