/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-account-registry.h — which accounts exist: (account type, account id) pairs kept in
 * GSettings (org.o365account "accounts"). Each account's own settings belong to its plug-in. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MAIL_ACCOUNT_REGISTRY_SCHEMA:
 *
 * The GSettings schema whose `accounts` key lists every account as (type id, account id).
 */
#define MAIL_ACCOUNT_REGISTRY_SCHEMA "org.o365account"

/**
 * MAIL_ACCOUNT_SETTINGS_PATH_PREFIX:
 *
 * Where each account's own (relocatable) settings live: this prefix, the account id and `/`.
 */
#define MAIL_ACCOUNT_SETTINGS_PATH_PREFIX "/org/o365account/accounts/"

char *mail_account_registry_new_id (void);
char *mail_account_registry_dup_settings_path (const char *account_id);

gboolean mail_account_registry_add (const char *type_id, const char *account_id);
gboolean mail_account_registry_remove (const char *account_id);
GStrv mail_account_registry_list (const char *type_id);
char *mail_account_registry_dup_type (const char *account_id);

G_END_DECLS
