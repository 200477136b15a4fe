/* mail-account-registry.h — which accounts exist: (account type, account id) pairs kept in
 * GSettings (org.o365account "accounts"). Each account's own settings belong to its plug-in. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MAIL_ACCOUNT_REGISTRY_SCHEMA "org.o365account"
#define MAIL_ACCOUNT_SETTINGS_PATH_PREFIX "/org/o365account/accounts/"

/* A fresh id usable as a settings path element. */
char *mail_account_registry_new_id (void);
/* "/org/o365account/accounts/ID/" */
char *mail_account_registry_dup_settings_path (const char *account_id);

/* Adds the pair unless the id is already listed; returns TRUE if it was added. */
gboolean mail_account_registry_add (const char *type_id, const char *account_id);
/* Returns TRUE if the id was listed. */
gboolean mail_account_registry_remove (const char *account_id);
/* The ids of accounts of @type_id (all accounts when NULL), in the order they were added. */
GStrv mail_account_registry_list (const char *type_id);
/* Returns: (nullable) the type of the account @account_id. */
char *mail_account_registry_dup_type (const char *account_id);

G_END_DECLS
