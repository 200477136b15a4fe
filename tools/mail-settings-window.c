/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-settings-window.c — a plain window around a settings widget; the widget does the work. */
#include "config.h"

#include "mail-settings-window.h"
#include "mail-settings-window-resources.h"

struct _MailSettingsWindow
{
  GtkWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (MailSettingsWindow, mail_settings_window, GTK_TYPE_WINDOW)

static void
mail_settings_window_class_init (MailSettingsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* A static library: its resources are registered by hand, not by a constructor the linker
   * could drop. */
  mail_settings_window_register_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/org/o365account/host/mail-settings-window.ui");
  /* Escape closes (cancels) even when the widget does not handle it itself. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mail_settings_window_init (MailSettingsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
mail_settings_window_new (GtkWidget *settings_widget, const char *title)
{
  GtkWidget *self;

  g_return_val_if_fail (GTK_IS_WIDGET (settings_widget), NULL);
  g_return_val_if_fail (g_signal_lookup ("done", G_OBJECT_TYPE (settings_widget)) != 0, NULL);

  self = g_object_new (MAIL_TYPE_SETTINGS_WINDOW, "title", title, NULL);
  gtk_window_set_child (GTK_WINDOW (self), settings_widget);
  g_signal_connect_object (settings_widget, "done", G_CALLBACK (gtk_window_destroy), self, G_CONNECT_SWAPPED);
  return self;
}

GtkWidget *
mail_settings_window_get_settings_widget (MailSettingsWindow *self)
{
  g_return_val_if_fail (MAIL_IS_SETTINGS_WINDOW (self), NULL);
  return gtk_window_get_child (GTK_WINDOW (self));
}
