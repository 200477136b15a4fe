/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* send-progress.h — how far a send has got, on a terminal: percent and rate on stderr, for a
 * person waiting on a large message; nothing when stderr is not a terminal (mutt, git). */
#pragma once

#include "mail-transport.h"

G_BEGIN_DECLS

typedef struct _SendProgress SendProgress;

/* Returns: (nullable) NULL when stderr is not a terminal: nothing is shown then. */
SendProgress *send_progress_show (MailTransport *transport, const char *program);
/* The message was sent: shows 100 %. NULL is fine. */
void send_progress_done (SendProgress *progress);
/* Ends the line; disconnects; NULL is fine. */
void send_progress_free (SendProgress *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendProgress, send_progress_free)

G_END_DECLS
