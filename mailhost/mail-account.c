/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-account.c — the account interface: its properties and wrappers. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account.h"
#include "mail-sign-in.h"
#include "mail-transport.h"

/**
 * MailAccount:
 *
 * One configured account, as hosts see it.
 *
 * A plug-in's account object implements this interface; its settings and secrets are the
 * plug-in's business. Every implementation has the properties [property@O365Mailhost.Account:id],
 * [property@O365Mailhost.Account:address] and [property@O365Mailhost.Account:display-name].
 * Conventional ones a host may set when present: `server` (string), `port` (uint),
 * `auth-method` (string), `ca-file` (string).
 *
 * Accounts come from [method@O365Mailhost.AccountType.create_account]; they send mail through
 * the [iface@O365Mailhost.Transport] that [method@O365Mailhost.Account.create_transport] makes.
 */
G_DEFINE_INTERFACE (MailAccount, mail_account, G_TYPE_OBJECT)

static void
mail_account_default_init (MailAccountInterface *iface)
{
  /**
   * MailAccount:id:
   *
   * The account's id, as listed by [func@O365Mailhost.Account.registry_list].
   */
  g_object_interface_install_property (iface,
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  /**
   * MailAccount:address:
   *
   * The account's e-mail address.
   */
  g_object_interface_install_property (iface,
    g_param_spec_string ("address", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * MailAccount:display-name:
   *
   * The name shown with the address, e.g. in `From:`.
   */
  g_object_interface_install_property (iface,
    g_param_spec_string ("display-name", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static char *
dup_string_property (MailAccount *self, const char *name)
{
  char *value = NULL;

  g_object_get (self, name, &value, NULL);
  return value;
}

/**
 * mail_account_dup_id:
 * @self: an account
 *
 * The account's id.
 *
 * Returns: (transfer full): the account's id
 */
char *
mail_account_dup_id (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  return dup_string_property (self, "id");
}

/**
 * mail_account_dup_address:
 * @self: an account
 *
 * The account's e-mail address.
 *
 * Returns: (transfer full): the account's e-mail address
 */
char *
mail_account_dup_address (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  return dup_string_property (self, "address");
}

/**
 * mail_account_dup_display_name:
 * @self: an account
 *
 * The name shown with the account's address.
 *
 * Returns: (transfer full): the account's display name
 */
char *
mail_account_dup_display_name (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  return dup_string_property (self, "display-name");
}

/**
 * mail_account_create_transport:
 * @self: an account
 * @error: return location for a #GError
 *
 * A transport that submits mail for this account with its settings as they are now. It is
 * not connected yet: [method@O365Mailhost.Transport.submit_async] connects.
 *
 * Returns: (transfer full): the transport, or %NULL with @error set
 */
MailTransport *
mail_account_create_transport (MailAccount *self, GError **error)
{
  MailAccountInterface *iface;

  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = MAIL_ACCOUNT_GET_IFACE (self);
  if (iface->create_transport == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This kind of account cannot send mail"));
      return NULL;
    }
  return iface->create_transport (self, error);
}

/**
 * mail_account_validate:
 * @self: an account
 * @error: return location for a #GError
 *
 * Checks every setting; the error names the first faulty one.
 *
 * Returns: whether all settings are valid
 */
gboolean
mail_account_validate (MailAccount *self, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->validate (self, error);
}

/**
 * mail_account_save:
 * @self: an account
 * @error: return location for a #GError
 *
 * Validates the account, then writes its pending property changes and lists it (see
 * [func@O365Mailhost.Account.registry_add]).
 *
 * Returns: whether the account was saved
 */
gboolean
mail_account_save (MailAccount *self, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->save (self, error);
}

/**
 * mail_account_store_secret_async:
 * @self: an account
 * @secret: the password or app password
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the secret is stored
 * @user_data: data for @callback
 *
 * Stores @secret in the system keyring as the credential of the account's current sign-in
 * method, replacing an earlier one. Call [method@O365Mailhost.Account.store_secret_finish]
 * from @callback.
 */
void
mail_account_store_secret_async (MailAccount *self,
                                 const char *secret,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (MAIL_IS_ACCOUNT (self));
  g_return_if_fail (secret != NULL);
  MAIL_ACCOUNT_GET_IFACE (self)->store_secret_async (self, secret, cancellable, callback, user_data);
}

/**
 * mail_account_store_secret_finish:
 * @self: an account
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@O365Mailhost.Account.store_secret_async].
 *
 * Returns: whether the secret is in the keyring
 */
gboolean
mail_account_store_secret_finish (MailAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->store_secret_finish (self, result, error);
}

/**
 * mail_account_remove_async:
 * @self: an account
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the account is gone
 * @user_data: data for @callback
 *
 * Deletes the account: its settings, its place in the account list and its keyring items.
 * Call [method@O365Mailhost.Account.remove_finish] from @callback.
 */
void
mail_account_remove_async (MailAccount *self,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_return_if_fail (MAIL_IS_ACCOUNT (self));
  MAIL_ACCOUNT_GET_IFACE (self)->remove_async (self, cancellable, callback, user_data);
}

/**
 * mail_account_remove_finish:
 * @self: an account
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@O365Mailhost.Account.remove_async].
 *
 * Returns: whether the account was removed
 */
gboolean
mail_account_remove_finish (MailAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->remove_finish (self, result, error);
}

/**
 * mail_account_can_sign_in:
 * @self: an account
 *
 * Whether the account offers an interactive sign-in.
 *
 * Returns: whether the account type offers an interactive sign-in at all
 */
gboolean
mail_account_can_sign_in (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->sign_in_async != NULL;
}

/**
 * mail_account_sign_in_async:
 * @self: an account
 * @sign_in: the sign-in, whose signals show the person what to do
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the sign-in has ended
 * @user_data: data for @callback
 *
 * An interactive sign-in (“Sign in with Microsoft”) with the settings as they are now,
 * pending changes included, talking to the host through @sign_in (see
 * [class@O365Mailhost.SignIn]). On success the credential it yields is in the system keyring,
 * replacing any earlier one; the settings themselves are not saved — except that an account
 * whose sign-in method is still a password one switches to the sign-in on success: the new
 * method is saved (with the pending changes) and the password is removed from the keyring. Call
 * [method@O365Mailhost.Account.sign_in_finish] from @callback.
 *
 * Accounts without one ([method@O365Mailhost.Account.can_sign_in]) fail with
 * `G_IO_ERROR_NOT_SUPPORTED`.
 */
void
mail_account_sign_in_async (MailAccount *self,
                            MailSignIn *sign_in,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  MailAccountInterface *iface;

  g_return_if_fail (MAIL_IS_ACCOUNT (self));
  g_return_if_fail (MAIL_IS_SIGN_IN (sign_in));

  iface = MAIL_ACCOUNT_GET_IFACE (self);
  if (iface->sign_in_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, mail_account_sign_in_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("This kind of account has no interactive sign-in"));
      return;
    }
  iface->sign_in_async (self, sign_in, cancellable, callback, user_data);
}

/**
 * mail_account_sign_in_finish:
 * @self: an account
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@O365Mailhost.Account.sign_in_async].
 *
 * Returns: whether the person signed in and the credential is stored
 */
gboolean
mail_account_sign_in_finish (MailAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);

  if (g_async_result_is_tagged (result, mail_account_sign_in_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  return MAIL_ACCOUNT_GET_IFACE (self)->sign_in_finish (self, result, error);
}
