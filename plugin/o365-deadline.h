/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-deadline.h — a timeout for one asynchronous operation, as a GCancellable.
 *
 * The operation is given the deadline's cancellable, which is cancelled when the time is up or
 * when the caller's own cancellable is. Afterwards o365_deadline_expired() tells a timeout from
 * a cancellation, so the error can say which.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _O365Deadline O365Deadline;

/* Starts counting on the thread-default main context. @timeout_ms == 0 means no timeout. */
O365Deadline *o365_deadline_new (guint timeout_ms, GCancellable *caller_cancellable);
GCancellable *o365_deadline_get_cancellable (O365Deadline *deadline);
gboolean o365_deadline_expired (O365Deadline *deadline);
void o365_deadline_free (O365Deadline *deadline);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365Deadline, o365_deadline_free)

G_END_DECLS
