/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-schema.c — the settings schema checked for, so that a missing one is a message and
 * EX_CONFIG instead of a GLib abort (SIGTRAP). */
#include "config.h"

#include <glib/gi18n.h>

#include <sysexits.h>

#include "host-accounts.h"
#include "host-complain.h"
#include "host-schema.h"
#include "mail-account-registry.h"

gboolean
host_check_settings_schema (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, MAIL_ACCOUNT_REGISTRY_SCHEMA, TRUE);
  if (schema != NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("the settings schema %s is not installed: install the o365-account package, or "
                 "run “glib-compile-schemas DIR” in the directory holding org.o365account.gschema.xml "
                 "(with $GSETTINGS_SCHEMA_DIR=DIR if it is not a system one)"),
               MAIL_ACCOUNT_REGISTRY_SCHEMA);
  return FALSE;
}

int
host_load_plugins_checked (const char *program, MailPluginLoader **loader)
{
  g_autoptr (GError) error = NULL;

  if (!host_check_settings_schema (&error))
    {
      host_complain (program, "%s", error->message);
      return EX_CONFIG;
    }
  *loader = host_load_plugins (&error);
  if (*loader == NULL)
    {
      host_complain (program, "%s", error->message);
      return EX_UNAVAILABLE;
    }
  return -1;
}
