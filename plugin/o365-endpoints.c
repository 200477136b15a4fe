/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-endpoints.c — endpoint presets, from docs/office365.md, "Endpoint and TLS". */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-endpoints.h"

#define SMTP_SEND_SCOPE(host) "https://" host "/SMTP.Send offline_access"
/* Graph of each national cloud (learn.microsoft.com, "National cloud deployments"). */
#define GRAPH(host) "https://" host, "https://" host "/Mail.Send offline_access"

static const O365Endpoint endpoints[] = {
  { { "worldwide", N_("Microsoft 365 (worldwide)"), "smtp.office365.com", 587,
      MAIL_SECURITY_STARTTLS },
    "https://login.microsoftonline.com", SMTP_SEND_SCOPE ("outlook.office.com"),
    GRAPH ("graph.microsoft.com") },
  { { "outlook", N_("Outlook.com, Hotmail (personal)"), "smtp-mail.outlook.com", 587,
      MAIL_SECURITY_STARTTLS },
    "https://login.microsoftonline.com", SMTP_SEND_SCOPE ("outlook.office.com"),
    GRAPH ("graph.microsoft.com") },
  { { "gcc-high", N_("US Government GCC High"), "smtp.office365.us", 587,
      MAIL_SECURITY_STARTTLS },
    "https://login.microsoftonline.us", SMTP_SEND_SCOPE ("outlook.office365.us"),
    GRAPH ("graph.microsoft.us") },
  { { "china", N_("China (operated by 21Vianet)"), "smtp.partner.outlook.cn", 587,
      MAIL_SECURITY_STARTTLS },
    "https://login.chinacloudapi.cn", SMTP_SEND_SCOPE ("partner.outlook.cn"),
    GRAPH ("microsoftgraph.chinacloudapi.cn") },
};

const MailEndpoint *const *
o365_endpoints_get_all (guint *n_endpoints)
{
  /* Translated copies, made once: hosts show the names as they are. */
  static MailEndpoint translated[G_N_ELEMENTS (endpoints)];
  static const MailEndpoint *pointers[G_N_ELEMENTS (endpoints) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (endpoints); i++)
        {
          translated[i] = endpoints[i].endpoint;
          translated[i].name = _(endpoints[i].endpoint.name);
          pointers[i] = &translated[i];
        }
      g_once_init_leave (&initialized, 1);
    }
  *n_endpoints = G_N_ELEMENTS (endpoints);
  return pointers;
}

const O365Endpoint *
o365_endpoints_find (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (g_str_equal (endpoints[i].endpoint.id, id))
      return &endpoints[i];
  return NULL;
}
