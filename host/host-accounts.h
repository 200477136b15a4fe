/* host-accounts.h — what the reference programs share: the plug-ins loaded, the configured
 * accounts found by address, and waiting for an asynchronous call from a command-line main(). */
#pragma once

#include "mail-account-type.h"
#include "mail-plugin-loader.h"

G_BEGIN_DECLS

/* Loads every plug-in (failures of single modules are printed as warnings). */
MailPluginLoader *host_load_plugins (GError **error);

/* Every configured account whose type a loaded plug-in provides, in the order added. */
GPtrArray *host_list_accounts (MailPluginLoader *loader);

/* The account with @address (case-insensitive). When @address is NULL: the only account, or an
 * error asking to choose. */
MailAccount *host_find_account (MailPluginLoader *loader, const char *address, GError **error);

/* Iterates the default main context until *@done. */
void host_wait (gboolean *done);

/* Makes pending GSettings writes durable before the process exits. */
void host_sync_settings (void);

G_END_DECLS
