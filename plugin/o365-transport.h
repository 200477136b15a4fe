/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-transport.h — the Office 365 MailTransport: one session per batch, one connection per
 * account at a time, paced to the per-mailbox rate limit, the credential read from the keyring
 * only when a session starts. */
#pragma once

#include "mail-transport.h"
#include "o365-credentials.h"
#include "o365-oauth2-client.h"
#include "o365-smtp-config.h"

G_BEGIN_DECLS

#define O365_TYPE_TRANSPORT (o365_transport_get_type ())
G_DECLARE_FINAL_TYPE (O365Transport, o365_transport, O365, TRANSPORT, GObject)

/* @account_key names the mailbox for the one-connection rule and the pacing (the account id);
 * @config (copied) carries the server and, unless the keyring is to be asked, the credential. */
O365Transport *o365_transport_new (const char *account_key, const O365SmtpConfig *config);

/* Reads the credential of @kind for @account_id from the keyring before each session (the
 * config then carries none). */
void o365_transport_use_keyring (O365Transport *self, const char *account_id, O365SecretKind kind);

/* Signs in with OAuth2 (XOAUTH2): before each session an access token for @account_id from
 * memory or, when it is near its expiry, refreshed with @client from the refresh token in the
 * keyring (the rotated one replaces it there; @address labels it). A “535 5.7.3” refusal of the
 * token gets one refresh and one more try. */
void o365_transport_use_oauth2 (O365Transport *self,
                                const char *account_id,
                                const char *address,
                                O365OAuth2Client *client);

/* "auto": when SMTP sign-in ends in 535 5.7.139 or 550 5.7.30, the operation goes to @fallback
 * (Microsoft Graph) instead, after @on_fallback (@on_fallback_data) has remembered that. */
void o365_transport_fall_back_to (O365Transport *self,
                                  MailTransport *fallback,
                                  GDestroyNotify on_fallback,
                                  gpointer on_fallback_data,
                                  GDestroyNotify on_fallback_data_free);

G_END_DECLS
