/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-complain.c — “PROGRAM: message” on stderr, as sendmail-compatible tools write errors. */
#include "config.h"

#include "host-complain.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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

const char *
host_program_name (void)
{
  static char *name;
  const char *prgname = g_get_prgname ();

  if (prgname == NULL)
    return "o365-account";
  if (name == NULL || strncmp (prgname, name, strlen (name)) != 0)
    {
      g_free (name);
      name = g_strndup (prgname, strcspn (prgname, " "));
    }
  return name;
}

void
host_warn (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: the program's name, then a warning */
  g_printerr (_("%s: warning: %s\n"), host_program_name (), message);
}
