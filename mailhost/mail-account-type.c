/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-account-type.c — the account type interface's wrappers and argument checks. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account-type.h"

/**
 * MailAccountType:
 *
 * A kind of account a plug-in provides, e.g. `office365`.
 *
 * Hosts get the account types from [method@O365Mailhost.PluginLoader.list_account_types] and
 * code against this interface only, never against a plug-in's own types. An account type
 * makes account objects ([method@O365Mailhost.AccountType.create_account]) and, for GTK
 * hosts, a settings widget.
 */
G_DEFINE_INTERFACE (MailAccountType, mail_account_type, G_TYPE_OBJECT)

static void
mail_account_type_default_init (MailAccountTypeInterface *iface)
{
}

/**
 * mail_account_type_get_id:
 * @self: an account type
 *
 * The account type's stable id, stored with each account (see
 * [func@O365Mailhost.Account.registry_add]).
 *
 * Returns: (transfer none): the id, e.g. `office365`
 */
const char *
mail_account_type_get_id (MailAccountType *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->get_id (self);
}

/**
 * mail_account_type_get_display_name:
 * @self: an account type
 *
 * The account type's name for people.
 *
 * Returns: (transfer none): the account type's name for people, translated
 */
const char *
mail_account_type_get_display_name (MailAccountType *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->get_display_name (self);
}

/**
 * mail_account_type_get_endpoints:
 * @self: an account type
 * @n_endpoints: (out): where to put the number of endpoints
 *
 * The servers the provider offers (worldwide, sovereign clouds…); the first is the default.
 *
 * Returns: (array length=n_endpoints) (transfer none): the endpoints, at least one
 */
const MailEndpoint *const *
mail_account_type_get_endpoints (MailAccountType *self, guint *n_endpoints)
{
  const MailEndpoint *const *endpoints;
  guint n = 0;

  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (n_endpoints != NULL, NULL);

  endpoints = MAIL_ACCOUNT_TYPE_GET_IFACE (self)->get_endpoints (self, &n);
  g_return_val_if_fail (endpoints != NULL && n > 0, NULL);
  *n_endpoints = n;
  return endpoints;
}

/**
 * mail_account_type_get_default_endpoint:
 * @self: an account type
 *
 * The account type's default endpoint.
 *
 * Returns: (transfer none): the first of the account type's endpoints
 */
const MailEndpoint *
mail_account_type_get_default_endpoint (MailAccountType *self)
{
  guint n = 0;
  const MailEndpoint *const *endpoints = mail_account_type_get_endpoints (self, &n);

  return endpoints != NULL ? endpoints[0] : NULL;
}

/**
 * mail_account_type_find_endpoint:
 * @self: an account type
 * @id: an endpoint's id, e.g. `worldwide`
 *
 * Finds one of the account type's endpoints by its id.
 *
 * Returns: (transfer none) (nullable): the endpoint with that id, or %NULL
 */
const MailEndpoint *
mail_account_type_find_endpoint (MailAccountType *self, const char *id)
{
  guint n = 0;
  const MailEndpoint *const *endpoints = mail_account_type_get_endpoints (self, &n);

  g_return_val_if_fail (id != NULL, NULL);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (endpoints[i]->id, id))
      return endpoints[i];
  return NULL;
}

/**
 * mail_account_type_dup_default_username:
 * @self: an account type
 * @address: an e-mail address
 *
 * The user name an account with this address signs in with unless it says otherwise.
 *
 * Returns: (transfer full): the user name
 */
char *
mail_account_type_dup_default_username (MailAccountType *self, const char *address)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->dup_default_username (self, address);
}

/**
 * mail_account_type_suggest_endpoint:
 * @self: an account type
 * @address: an e-mail address
 * @mail_exchangers: (nullable) (array zero-terminated=1): the host names of the MX records of
 *   the address's domain, or %NULL to ask from the address alone
 *
 * The endpoint an account for @address belongs to, for a host that fills in a new account:
 * e.g. Outlook.com for `someone@outlook.com`, or US GCC High for a domain whose mail goes to
 * `*.mail.protection.outlook.us`. Without @mail_exchangers only what the address itself tells
 * is used; when that gives %NULL, the host may look the domain's MX records up (asynchronously)
 * and ask again with them.
 *
 * Returns: (transfer none) (nullable): the endpoint, or %NULL when the type cannot tell (when
 *   the MX host names were given: the domain does not look like one of the type's services)
 */
const MailEndpoint *
mail_account_type_suggest_endpoint (MailAccountType *self, const char *address,
                                    const char *const *mail_exchangers)
{
  MailAccountTypeInterface *iface;

  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  iface = MAIL_ACCOUNT_TYPE_GET_IFACE (self);
  /* Plug-ins built for ABI 1.1 leave it NULL. */
  return iface->suggest_endpoint != NULL ? iface->suggest_endpoint (self, address, mail_exchangers) : NULL;
}

/**
 * mail_account_type_create_account:
 * @self: an account type
 * @account_id: the account's id: a listed one (see [func@O365Mailhost.Account.registry_list])
 *   to open an existing account, or a new one from [func@O365Mailhost.Account.registry_new_id]
 * @error: return location for a #GError
 *
 * An account object for @account_id, with the settings stored under that id (defaults for a
 * new one). A new account is listed once it is saved ([method@O365Mailhost.Account.save]).
 *
 * Returns: (transfer full): the account, or %NULL with @error set
 */
MailAccount *
mail_account_type_create_account (MailAccountType *self, const char *account_id, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->create_account (self, account_id, error);
}

/**
 * mail_account_type_has_settings_widget:
 * @self: an account type
 *
 * Whether the account type offers a settings widget.
 *
 * Returns: whether the account type offers a settings widget
 */
gboolean
mail_account_type_has_settings_widget (MailAccountType *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), FALSE);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->create_settings_widget != NULL;
}

/**
 * mail_account_type_create_settings_widget:
 * @self: an account type
 * @account: (nullable): the account to edit, or %NULL for a new account
 * @error: return location for a #GError
 *
 * A `GtkWidget` (GTK 4) editing @account, for a GTK host to put in a window of its own.
 *
 * The widget emits `done` (no arguments) once the person has saved, cancelled or removed the
 * account, and the host then closes it; destroying it earlier discards unsaved changes. Only a
 * host that has initialised GTK calls this: hosts without a display never do, so a plug-in can
 * keep GTK out of its core.
 *
 * Returns: (transfer full): the widget (not floating), or %NULL with @error set
 *   (`G_IO_ERROR_NOT_SUPPORTED` when the account type has none)
 */
GObject *
mail_account_type_create_settings_widget (MailAccountType *self,
                                          MailAccount *account,
                                          GError **error)
{
  MailAccountTypeInterface *iface;

  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (account == NULL || MAIL_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = MAIL_ACCOUNT_TYPE_GET_IFACE (self);
  if (iface->create_settings_widget == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The account type “%s” has no settings dialog"),
                   mail_account_type_get_id (self));
      return NULL;
    }
  return iface->create_settings_widget (self, account, error);
}

/**
 * mail_security_to_string:
 * @security: a security mode
 *
 * Names a security mode.
 *
 * Returns: (transfer none): the mode as people know it, e.g. `STARTTLS`
 */
const char *
mail_security_to_string (MailSecurity security)
{
  switch (security)
    {
    case MAIL_SECURITY_STARTTLS:
      return "STARTTLS";
    }
  g_return_val_if_reached ("unknown");
}
