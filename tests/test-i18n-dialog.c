/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-i18n-dialog.c — the settings dialog in German and French: the plug-in binds its domain to
 * the build tree's catalogues ($O365_ACCOUNT_LOCALEDIR), and both the .ui template's strings and
 * the ones the dialog sets from C come out translated. Runs under tests/harness/xvfb-run-test,
 * once per language (LANGUAGE is set before any thread exists: setenv is not thread-safe);
 * everything is read back through the GTK API.
 *
 *   test-i18n-dialog de|fr [--tap] */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>

#include "mail-plugin-loader.h"
#include "mail-settings-window.h"

typedef struct
{
  const char *language;
  const char *address_label;  /* from the .ui template */
  const char *save_button;    /* from the .ui template, with its mnemonic */
  const char *first_method;   /* a GtkStringList item of the template */
  const char *username_label; /* set from C by the dialog */
} Expected;

static const Expected german = {
  "de", "_E-Mail-Adresse", "_Speichern", "Anmelden mit Microsoft (empfohlen)",
  "Sie melden sich mit Ihrer E-Mail-Adresse an.",
};
static const Expected french = {
  "fr", "Adresse é_lectronique", "_Enregistrer", "Se connecter avec Microsoft (recommandé)",
  "Vous vous connectez avec votre adresse électronique.",
};

static MailAccountType *account_type;

static GtkWidget *
find (GtkWidget *widget, const char *id)
{
  const char *own = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));

  if (own != NULL && g_str_equal (own, id))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_or_fail (GtkWidget *widget, const char *id)
{
  GtkWidget *found = find (widget, id);

  if (found == NULL)
    g_error ("no widget “%s” in the dialog", id);
  return found;
}

static void
on_destroyed (GtkWidget *window, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_dialog_language (gconstpointer data)
{
  const Expected *expected = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GObject) editor = NULL;
  GtkWidget *window;
  GListModel *methods;
  gboolean closed = FALSE;

  editor = mail_account_type_create_settings_widget (account_type, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (GTK_IS_WIDGET (editor));
  window = mail_settings_window_new (GTK_WIDGET (editor), "o365-account i18n test");
  g_signal_connect (window, "destroy", G_CALLBACK (on_destroyed), &closed);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (find_or_fail (window, "address_label"))), ==,
                   expected->address_label);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_or_fail (window, "save_button"))), ==,
                   expected->save_button);
  methods = gtk_drop_down_get_model (GTK_DROP_DOWN (find_or_fail (window, "auth_dropdown")));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 0), ==, expected->first_method);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_or_fail (window, "username_label"))), ==,
                   expected->username_label);

  gtk_window_destroy (GTK_WINDOW (window));
  while (!closed)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  const Expected *expected = NULL;

  g_test_init (&argc, &argv, NULL);
  if (argc == 2 && g_str_equal (argv[1], german.language))
    expected = &german;
  else if (argc == 2 && g_str_equal (argv[1], french.language))
    expected = &french;
  else
    g_error ("usage: %s de|fr", argv[0]);
  if (g_getenv ("O365_ACCOUNT_LOCALEDIR") == NULL)
    g_error ("O365_ACCOUNT_LOCALEDIR is not set: run this through meson test");
  /* Under C.UTF-8 (the tests' locale) glibc still honours LANGUAGE. */
  g_setenv ("LANGUAGE", expected->language, TRUE);
  setlocale (LC_ALL, "");
  gtk_init ();
  /* Without a window manager X focus moves as windows come and go, and GTK's cursor-blink timer
   * reports that as a warning (which the test framework makes fatal). */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  loader = mail_plugin_loader_new ();
  if (!mail_plugin_loader_load_all (loader, NULL, &error))
    g_error ("%s", error->message);
  account_type = mail_plugin_loader_find_account_type (loader, "office365");
  g_assert_nonnull (account_type);

  g_test_add_data_func ("/i18n-dialog/labels", expected, test_dialog_language);
  return g_test_run ();
}
