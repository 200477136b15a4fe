/* o365-transport.h — the Office 365 MailTransport: one session per batch, one connection per
 * account at a time, paced to the per-mailbox rate limit. */
#pragma once

#include "mail-transport.h"
#include "o365-smtp-config.h"
#include "o365-transcript.h"

G_BEGIN_DECLS

#define O365_TYPE_TRANSPORT (o365_transport_get_type ())
G_DECLARE_FINAL_TYPE (O365Transport, o365_transport, O365, TRANSPORT, GObject)

/* @account_key names the mailbox for the one-connection rule and the pacing (the account id);
 * @config (copied) carries the server and the credential. @transcript may be NULL. */
O365Transport *o365_transport_new (const char *account_key,
                                   const O365SmtpConfig *config,
                                   O365Transcript *transcript);

G_END_DECLS
