/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-sasl.c — SASL client encoders and challenge decoding for SMTP AUTH.
 *
 * A plain credential exists only in one exactly-sized buffer that is wiped right after it is
 * base64-encoded; the encoding itself is handed to the caller, who wipes it through
 * o365_sasl_secret_free().
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mail-transport-error.h"
#include "o365-json.h"
#include "o365-smtp-sasl.h"
#include "o365-smtp-reply.h"

const char *
o365_sasl_mechanism_to_string (O365SaslMechanism mechanism)
{
  switch (mechanism)
    {
    case O365_SASL_PLAIN:
      return "PLAIN";
    case O365_SASL_LOGIN:
      return "LOGIN";
    case O365_SASL_XOAUTH2:
      return "XOAUTH2";
    }
  g_return_val_if_reached (NULL);
}

void
o365_sasl_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

typedef struct
{
  const char *data;
  gsize length;
} Piece;

/* base64 of the concatenated @pieces, built in one buffer that is wiped before it is freed
 * (a GString would leave copies behind in the blocks it reallocates). */
static char *
encode_secret (const Piece *pieces, gsize n_pieces)
{
  gsize length = 0;
  char *raw;
  char *end;
  char *encoded;

  for (gsize i = 0; i < n_pieces; i++)
    length += pieces[i].length;
  raw = end = g_malloc (length);
  for (gsize i = 0; i < n_pieces; i++)
    end = mempcpy (end, pieces[i].data, pieces[i].length);
  encoded = g_base64_encode ((const guchar *) raw, length);
  explicit_bzero (raw, length);
  g_free (raw);
  return encoded;
}

static gboolean
has_control_bytes (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* A user name travels inside SASL framing (NUL in PLAIN, \x01 in XOAUTH2) and ends up in
 * server logs: only printable UTF-8 is accepted. */
static gboolean
check_username (const char *username, GError **error)
{
  if (*username == '\0')
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                           _("The user name is empty: enter it in the account settings."));
      return FALSE;
    }
  if (!g_utf8_validate (username, -1, NULL) || has_control_bytes (username))
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                           _("The user name contains a line break or another character that "
                             "cannot be sent: correct it in the account settings."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_password (const char *password, GError **error)
{
  if (*password == '\0')
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                           _("The password is empty: enter your password."));
      return FALSE;
    }
  return TRUE;
}

/* A bearer token is printable ASCII without spaces (RFC 6750 b64token); anything else is a
 * corrupted token, and a \x01 would end the XOAUTH2 field early. */
static gboolean
check_token (const char *token, GError **error)
{
  if (*token == '\0')
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                           _("The Microsoft sign-in token is empty: sign in with Microsoft "
                             "again."));
      return FALSE;
    }
  for (const char *p = token; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
      {
        g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                             _("The Microsoft sign-in token is damaged: sign in with Microsoft "
                               "again."));
        return FALSE;
      }
  return TRUE;
}

char *
o365_sasl_plain_encode (const char *username, const char *password, GError **error)
{
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_username (username, error) || !check_password (password, error))
    return NULL;

  /* RFC 4616: authzid NUL authcid NUL passwd, with an empty authzid (act as ourselves). */
  const Piece pieces[] = {
    { "\0", 1 },
    { username, strlen (username) },
    { "\0", 1 },
    { password, strlen (password) },
  };

  return encode_secret (pieces, G_N_ELEMENTS (pieces));
}

char *
o365_sasl_login_encode_username (const char *username, GError **error)
{
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_username (username, error))
    return NULL;
  return g_base64_encode ((const guchar *) username, strlen (username));
}

char *
o365_sasl_login_encode (const char *password, GError **error)
{
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_password (password, error))
    return NULL;
  return g_base64_encode ((const guchar *) password, strlen (password));
}

char *
o365_sasl_xoauth2_encode (const char *username, const char *access_token, GError **error)
{
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (access_token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_username (username, error) || !check_token (access_token, error))
    return NULL;

  const Piece pieces[] = {
    { "user=", 5 },
    { username, strlen (username) },
    { "\x01" "auth=Bearer ", 13 },
    { access_token, strlen (access_token) },
    { "\x01\x01", 2 },
  };

  return encode_secret (pieces, G_N_ELEMENTS (pieces));
}

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* RFC 4648 §4 as RFC 4954 requires it: full quanta, '=' only as the last one or two
 * characters, and the bits the padding leaves over set to zero (§3.5), so that every byte
 * string has exactly one accepted encoding. g_base64_decode() skips what it does not know. */
static gboolean
is_strict_base64 (const char *text, gsize length)
{
  gsize padding = 0;

  if (length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '=')
        padding++;
      else if (padding > 0 || base64_value (text[i]) < 0)
        return FALSE;
    }
  if (padding == 1)
    return (base64_value (text[length - 2]) & 0x03) == 0;
  if (padding == 2)
    return (base64_value (text[length - 3]) & 0x0f) == 0;
  return padding == 0;
}

static guchar *
decode_challenge (const char *base64, gsize *length, GError **error)
{
  gsize encoded_length = strnlen (base64, O365_SASL_CHALLENGE_MAX_LENGTH + 1);

  if (encoded_length > O365_SASL_CHALLENGE_MAX_LENGTH)
    {
      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   _("The server sent an authentication challenge longer than %u characters."),
                   (guint) O365_SASL_CHALLENGE_MAX_LENGTH);
      return NULL;
    }
  if (!is_strict_base64 (base64, encoded_length))
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                           _("The server sent an authentication challenge that is not valid "
                             "base64."));
      return NULL;
    }
  return g_base64_decode (base64, length);
}

char *
o365_sasl_decode_challenge (const char *base64, GError **error)
{
  g_autofree guchar *decoded = NULL;
  gsize length;

  g_return_val_if_fail (base64 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  decoded = decode_challenge (base64, &length, error);
  if (decoded == NULL)
    return NULL;
  return o365_smtp_sanitize_text ((const char *) decoded, length);
}

/* Copies the string member @name of @object, sanitised, into *@value (NULL when absent or
 * JSON null). */
static gboolean
get_string_member (JsonObject *object, const char *name, char **value, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   _("The server’s sign-in error report has an invalid “%s” field."), name);
      return FALSE;
    }
  text = json_node_get_string (node);
  *value = o365_smtp_sanitize_text (text, strlen (text));
  return TRUE;
}

gboolean
o365_sasl_xoauth2_decode_error (const char *base64,
                                char **status,
                                char **schemes,
                                char **scope,
                                GError **error)
{
  g_autofree guchar *json = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autofree char *status_value = NULL;
  g_autofree char *schemes_value = NULL;
  g_autofree char *scope_value = NULL;
  JsonNode *root;
  JsonObject *object;
  gsize length;

  g_return_val_if_fail (base64 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json = decode_challenge (base64, &length, error);
  if (json == NULL)
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!g_utf8_validate_len ((const char *) json, length, NULL)
      || !o365_json_is_single_object ((const char *) json, length)
      || !json_parser_load_from_data (parser, (const char *) json, length, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                           _("The server’s sign-in error report is not a JSON object."));
      return FALSE;
    }

  object = json_node_get_object (root);
  if (!get_string_member (object, "status", &status_value, error)
      || !get_string_member (object, "schemes", &schemes_value, error)
      || !get_string_member (object, "scope", &scope_value, error))
    return FALSE;

  if (status != NULL)
    *status = g_steal_pointer (&status_value);
  if (schemes != NULL)
    *schemes = g_steal_pointer (&schemes_value);
  if (scope != NULL)
    *scope = g_steal_pointer (&scope_value);
  return TRUE;
}
