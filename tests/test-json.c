/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-json.c — o365_json_is_single_object(), the check SASL challenges and token answers share. */
#include <string.h>

#include <glib.h>

#include "o365-json.h"

static void
test_accepted (void)
{
  static const char *const cases[] = {
    "{}",
    " \r\n\t{ } \n",
    "{\"a\":\"b\",\"n\":-1.5e+3,\"t\":true,\"z\":null}",
    "{\"nested\":{\"x\":[1,2,{\"y\":\"}\"}]}}",
    "{\"escaped\":\"q\\\"{\\\\\\u0041\"}",
    "{\"unicode\":\"caf\xc3\xa9 \\u00e9\"}",
    "{\"escapes\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"}",
    "{\"pair\":\"\\ud83d\\ude00\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i]);
      g_assert_true (o365_json_is_single_object (cases[i], strlen (cases[i])));
    }
}

static void
test_refused (void)
{
  static const char *const cases[] = {
    "",
    "   ",
    "[]",
    "\"text\"",
    "{",
    "{\"a\":1",
    "{}{}",
    "{\"access_token\":\"a\"}{\"access_token\":\"b\"}",
    "{} x",
    "{}/* comment */",
    "{'single':'quoted'}",
    "{\"a\":1 /* {} */}",
    "{\"token\":\"abc\\u0000def\"}",
    "{\"token\":\"abc\\U0000def\"}",
    "{\"a\":\"unterminated}",
    /* Escapes JSON does not have, which json-glib 1.6.6's scanner leaks on. */
    "{\"a\":\"\\x41\"}",
    "{\"a\":\"\\u12G4\"}",
    "{\"a\":\"\\u12\"}",
    "{\"a\":\"\\ud83d\"}",
    "{\"a\":\"\\ud83d\\u0041\"}",
    "{\"a\":\"\\ude00\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i]);
      g_assert_false (o365_json_is_single_object (cases[i], strlen (cases[i])));
    }
}

static void
test_raw_nul (void)
{
  static const char in_string[] = "{\"token\":\"abc\0def\"}";
  static const char after[] = "{}\0{}";

  g_assert_false (o365_json_is_single_object (in_string, sizeof in_string - 1));
  g_assert_false (o365_json_is_single_object (after, sizeof after - 1));
  /* The length counts, not a terminator: a cut object is not closed. */
  g_assert_false (o365_json_is_single_object ("{\"a\":1}", 5));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/accepted", test_accepted);
  g_test_add_func ("/json/refused", test_refused);
  g_test_add_func ("/json/raw-nul", test_raw_nul);
  return g_test_run ();
}
