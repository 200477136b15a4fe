/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-plugin-loader.c — the plug-in registry: search path, one plug-in per id. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-plugin-loader.h"
#include "mail-plugin-private.h"

/**
 * MailPluginLoader:
 *
 * Finds plug-in modules, loads each once, and answers “which account types are there?”.
 *
 * A host makes one loader, calls [method@O365Mailhost.PluginLoader.load_all] and asks for
 * account types ([method@O365Mailhost.PluginLoader.find_account_type]). Plug-ins never see
 * the loader. Disposing of it deactivates every plug-in; their code stays resident (see
 * [class@O365Mailhost.Plugin]).
 */
struct _MailPluginLoader
{
  GObject parent_instance;

  GPtrArray *plugins; /* of MailPlugin, in load order */
};

G_DEFINE_FINAL_TYPE (MailPluginLoader, mail_plugin_loader, G_TYPE_OBJECT)

static void
mail_plugin_loader_finalize (GObject *object)
{
  MailPluginLoader *self = MAIL_PLUGIN_LOADER (object);

  /* Plug-ins that ran code stay alive (resident) after this; they are only deactivated. */
  for (guint i = 0; i < self->plugins->len; i++)
    mail_plugin_deactivate (g_ptr_array_index (self->plugins, i));
  g_ptr_array_unref (self->plugins);

  G_OBJECT_CLASS (mail_plugin_loader_parent_class)->finalize (object);
}

static void
mail_plugin_loader_class_init (MailPluginLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_plugin_loader_finalize;
}

static void
mail_plugin_loader_init (MailPluginLoader *self)
{
  self->plugins = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * mail_plugin_loader_new:
 *
 * Makes a plug-in loader.
 *
 * Returns: (transfer full): a loader with no plug-in loaded yet
 */
MailPluginLoader *
mail_plugin_loader_new (void)
{
  return g_object_new (MAIL_TYPE_PLUGIN_LOADER, NULL);
}

/**
 * mail_plugin_loader_dup_search_path:
 * @self: a loader
 *
 * The directories [method@O365Mailhost.PluginLoader.load_all] searches:
 * `$O365_ACCOUNT_PLUGIN_PATH` if set (see [const@O365Mailhost.PLUGIN_PATH_ENV]), else the
 * installed plug-in directory.
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type filename): the directories
 */
GStrv
mail_plugin_loader_dup_search_path (MailPluginLoader *self)
{
  const char *override = g_getenv (MAIL_PLUGIN_PATH_ENV);

  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), NULL);

  if (override != NULL && *override != '\0')
    return g_strsplit (override, G_SEARCHPATH_SEPARATOR_S, -1);
  return g_strsplit (PLUGINDIR, G_SEARCHPATH_SEPARATOR_S, -1);
}

/**
 * mail_plugin_loader_find_plugin:
 * @self: a loader
 * @id: a plug-in id, e.g. `office365`
 *
 * Finds a loaded plug-in by its id.
 *
 * Returns: (transfer none) (nullable): the loaded plug-in with that id, or %NULL
 */
MailPlugin *
mail_plugin_loader_find_plugin (MailPluginLoader *self, const char *id)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->plugins->len; i++)
    {
      MailPlugin *plugin = g_ptr_array_index (self->plugins, i);

      if (g_str_equal (mail_plugin_get_info (plugin)->id, id))
        return plugin;
    }
  return NULL;
}

/**
 * mail_plugin_loader_load_file:
 * @self: a loader
 * @path: (type filename): a plug-in module
 * @error: return location for a #GError
 *
 * Opens, checks and activates one module. Refusals are [error@O365Mailhost.PluginError]s.
 * A module that the file or its directory lets another user change (group- or world-writable,
 * or owned by someone other than the user and root) is refused before it is opened, since
 * opening a module runs its constructors: the ABI check that follows protects against
 * mistakes, not against hostile code.
 *
 * Returns: (transfer none): the plug-in, or %NULL with @error set
 */
MailPlugin *
mail_plugin_loader_load_file (MailPluginLoader *self, const char *path, GError **error)
{
  MailPlugin *plugin;
  MailPlugin *existing;

  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Before the module is opened: opening it runs its constructors. */
  if (!mail_plugin_check_trusted (path, error))
    return NULL;
  plugin = mail_plugin_open (path, error);
  if (plugin == NULL)
    return NULL;

  existing = mail_plugin_loader_find_plugin (self, mail_plugin_get_info (plugin)->id);
  if (existing != NULL)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_DUPLICATE_ID,
                   _("%s: a plug-in with the id “%s” is already loaded from %s"),
                   path, mail_plugin_get_info (plugin)->id, mail_plugin_get_path (existing));
      mail_plugin_discard (plugin);
      return NULL;
    }

  g_ptr_array_add (self->plugins, plugin);
  if (!mail_plugin_activate (plugin, error))
    return NULL;
  return plugin;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Module file names in @dir, sorted so that the load order (and so which of two duplicates
 * wins) does not depend on the file system. */
static GPtrArray *
list_modules (const char *dir, GError **error)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (handle == NULL)
    return NULL;
  while ((name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, "." G_MODULE_SUFFIX))
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (names, compare_strings);
  return g_steal_pointer (&names);
}

/**
 * mail_plugin_loader_load_all:
 * @self: a loader
 * @failures: (nullable) (element-type GLib.Error): an array the errors of modules that
 *   failed are appended to (the caller frees them), or %NULL
 * @error: return location for a #GError
 *
 * Loads every module (`*.so`) in the search path
 * ([method@O365Mailhost.PluginLoader.dup_search_path]). Modules that fail are skipped.
 * Bindings pass %NULL for @failures, and load a module with
 * [method@O365Mailhost.PluginLoader.load_file] to see why it fails.
 *
 * Returns: %FALSE, with @error set, if no plug-in could be loaded
 */
gboolean
mail_plugin_loader_load_all (MailPluginLoader *self, GPtrArray *failures, GError **error)
{
  g_auto (GStrv) search_path = NULL;
  guint loaded = 0;

  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  search_path = mail_plugin_loader_dup_search_path (self);
  for (guint i = 0; search_path[i] != NULL; i++)
    {
      g_autoptr (GError) dir_error = NULL;
      g_autoptr (GPtrArray) modules = list_modules (search_path[i], &dir_error);

      if (modules == NULL)
        {
          if (failures != NULL && !g_error_matches (dir_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            g_ptr_array_add (failures, g_steal_pointer (&dir_error));
          continue;
        }
      for (guint j = 0; j < modules->len; j++)
        {
          g_autoptr (GError) module_error = NULL;

          if (mail_plugin_loader_load_file (self, g_ptr_array_index (modules, j), &module_error))
            loaded++;
          else if (failures != NULL)
            g_ptr_array_add (failures, g_steal_pointer (&module_error));
        }
    }

  if (loaded == 0 && self->plugins->len == 0)
    {
      g_autofree char *joined = g_strjoinv (G_SEARCHPATH_SEPARATOR_S, search_path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No plug-in could be loaded from %s"), joined);
      return FALSE;
    }
  return TRUE;
}

/**
 * mail_plugin_loader_get_plugins:
 * @self: a loader
 *
 * The plug-ins loaded so far.
 *
 * Returns: (transfer none) (element-type MailPlugin): every plug-in loaded so far, active or
 *   not
 */
GPtrArray *
mail_plugin_loader_get_plugins (MailPluginLoader *self)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), NULL);
  return self->plugins;
}

/**
 * mail_plugin_loader_list_account_types:
 * @self: a loader
 *
 * The account types of every active plug-in. The array unrefs them when it is freed.
 *
 * Returns: (transfer container) (element-type MailAccountType): the account types
 */
GPtrArray *
mail_plugin_loader_list_account_types (MailPluginLoader *self)
{
  GPtrArray *types = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), NULL);

  for (guint i = 0; i < self->plugins->len; i++)
    {
      GListModel *model = mail_plugin_get_account_types (g_ptr_array_index (self->plugins, i));
      guint n = g_list_model_get_n_items (model);

      for (guint j = 0; j < n; j++)
        g_ptr_array_add (types, g_list_model_get_item (model, j));
    }
  return types;
}

/**
 * mail_plugin_loader_find_account_type:
 * @self: a loader
 * @id: an account type's id, e.g. `office365`
 *
 * Finds an account type among those of the active plug-ins.
 *
 * Returns: (transfer none) (nullable): the account type, or %NULL if no active plug-in
 *   provides it
 */
MailAccountType *
mail_plugin_loader_find_account_type (MailPluginLoader *self, const char *id)
{
  g_autoptr (GPtrArray) types = NULL;

  g_return_val_if_fail (MAIL_IS_PLUGIN_LOADER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  types = mail_plugin_loader_list_account_types (self);
  for (guint i = 0; i < types->len; i++)
    {
      MailAccountType *type = g_ptr_array_index (types, i);

      /* The plug-in's list keeps the object alive after `types` is freed. */
      if (g_str_equal (mail_account_type_get_id (type), id))
        return type;
    }
  return NULL;
}
