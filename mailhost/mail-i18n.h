/* mail-i18n.h — binds a gettext domain for hosts and plug-ins alike, so that uninstalled builds
 * (meson devenv, the tests) find their catalogues as installed ones do. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A directory laid out as $localedir (LANG/LC_MESSAGES/DOMAIN.mo) used instead of the installed
 * one; meson devenv and the tests point it at build/po, where i18n.gettext() puts the .mo files. */
#define MAIL_LOCALEDIR_ENV "O365_ACCOUNT_LOCALEDIR"

/* Binds @domain to $O365_ACCOUNT_LOCALEDIR if set, else to @localedir, with UTF-8 output
 * whatever the locale's charset (GLib and GTK take UTF-8). Programs still call setlocale() and
 * textdomain() themselves; a plug-in must not. */
void mail_bind_textdomain (const char *domain, const char *localedir);

G_END_DECLS
