/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-tls-identity.h — the server identity check of RFC 9525, on top of the TLS library's.
 *
 * GnuTLS (like OpenSSL) still falls back to the subject CN when a certificate has no DNS
 * subjectAltName; RFC 9525 forbids that. This check runs after the handshake and requires a
 * DNS-ID that matches the host name we connected to.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* RFC 9525 §6.3: case-insensitive; a wildcard only as the complete left-most label, matching
 * exactly one label, never a partial label ("f*o.example") and never "*" alone or "*.tld". */
gboolean o365_tls_dns_name_matches (const char *pattern, const char *host);

/* Fails with MAIL_TRANSPORT_ERROR_TLS unless @certificate has a DNS subjectAltName matching
 * @host. */
gboolean o365_tls_identity_check (GTlsCertificate *certificate, const char *host, GError **error);

/* Why @certificate was refused for @host (@errors from the TLS library), in words that say what
 * to do: the names it has, its issuer, its dates. NULL when @errors names nothing known. */
char *o365_tls_describe_certificate_errors (GTlsCertificate *certificate, GTlsCertificateFlags errors,
                                            const char *host);

G_END_DECLS
