/* o365-sasl.h — SASL client encoders for SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN
 * (draft-murchison-sasl-login) and XOAUTH2 (Microsoft/Google). Pure, no I/O.
 *
 * Everything returned that contains a credential is base64 text the caller must release with
 * o365_sasl_secret_free(), which wipes it first.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  O365_SASL_PLAIN,
  O365_SASL_LOGIN,
  O365_SASL_XOAUTH2,
} O365SaslMechanism;

const char *o365_sasl_mechanism_to_string (O365SaslMechanism mechanism);

/* Refuses NUL, CR and LF in @username (and NUL in @secret) with MAIL_TRANSPORT_ERROR_INVALID_MESSAGE
 * — checked before anything is sent. */
char *o365_sasl_plain_encode (const char *username, const char *password, GError **error);
char *o365_sasl_login_encode (const char *text, GError **error);
/* base64 ("user=" username "\x01auth=Bearer " token "\x01\x01") */
char *o365_sasl_xoauth2_encode (const char *username, const char *access_token, GError **error);

/* Decodes a 334 challenge's base64 text, sanitised for display ("Username:"). */
char *o365_sasl_decode_challenge (const char *base64, GError **error);

/* XOAUTH2 failure: the server sends 334 with base64 JSON such as
 * {"status":"401","schemes":"bearer","scope":"https://…"}. Parsed with json-glib; any field
 * may be NULL on return. Fails with MAIL_TRANSPORT_ERROR_PROTOCOL when it is not such JSON. */
gboolean o365_sasl_xoauth2_decode_error (const char *base64,
                                         char **status,
                                         char **schemes,
                                         char **scope,
                                         GError **error);

void o365_sasl_secret_free (char *secret);

G_END_DECLS
