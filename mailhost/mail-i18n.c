/* mail-i18n.c — one place that decides where a domain's catalogues are. */
#include "config.h"

#include <libintl.h>

#include "mail-i18n.h"

void
mail_bind_textdomain (const char *domain, const char *localedir)
{
  const char *dir = g_getenv (MAIL_LOCALEDIR_ENV);

  g_return_if_fail (domain != NULL && localedir != NULL);

  bindtextdomain (domain, dir != NULL && *dir != '\0' ? dir : localedir);
  bind_textdomain_codeset (domain, "UTF-8");
}
