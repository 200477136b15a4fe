/* o365-account.h — one Office 365 account: its settings (bound to GSettings), validation and
 * saving. Implements MailAccount. Secrets are never properties of this object. */
#pragma once

#include "mail-account.h"
#include "o365-smtp-config.h"

G_BEGIN_DECLS

#define O365_ACCOUNT_SCHEMA "org.o365account.office365"
#define O365_ACCOUNT_TYPE_ID "office365"

#define O365_TYPE_ACCOUNT (o365_account_get_type ())
G_DECLARE_FINAL_TYPE (O365Account, o365_account, O365, ACCOUNT, GObject)

/* The account's settings at /org/o365account/accounts/@account_id/ (defaults if new). Changes
 * made through properties stay pending until o365_account_save(). */
O365Account *o365_account_new (const char *account_id);

const char *o365_account_get_id (O365Account *self);
/* The user name for sign-in: the "username" setting, or the address when that is empty. */
char *o365_account_dup_username (O365Account *self);

/* Checks every setting; the error names the first faulty one (O365_SETTINGS_ERROR). */
gboolean o365_account_validate (O365Account *self, GError **error);
/* Validates, writes the pending changes and lists the account in the registry. */
gboolean o365_account_save (O365Account *self, GError **error);
/* The session parameters for this account, credential excluded (the transport reads it from
 * the keyring). Fails when a setting is invalid. */
O365SmtpConfig *o365_account_build_smtp_config (O365Account *self, GError **error);

/* Drops pending changes. */
void o365_account_revert (O365Account *self);
gboolean o365_account_has_unsaved_changes (O365Account *self);

G_END_DECLS
