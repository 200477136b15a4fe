/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-i18n.h — binds a gettext domain for hosts and plug-ins alike, so that uninstalled builds
 * (meson devenv, the tests) find their catalogues as installed ones do. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MAIL_LOCALEDIR_ENV:
 *
 * The environment variable naming a directory laid out as `$localedir`
 * (`LANG/LC_MESSAGES/DOMAIN.mo`) that [func@O365Mailhost.bind_textdomain] uses instead of the
 * installed one; `meson devenv` and the tests point it at `build/po`.
 */
#define MAIL_LOCALEDIR_ENV "O365_ACCOUNT_LOCALEDIR"

void mail_bind_textdomain (const char *domain, const char *localedir);

G_END_DECLS
