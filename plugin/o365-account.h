/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account.h — one Office 365 account: its settings (bound to GSettings), validation and
 * saving. Implements MailAccount. Secrets are never properties of this object. */
#pragma once

#include "mail-account.h"
#include "o365-oauth2-client.h"
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

/* Checks one setting as it is now, pending changes included, for a message beside its field in
 * a dialog. Stricter than o365_account_validate() where only this machine can tell (the extra CA
 * file must exist), and "auth-method" fails for oauth2 as long as the dialog cannot run the
 * sign-in (mail_account_sign_in_async) itself. */
gboolean o365_account_validate_property (O365Account *self, const char *property, GError **error);
/* A transport for the settings as they are now, pending changes included. @secret: a password
 * typed but not stored yet, or NULL to read the account's secret from the keyring. OAuth2
 * accounts always use their tokens (o365-oauth2-tokens.h) and ignore @secret. */
MailTransport *o365_account_create_transport_with_secret (O365Account *self,
                                                          const char *secret,
                                                          GError **error);

/* The identity platform client for “Sign in with Microsoft” with the settings as they are now:
 * the endpoint preset's authority and scope (or the oauth2-authority override), the tenant, and
 * the oauth2-client-id override or the built-in client id. Fails with O365_OAUTH2_ERROR
 * (NO_CLIENT_ID when there is neither). */
O365OAuth2Client *o365_account_create_oauth2_client (O365Account *self, GError **error);

/* Drops pending changes. */
void o365_account_revert (O365Account *self);
gboolean o365_account_has_unsaved_changes (O365Account *self);

G_END_DECLS
