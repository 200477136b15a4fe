/* mail-account.c — the account interface: its properties and wrappers. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account.h"
#include "mail-sign-in.h"
#include "mail-transport.h"

G_DEFINE_INTERFACE (MailAccount, mail_account, G_TYPE_OBJECT)

static void
mail_account_default_init (MailAccountInterface *iface)
{
  g_object_interface_install_property (iface,
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_string ("address", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
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

char *
mail_account_dup_id (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  return dup_string_property (self, "id");
}

char *
mail_account_dup_address (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  return dup_string_property (self, "address");
}

char *
mail_account_dup_display_name (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), NULL);
  return dup_string_property (self, "display-name");
}

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

gboolean
mail_account_validate (MailAccount *self, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->validate (self, error);
}

gboolean
mail_account_save (MailAccount *self, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->save (self, error);
}

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

gboolean
mail_account_store_secret_finish (MailAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->store_secret_finish (self, result, error);
}

void
mail_account_remove_async (MailAccount *self,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_return_if_fail (MAIL_IS_ACCOUNT (self));
  MAIL_ACCOUNT_GET_IFACE (self)->remove_async (self, cancellable, callback, user_data);
}

gboolean
mail_account_remove_finish (MailAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->remove_finish (self, result, error);
}

gboolean
mail_account_can_sign_in (MailAccount *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);
  return MAIL_ACCOUNT_GET_IFACE (self)->sign_in_async != NULL;
}

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

gboolean
mail_account_sign_in_finish (MailAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT (self), FALSE);

  if (g_async_result_is_tagged (result, mail_account_sign_in_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  return MAIL_ACCOUNT_GET_IFACE (self)->sign_in_finish (self, result, error);
}
