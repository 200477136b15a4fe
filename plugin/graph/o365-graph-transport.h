/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-transport.h — MailTransport over Microsoft Graph: POST /v1.0/me/sendMail with the
 * message as base64 MIME, streamed from its source (docs/office365.md, "Microsoft Graph").
 * Bearer tokens for the Graph audience come from o365-oauth2-tokens (the same sign-in as SMTP).
 * Main-context only. */
#pragma once

#include "mail-transport.h"
#include "o365-oauth2-client.h"

G_BEGIN_DECLS

#define O365_TYPE_GRAPH_TRANSPORT (o365_graph_transport_get_type ())
G_DECLARE_FINAL_TYPE (O365GraphTransport, o365_graph_transport, O365, GRAPH_TRANSPORT, GObject)

/* @endpoint: "https://graph.microsoft.com" and the like (http only on loopback, checked by the
 * account's settings); @client: the identity platform client asking for Graph's Mail.Send;
 * @timeout_s: per request, for the connection and each read or write. */
O365GraphTransport *o365_graph_transport_new (const char *account_id,
                                              const char *address,
                                              const char *endpoint,
                                              O365OAuth2Client *client,
                                              guint timeout_s);

G_END_DECLS
