/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-account-registry.c — the list of configured accounts in GSettings. */
#include "config.h"

#include <gio/gio.h>

#include "mail-account-registry.h"

#define ACCOUNTS_KEY "accounts"

static GSettings *
registry_settings (void)
{
  return g_settings_new (MAIL_ACCOUNT_REGISTRY_SCHEMA);
}

/**
 * mail_account_registry_new_id:
 *
 * Makes up an id for a new account, usable as a settings path element.
 *
 * Returns: (transfer full): a fresh id
 */
char *
mail_account_registry_new_id (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  /* Settings path elements may not contain every character; a UUID's hex and '-' are fine. */
  return g_steal_pointer (&uuid);
}

/**
 * mail_account_registry_dup_settings_path:
 * @account_id: an account id (no `/`)
 *
 * Where the account's own settings live, e.g. `/org/o365account/accounts/ID/`.
 *
 * Returns: (transfer full): the settings path
 */
char *
mail_account_registry_dup_settings_path (const char *account_id)
{
  g_return_val_if_fail (account_id != NULL && *account_id != '\0', NULL);
  g_return_val_if_fail (strchr (account_id, '/') == NULL, NULL);

  return g_strconcat (MAIL_ACCOUNT_SETTINGS_PATH_PREFIX, account_id, "/", NULL);
}

/**
 * mail_account_registry_add:
 * @type_id: the account type's id (see [method@O365Mailhost.AccountType.get_id])
 * @account_id: the account's id
 *
 * Lists the account, unless its id is listed already.
 *
 * Returns: whether it was added
 */
gboolean
mail_account_registry_add (const char *type_id, const char *account_id)
{
  g_autoptr (GSettings) settings = registry_settings ();
  g_autoptr (GVariant) accounts = g_settings_get_value (settings, ACCOUNTS_KEY);
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ss)"));
  GVariantIter iter;
  const char *type, *id;

  g_return_val_if_fail (type_id != NULL && account_id != NULL, FALSE);

  g_variant_iter_init (&iter, accounts);
  while (g_variant_iter_next (&iter, "(&s&s)", &type, &id))
    {
      if (g_str_equal (id, account_id))
        return FALSE;
      g_variant_builder_add (&builder, "(ss)", type, id);
    }
  g_variant_builder_add (&builder, "(ss)", type_id, account_id);
  g_settings_set_value (settings, ACCOUNTS_KEY, g_variant_builder_end (&builder));
  return TRUE;
}

/**
 * mail_account_registry_remove:
 * @account_id: the account's id
 *
 * Takes the account off the list. Its settings and secrets are its plug-in's to remove
 * (see [method@O365Mailhost.Account.remove_async]).
 *
 * Returns: whether the id was listed
 */
gboolean
mail_account_registry_remove (const char *account_id)
{
  g_autoptr (GSettings) settings = registry_settings ();
  g_autoptr (GVariant) accounts = g_settings_get_value (settings, ACCOUNTS_KEY);
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ss)"));
  gboolean found = FALSE;
  GVariantIter iter;
  const char *type, *id;

  g_return_val_if_fail (account_id != NULL, FALSE);

  g_variant_iter_init (&iter, accounts);
  while (g_variant_iter_next (&iter, "(&s&s)", &type, &id))
    {
      if (g_str_equal (id, account_id))
        found = TRUE;
      else
        g_variant_builder_add (&builder, "(ss)", type, id);
    }
  if (found)
    g_settings_set_value (settings, ACCOUNTS_KEY, g_variant_builder_end (&builder));
  return found;
}

/**
 * mail_account_registry_list:
 * @type_id: (nullable): an account type's id, or %NULL for every account
 *
 * The ids of the accounts of one type, or of all, in the order they were added.
 *
 * Returns: (transfer full): the account ids
 */
GStrv
mail_account_registry_list (const char *type_id)
{
  g_autoptr (GSettings) settings = registry_settings ();
  g_autoptr (GVariant) accounts = g_settings_get_value (settings, ACCOUNTS_KEY);
  g_autoptr (GStrvBuilder) ids = g_strv_builder_new ();
  GVariantIter iter;
  const char *type, *id;

  g_variant_iter_init (&iter, accounts);
  while (g_variant_iter_next (&iter, "(&s&s)", &type, &id))
    if (type_id == NULL || g_str_equal (type, type_id))
      g_strv_builder_add (ids, id);
  return g_strv_builder_end (ids);
}

/**
 * mail_account_registry_dup_type:
 * @account_id: the account's id
 *
 * The type of a listed account.
 *
 * Returns: (transfer full) (nullable): the account type's id, or %NULL if @account_id is not
 *   listed
 */
char *
mail_account_registry_dup_type (const char *account_id)
{
  g_autoptr (GSettings) settings = registry_settings ();
  g_autoptr (GVariant) accounts = g_settings_get_value (settings, ACCOUNTS_KEY);
  GVariantIter iter;
  const char *type, *id;

  g_return_val_if_fail (account_id != NULL, NULL);

  g_variant_iter_init (&iter, accounts);
  while (g_variant_iter_next (&iter, "(&s&s)", &type, &id))
    if (g_str_equal (id, account_id))
      return g_strdup (type);
  return NULL;
}
