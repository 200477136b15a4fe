/* mail-account-type.c — the account type interface's wrappers and argument checks. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account-type.h"

G_DEFINE_INTERFACE (MailAccountType, mail_account_type, G_TYPE_OBJECT)

static void
mail_account_type_default_init (MailAccountTypeInterface *iface)
{
}

const char *
mail_account_type_get_id (MailAccountType *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->get_id (self);
}

const char *
mail_account_type_get_display_name (MailAccountType *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->get_display_name (self);
}

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

const MailEndpoint *
mail_account_type_get_default_endpoint (MailAccountType *self)
{
  guint n = 0;
  const MailEndpoint *const *endpoints = mail_account_type_get_endpoints (self, &n);

  return endpoints != NULL ? endpoints[0] : NULL;
}

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

char *
mail_account_type_dup_default_username (MailAccountType *self, const char *address)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->dup_default_username (self, address);
}

MailAccount *
mail_account_type_create_account (MailAccountType *self, const char *account_id, GError **error)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->create_account (self, account_id, error);
}

gboolean
mail_account_type_has_settings_widget (MailAccountType *self)
{
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (self), FALSE);
  return MAIL_ACCOUNT_TYPE_GET_IFACE (self)->create_settings_widget != NULL;
}

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
