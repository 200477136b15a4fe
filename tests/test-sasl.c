/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-sasl.c — SASL encoders (known vectors, refusals) and challenge decoding (strict base64,
 * bounds, sanitising, the XOAUTH2 error JSON). */
#include "config.h"

#include <string.h>

#include "mail-transport-error.h"
#include "o365-smtp-sasl.h"
#include "test-utils.h"

/* Shared by the "contains no control character" checks of decoded, sanitised text. */
static void
assert_displayable (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

static char *
encode_text (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

static void
test_mechanism_names (void)
{
  g_assert_cmpstr (o365_sasl_mechanism_to_string (O365_SASL_PLAIN), ==, "PLAIN");
  g_assert_cmpstr (o365_sasl_mechanism_to_string (O365_SASL_LOGIN), ==, "LOGIN");
  g_assert_cmpstr (o365_sasl_mechanism_to_string (O365_SASL_XOAUTH2), ==, "XOAUTH2");
}

static void
test_plain_vectors (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (O365SaslSecret) ascii = o365_sasl_plain_encode ("test", "pass", &error);
  g_auto (O365SaslSecret) utf8 = NULL;
  g_auto (O365SaslSecret) line_breaks = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (ascii, ==, "AHRlc3QAcGFzcw==");

  utf8 = o365_sasl_plain_encode ("jürgen@example.com", "pässwörd", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (utf8, ==, "AGrDvHJnZW5AZXhhbXBsZS5jb20AcMOkc3N3w7ZyZA==");

  /* Only NUL is impossible in a password; CR and LF are plain bytes inside base64. */
  line_breaks = o365_sasl_plain_encode ("user@example.com", "pa\r\nss", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line_breaks, ==, "AHVzZXJAZXhhbXBsZS5jb20AcGENCnNz");
}

static void
test_login_vectors (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (O365SaslSecret) username = o365_sasl_login_encode_username ("test", &error);
  g_auto (O365SaslSecret) password = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (username, ==, "dGVzdA==");

  password = o365_sasl_login_encode ("pass", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "cGFzcw==");
}

static void
test_xoauth2_vector (void)
{
  g_autoptr (GError) error = NULL;
  /* The example from Google's XOAUTH2 protocol documentation. */
  g_auto (O365SaslSecret) encoded =
    o365_sasl_xoauth2_encode ("someuser@example.com",
                              "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (encoded, ==,
                   "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
                   "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
}

/* Office 365 tokens can exceed 4 KB: nothing may cap or truncate them. */
static void
test_xoauth2_long_token (void)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
  g_autoptr (GError) error = NULL;
  g_autofree char *token = g_malloc (6001);
  g_autofree char *expected = NULL;
  g_autofree guchar *decoded = NULL;
  g_auto (O365SaslSecret) encoded = NULL;
  gsize length;

  for (gsize i = 0; i < 6000; i++)
    token[i] = alphabet[i % (sizeof alphabet - 1)];
  token[6000] = '\0';

  encoded = o365_sasl_xoauth2_encode ("someone@contoso.com", token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (encoded);

  expected = g_strdup_printf ("user=someone@contoso.com\001auth=Bearer %s\001\001", token);
  g_assert_cmpuint (strlen (encoded), ==, (strlen (expected) + 2) / 3 * 4);
  decoded = g_base64_decode (encoded, &length);
  g_assert_cmpmem (decoded, length, expected, strlen (expected));
}

typedef char *(*UsernameEncoder) (const char *username, GError **error);

static char *
plain_with_username (const char *username, GError **error)
{
  return o365_sasl_plain_encode (username, "pass", error);
}

static char *
xoauth2_with_username (const char *username, GError **error)
{
  return o365_sasl_xoauth2_encode (username, "token", error);
}

static const UsernameEncoder username_encoders[] = {
  plain_with_username,
  o365_sasl_login_encode_username,
  xoauth2_with_username,
};

static void
test_refuse_usernames (void)
{
  const char *bad[] = {
    "",
    "user\r\nMAIL FROM:<x@example.com>",
    "user\r",
    "user\n",
    "user\001auth=Bearer x",
    "user\tname",
    "user\177",
    "\xff\xfe@example.com",
  };

  for (gsize e = 0; e < G_N_ELEMENTS (username_encoders); e++)
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (GError) error = NULL;
        char *encoded = username_encoders[e] (bad[i], &error);

        g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
        g_assert_null (encoded);
      }
}

static void
test_refuse_passwords (void)
{
  g_autoptr (GError) error = NULL;
  char *encoded = o365_sasl_plain_encode ("user@example.com", "", &error);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
  g_assert_null (encoded);
  g_clear_error (&error);

  encoded = o365_sasl_login_encode ("", &error);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
  g_assert_null (encoded);
}

static void
test_refuse_tokens (void)
{
  const char *bad[] = {
    "",
    "abc\r\nQUIT",
    "abc\n",
    "abc\001\001",
    "abc def",
    "abc\177",
    "abc\xc3\xa9",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      char *encoded = o365_sasl_xoauth2_encode ("user@example.com", bad[i], &error);

      g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
      g_assert_null (encoded);
    }
}

static void
test_decode_challenge (void)
{
  const struct
  {
    const char *base64;
    const char *text;
  } good[] = {
    { "VXNlcm5hbWU6", "Username:" },
    { "UGFzc3dvcmQ6", "Password:" },
    { "", "" },
    { "QQ==", "A" },
    { "QUI=", "AB" },
    { "QUJD", "ABC" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = o365_sasl_decode_challenge (good[i].base64, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, good[i].text);
    }
}

static void
test_decode_challenge_strict (void)
{
  const char *bad[] = {
    "VXNlcm5hbWU",      /* not a whole quantum */
    "VXNlcm5hbWU6====", /* padding after a whole quantum */
    "VXNl cm5hbWU6",    /* whitespace */
    "VXNlcm5hbWU6\r\n",
    "VX=lcm5hbWU6",     /* padding in the middle */
    "QQ==QUJD",         /* data after padding */
    "Q===",             /* three padding characters */
    "====",
    "QR==",             /* non-zero bits under the padding */
    "QUJ=",
    "VX-lcm5hbWU6",     /* base64url is another alphabet */
    "VX_lcm5hbWU6",
    "VXNlcm5hbWU6\001",
    "*",                /* a client's cancel, not a challenge */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = o365_sasl_decode_challenge (bad[i], &error);

      g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
      g_assert_null (text);
    }
}

static void
test_decode_challenge_bounded (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *longest = g_strnfill (O365_SASL_CHALLENGE_MAX_LENGTH, 'Q');
  g_autofree char *too_long = g_strnfill (O365_SASL_CHALLENGE_MAX_LENGTH + 4, 'Q');
  g_autofree char *text = o365_sasl_decode_challenge (longest, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  g_clear_pointer (&text, g_free);

  text = o365_sasl_decode_challenge (too_long, &error);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
  g_assert_null (text);
}

static void
test_decode_challenge_sanitised (void)
{
  static const char raw[] = "User\0name\033[31m:\r\n\177\xc2\x85\xff\xfe!";
  g_autoptr (GError) error = NULL;
  g_autofree char *base64 = g_base64_encode ((const guchar *) raw, sizeof raw - 1);
  g_autofree char *text = o365_sasl_decode_challenge (base64, &error);

  g_assert_no_error (error);
  assert_displayable (text);
  g_assert_true (g_str_has_prefix (text, "User"));
  g_assert_nonnull (strstr (text, "name"));
  g_assert_nonnull (strstr (text, "[31m:"));
  g_assert_true (g_str_has_suffix (text, "!"));
}

static void
test_xoauth2_error (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *schemes = NULL;
  g_autofree char *scope = NULL;

  g_assert_true (o365_sasl_xoauth2_decode_error (
    "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL291dGxvb2sub2ZmaWNl"
    "LmNvbS9TTVRQLlNlbmQifQ==",
    &status, &schemes, &scope, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "401");
  g_assert_cmpstr (schemes, ==, "bearer");
  g_assert_cmpstr (scope, ==, "https://outlook.office.com/SMTP.Send");
}

static void
test_xoauth2_error_partial (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base64 = encode_text ("{\"status\":\"400\",\"scope\":null,\"extra\":[1,2]}");
  g_autofree char *status = NULL;
  char *schemes = (char *) "unset";
  char *scope = (char *) "unset";

  g_assert_true (o365_sasl_xoauth2_decode_error (base64, &status, &schemes, &scope, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "400");
  g_assert_null (schemes);
  g_assert_null (scope);
  g_clear_pointer (&status, g_free);

  /* Callers may ignore fields they do not need. */
  g_assert_true (o365_sasl_xoauth2_decode_error (base64, &status, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "400");
}

static void
test_xoauth2_error_sanitised (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base64 =
    encode_text ("{\"status\":\"4\\u001b[2J01\",\"schemes\":\"bea\\u0007rer\\u202e\\r\\n\"}");
  g_autofree char *status = NULL;
  g_autofree char *schemes = NULL;

  g_assert_true (o365_sasl_xoauth2_decode_error (base64, &status, &schemes, NULL, &error));
  g_assert_no_error (error);
  assert_displayable (status);
  g_assert_true (g_str_has_prefix (status, "4"));
  g_assert_true (g_str_has_suffix (status, "[2J01"));
  assert_displayable (schemes);
  /* No U+202E RIGHT-TO-LEFT OVERRIDE either: it would make the text read otherwise. */
  g_assert_null (strstr (schemes, "\xe2\x80\xae"));
}

static void
test_xoauth2_error_malformed (void)
{
  const char *bad_json[] = {
    "",
    "not json",
    "[\"status\",\"401\"]",
    "\"401\"",
    "401",
    "{\"status\":\"401\"",
    "{\"status\":401}",
    "{\"status\":\"401\",\"schemes\":[\"bearer\"]}",
    "{\"status\":\"401\",\"scope\":{}}",
    "{\"status\":\"4\xff\"}",
    /* o365_json_is_single_object(): a NUL would cut the string, a second object override it. */
    "{\"status\":\"4\\u000001\"}",
    "{\"status\":\"401\"}{\"status\":\"200\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad_json); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *base64 = encode_text (bad_json[i]);
      char *status = NULL;

      g_assert_false (o365_sasl_xoauth2_decode_error (base64, &status, NULL, NULL, &error));
      g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
      g_assert_null (status);
    }
}

/* Exactly one object: json-glib 1.6 accepts "{…}{…}", keeps the last object and leaks the
 * first (found by tests/fuzz/fuzz-sasl.c; the ASan run checks for the leak), and reads
 * comments and single-quoted strings. Braces inside strings are not structure. */
static void
test_xoauth2_error_one_object (void)
{
  const char *refused[] = {
    "{\"status\":\"401\"}{\"status\":\"401\"}",
    "{\"status\":\"401\"} {\"schemes\":\"bearer\"}",
    "{\"status\":\"401\"}[1]",
    "{\"status\":\"401\"}\"x\"",
    "{\"status\":\"401\" /* { */ }{\"scope\":\"x\" /* } */ }",
    "{'status':'401'}",
    "{\"status\":\"401\"",
    "{\"status\":\"401\\",
  };
  g_autofree char *base64 = encode_text (" {\"status\":\"401\",\"scope\":\"a}b{c\\\"}[\"}\r\n");
  g_autoptr (GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *scope = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) refusal = NULL;
      g_autofree char *encoded = encode_text (refused[i]);
      char *value = NULL;

      g_test_message ("%s", refused[i]);
      g_assert_false (o365_sasl_xoauth2_decode_error (encoded, &value, NULL, NULL, &refusal));
      g_assert_error (refusal, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
      g_assert_null (value);
    }

  g_assert_true (o365_sasl_xoauth2_decode_error (base64, &status, NULL, &scope, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "401");
  g_assert_cmpstr (scope, ==, "a}b{c\"}[");
}

static void
test_xoauth2_error_bad_base64 (void)
{
  const char *bad[] = {
    "eyJzdGF0dXMiOiI0MDEifQ", /* padding missing */
    "eyJzdGF0dXMiOiI0MDEifQ==\r\n",
    "eyJzdGF0 dXMiOiI0MDEifQ==",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      char *status = NULL;

      g_assert_false (o365_sasl_xoauth2_decode_error (bad[i], &status, NULL, NULL, &error));
      g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
      g_assert_null (status);
    }
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/sasl/mechanism-names", test_mechanism_names);
  g_test_add_func ("/sasl/plain/vectors", test_plain_vectors);
  g_test_add_func ("/sasl/login/vectors", test_login_vectors);
  g_test_add_func ("/sasl/xoauth2/vector", test_xoauth2_vector);
  g_test_add_func ("/sasl/xoauth2/long-token", test_xoauth2_long_token);
  g_test_add_func ("/sasl/refuse/usernames", test_refuse_usernames);
  g_test_add_func ("/sasl/refuse/passwords", test_refuse_passwords);
  g_test_add_func ("/sasl/refuse/tokens", test_refuse_tokens);
  g_test_add_func ("/sasl/challenge/decode", test_decode_challenge);
  g_test_add_func ("/sasl/challenge/strict", test_decode_challenge_strict);
  g_test_add_func ("/sasl/challenge/bounded", test_decode_challenge_bounded);
  g_test_add_func ("/sasl/challenge/sanitised", test_decode_challenge_sanitised);
  g_test_add_func ("/sasl/xoauth2-error/decode", test_xoauth2_error);
  g_test_add_func ("/sasl/xoauth2-error/partial", test_xoauth2_error_partial);
  g_test_add_func ("/sasl/xoauth2-error/sanitised", test_xoauth2_error_sanitised);
  g_test_add_func ("/sasl/xoauth2-error/malformed", test_xoauth2_error_malformed);
  g_test_add_func ("/sasl/xoauth2-error/one-object", test_xoauth2_error_one_object);
  g_test_add_func ("/sasl/xoauth2-error/bad-base64", test_xoauth2_error_bad_base64);

  return g_test_run ();
}
