/* o365-account.c — the reference host program for managing accounts.
 *
 *   o365-account list-types    loads the plug-ins and prints each account type with its defaults
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sysexits.h>

#include "mail-plugin-loader.h"

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char *name;
  CommandFunc run;
  const char *summary;
} Command;

/* Loads every plug-in; reports the ones that fail on stderr but goes on with the rest. */
static MailPluginLoader *
load_plugins (GError **error)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  gboolean ok = mail_plugin_loader_load_all (loader, failures, error);

  for (guint i = 0; i < failures->len; i++)
    g_printerr (_("Warning: %s\n"), ((GError *) g_ptr_array_index (failures, i))->message);
  return ok ? g_steal_pointer (&loader) : NULL;
}

static void
print_account_type (MailAccountType *type, MailPlugin *plugin)
{
  const MailPluginInfo *info = mail_plugin_get_info (plugin);
  const MailEndpoint *preferred = mail_account_type_get_default_endpoint (type);
  g_autofree char *username = mail_account_type_dup_default_username (type, "someone@example.com");
  const MailEndpoint *const *endpoints;
  guint n_endpoints = 0;

  g_print ("%s\t%s\n", mail_account_type_get_id (type), mail_account_type_get_display_name (type));
  g_print (_("  plug-in:      %s %s (%s), %s\n"), info->id, info->version, info->license,
           mail_plugin_get_path (plugin));
  g_print (_("  server:       %s\n"), preferred->host);
  g_print (_("  port:         %u\n"), preferred->port);
  g_print (_("  security:     %s\n"), mail_security_to_string (preferred->security));
  g_print (_("  user name:    the e-mail address (someone@example.com → %s)\n"), username);
  g_print (_("  endpoints:\n"));
  endpoints = mail_account_type_get_endpoints (type, &n_endpoints);
  for (guint i = 0; i < n_endpoints; i++)
    g_print ("    %-10s %s:%u %s — %s\n", endpoints[i]->id, endpoints[i]->host, endpoints[i]->port,
             mail_security_to_string (endpoints[i]->security), endpoints[i]->name);
}

static int
command_list_types (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  GPtrArray *plugins;
  guint shown = 0;

  if (argc > 1)
    {
      g_printerr (_("Usage: o365-account list-types\n"));
      return EX_USAGE;
    }
  loader = load_plugins (&error);
  if (loader == NULL)
    {
      g_printerr (_("Error: %s\n"), error->message);
      return EX_UNAVAILABLE;
    }

  plugins = mail_plugin_loader_get_plugins (loader);
  for (guint i = 0; i < plugins->len; i++)
    {
      MailPlugin *plugin = g_ptr_array_index (plugins, i);
      GListModel *types = mail_plugin_get_account_types (plugin);

      for (guint j = 0; j < g_list_model_get_n_items (types); j++)
        {
          g_autoptr (MailAccountType) type = g_list_model_get_item (types, j);

          if (shown++ > 0)
            g_print ("\n");
          print_account_type (type, plugin);
        }
    }
  if (shown == 0)
    {
      g_printerr (_("Error: the plug-ins loaded provide no account type\n"));
      return EX_UNAVAILABLE;
    }
  return EX_OK;
}

static const Command commands[] = {
  { "list-types", command_list_types, N_("Show the account types the plug-ins provide") },
};

static void
print_usage (void)
{
  g_printerr (_("Usage: o365-account COMMAND [ARGUMENTS…]\n\nCommands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-12s %s\n", commands[i].name, _(commands[i].summary));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage ();
      return argc < 2 ? EX_USAGE : EX_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  g_printerr (_("Unknown command “%s”\n\n"), argv[1]);
  print_usage ();
  return EX_USAGE;
}
