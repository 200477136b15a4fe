/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-secrets.c — keeps the secrets in this process's memory out of core files. */
#include "config.h"

#include <sys/prctl.h>

#include "host-secrets.h"

void
host_protect_secrets (void)
{
  /* Not dumpable: the kernel writes no core file and /proc/PID/mem, environ and the like are
   * readable by root only. A failure is not worth stopping for: it cannot fail for 0. */
  (void) prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
}
