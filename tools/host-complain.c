/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-complain.c — “PROGRAM: message” on stderr, as sendmail-compatible tools write errors. */
#include "config.h"

#include "host-complain.h"

void
host_complain (const char *program, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", program, message);
}
