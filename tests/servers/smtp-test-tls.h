/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-tls.h — the server side of a STARTTLS upgrade, with a test certificate chosen by name. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* NAME.pem (a leaf, or a chain) with its key NAME.key from @cert_dir. A chain file without a key of
 * its own (chain-full.pem) uses the key of the NAME2.pem in @cert_dir that holds the same leaf. */
GTlsCertificate *smtp_test_tls_load_certificate (const char *cert_dir,
                                                 const char *name,
                                                 GError    **error);

/* Runs the server handshake on @base (a GSocketConnection), which the result then owns.
 * @max_version G_TLS_PROTOCOL_VERSION_UNKNOWN: whatever GnuTLS negotiates by default, in-process.
 * Any other value (TLS 1.0 to 1.2): the GnuTLS priority of glib-networking 2.74 is global to the
 * process and fixed at first use, so the handshake runs in a helper process holding the TCP
 * socket; the result is then the plaintext side of a socket pair to that helper. */
void       smtp_test_tls_upgrade_async  (GIOStream           *base,
                                         const char          *cert_dir,
                                         const char          *cert_name,
                                         GTlsProtocolVersion  max_version,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* @protocol: (out) (optional): the negotiated version, e.g. "TLS 1.3". */
GIOStream *smtp_test_tls_upgrade_finish (GAsyncResult        *result,
                                         char               **protocol,
                                         GError             **error);

/* g_tls_server_connection_new() without the system trust store. */
GIOStream *smtp_test_tls_server_connection_new (GIOStream       *base,
                                                GTlsCertificate *certificate,
                                                GError         **error);

/* "TLS 1.2" and so on, for logs. */
const char *smtp_test_tls_protocol_name (GTlsProtocolVersion version);

G_END_DECLS
