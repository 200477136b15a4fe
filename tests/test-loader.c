/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-loader.c — the host loader against real modules: the Office 365 plug-in, and
 * deliberately broken ones built by tests/modules. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mail-plugin-loader.h"
#include "test-utils.h"

static void
assert_refused (const char *variant, MailPluginError code, const char *reason_part)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = test_module_path (variant);

  g_assert_null (mail_plugin_loader_load_file (loader, path, &error));
  g_assert_error (error, MAIL_PLUGIN_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  /* The message names the file and the reason. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, reason_part));
}

/* Reads the counter the test plug-in bumps in its query function, without loading it
 * through the loader (the module is already mapped, so this opens no new code). */
static int
query_calls_of (const char *variant)
{
  g_autofree char *path = test_module_path (variant);
  GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL);
  int *calls = NULL;
  int value;

  g_assert_nonnull (module);
  g_assert_true (g_module_symbol (module, "test_plugin_query_calls", (gpointer *) &calls));
  value = *calls;
  g_module_close (module);
  return value;
}

static void
test_not_a_module (void)
{
  assert_refused ("not-a-module", MAIL_PLUGIN_ERROR_NOT_A_MODULE, "not a loadable module");
}

static void
test_missing_entry_point (void)
{
  assert_refused ("missing-entry-point", MAIL_PLUGIN_ERROR_MISSING_ENTRY_POINT, "mail_plugin_unload");
}

static void
test_abi_major_mismatch (void)
{
  assert_refused ("abi-major", MAIL_PLUGIN_ERROR_ABI_MAJOR_MISMATCH, "rebuild the plug-in");
  /* The ABI is checked on data before any plug-in function runs. */
  g_assert_cmpint (query_calls_of ("abi-major"), ==, 0);
}

static void
test_abi_minor_too_new (void)
{
  assert_refused ("abi-minor", MAIL_PLUGIN_ERROR_ABI_MINOR_TOO_NEW, "newer than this program");
  g_assert_cmpint (query_calls_of ("abi-minor"), ==, 0);
}

static void
test_load_failure (void)
{
  assert_refused ("load-fails", MAIL_PLUGIN_ERROR_LOAD_FAILED, "deliberate failure");
}

static void
test_duplicate_id (void)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *first = test_module_path ("duplicate-a");
  g_autofree char *second = test_module_path ("duplicate-b");

  g_assert_nonnull (mail_plugin_loader_load_file (loader, first, &error));
  g_assert_no_error (error);
  g_assert_null (mail_plugin_loader_load_file (loader, second, &error));
  g_assert_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_DUPLICATE_ID);
  g_assert_nonnull (strstr (error->message, second));
  g_assert_nonnull (strstr (error->message, first));
  g_assert_cmpuint (mail_plugin_loader_get_plugins (loader)->len, ==, 1);
}

static void
test_good_module_metadata (void)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = test_module_path ("good");
  MailPlugin *plugin = mail_plugin_loader_load_file (loader, path, &error);
  const MailPluginInfo *info;

  g_assert_no_error (error);
  info = mail_plugin_get_info (plugin);
  g_assert_cmpstr (info->id, ==, "test-good");
  g_assert_cmpstr (info->version, ==, "1.0");
  g_assert_cmpuint (info->abi.major, ==, MAIL_PLUGIN_ABI_MAJOR);
  g_assert_true (mail_plugin_is_active (plugin));
  g_assert_cmpstr (mail_plugin_get_path (plugin), ==, path);
}

static MailPlugin *
load_office365 (MailPluginLoader *loader)
{
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GError) error = NULL;

  g_assert_true (mail_plugin_loader_load_all (loader, failures, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 0);
  return mail_plugin_loader_find_plugin (loader, "office365");
}

static void
test_office365_load_unload_load (void)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GError) error = NULL;
  MailPlugin *plugin = load_office365 (loader);
  const MailPluginInfo *info = mail_plugin_get_info (plugin);
  MailAccountType *type;

  g_assert_cmpstr (info->provides[0], ==, "account-type:office365");
  g_assert_cmpstr (info->license, ==, "LGPL-2.1-or-later");

  for (int round = 0; round < 3; round++)
    {
      g_autoptr (MailAccount) account = NULL;
      g_autofree char *address = NULL;

      type = mail_plugin_loader_find_account_type (loader, "office365");
      g_assert_nonnull (type);
      g_assert_cmpstr (mail_account_type_get_default_endpoint (type)->host, ==, "smtp.office365.com");
      account = mail_account_type_create_account (type, "cycle", &error);
      g_assert_no_error (error);
      g_object_set (account, "address", "ann@contoso.com", NULL);
      address = mail_account_dup_address (account);
      g_assert_cmpstr (address, ==, "ann@contoso.com");
      g_clear_object (&account);

      mail_plugin_deactivate (plugin);
      g_assert_false (mail_plugin_is_active (plugin));
      g_assert_null (mail_plugin_loader_find_account_type (loader, "office365"));

      g_assert_true (mail_plugin_activate (plugin, &error));
      g_assert_no_error (error);
    }
}

/* A copy of the good test module in a fresh directory, chmod-ed: the loader refuses what
 * another user could change, before opening it (opening runs the module's constructors). */
static char *
copy_module (const char *directory)
{
  g_autofree char *source = test_module_path ("good");
  g_autofree char *copy = g_build_filename (directory, "good-copy." G_MODULE_SUFFIX, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents_full (copy, contents, length, G_FILE_SET_CONTENTS_NONE, 0755, NULL));
  return g_steal_pointer (&copy);
}

static void
assert_unsafe (const char *path, const char *named, const char *reason_part)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GError) error = NULL;

  g_assert_null (mail_plugin_loader_load_file (loader, path, &error));
  g_assert_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, named));
  g_assert_nonnull (strstr (error->message, reason_part));
}

static void
test_unsafe_permissions (void)
{
  g_autofree char *directory = g_dir_make_tmp ("test-loader-XXXXXX", NULL);
  g_autofree char *real_directory = realpath (directory, NULL);
  g_autofree char *module = copy_module (directory);
  g_autofree char *real_module = realpath (module, NULL);
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autofree char *search_path = NULL;

  g_assert_cmpint (g_chmod (directory, 0755), ==, 0);
  g_assert_cmpint (g_chmod (module, 0775), ==, 0);
  assert_unsafe (module, real_module, "its group can write");
  g_assert_cmpint (g_chmod (module, 0757), ==, 0);
  assert_unsafe (module, real_module, "everyone can write");
  g_assert_cmpint (g_chmod (module, 0755), ==, 0);
  g_assert_cmpint (g_chmod (directory, 0775), ==, 0);
  assert_unsafe (module, real_directory, "its group can write");
  g_assert_cmpint (g_chmod (directory, 0777), ==, 0);
  assert_unsafe (module, real_directory, "everyone can write");
  g_assert_cmpint (g_chmod (directory, 01777), ==, 0);
  assert_unsafe (module, real_directory, "everyone can write");

  /* load_all reports it among the failures and loads nothing from there. */
  search_path = g_strdup (g_getenv (MAIL_PLUGIN_PATH_ENV));
  g_setenv (MAIL_PLUGIN_PATH_ENV, directory, TRUE);
  g_assert_false (mail_plugin_loader_load_all (loader, failures, NULL));
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (failures, 0), MAIL_PLUGIN_ERROR,
                  MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS);
  g_setenv (MAIL_PLUGIN_PATH_ENV, search_path, TRUE);

  if (geteuid () == 0)
    {
      /* Owned by another user (root may load root's own and the user's). */
      g_assert_cmpint (g_chmod (directory, 0755), ==, 0);
      g_assert_cmpint (chown (module, 65534, 65534), ==, 0);
      assert_unsafe (module, real_module, "belongs to another user");
    }
  g_assert_cmpint (g_chmod (directory, 0700), ==, 0);
  g_remove (module);
  g_rmdir (directory);
}

static void
test_search_path_override (void)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_auto (GStrv) path = mail_plugin_loader_dup_search_path (loader);

  g_assert_cmpstr (path[0], ==, g_getenv (MAIL_PLUGIN_PATH_ENV));
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/loader/not-a-module", test_not_a_module);
  g_test_add_func ("/loader/missing-entry-point", test_missing_entry_point);
  g_test_add_func ("/loader/abi-major-mismatch", test_abi_major_mismatch);
  g_test_add_func ("/loader/abi-minor-too-new", test_abi_minor_too_new);
  g_test_add_func ("/loader/load-failure", test_load_failure);
  g_test_add_func ("/loader/duplicate-id", test_duplicate_id);
  g_test_add_func ("/loader/good-module-metadata", test_good_module_metadata);
  g_test_add_func ("/loader/office365-load-unload-load", test_office365_load_unload_load);
  g_test_add_func ("/loader/search-path-override", test_search_path_override);
  g_test_add_func ("/loader/unsafe-permissions", test_unsafe_permissions);
  return g_test_run ();
}
