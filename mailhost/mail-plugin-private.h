/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-plugin-private.h — for the loader only: not installed, and its functions are not exported
 * (G_GNUC_INTERNAL), though their names start with mail_. */
#pragma once

#include "mail-plugin.h"

G_BEGIN_DECLS

/* Opens the module at @path with local, immediate binding, checks its ABI data symbol and
 * entry points, then queries its metadata. Runs no load code: the plug-in is inactive. */
G_GNUC_INTERNAL MailPlugin *mail_plugin_open (const char *path, GError **error);

/* Refuses (MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS) a module that the file or its directory (after
 * symbolic links) lets anyone but this user and root change. Runs before the module is opened,
 * since opening it runs its constructors. */
G_GNUC_INTERNAL gboolean mail_plugin_check_trusted (const char *path, GError **error);

/* Closes a plug-in that was opened but never activated (nothing of it can be in use). */
G_GNUC_INTERNAL void mail_plugin_discard (MailPlugin *plugin);

G_END_DECLS
