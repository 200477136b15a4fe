/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-sasl.h — SASL client encoders for SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN
 * (draft-murchison-sasl-login) and XOAUTH2 (Microsoft/Google). Pure, no I/O.
 *
 * Everything returned that contains a credential is base64 text the caller must release with
 * o365_sasl_secret_free(), which wipes it first.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest base64 challenge accepted from a 334 reply; a hostile server gets an error, not a
 * large allocation. Real challenges ("VXNlcm5hbWU6", XOAUTH2 error JSON) are far shorter. */
#define O365_SASL_CHALLENGE_MAX_LENGTH 4096

typedef enum
{
  O365_SASL_PLAIN,
  O365_SASL_LOGIN,
  O365_SASL_XOAUTH2,
} O365SaslMechanism;

const char *o365_sasl_mechanism_to_string (O365SaslMechanism mechanism);

/* Every encoder refuses, with MAIL_TRANSPORT_ERROR_INVALID_MESSAGE and before anything is
 * sent: an empty or non-UTF-8 user name, or one containing control bytes (NUL, CR, LF…); an
 * empty password or token; a token containing control bytes (they would break the XOAUTH2
 * framing). A password may contain any byte but NUL, which a C string cannot hold. */
char *o365_sasl_plain_encode (const char *username, const char *password, GError **error);
/* LOGIN sends the user name, then the password, each base64-encoded on its own line. */
char *o365_sasl_login_encode_username (const char *username, GError **error);
char *o365_sasl_login_encode (const char *password, GError **error);
/* base64 ("user=" username "\x01auth=Bearer " token "\x01\x01") */
char *o365_sasl_xoauth2_encode (const char *username, const char *access_token, GError **error);

/* Decodes a 334 challenge's base64 text (strict RFC 4648: padded, canonical, no whitespace,
 * at most O365_SASL_CHALLENGE_MAX_LENGTH characters), sanitised for display ("Username:").
 * Errors are MAIL_TRANSPORT_ERROR_PROTOCOL. */
char *o365_sasl_decode_challenge (const char *base64, GError **error);

/* XOAUTH2 failure: the server sends 334 with base64 JSON such as
 * {"status":"401","schemes":"bearer","scope":"https://…"}. Parsed with json-glib; any field
 * may be NULL on return, values are sanitised. Fails with MAIL_TRANSPORT_ERROR_PROTOCOL when
 * it is not such JSON (bad base64, not an object, a field that is not a string). */
gboolean o365_sasl_xoauth2_decode_error (const char *base64,
                                         char **status,
                                         char **schemes,
                                         char **scope,
                                         GError **error);

void o365_sasl_secret_free (char *secret);

/* For g_auto (O365SaslSecret): an encoded credential wiped when it goes out of scope. */
typedef char *O365SaslSecret;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (O365SaslSecret, o365_sasl_secret_free, NULL)

G_END_DECLS
