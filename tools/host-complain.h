/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-complain.h — the one style of every error and warning the reference hosts print:
 * “PROGRAM: message” on stderr, one line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void host_complain (const char *program, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* The running program's name for host_complain() in code the programs share: the first word
 * of g_get_prgname() ("o365-account add" is o365-account). */
const char *host_program_name (void);

/* “PROGRAM: warning: message” on stderr. */
void host_warn (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
