/* o365-account-type.c — what hosts see of Office 365: id, name, endpoints and defaults. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-account-type.h"
#include "o365-account.h"
#include "o365-endpoints.h"

struct _O365AccountType
{
  GObject parent_instance;
};

static void o365_account_type_mail_account_type_init (MailAccountTypeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365AccountType, o365_account_type, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MAIL_TYPE_ACCOUNT_TYPE,
                                                      o365_account_type_mail_account_type_init))

static void
o365_account_type_class_init (O365AccountTypeClass *klass)
{
}

static void
o365_account_type_init (O365AccountType *self)
{
}

static const char *
o365_account_type_get_id (MailAccountType *type)
{
  return O365_ACCOUNT_TYPE_ID;
}

static const char *
o365_account_type_get_display_name (MailAccountType *type)
{
  return _("Microsoft 365 / Office 365");
}

static const MailEndpoint *const *
o365_account_type_get_endpoints (MailAccountType *type, guint *n_endpoints)
{
  return o365_endpoints_get_all (n_endpoints);
}

static char *
o365_account_type_dup_default_username (MailAccountType *type, const char *address)
{
  /* Microsoft 365 signs in with the user principal name, which is the address for almost
   * everyone; the account's "username" setting covers the rest. */
  return g_strdup (address);
}

static MailAccount *
o365_account_type_create_account (MailAccountType *type, const char *account_id, GError **error)
{
  if (*account_id == '\0' || strchr (account_id, '/') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid account id"), account_id);
      return NULL;
    }
  return MAIL_ACCOUNT (o365_account_new (account_id));
}

static void
o365_account_type_mail_account_type_init (MailAccountTypeInterface *iface)
{
  iface->get_id = o365_account_type_get_id;
  iface->get_display_name = o365_account_type_get_display_name;
  iface->get_endpoints = o365_account_type_get_endpoints;
  iface->dup_default_username = o365_account_type_dup_default_username;
  iface->create_account = o365_account_type_create_account;
}

O365AccountType *
o365_account_type_new (void)
{
  return g_object_new (O365_TYPE_ACCOUNT_TYPE, NULL);
}
