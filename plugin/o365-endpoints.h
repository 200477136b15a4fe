/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-endpoints.h — the Microsoft 365 submission endpoints (docs/office365.md, "Endpoint and TLS") and
 * the identity platform that issues tokens for each. */
#pragma once

#include "mail-account-type.h"

G_BEGIN_DECLS

typedef struct
{
  MailEndpoint endpoint;        /* what hosts see; first member so it can be cast */
  const char *oauth2_authority; /* token issuer, e.g. https://login.microsoftonline.com */
  const char *oauth2_scope;     /* space-separated scopes for SMTP submission */
  const char *oauth2_tenant;    /* the directory when the account names none */
  const char *graph_endpoint;   /* Microsoft Graph, e.g. https://graph.microsoft.com */
  const char *graph_scope;      /* the same sign-in's scopes for Graph's sendMail */
} O365Endpoint;

#define O365_DEFAULT_ENDPOINT_ID "worldwide"

/* Returns: (transfer none) the endpoints, worldwide first, names translated. */
const MailEndpoint *const *o365_endpoints_get_all (guint *n_endpoints);
/* Returns: (nullable) */
const O365Endpoint *o365_endpoints_find (const char *id);
/* The endpoint @address belongs to: from its domain alone (@mail_exchangers NULL: Outlook.com's
 * own domains), else from its MX host names. Returns: (nullable) NULL when it cannot tell. */
const MailEndpoint *o365_endpoints_suggest (const char *address, const char *const *mail_exchangers);

G_END_DECLS
