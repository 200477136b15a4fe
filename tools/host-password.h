/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-password.h — reading a password for the command-line programs: from the terminal
 * without echo, or one line from standard input for scripts. Never from argv or the
 * environment. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns: the password (free with host_password_free(), which wipes it), or NULL with an
 * error (empty input, no terminal). */
char *host_read_password (const char *prompt, gboolean from_stdin, GError **error);
void host_password_free (char *password);

G_END_DECLS
