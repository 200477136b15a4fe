/* mail-account.c — the account interface: its properties and wrappers. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account.h"
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
