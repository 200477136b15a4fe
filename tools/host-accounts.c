/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-accounts.c — account lookup and waiting, for the reference programs. */
#include "config.h"

#include <glib/gi18n.h>

#include "host-accounts.h"
#include "host-complain.h"
#include "mail-account-registry.h"

MailPluginLoader *
host_load_plugins (GError **error)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  gboolean ok = mail_plugin_loader_load_all (loader, failures, error);

  for (guint i = 0; i < failures->len; i++)
    host_warn ("%s", ((GError *) g_ptr_array_index (failures, i))->message);
  return ok ? g_steal_pointer (&loader) : NULL;
}

GPtrArray *
host_list_accounts (MailPluginLoader *loader)
{
  g_auto (GStrv) ids = mail_account_registry_list (NULL);
  GPtrArray *accounts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *type_id = mail_account_registry_dup_type (ids[i]);
      MailAccountType *type = mail_plugin_loader_find_account_type (loader, type_id);
      g_autoptr (GError) error = NULL;
      MailAccount *account;

      if (type == NULL)
        {
          host_warn (_("account %s is of type “%s”, which no loaded plug-in provides"),
                      ids[i], type_id);
          continue;
        }
      account = mail_account_type_create_account (type, ids[i], &error);
      if (account == NULL)
        host_warn (_("account %s: %s"), ids[i], error->message);
      else
        g_ptr_array_add (accounts, account);
    }
  return accounts;
}

MailAccount *
host_find_account (MailPluginLoader *loader, const char *address, GError **error)
{
  g_autoptr (GPtrArray) accounts = host_list_accounts (loader);

  if (address == NULL)
    {
      if (accounts->len == 1)
        return g_object_ref (g_ptr_array_index (accounts, 0));
      if (accounts->len == 0)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("No account is configured; add one with “o365-account add ADDRESS”"));
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                             _("Several accounts are configured; say which one with its address"));
      return NULL;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      MailAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *candidate = mail_account_dup_address (account);

      if (g_ascii_strcasecmp (candidate, address) == 0)
        return g_object_ref (account);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No account with the address %s (see “o365-account list”)"), address);
  return NULL;
}

MailAccount *
host_choose_account (MailPluginLoader *loader, const char *address, const char *sender, GError **error)
{
  if (address != NULL)
    return host_find_account (loader, address, error);
  if (sender != NULL)
    {
      MailAccount *account = host_find_account (loader, sender, NULL);

      if (account != NULL)
        return account;
    }
  return host_find_account (loader, NULL, error);
}

void
host_keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

void
host_wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

void
host_sync_settings (void)
{
  g_settings_sync ();
}
