/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-plugin-loader.h — finds plug-in modules, loads each once, and answers "which account
 * types are there?". Hosts use this; plug-ins never see it. */
#pragma once

#include <gio/gio.h>

#include "mail-account-type.h"
#include "mail-plugin.h"

G_BEGIN_DECLS

/**
 * MAIL_PLUGIN_PATH_ENV:
 *
 * The environment variable with colon-separated directories searched instead of the
 * installed plug-in directory (`pkg-config --variable=plugindir o365-mailhost-1`).
 */
#define MAIL_PLUGIN_PATH_ENV "O365_ACCOUNT_PLUGIN_PATH"

#define MAIL_TYPE_PLUGIN_LOADER (mail_plugin_loader_get_type ())
G_DECLARE_FINAL_TYPE (MailPluginLoader, mail_plugin_loader, MAIL, PLUGIN_LOADER, GObject)

MailPluginLoader *mail_plugin_loader_new (void);

GStrv mail_plugin_loader_dup_search_path (MailPluginLoader *self);

MailPlugin *mail_plugin_loader_load_file (MailPluginLoader *self,
                                          const char *path,
                                          GError **error);

gboolean mail_plugin_loader_load_all (MailPluginLoader *self,
                                      GPtrArray *failures,
                                      GError **error);

GPtrArray *mail_plugin_loader_get_plugins (MailPluginLoader *self);
MailPlugin *mail_plugin_loader_find_plugin (MailPluginLoader *self, const char *id);

GPtrArray *mail_plugin_loader_list_account_types (MailPluginLoader *self);
MailAccountType *mail_plugin_loader_find_account_type (MailPluginLoader *self, const char *id);

G_END_DECLS
