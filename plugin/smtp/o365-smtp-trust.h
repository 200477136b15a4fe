/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-trust.h — what verifies the server's certificate, loaded while the connection is
 * made (issue 12.8).
 *
 * Parsing the system trust store costs GnuTLS tens of milliseconds of CPU, and glib-networking
 * parses it again for every connection whose database is one of its own. So an O365SmtpTrust
 * is a GTlsDatabase of its own that verifies against one anchor database: the account's extra
 * CA file when it has one, else the system store. Both are loaded in a worker thread as soon as
 * the trust is made, with the TLS and proxy-resolver modules, in parallel with the keyring
 * look-up, the TCP connection, the greeting, EHLO and STARTTLS; the session waits for them at
 * STARTTLS only. With an extra CA the system store is read only when the extra CA does not
 * vouch for the certificate (see o365_smtp_trust_verify_with_system_async()).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define O365_TYPE_SMTP_TRUST (o365_smtp_trust_get_type ())
G_DECLARE_FINAL_TYPE (O365SmtpTrust, o365_smtp_trust, O365, SMTP_TRUST, GTlsDatabase)

/* Starts loading at once. @ca_file: the extra CA file (PEM), or NULL or "" for none. */
O365SmtpTrust *o365_smtp_trust_new (const char *ca_file);

/* Completes once everything is loaded; fails (MAIL_TRANSPORT_ERROR_TLS) when the extra CA file
 * cannot be read. */
void o365_smtp_trust_wait_async (O365SmtpTrust *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean o365_smtp_trust_wait_finish (O365SmtpTrust *self, GAsyncResult *result, GError **error);

/* TRUE when the anchor is the extra CA file: the system store was not consulted, and a
 * certificate the extra CA does not know may still be one the system store trusts. */
gboolean o365_smtp_trust_has_extra_ca (O365SmtpTrust *self);

/* Verifies @peer for @identity against the system trust store, loaded (once per process) and
 * consulted in a worker thread. */
void o365_smtp_trust_verify_with_system_async (O365SmtpTrust *self,
                                               GTlsCertificate *peer,
                                               GSocketConnectable *identity,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
GTlsCertificateFlags o365_smtp_trust_verify_with_system_finish (O365SmtpTrust *self,
                                                                GAsyncResult *result,
                                                                GError **error);

G_END_DECLS
