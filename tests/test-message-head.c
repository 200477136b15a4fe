/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-message-head.c — the header block o365-send reads: its end, Bcc removal byte for byte,
 * the addresses -t finds, 8-bit detection. */
#include "config.h"

#include <string.h>

#include "mail-address.h"
#include "message-head.h"
#include "test-utils.h"

static GBytes *
bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
assert_bytes_equal (GBytes *actual, const char *expected)
{
  gsize length;
  const char *data = g_bytes_get_data (actual, &length);
  g_autofree char *text = g_strndup (data != NULL ? data : "", length);

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (length, ==, strlen (expected));
}

static void
assert_bcc_removed (const char *input, const char *expected)
{
  g_autoptr (GBytes) head = bytes (input);
  g_autoptr (GBytes) kept = message_head_remove_bcc (head);

  assert_bytes_equal (kept, expected);
}

static void
test_find_end (void)
{
  /* head_end and body_start, or -1 when more input is needed. */
  static const struct
  {
    const char *data;
    gboolean complete;
    gssize head_end;
    gssize body_start;
  } cases[] = {
    { "To: a@x\n\nbody\n", FALSE, 8, 9 },
    { "To: a@x\r\n\r\nbody\r\n", FALSE, 9, 11 },
    { "To: a@x\r\nSubject: s\r\n\r\n", FALSE, 21, 23 },
    { "\nbody", FALSE, 0, 1 },
    { "\r\nbody", FALSE, 0, 2 },
    { "To: a@x\n", FALSE, -1, -1 },
    { "To: a@x\r\n", FALSE, -1, -1 },
    { "To: a@x", FALSE, -1, -1 },
    { "", FALSE, -1, -1 },
    /* A CR LF inside a line is not an empty line. */
    { "Subject: a\r\n b\r\n\r\n", FALSE, 16, 18 },
    /* A folded line with only white space is not the end. */
    { "Subject: a\n \nTo: b\n\n", FALSE, 19, 20 },
    /* The end of input ends the last line, and a head without a body. */
    { "To: a@x\n", TRUE, 8, 8 },
    { "To: a@x", TRUE, 7, 7 },
    { "", TRUE, 0, 0 },
    /* The first line that is not a field starts the body, as in sendmail and Postfix. */
    { "To: a@x\nHello.\nCc: b@x\n\n", FALSE, 8, 8 },
    { "To: a@x\r\nNo colon here\r\n", FALSE, 9, 9 },
    { "To: a@x\n: no name\n", FALSE, 8, 8 },
    { "To: a@x\nTwo words: x\n", FALSE, 8, 8 },
    { "To: a@x\nCaf\xc3\xa9: x\n", FALSE, 8, 8 },
    { "Hello.\nTo: a@x\n\n", FALSE, 0, 0 },
    { " folded first\n\n", FALSE, 0, 0 },
    { "To: a@x\nbody at the end", TRUE, 8, 8 },
    /* Only a complete line is judged: "Subject" may yet get its colon. */
    { "To: a@x\nSubject", FALSE, -1, -1 },
    /* The obsolete syntax's blanks before the colon, and an empty value, are a field. */
    { "To : a@x\nX-Empty:\n\n", FALSE, 18, 19 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize head_end = 0;
      gsize body_start = 0;
      gboolean found = message_head_find_end (cases[i].data, strlen (cases[i].data), cases[i].complete,
                                              &head_end, &body_start);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (found, ==, cases[i].head_end >= 0);
      if (found)
        {
          g_assert_cmpint (head_end, ==, cases[i].head_end);
          g_assert_cmpint (body_start, ==, cases[i].body_start);
        }
    }
}

static void
test_bare_cr (void)
{
  static const struct
  {
    const char *head;
    gboolean bare;
  } cases[] = {
    { "X-Note: x\rBcc: secret@example.test\n\n", TRUE },
    { "From: a@x\rTo: b@x\r\r", TRUE },
    { "Subject: s\r\r\n\r\n", TRUE },
    { "To: a@x\r", TRUE },
    { "To: a@x\r\nCc: b@x\n\r\n", FALSE },
    { "To: a@x\n\n", FALSE },
    { "", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) head = bytes (cases[i].head);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (message_head_has_bare_cr (head), ==, cases[i].bare);
    }
}

/* No fields at all (the first line was body, or there was no input): no address, and no GLib
 * critical from handing GMime an empty buffer. */
static void
test_empty_head (void)
{
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_auto (GStrv) recipients = message_head_dup_recipients (empty);
  g_autofree char *from = message_head_dup_from (empty);
  g_autoptr (GBytes) kept = message_head_remove_bcc (empty);

  g_assert_cmpuint (g_strv_length (recipients), ==, 0);
  g_assert_null (from);
  g_assert_cmpuint (g_bytes_get_size (kept), ==, 0);
}

static void
test_bcc_folded (void)
{
  assert_bcc_removed ("From: a@x\r\nBcc: b@x,\r\n c@x,\r\n\td@x\r\nSubject: s\r\n\r\nbody\r\n",
                      "From: a@x\r\nSubject: s\r\n\r\nbody\r\n");
}

static void
test_bcc_lowercase (void)
{
  assert_bcc_removed ("From: a@x\nbcc: b@x\nTo: c@x\n\n", "From: a@x\nTo: c@x\n\n");
  assert_bcc_removed ("From: a@x\nBCC : b@x\nTo: c@x\n\n", "From: a@x\nTo: c@x\n\n");
  assert_bcc_removed ("From: a@x\nBcc:\nTo: c@x\n\n", "From: a@x\nTo: c@x\n\n");
}

static void
test_bcc_last (void)
{
  assert_bcc_removed ("From: a@x\nTo: c@x\nBcc: b@x,\n e@x\n\nbody\n", "From: a@x\nTo: c@x\n\nbody\n");
  /* The end of input ends the header block when there is no body at all. */
  assert_bcc_removed ("From: a@x\nBcc: b@x", "From: a@x\n");
  assert_bcc_removed ("Bcc: b@x\n", "");
}

static void
test_bcc_first_and_several (void)
{
  assert_bcc_removed ("Bcc: a@x\nFrom: a@x\nBcc: b@x\n c@x\nTo: d@x\nBcc: e@x\n\n", "From: a@x\nTo: d@x\n\n");
}

static void
test_no_bcc (void)
{
  static const char *const heads[] = {
    "From: a@x\r\nTo: b@x\r\n\r\nbody\r\n",
    "From: a@x\nTo: b@x\n\n",
    "X-Bcc: x@x\nBccx: y@x\nResent-Bccx: z@x\nSubject: Bcc: in a value\n\n",
    "To: a@x\n\nBcc: in the body stays\n",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (heads); i++)
    assert_bcc_removed (heads[i], heads[i]);
}

static void
assert_recipients (GBytes *head, const char *const *expected)
{
  g_auto (GStrv) recipients = message_head_dup_recipients (head);

  g_assert_cmpstrv (recipients, expected);
}

static void
test_recipients (void)
{
  g_autoptr (GBytes) head = bytes ("From: \"Doe, Jane\" <jane@example.com>\r\n"
                                   "to: a@example.com,\r\n"
                                   "  \"B, Bee\" <b@example.com>\r\n"
                                   "Cc: team: c@example.com, d@example.com;\r\n"
                                   "Bcc: e@example.com\r\n"
                                   "To: f@example.com, A@EXAMPLE.COM\r\n"
                                   "Resent-From: r@example.com\r\n"
                                   "Reply-To: g@example.com\r\n"
                                   "\r\n");
  const char *const expected[] = {
    "a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com", NULL,
  };

  assert_recipients (head, expected);
}

/* Sendmail's -t: a resent message goes to its Resent-* recipients, not again to the original
 * ones; Resent-Bcc is blind, as Bcc is. */
static void
test_resent_recipients (void)
{
  g_autoptr (GBytes) head = bytes ("Resent-From: r@example.com\n"
                                   "Resent-To: new@example.com\n"
                                   "Resent-Bcc: blind@example.com,\n hidden@example.com\n"
                                   "resent-cc: copy@example.com\n"
                                   "From: jane@example.com\n"
                                   "To: old@example.com\n"
                                   "Bcc: old-blind@example.com\n"
                                   "\n");
  const char *const expected[] = {
    "new@example.com", "blind@example.com", "hidden@example.com", "copy@example.com", NULL,
  };

  assert_recipients (head, expected);
  assert_bcc_removed ("Resent-To: new@example.com\nResent-Bcc: blind@example.com,\n hidden@example.com\n"
                      "RESENT-BCC : b@x\nFrom: jane@example.com\nBcc: old@x\n\nbody\n",
                      "Resent-To: new@example.com\nFrom: jane@example.com\n\nbody\n");
}

/* A field GMime cannot parse is reported, not left out silently; an empty one and a group
 * without members are fine. */
static void
test_unparsable (void)
{
  g_autoptr (GBytes) bad_to = bytes ("From: jane@example.com\nTo: bob@\nCc:\nBcc: undisclosed-recipients:;\n\n");
  g_autoptr (GBytes) bad_from = bytes ("From: me@@contoso\nTo: bob@example.com\n\n");
  g_autoptr (GBytes) bad_resent = bytes ("Resent-To: x@\nTo: bob@example.com\n\n");
  g_autofree char *to = message_head_dup_unparsable_field (bad_to, TRUE, TRUE);
  g_autofree char *to_unread = message_head_dup_unparsable_field (bad_to, TRUE, FALSE);
  g_autofree char *from = message_head_dup_unparsable_field (bad_from, TRUE, TRUE);
  g_autofree char *from_unread = message_head_dup_unparsable_field (bad_from, FALSE, TRUE);
  g_autofree char *resent = message_head_dup_unparsable_field (bad_resent, FALSE, TRUE);

  g_assert_cmpstr (to, ==, "To: bob@");
  g_assert_null (to_unread);
  g_assert_cmpstr (from, ==, "From: me@@contoso");
  g_assert_null (from_unread);
  g_assert_cmpstr (resent, ==, "Resent-To: x@");
}

/* A comment never closed, and a NUL, make a field unparsable: GMime 3.2.13 leaks on the first
 * (fuzz finding 8, also where a quote hides it from a reader of the grammar) and a C string
 * cuts the second; nested comments, escaped and balanced parentheses are fine. */
static void
test_unparsable_comment_and_nul (void)
{
  static const struct
  {
    const char *head;
    gsize length;
    const char *unparsable;
  } cases[] = {
    { "To: e@[192.0.2.1] (x\n\n", 0, "To: e@[192.0.2.1] (x" },
    { "From: a@example.com\nCc: carol@example.com (carol\n\n", 0, "Cc: carol@example.com (carol" },
    { "To: a@example.com (a (b)\n\n", 0, "To: a@example.com (a (b)" },
    { "To: a@example.com\0, b@example.com\n\n", 35, "To: a@example.com^@, b@example.com" },
    { "To: a@example.com (a (b) c)\n\n", 0, NULL },
    { "To: \"(\" <a@example.com>\n\n", 0, "To: \"(\" <a@example.com>" },
    { "To: \"(x)\" <a@example.com>\n\n", 0, NULL },
    { "Cc: e@[.1<]AF@[.34 $\"Bl](ieT(cT : e@[.34]A8\n\n", 0, "Cc: e@[.1<]AF@[.34 $\"Bl](ieT(cT : e@[.34]A8" },
    { "To: a@example.com (\\( x)\n\n", 0, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) head = g_bytes_new_static (cases[i].head, cases[i].length > 0 ? cases[i].length
                                                                                      : strlen (cases[i].head));
      g_autofree char *unparsable = message_head_dup_unparsable_field (head, TRUE, TRUE);
      g_auto (GStrv) recipients = message_head_dup_recipients (head);

      g_assert_cmpstr (unparsable, ==, cases[i].unparsable);
      if (cases[i].unparsable == NULL)
        g_assert_cmpstr (recipients[0], ==, "a@example.com");
    }
}

/* What GMime hands back from a malformed field need not be an address (fuzz findings 1–3,
 * tests/fuzz/corpus/message-head/regression-*): it is never a recipient or the sender, and
 * message_head_check_addresses() names it, so that o365-send refuses the message. */
static void
test_recipients_invalid (void)
{
  static const char *const heads[] = {
    /* The raw octet of a domain literal, not UTF-8. */
    "To: e@[\xc4]\nCc: ok@example.com\n\n",
    /* An unterminated quoted string, with its '<' and spaces. */
    "Bcc: \"A <b, C\"\nCc: ok@example.com\n\n",
    "Bcc: \"A\035<A, C\"\nCc: ok@example.com\n\n",
  };
  const char *const expected[] = { "ok@example.com", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (heads); i++)
    {
      g_autoptr (GBytes) head = bytes (heads[i]);
      g_autoptr (GError) error = NULL;

      g_test_message ("head %" G_GSIZE_FORMAT, i);
      assert_recipients (head, expected);
      g_assert_false (message_head_check_addresses (head, FALSE, TRUE, &error));
      g_assert_error (error, MAIL_ADDRESS_ERROR, error->code);
      g_clear_error (&error);
      /* Not the From fields' business. */
      g_assert_true (message_head_check_addresses (head, TRUE, FALSE, &error));
      g_assert_no_error (error);
    }
}

/* The same in From: no sender, and the check names it. */
static void
test_from_invalid (void)
{
  g_autoptr (GBytes) head = bytes ("From: e@[\xc4]\nTo: ok@example.com\n\n");
  g_autoptr (GError) error = NULL;
  g_autofree char *from = message_head_dup_from (head);

  g_assert_null (from);
  g_assert_false (message_head_check_addresses (head, TRUE, FALSE, &error));
  g_assert_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER);
  g_clear_error (&error);
  g_assert_true (message_head_check_addresses (head, FALSE, TRUE, &error));
  g_assert_no_error (error);
}

/* A folded field is read unfolded (RFC 5322 §2.2.3), also where the fold is inside a quoted
 * local part: the line end is no part of the address (it was, fuzz finding 1,
 * tests/fuzz/corpus/message-head/regression-folded-quoted-local-part). */
static void
test_recipients_folded (void)
{
  static const char *const heads[] = {
    "To: \"a\n b\"@example.com,\n c@example.com,\n\t\"D\n E\" <d@example.com>\n\n",
    "To: \"a\r\n b\"@example.com,\r\n c@example.com,\r\n\t\"D\r\n E\" <d@example.com>\r\n\r\n",
  };
  const char *const expected[] = { "\"a b\"@example.com", "c@example.com", "d@example.com", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (heads); i++)
    {
      g_autoptr (GBytes) head = bytes (heads[i]);
      g_autoptr (GError) error = NULL;

      assert_recipients (head, expected);
      g_assert_true (message_head_check_addresses (head, TRUE, TRUE, &error));
      g_assert_no_error (error);
    }
}

static void
test_recipients_none (void)
{
  g_autoptr (GBytes) head = bytes ("From: a@x\nSubject: nobody\n\n");
  g_auto (GStrv) recipients = message_head_dup_recipients (head);

  g_assert_cmpuint (g_strv_length (recipients), ==, 0);
}

static void
test_from (void)
{
  g_autoptr (GBytes) named = bytes ("To: b@x\nFrom: Jane Doe <jane@example.com>, other@example.com\n\n");
  g_autoptr (GBytes) none = bytes ("To: b@x\n\n");
  g_autofree char *from = message_head_dup_from (named);
  g_autofree char *missing = message_head_dup_from (none);

  g_assert_cmpstr (from, ==, "jane@example.com");
  g_assert_null (missing);
}

static void
test_8bit (void)
{
  const guint8 ascii[] = "plain text\r\n.\r\n";
  const char *utf8 = "Subject: caf\xc3\xa9";

  g_assert_false (message_has_8bit (ascii, sizeof ascii - 1));
  g_assert_true (message_has_8bit ((const guint8 *) utf8, strlen (utf8)));
  g_assert_false (message_has_8bit (NULL, 0));
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/message-head/find-end", test_find_end);
  g_test_add_func ("/message-head/bare-cr", test_bare_cr);
  g_test_add_func ("/message-head/empty-head", test_empty_head);
  g_test_add_func ("/message-head/bcc/folded", test_bcc_folded);
  g_test_add_func ("/message-head/bcc/lowercase", test_bcc_lowercase);
  g_test_add_func ("/message-head/bcc/last", test_bcc_last);
  g_test_add_func ("/message-head/bcc/first-and-several", test_bcc_first_and_several);
  g_test_add_func ("/message-head/bcc/none", test_no_bcc);
  g_test_add_func ("/message-head/recipients", test_recipients);
  g_test_add_func ("/message-head/recipients-none", test_recipients_none);
  g_test_add_func ("/message-head/recipients-resent", test_resent_recipients);
  g_test_add_func ("/message-head/recipients-invalid", test_recipients_invalid);
  g_test_add_func ("/message-head/recipients-folded", test_recipients_folded);
  g_test_add_func ("/message-head/from-invalid", test_from_invalid);
  g_test_add_func ("/message-head/unparsable", test_unparsable);
  g_test_add_func ("/message-head/unparsable-comment-and-nul", test_unparsable_comment_and_nul);
  g_test_add_func ("/message-head/from", test_from);
  g_test_add_func ("/message-head/8bit", test_8bit);

  return g_test_run ();
}
