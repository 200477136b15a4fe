/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-complain.h — the one style of every error and warning the reference hosts print:
 * “PROGRAM: message” on stderr, one line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void host_complain (const char *program, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
