/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-schema.h — whether the compiled settings schema is there, checked before anything touches
 * the settings: without it GLib aborts the program (“… is not installed”). */
#pragma once

#include <gio/gio.h>


G_BEGIN_DECLS

#include "mail-plugin-loader.h"

/* FALSE, with an error saying what to install or run, when the accounts' schema is missing. */
gboolean host_check_settings_schema (GError **error);
/* The plug-ins in *@loader, once the schema is known to be there. Returns -1, else the status
 * to exit with (EX_CONFIG, EX_UNAVAILABLE), the reason printed as “@program: …”. */
int host_load_plugins_checked (const char *program, MailPluginLoader **loader);

G_END_DECLS
