/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-type.c — what hosts see of Office 365: id, name, endpoints and defaults. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account-registry.h"
#include "o365-account-type.h"
#include "o365-account.h"
#include "o365-endpoints.h"
#include "o365-gui-loader.h"

struct _O365AccountType
{
  GObject parent_instance;

  char *gui_module_path; /* NULL: no dialog module known (the core linked into a test) */
};

static void o365_account_type_mail_account_type_init (MailAccountTypeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365AccountType, o365_account_type, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MAIL_TYPE_ACCOUNT_TYPE,
                                                      o365_account_type_mail_account_type_init))

static void
o365_account_type_finalize (GObject *object)
{
  g_free (O365_ACCOUNT_TYPE (object)->gui_module_path);

  G_OBJECT_CLASS (o365_account_type_parent_class)->finalize (object);
}

static void
o365_account_type_class_init (O365AccountTypeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_account_type_finalize;
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

static const MailEndpoint *
o365_account_type_suggest_endpoint (MailAccountType *type, const char *address, const char *const *mail_exchangers)
{
  return o365_endpoints_suggest (address, mail_exchangers);
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

/* --- the settings widget, from the dialog module ---------------------------------------------- */

static gboolean
hook_validate_property (MailAccount *account, const char *property, GError **error)
{
  return o365_account_validate_property (O365_ACCOUNT (account), property, error);
}

static MailTransport *
hook_create_transport (MailAccount *account, const char *secret, GError **error)
{
  return o365_account_create_transport_with_secret (O365_ACCOUNT (account), secret, error);
}

static void
hook_revert (MailAccount *account)
{
  o365_account_revert (O365_ACCOUNT (account));
}

static const O365GuiHooks gui_hooks = {
  O365_GUI_ABI_VERSION,
  hook_validate_property,
  hook_create_transport,
  hook_revert,
};

static GObject *
o365_account_type_create_settings_widget (MailAccountType *type, MailAccount *account, GError **error)
{
  O365AccountType *self = O365_ACCOUNT_TYPE (type);
  g_autoptr (MailAccount) new_account = NULL;

  if (self->gui_module_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("The settings dialog is only available when the plug-in is loaded "
                             "from its installed location"));
      return NULL;
    }
  if (account == NULL)
    {
      g_autofree char *id = mail_account_registry_new_id ();

      new_account = MAIL_ACCOUNT (o365_account_new (id));
      account = new_account;
    }
  else if (!O365_IS_ACCOUNT (account))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The account is not an Office 365 account"));
      return NULL;
    }
  return o365_gui_loader_create_widget (self->gui_module_path, &gui_hooks, type, account, error);
}

static void
o365_account_type_mail_account_type_init (MailAccountTypeInterface *iface)
{
  iface->get_id = o365_account_type_get_id;
  iface->get_display_name = o365_account_type_get_display_name;
  iface->get_endpoints = o365_account_type_get_endpoints;
  iface->dup_default_username = o365_account_type_dup_default_username;
  iface->suggest_endpoint = o365_account_type_suggest_endpoint;
  iface->create_account = o365_account_type_create_account;
  iface->create_settings_widget = o365_account_type_create_settings_widget;
}

O365AccountType *
o365_account_type_new (void)
{
  return g_object_new (O365_TYPE_ACCOUNT_TYPE, NULL);
}

void
o365_account_type_set_gui_module (O365AccountType *self, const char *module_path)
{
  g_return_if_fail (O365_IS_ACCOUNT_TYPE (self));

  g_free (self->gui_module_path);
  self->gui_module_path = g_strdup (module_path);
}
