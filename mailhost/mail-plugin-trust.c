/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-plugin-trust.c — whether a module file may be opened at all. dlopen() runs a module's
 * constructors before the loader can look at its ABI, so the only check that comes first is
 * who can write the file: code that others can change is code others choose for this user. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail-plugin-private.h"

/* Whether anyone but this user and root can write @path (a module, or the directory that holds
 * it, where a file could be swapped for another). Sets @error naming @path and the reason. */
static gboolean
check_writers (const char *module, const char *path, GError **error)
{
  GStatBuf info;

  if (g_stat (path, &info) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_NOT_A_MODULE,
                   _("%s: cannot check %s: %s"), module, path, g_strerror (saved_errno));
      return FALSE;
    }
  if (info.st_uid != geteuid () && info.st_uid != 0)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS,
                   _("%s: refusing to load it: %s belongs to another user (uid %u), who could "
                     "change the code it runs"), module, path, (guint) info.st_uid);
      return FALSE;
    }
  /* A directory with the sticky bit (/tmp) still lets others add files; only its own are safe,
   * and the module itself is checked too, so group or world write is refused either way. */
  if (info.st_mode & S_IWOTH)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS,
                   _("%s: refusing to load it: everyone can write to %s; run “chmod go-w %s” "
                     "if you trust it"), module, path, path);
      return FALSE;
    }
  if (info.st_mode & S_IWGRP)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS,
                   _("%s: refusing to load it: its group can write to %s; run “chmod g-w %s” "
                     "if you trust it"), module, path, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
mail_plugin_check_trusted (const char *path, GError **error)
{
  g_autofree char *real = realpath (path, NULL);
  g_autofree char *directory = NULL;

  /* A missing file is the module opener's to explain. */
  if (real == NULL)
    return TRUE;
  directory = g_path_get_dirname (real);
  return check_writers (path, real, error) && check_writers (path, directory, error);
}
