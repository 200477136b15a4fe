/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-sasl.c — libFuzzer target for the SASL challenge decoders (plugin/smtp/o365-smtp-sasl.h):
 * o365_sasl_decode_challenge() and o365_sasl_xoauth2_decode_error().
 *
 * The input, up to its first NUL, is a 334 challenge's text as the server sent it; it is also
 * base64-encoded first, so the JSON reader behind the XOAUTH2 decoder sees arbitrary bytes.
 * Invariants: no crash; a challenge is accepted exactly when it is canonical base64 of at most
 * O365_SASL_CHALLENGE_MAX_LENGTH characters (checked against GLib's own encoder); everything
 * returned is valid UTF-8 without control bytes; failures are protocol errors with a
 * displayable message. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "mail-transport-error.h"
#include "o365-smtp-sasl.h"
#include "o365-smtp-reply.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

/* Canonical: decoding (which skips what is not base64) and encoding again gives it back. */
static gboolean
is_canonical_base64 (const char *text)
{
  gsize length = 0;
  g_autofree guchar *decoded = g_base64_decode (text, &length);
  g_autofree char *encoded = g_base64_encode (decoded, length);

  return strlen (text) <= O365_SASL_CHALLENGE_MAX_LENGTH && strcmp (encoded, text) == 0;
}

static void
check_safe (const char *text)
{
  if (text != NULL)
    FUZZ_CHECK (fuzz_is_display_safe (text, strlen (text), FALSE), text);
}

static void
check_protocol_error (const GError *error)
{
  FUZZ_CHECK (g_error_matches (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL), NULL);
  check_safe (error->message);
}

static void
check_xoauth2_error (const char *challenge)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error_without_values = NULL;
  g_autofree char *status = NULL;
  g_autofree char *schemes = NULL;
  g_autofree char *scope = NULL;
  gboolean ok = o365_sasl_xoauth2_decode_error (challenge, &status, &schemes, &scope, &error);

  /* Not asking for the values must not change the verdict. */
  FUZZ_CHECK (o365_sasl_xoauth2_decode_error (challenge, NULL, NULL, NULL, &error_without_values)
              == ok, NULL);
  if (!ok)
    {
      check_protocol_error (error);
      check_protocol_error (error_without_values);
      FUZZ_CHECK (status == NULL && schemes == NULL && scope == NULL, "values set on failure");
      return;
    }
  FUZZ_CHECK (error == NULL, NULL);
  FUZZ_CHECK (is_canonical_base64 (challenge), "non-canonical base64 accepted");
  check_safe (status);
  check_safe (schemes);
  check_safe (scope);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *challenge = g_strndup ((const char *) data, size);
  g_autofree char *encoded = g_base64_encode (data, size);

  {
    g_autoptr (GError) error = NULL;
    g_autofree char *decoded = o365_sasl_decode_challenge (challenge, &error);

    FUZZ_CHECK ((decoded != NULL) == is_canonical_base64 (challenge), challenge);
    if (decoded == NULL)
      check_protocol_error (error);
    else
      {
        gsize raw_length = 0;
        g_autofree guchar *raw = g_base64_decode (challenge, &raw_length);
        g_autofree char *expected = o365_smtp_sanitize_text ((const char *) raw, raw_length);

        FUZZ_CHECK (error == NULL, NULL);
        check_safe (decoded);
        FUZZ_CHECK (strcmp (decoded, expected) == 0, "decoded text differs");
      }
  }

  check_xoauth2_error (challenge);
  if (strlen (encoded) <= O365_SASL_CHALLENGE_MAX_LENGTH)
    check_xoauth2_error (encoded);
  return 0;
}
