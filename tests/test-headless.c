/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-headless.c — hosts without a display never map GTK: this process (which does not link
 * GTK) loads the plug-in, makes an account and a transport, and libgtk-4 is still absent from
 * /proc/self/maps; only asking for the settings widget loads the dialog module, and GTK with it.
 * o365-send and o365-account, run with the dynamic loader's trace, never load GTK either. */
#include "config.h"

#include "mail-plugin-loader.h"
#include "mail-transport.h"
#include "test-utils.h"

#define GTK_LIBRARY "libgtk-4.so"

static char *o365_send_path;
static char *o365_account_path;

static gboolean
gtk_is_mapped (void)
{
  g_autofree char *maps = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, &error));
  g_assert_no_error (error);
  return strstr (maps, GTK_LIBRARY) != NULL;
}

static void
test_plugin_core (void)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (MailTransport) transport = NULL;
  g_autoptr (GObject) widget = NULL;
  MailAccountType *type;

  g_assert_false (gtk_is_mapped ());
  g_assert_true (mail_plugin_loader_load_all (loader, NULL, &error));
  g_assert_no_error (error);
  type = mail_plugin_loader_find_account_type (loader, "office365");
  g_assert_nonnull (type);
  g_assert_true (mail_account_type_has_settings_widget (type));

  account = mail_account_type_create_account (type, "headless", &error);
  g_assert_no_error (error);
  g_object_set (account, "address", "alice@contoso.test", "auth-method", "password", NULL);
  g_assert_true (mail_account_validate (account, &error));
  g_assert_no_error (error);
  transport = mail_account_create_transport (account, &error);
  g_assert_no_error (error);
  g_assert_nonnull (transport);
  g_assert_false (gtk_is_mapped ());

  /* Asking for the widget loads the dialog module and so GTK; without a display (GTK not
   * initialised) it then refuses cleanly instead of aborting. */
  widget = mail_account_type_create_settings_widget (type, account, &error);
  g_assert_null (widget);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_assert_true (gtk_is_mapped ());
}

/* Runs @argv with LD_DEBUG=files (every object the dynamic loader maps, dlopen()ed plug-ins
 * included, is traced on stderr) and returns that trace. */
static char *
loader_trace (const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  char *trace = NULL;

  g_subprocess_launcher_setenv (launcher, "LD_DEBUG", "files", TRUE);
  /* The test's own isolated directories (the environment only has placeholders). */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &trace, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("%s failed:\n%s", argv[0], trace);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return trace;
}

static void
test_programs (void)
{
  const char *const send_flush[] = { o365_send_path, "--flush", NULL };
  const char *const account_list[] = { o365_account_path, "list", NULL };
  const char *const *commands[] = { send_flush, account_list };

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *trace = loader_trace (commands[i]);

      /* The plug-in was loaded (so the trace covers it), GTK was not. */
      g_assert_nonnull (strstr (trace, "office365.so"));
      g_assert_nonnull (strstr (trace, "libgio-2.0.so"));
      g_assert_null (strstr (trace, GTK_LIBRARY));
      g_assert_null (strstr (trace, "office365-gui.so"));
    }
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  if (argc != 3)
    g_error ("usage: %s O365_SEND O365_ACCOUNT", argv[0]);
  o365_send_path = argv[1];
  o365_account_path = argv[2];
  g_test_add_func ("/headless/plugin-core", test_plugin_core);
  g_test_add_func ("/headless/programs", test_programs);
  return g_test_run ();
}
