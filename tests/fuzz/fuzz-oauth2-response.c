/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-oauth2-response.c — libFuzzer target for what the Microsoft identity platform answers:
 * the token response (RFC 6749 §5.1/§5.2) and the device authorization response (RFC 8628
 * §3.2), through o365_oauth2_parse_token_response() and
 * o365_oauth2_parse_device_code_response() (plugin/oauth2/o365-oauth2-client.h), and the shape
 * check in front of them, o365_json_is_single_object().
 *
 * Input: byte 0 picks the HTTP status (low 3 bits, from the ones Microsoft sends) and the
 * parser (bit 3: device code); the rest is the body. Invariants: exactly one of a result and an
 * O365_OAUTH2_ERROR; the error message is displayable; a result comes only from HTTP 200 and a
 * single JSON object; its tokens and codes are visible ASCII without spaces (they go into the
 * XOAUTH2 string and form bodies), the access token's expiry is in the future, the user code
 * short, the verification address http(s) with a host, the timings within their bounds. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "o365-json.h"
#include "o365-oauth2-client.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static const guint statuses[] = { 200, 200, 400, 401, 403, 429, 500, 503 };

/* Visible ASCII, at least one character: what RFC 6749 Appendix A allows in a token. */
static gboolean
is_token_text (const char *text)
{
  gsize length = text != NULL ? strlen (text) : 0;
  gsize visible = 0;

  while (visible < length && g_ascii_isgraph (text[visible]))
    visible++;
  return length > 0 && visible == length;
}

static void
check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL, "no result and no error");
  FUZZ_CHECK (error->domain == O365_OAUTH2_ERROR, g_quark_to_string (error->domain));
  FUZZ_CHECK (error->message != NULL && *error->message != '\0', NULL);
  FUZZ_CHECK (fuzz_is_display_safe (error->message, strlen (error->message), FALSE), error->message);
  /* Only a 5xx without an error object may say "temporarily unavailable"; never network. */
  FUZZ_CHECK (error->code != O365_OAUTH2_ERROR_NETWORK, NULL);
}

/* Whether the parser gave @result; if not, its error must be one to show; if so, it must come
 * from a 200 with exactly one JSON object. */
static gboolean
accepted (gconstpointer result, const GError *error, guint status, const char *body, gsize length)
{
  if (result == NULL)
    {
      check_error (error);
      return FALSE;
    }
  FUZZ_CHECK (error == NULL, NULL);
  FUZZ_CHECK (status == 200, "a result from an HTTP error");
  FUZZ_CHECK (o365_json_is_single_object (body, length), NULL);
  return TRUE;
}

static void
check_tokens (const char *body, gsize length, guint status)
{
  g_autoptr (GError) error = NULL;
  gint64 before = g_get_real_time ();
  g_autoptr (O365OAuth2TokenSet) tokens = o365_oauth2_parse_token_response (status, body, length, &error);

  if (!accepted (tokens, error, status, body, length))
    return;
  FUZZ_CHECK (is_token_text (tokens->access_token), "unusable access token accepted");
  FUZZ_CHECK (tokens->refresh_token == NULL || is_token_text (tokens->refresh_token),
              "unusable refresh token accepted");
  FUZZ_CHECK (tokens->expires_at >= before, "an expiry in the past");
}

static void
check_device_code (const char *body, gsize length, guint status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (O365OAuth2DeviceCode) code = o365_oauth2_parse_device_code_response (status, body, length, &error);
  g_autoptr (GUri) uri = NULL;

  if (!accepted (code, error, status, body, length))
    return;
  FUZZ_CHECK (is_token_text (code->device_code), "unusable device code accepted");
  FUZZ_CHECK (is_token_text (code->user_code) && strlen (code->user_code) <= 64, code->user_code);
  FUZZ_CHECK (is_token_text (code->verification_uri), code->verification_uri);
  uri = g_uri_parse (code->verification_uri, G_URI_FLAGS_NONE, NULL);
  FUZZ_CHECK (uri != NULL && g_uri_get_host (uri) != NULL, code->verification_uri);
  FUZZ_CHECK (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ||
              g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0, code->verification_uri);
  /* A code that expires at once, or polling that never or too often happens, would hang or
   * hammer the service. */
  FUZZ_CHECK (code->expires_in >= 1 && code->expires_in <= 3600, NULL);
  FUZZ_CHECK (code->interval >= 1 && code->interval <= 60, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint status;
  gboolean device_code;
  g_autofree char *body = NULL;
  gsize length;

  if (size == 0)
    return 0;
  status = statuses[data[0] & 0x07];
  device_code = (data[0] & 0x08) != 0;
  length = size - 1;
  /* A heap copy of exactly the body: ASan sees any read past its end. */
  body = g_memdup2 (data + 1, length);

  /* The shape check must not read past the end, whatever it decides. */
  (void) o365_json_is_single_object (body, length);
  if (device_code)
    check_device_code (body, length, status);
  else
    check_tokens (body, length, status);
  return 0;
}
