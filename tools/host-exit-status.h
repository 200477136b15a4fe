/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-exit-status.h — the sysexits.h statuses of the reference programs, as sendmail-compatible
 * tools (msmtp) use them: callers such as mutt and git send-email act on them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The status for a transport failure: EX_TEMPFAIL for what a retry can fix, EX_NOPERM for
 * sign-in and sender refusals, EX_PROTOCOL for unknown outcomes only, EX_NOUSER
 * for refused recipients, EX_DATAERR for refused content, EX_UNAVAILABLE otherwise. */
int host_exit_status_for_error (const GError *error);

/* The status to exit with after two outcomes: a failure outranks a temporary failure, which
 * outranks success; between two failures the first one stays. */
int host_exit_status_combine (int status, int other);

G_END_DECLS
