/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-secrets.h — what a program that holds passwords or tokens does first. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call first in main(): no core file of this process (systemd-coredump and apport keep them on
 * disk, passwords and tokens included), and no ptrace by other processes of the same user. */
void host_protect_secrets (void);

G_END_DECLS
