/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-version.h — what the reference programs say for --version: their own version, the
 * plug-in ABI the host library speaks, and the versions of the libraries in use at run time
 * (GLib, GMime, the TLS backend from glib-networking, the GnuTLS it runs on). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Prints it on standard output, "@program VERSION" first. Needs no account, keyring, session
 * bus or settings schema; what cannot be found out is printed as "unknown". */
void host_version_print (const char *program);

/* Adds --version to @context's main options: *@requested is set when it is given. */
void host_version_add_option (GOptionContext *context, gboolean *requested);

G_END_DECLS
