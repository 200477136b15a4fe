/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-account-type.h — the account type interface a plug-in implements (e.g. "office365").
 * Hosts code against this interface only, never against a plug-in's own types. */
#pragma once

#include <gio/gio.h>

#include "mail-account.h"

G_BEGIN_DECLS

/**
 * MailSecurity:
 * @MAIL_SECURITY_STARTTLS: plain connect, then mandatory STARTTLS before anything else
 *
 * How a connection to an endpoint is secured.
 */
typedef enum
{
  MAIL_SECURITY_STARTTLS,
} MailSecurity;

/**
 * MailEndpoint:
 * @id: stable, stored in settings: `worldwide`
 * @name: for people, translated
 * @host: the server's host name
 * @port: the server's port
 * @security: how the connection is secured
 *
 * A server a provider offers (e.g. worldwide, or a sovereign cloud): static data of the
 * plug-in, valid as long as the plug-in is loaded.
 */
typedef struct
{
  const char *id;
  const char *name;
  const char *host;
  guint16 port;
  MailSecurity security;
} MailEndpoint;

#define MAIL_TYPE_ACCOUNT_TYPE (mail_account_type_get_type ())
G_DECLARE_INTERFACE (MailAccountType, mail_account_type, MAIL, ACCOUNT_TYPE, GObject)

/**
 * MailAccountTypeInterface:
 * @g_iface: the parent interface
 * @get_id: the stable id, e.g. `office365`
 * @get_display_name: the name for people, translated
 * @get_endpoints: the servers the provider offers, the default first
 * @dup_default_username: the user name an address signs in with
 * @create_account: an account object for an id, with the settings stored under it
 * @create_settings_widget: optional: a `GtkWidget` editing an account (or a new one); see
 *   [method@O365Mailhost.AccountType.create_settings_widget]
 * @suggest_endpoint: optional (ABI 1.2): the endpoint an address belongs to; see
 *   [method@O365Mailhost.AccountType.suggest_endpoint]
 *
 * What a plug-in's account type implements.
 */
struct _MailAccountTypeInterface
{
  GTypeInterface g_iface;

  const char *(*get_id) (MailAccountType *self);
  const char *(*get_display_name) (MailAccountType *self);
  const MailEndpoint *const *(*get_endpoints) (MailAccountType *self, guint *n_endpoints);
  char *(*dup_default_username) (MailAccountType *self, const char *address);
  MailAccount *(*create_account) (MailAccountType *self, const char *account_id, GError **error);
  GObject *(*create_settings_widget) (MailAccountType *self, MailAccount *account, GError **error);
  const MailEndpoint *(*suggest_endpoint) (MailAccountType *self,
                                           const char *address,
                                           const char *const *mail_exchangers);
};

const char *mail_account_type_get_id (MailAccountType *self);
const char *mail_account_type_get_display_name (MailAccountType *self);
const MailEndpoint *const *mail_account_type_get_endpoints (MailAccountType *self,
                                                            guint *n_endpoints);
const MailEndpoint *mail_account_type_get_default_endpoint (MailAccountType *self);
const MailEndpoint *mail_account_type_find_endpoint (MailAccountType *self, const char *id);
char *mail_account_type_dup_default_username (MailAccountType *self, const char *address);
const MailEndpoint *mail_account_type_suggest_endpoint (MailAccountType *self,
                                                        const char *address,
                                                        const char *const *mail_exchangers);
MailAccount *mail_account_type_create_account (MailAccountType *self,
                                               const char *account_id,
                                               GError **error);
gboolean mail_account_type_has_settings_widget (MailAccountType *self);
GObject *mail_account_type_create_settings_widget (MailAccountType *self,
                                                   MailAccount *account,
                                                   GError **error);

const char *mail_security_to_string (MailSecurity security);

G_END_DECLS
