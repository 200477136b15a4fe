/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-settings-window.h — the window GTK hosts show an account type's settings widget in
 * (what “o365-account setup” opens). Escape or the close button cancels; it closes itself when
 * the widget emits "done" (see mail-account-type.h). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MAIL_TYPE_SETTINGS_WINDOW (mail_settings_window_get_type ())
G_DECLARE_FINAL_TYPE (MailSettingsWindow, mail_settings_window, MAIL, SETTINGS_WINDOW, GtkWindow)

/* @settings_widget: from mail_account_type_create_settings_widget(). */
GtkWidget *mail_settings_window_new (GtkWidget *settings_widget, const char *title);
GtkWidget *mail_settings_window_get_settings_widget (MailSettingsWindow *self);

G_END_DECLS
