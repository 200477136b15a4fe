/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-i18n.c — one place that decides where a domain's catalogues are. */
#include "config.h"

#include <libintl.h>

#include "mail-i18n.h"

/**
 * mail_bind_textdomain:
 * @domain: a gettext domain
 * @localedir: the installed locale directory
 *
 * Binds @domain to `$O365_ACCOUNT_LOCALEDIR` if set (see [const@O365Mailhost.LOCALEDIR_ENV]),
 * else to @localedir, with UTF-8 output whatever the locale's charset (GLib and GTK take
 * UTF-8). Programs still call `setlocale()` and `textdomain()` themselves; a plug-in must not.
 */
void
mail_bind_textdomain (const char *domain, const char *localedir)
{
  const char *dir = g_getenv (MAIL_LOCALEDIR_ENV);

  g_return_if_fail (domain != NULL && localedir != NULL);

  bindtextdomain (domain, dir != NULL && *dir != '\0' ? dir : localedir);
  bind_textdomain_codeset (domain, "UTF-8");
}
