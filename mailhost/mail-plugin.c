/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-plugin.c — one plug-in module: ABI check, metadata, activation (see MailPlugin's
 * documentation below). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "mail-account-type.h"
#include "mail-plugin-private.h"

/**
 * MailPlugin:
 *
 * One plug-in module, as the loader ([class@O365Mailhost.PluginLoader]) opened it.
 *
 * A plug-in is a shared object that exports exactly these symbols:
 *
 * - `mail_plugin_abi` (data): the [struct@O365Mailhost.PluginAbi] it was compiled against
 *   (`MAIL_PLUGIN_DECLARE_ABI`); the host reads it before calling any plug-in code;
 * - `mail_plugin_query()`: its static metadata ([struct@O365Mailhost.PluginInfo]);
 * - `mail_plugin_load()`: registers the plug-in's types into the `MailPlugin` (a
 *   [class@GObject.TypeModule]) and adds what it provides
 *   ([method@O365Mailhost.Plugin.add_account_type]);
 * - `mail_plugin_unload()`: deactivates: forgets what it added; its code stays resident.
 *
 * A plug-in loads when its ABI major equals the host's and its ABI minor is not newer than
 * the host's (libpurple's rule): bump the minor for additions, the major for any change that
 * breaks existing plug-ins. Each refusal is its own [error@O365Mailhost.PluginError] code.
 *
 * Once a plug-in has run its load code the module is made resident and never closed: GTypes it
 * registered must keep their code (libpeas does the same). Deactivating drops what the
 * plug-in provided and releases the type module; activating again re-runs its load code,
 * which re-registers the same types into this same module.
 */
struct _MailPlugin
{
  GTypeModule parent_instance;

  char *path;
  GModule *module;
  const MailPluginInfo *info;
  MailPluginLoadFunc load;
  MailPluginUnloadFunc unload;
  GListStore *account_types;
  gboolean active;
  gboolean ever_loaded;
  GError *load_error; /* set by the load vfunc, collected by mail_plugin_activate() */
};

G_DEFINE_FINAL_TYPE (MailPlugin, mail_plugin, G_TYPE_TYPE_MODULE)
/**
 * mail_plugin_error_quark:
 *
 * The error domain of [error@O365Mailhost.PluginError].
 *
 * Returns: the domain's quark
 */
G_DEFINE_QUARK (mail-plugin-error-quark, mail_plugin_error)

/* Plug-ins that ever ran load code, kept for the life of the process (see below). A list
 * rather than a bare self-reference, so that they stay reachable: leak checkers then tell
 * them apart from plug-ins really lost. */
static GPtrArray *resident_plugins;
G_LOCK_DEFINE_STATIC (resident_plugins);

static gboolean
mail_plugin_type_module_load (GTypeModule *type_module)
{
  MailPlugin *self = MAIL_PLUGIN (type_module);

  g_clear_error (&self->load_error);
  if (!self->ever_loaded)
    {
      /* From here on the plug-in may own GTypes: its code and this type module must live
       * as long as the process (GObject never unregisters a type). */
      g_module_make_resident (self->module);
      G_LOCK (resident_plugins);
      if (resident_plugins == NULL)
        resident_plugins = g_ptr_array_new ();
      g_ptr_array_add (resident_plugins, g_object_ref (self));
      G_UNLOCK (resident_plugins);
      self->ever_loaded = TRUE;
    }
  if (!self->load (self, &self->load_error))
    {
      if (self->load_error == NULL)
        g_set_error (&self->load_error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_LOAD_FAILED,
                     _("Plug-in “%s” failed to load without saying why"), self->path);
      g_list_store_remove_all (self->account_types);
      return FALSE;
    }
  return TRUE;
}

static void
mail_plugin_type_module_unload (GTypeModule *type_module)
{
  MailPlugin *self = MAIL_PLUGIN (type_module);

  self->unload (self);
}

static void
mail_plugin_finalize (GObject *object)
{
  MailPlugin *self = MAIL_PLUGIN (object);

  /* Only reached for plug-ins that never ran load code (the others stay in
   * resident_plugins); closing such a module is safe. */
  if (self->module != NULL)
    g_module_close (self->module);
  g_clear_object (&self->account_types);
  g_clear_error (&self->load_error);
  g_free (self->path);

  G_OBJECT_CLASS (mail_plugin_parent_class)->finalize (object);
}

static void
mail_plugin_class_init (MailPluginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTypeModuleClass *module_class = G_TYPE_MODULE_CLASS (klass);

  object_class->finalize = mail_plugin_finalize;
  module_class->load = mail_plugin_type_module_load;
  module_class->unload = mail_plugin_type_module_unload;
}

static void
mail_plugin_init (MailPlugin *self)
{
  self->account_types = g_list_store_new (MAIL_TYPE_ACCOUNT_TYPE);
}

static gboolean
lookup_entry_point (MailPlugin *self, const char *name, gpointer *symbol, GError **error)
{
  if (g_module_symbol (self->module, name, symbol) && *symbol != NULL)
    return TRUE;
  g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_MISSING_ENTRY_POINT,
               _("%s: not a usable plug-in: it does not export the entry point “%s”"),
               self->path, name);
  return FALSE;
}

static gboolean
check_abi (const char *path, const MailPluginAbi *abi, GError **error)
{
  if (abi->major != MAIL_PLUGIN_ABI_MAJOR)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_ABI_MAJOR_MISMATCH,
                   _("%s: built for plug-in ABI %u.%u, but this program supports ABI %u.x; "
                     "rebuild the plug-in against this version"),
                   path, abi->major, abi->minor, MAIL_PLUGIN_ABI_MAJOR);
      return FALSE;
    }
  if (abi->minor > MAIL_PLUGIN_ABI_MINOR)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_ABI_MINOR_TOO_NEW,
                   _("%s: needs plug-in ABI %u.%u, newer than this program’s %u.%u; "
                     "update the program"),
                   path, abi->major, abi->minor, MAIL_PLUGIN_ABI_MAJOR, MAIL_PLUGIN_ABI_MINOR);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_info (const char *path, const MailPluginInfo *info, const MailPluginAbi *abi, GError **error)
{
  if (info == NULL || info->id == NULL || *info->id == '\0' || info->name == NULL)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_INVALID_INFO,
                   _("%s: the plug-in’s metadata has no id or name"), path);
      return FALSE;
    }
  if (info->abi.major != abi->major || info->abi.minor != abi->minor)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_INVALID_INFO,
                   _("%s: the plug-in’s metadata claims ABI %u.%u but it was built for %u.%u"),
                   path, info->abi.major, info->abi.minor, abi->major, abi->minor);
      return FALSE;
    }
  return TRUE;
}

MailPlugin *
mail_plugin_open (const char *path, GError **error)
{
  g_autoptr (MailPlugin) self = NULL;
  const MailPluginAbi *abi = NULL;
  MailPluginQueryFunc query = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (MAIL_TYPE_PLUGIN, NULL);
  self->path = g_strdup (path);
  g_type_module_set_name (G_TYPE_MODULE (self), path);

  /* Local binding keeps one plug-in's symbols from resolving another's; lazy binding
   * would turn an unresolved symbol into a crash later instead of an error now. */
  self->module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (self->module == NULL)
    {
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_NOT_A_MODULE,
                   _("%s: not a loadable module: %s"), path, g_module_error ());
      return NULL;
    }

  /* The ABI is plain data, so it is checked before any plug-in function runs. */
  if (!lookup_entry_point (self, MAIL_PLUGIN_SYMBOL_ABI, (gpointer *) &abi, error) ||
      !check_abi (path, abi, error) ||
      !lookup_entry_point (self, MAIL_PLUGIN_SYMBOL_QUERY, (gpointer *) &query, error) ||
      !lookup_entry_point (self, MAIL_PLUGIN_SYMBOL_LOAD, (gpointer *) &self->load, error) ||
      !lookup_entry_point (self, MAIL_PLUGIN_SYMBOL_UNLOAD, (gpointer *) &self->unload, error))
    return NULL;

  self->info = query ();
  if (!check_info (path, self->info, abi, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
mail_plugin_discard (MailPlugin *plugin)
{
  g_return_if_fail (MAIL_IS_PLUGIN (plugin));
  g_return_if_fail (!plugin->ever_loaded);

  g_object_unref (plugin);
}

/**
 * mail_plugin_get_path:
 * @plugin: a plug-in
 *
 * Where the plug-in was loaded from.
 *
 * Returns: (transfer none) (type filename): the file the plug-in was loaded from
 */
const char *
mail_plugin_get_path (MailPlugin *plugin)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN (plugin), NULL);
  return plugin->path;
}

/**
 * mail_plugin_get_info:
 * @plugin: a plug-in
 *
 * The plug-in's static metadata.
 *
 * Returns: (transfer none): the plug-in's metadata
 */
const MailPluginInfo *
mail_plugin_get_info (MailPlugin *plugin)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN (plugin), NULL);
  return plugin->info;
}

/**
 * mail_plugin_is_active:
 * @plugin: a plug-in
 *
 * Whether the plug-in is active.
 *
 * Returns: whether the plug-in's load code has run and its account types are available
 */
gboolean
mail_plugin_is_active (MailPlugin *plugin)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN (plugin), FALSE);
  return plugin->active;
}

/**
 * mail_plugin_activate:
 * @plugin: a plug-in
 * @error: return location for a #GError
 *
 * Runs the plug-in's load code, unless it is active already.
 *
 * Returns: whether the plug-in is active
 */
gboolean
mail_plugin_activate (MailPlugin *plugin, GError **error)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN (plugin), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (plugin->active)
    return TRUE;
  if (!g_type_module_use (G_TYPE_MODULE (plugin)))
    {
      g_autoptr (GError) cause = g_steal_pointer (&plugin->load_error);
      g_set_error (error, MAIL_PLUGIN_ERROR, MAIL_PLUGIN_ERROR_LOAD_FAILED,
                   _("%s: the plug-in failed to load: %s"), plugin->path,
                   cause != NULL ? cause->message : _("unknown reason"));
      return FALSE;
    }
  plugin->active = TRUE;
  return TRUE;
}

/**
 * mail_plugin_deactivate:
 * @plugin: a plug-in
 *
 * Drops what the plug-in provided and runs its unload code; it can be activated again.
 */
void
mail_plugin_deactivate (MailPlugin *plugin)
{
  g_return_if_fail (MAIL_IS_PLUGIN (plugin));

  if (!plugin->active)
    return;
  plugin->active = FALSE;
  /* The account types hold their classes, and so this module; release them first so the
   * module's use count can reach zero and the plug-in's unload entry point runs. */
  g_list_store_remove_all (plugin->account_types);
  g_type_module_unuse (G_TYPE_MODULE (plugin));
}

/**
 * mail_plugin_get_account_types:
 * @plugin: a plug-in
 *
 * The account types the plug-in provides while it is active.
 *
 * Returns: (transfer none): the [iface@O365Mailhost.AccountType]s the active plug-in
 *   provides
 */
GListModel *
mail_plugin_get_account_types (MailPlugin *plugin)
{
  g_return_val_if_fail (MAIL_IS_PLUGIN (plugin), NULL);
  return G_LIST_MODEL (plugin->account_types);
}

/**
 * mail_plugin_add_account_type:
 * @plugin: the plug-in being loaded
 * @account_type: an account type it provides
 *
 * For plug-ins, from their `mail_plugin_load()`: adds an account type.
 */
void
mail_plugin_add_account_type (MailPlugin *plugin, MailAccountType *account_type)
{
  g_return_if_fail (MAIL_IS_PLUGIN (plugin));
  g_return_if_fail (MAIL_IS_ACCOUNT_TYPE (account_type));

  g_list_store_append (plugin->account_types, account_type);
}
