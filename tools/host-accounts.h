/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* The account to send with: @address (--account), else the one whose address is @sender,
 * else the only one (either may be NULL). */
MailAccount *host_choose_account (MailPluginLoader *loader, const char *address, const char *sender, GError **error);

/* Waiting for an asynchronous call from a command-line main(): pass host_keep_result as the
 * callback and a GAsyncResult pointer (initially NULL) as its data, then host_wait_for_result()
 * iterates the default main context until the result is there; call the _finish function
 * with it and unref it. */
void host_keep_result (GObject *source, GAsyncResult *result, gpointer user_data);
void host_wait_for_result (GAsyncResult **result);

/* Makes pending GSettings writes durable before the process exits. */
void host_sync_settings (void);

G_END_DECLS
