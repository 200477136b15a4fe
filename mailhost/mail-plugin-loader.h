/* mail-plugin-loader.h — finds plug-in modules, loads each once, and answers "which account
 * types are there?". Hosts use this; plug-ins never see it. */
#pragma once

#include <gio/gio.h>

#include "mail-account-type.h"
#include "mail-plugin.h"

G_BEGIN_DECLS

/* Colon-separated directories searched instead of the installed plug-in directory. */
#define MAIL_PLUGIN_PATH_ENV "O365_ACCOUNT_PLUGIN_PATH"

#define MAIL_TYPE_PLUGIN_LOADER (mail_plugin_loader_get_type ())
G_DECLARE_FINAL_TYPE (MailPluginLoader, mail_plugin_loader, MAIL, PLUGIN_LOADER, GObject)

MailPluginLoader *mail_plugin_loader_new (void);

/* The directories searched by mail_plugin_loader_load_all(): $O365_ACCOUNT_PLUGIN_PATH if
 * set, else the installed plug-in directory. */
GStrv mail_plugin_loader_dup_search_path (MailPluginLoader *self);

/* Opens, checks and activates one module. Returns: (transfer none) the plug-in. */
MailPlugin *mail_plugin_loader_load_file (MailPluginLoader *self,
                                          const char *path,
                                          GError **error);

/* Loads every module ("*.so") in the search path. Modules that fail are skipped and their
 * errors appended to @failures (may be NULL); returns FALSE if none could be loaded. */
gboolean mail_plugin_loader_load_all (MailPluginLoader *self,
                                      GPtrArray *failures,
                                      GError **error);

/* Returns: (transfer none) every plug-in loaded so far, active or not. */
GPtrArray *mail_plugin_loader_get_plugins (MailPluginLoader *self);
MailPlugin *mail_plugin_loader_find_plugin (MailPluginLoader *self, const char *id);

/* Returns: (transfer full) the account types of every active plug-in. */
GPtrArray *mail_plugin_loader_list_account_types (MailPluginLoader *self);
/* Returns: (transfer none) (nullable) */
MailAccountType *mail_plugin_loader_find_account_type (MailPluginLoader *self, const char *id);

G_END_DECLS
