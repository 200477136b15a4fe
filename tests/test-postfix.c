/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-postfix.c — the engine against a real Postfix + Dovecot SASL (started by the test): a
 * corpus of awkward messages must arrive byte for byte, bar the headers Postfix prepends and
 * its LF line ends; a 10 MB message must not grow the client's memory. */
#include "config.h"

#include "engine-test-utils.h"
#include "postfix-fixture.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *body;
  MailOutgoingFlags flags;
} CorpusEntry;

static const CorpusEntry corpus[] = {
  { "dots", "first\n.leading dot\n..two dots\n.\nafter a lone dot\n", 0 },
  { "bare-lf", "one\ntwo\nthree\n", 0 },
  { "bare-cr", "one\rtwo\rthree\r", 0 },
  { "mixed-line-ends", "crlf\r\nlf\ncr\rend", 0 },
  { "smuggling", "before\n.\nMAIL FROM:<evil@example.test>\r.\rafter\n", 0 },
  { "utf8", "Grüße aus Köln — ✓ ünïcödé\n", MAIL_OUTGOING_8BIT_BODY },
  { "no-final-newline", "the last line has no newline", 0 },
};

static char *
headers_for (const char *name, const char *to, MailOutgoingFlags flags)
{
  return g_strdup_printf ("From: Alice <alice@example.test>\nTo: %s\nSubject: corpus %s\n"
                          "Message-ID: <%s@o365-account.test>\nMIME-Version: 1.0\n"
                          "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: %s\n\n",
                          to, name, name, (flags & MAIL_OUTGOING_8BIT_BODY) ? "8bit" : "7bit");
}

/* What Postfix stores for @text: every line end (CRLF, LF, lone CR) as LF, a final LF. */
static char *
stored_form (const char *text, gsize length)
{
  GString *out = g_string_sized_new (length + 1);

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\r')
        {
          g_string_append_c (out, '\n');
          if (i + 1 < length && text[i + 1] == '\n')
            i++;
        }
      else
        g_string_append_c (out, text[i]);
    }
  if (out->len == 0 || out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* The delivered file without the trace headers Postfix prepends. */
static const char *
skip_prepended_headers (const char *delivered)
{
  static const char *const prepended[] = { "Return-Path:", "X-Original-To:", "Delivered-To:", "Received:" };
  const char *p = delivered;
  gboolean in_received = FALSE;

  for (;;)
    {
      gboolean skip = FALSE;

      if (in_received && (*p == ' ' || *p == '\t'))
        skip = TRUE;
      else
        {
          in_received = FALSE;
          for (gsize i = 0; i < G_N_ELEMENTS (prepended); i++)
            if (g_str_has_prefix (p, prepended[i]))
              {
                skip = TRUE;
                in_received = g_str_equal (prepended[i], "Received:");
              }
        }
      if (!skip)
        return p;
      p = strchr (p, '\n');
      g_assert_nonnull (p);
      p++;
    }
}

/* Finds the delivered file whose Message-ID is <@name@o365-account.test>. */
static char *
delivered_copy (GPtrArray *paths, const char *name, gsize *length)
{
  g_autofree char *needle = g_strdup_printf ("\nMessage-ID: <%s@o365-account.test>\n", name);

  for (guint i = 0; i < paths->len; i++)
    {
      char *contents = NULL;

      g_assert_true (g_file_get_contents (g_ptr_array_index (paths, i), &contents, length, NULL));
      if (strstr (contents, needle) != NULL)
        return contents;
      g_free (contents);
    }
  g_error ("message %s was not delivered", name);
}

static gsize
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* A MIME message of about @target_size octets with a base64 attachment, Message-ID
 * <@name@o365-account.test>, written to a file in pieces (never whole in memory). Returns its
 * path. */
static char *
write_big_message (const char *name, gsize target_size, gsize *size)
{
  g_autofree char *file_name = g_strconcat (name, ".eml", NULL);
  g_autofree char *path = test_build_path (file_name, NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL);
  g_autofree char *headers = g_strdup_printf ("From: Alice <alice@example.test>\nTo: bob@example.test\n"
                                              "Subject: corpus %s\nMessage-ID: <%s@o365-account.test>\n"
                                              "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XYZ\n\n"
                                              "--XYZ\nContent-Type: text/plain\n\nSee the attachment.\n--XYZ\n"
                                              "Content-Type: application/octet-stream\n"
                                              "Content-Transfer-Encoding: base64\n\n", name, name);
  guint8 raw[57 * 1000];
  gsize written = 0;
  GRand *rand = g_rand_new_with_seed (1);

  g_assert_nonnull (out);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), headers, strlen (headers), NULL, NULL, NULL));
  written += strlen (headers);
  while (written < target_size)
    {
      for (gsize i = 0; i < sizeof raw; i++)
        raw[i] = (guint8) g_rand_int (rand);
      for (gsize off = 0; off < sizeof raw; off += 57)
        {
          g_autofree char *line = g_base64_encode (raw + off, 57);
          g_autofree char *with_eol = g_strconcat (line, "\n", NULL);

          g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), with_eol, strlen (with_eol), NULL, NULL, NULL));
          written += strlen (with_eol);
        }
    }
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), "--XYZ--\n", 8, NULL, NULL, NULL));
  written += 8;
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
  g_rand_free (rand);
  *size = written;
  return g_steal_pointer (&path);
}

static MailOutgoing *
message_from_file (const char *path, gsize size)
{
  const char *const one[] = { "bob@example.test", NULL };
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = g_file_read (file, NULL, NULL);

  g_assert_nonnull (in);
  return mail_outgoing_new ("alice@example.test", one, G_INPUT_STREAM (in), (goffset) size, MAIL_OUTGOING_NONE);
}

static void
test_corpus_arrives_byte_identical (void)
{
  g_autoptr (HarnessFixture) postfix = postfix_fixture_start ();
  g_autoptr (O365SmtpConfig) config = engine_test_config (postfix_fixture_get_port (postfix),
                                                          harness_fixture_get (postfix, "SMTP_USER"),
                                                          harness_fixture_get (postfix, "SMTP_PASSWORD"));
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (GPtrArray) delivered = NULL;
  g_autoptr (GStrvBuilder) fifty = g_strv_builder_new ();
  g_auto (GStrv) fifty_recipients = NULL;
  const char *const one[] = { "bob@example.test", NULL };
  g_autofree char *long_lines = NULL, *big_path = NULL;
  g_autoptr (GError) error = NULL;
  gsize big_size = 0;
  guint expected_files;

  /* Lines of exactly 998 octets, the most the wire allows. */
  {
    g_autofree char *line = g_strnfill (998, 'x');

    long_lines = g_strdup_printf ("%s\n%s\n%s\n", line, line, line);
  }

  for (gsize i = 0; i <= G_N_ELEMENTS (corpus); i++)
    {
      const char *name = i < G_N_ELEMENTS (corpus) ? corpus[i].name : "998-octet-lines";
      const char *body = i < G_N_ELEMENTS (corpus) ? corpus[i].body : long_lines;
      MailOutgoingFlags flags = i < G_N_ELEMENTS (corpus) ? corpus[i].flags : 0;
      g_autofree char *headers = headers_for (name, "bob@example.test", flags);
      char *text = g_strconcat (headers, body, NULL);

      g_ptr_array_add (texts, text);
      g_ptr_array_add (messages, engine_test_message ("alice@example.test", one, text, flags));
    }

  for (int i = 1; i <= 50; i++)
    {
      g_autofree char *recipient = g_strdup_printf ("rcpt%02d@example.test", i);

      g_strv_builder_add (fifty, recipient);
    }
  fifty_recipients = g_strv_builder_end (fifty);
  {
    g_autofree char *headers = headers_for ("fifty", "undisclosed-recipients:;", 0);
    char *text = g_strconcat (headers, "One message, fifty recipients.\n", NULL);

    g_ptr_array_add (texts, text);
    g_ptr_array_add (messages, engine_test_message ("alice@example.test",
                                                    (const char *const *) fifty_recipients, text, 0));
  }

  big_path = write_big_message ("big", 10 * 1000 * 1000, &big_size);
  g_ptr_array_add (messages, message_from_file (big_path, big_size));

  submissions = engine_test_submit (config, messages, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < submissions->len; i++)
    {
      MailSubmission *submission = g_ptr_array_index (submissions, i);

      if (mail_submission_get_error (submission) != NULL)
        g_test_message ("message %u: %s", i, mail_submission_get_error (submission)->message);
      g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
    }
  expected_files = texts->len - 1 + 50 + 1;
  delivered = postfix_fixture_wait_mail (postfix, expected_files);
  g_assert_cmpuint (delivered->len, ==, expected_files);

  for (gsize i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);
      const char *subject = strstr (text, "Subject: corpus ") + strlen ("Subject: corpus ");
      g_autofree char *name = g_strndup (subject, strcspn (subject, "\n"));
      g_autofree char *expected = stored_form (text, strlen (text));
      gsize length = 0;
      g_autofree char *copy = delivered_copy (delivered, name, &length);
      const char *content = skip_prepended_headers (copy);

      g_test_message ("checking %s", name);
      g_assert_cmpstr (content, ==, expected);
    }

  /* The big one, compared with the file it came from. */
  {
    g_autofree char *original = NULL, *expected = NULL, *copy = NULL;
    gsize original_length = 0, length = 0;

    g_assert_true (g_file_get_contents (big_path, &original, &original_length, NULL));
    expected = stored_form (original, original_length);
    copy = delivered_copy (delivered, "big", &length);
    g_assert_true (g_str_equal (skip_prepended_headers (copy), expected));
  }

  /* One copy per recipient of the fifty. */
  {
    guint copies = 0;

    for (guint i = 0; i < delivered->len; i++)
      {
        g_autofree char *contents = NULL;

        g_assert_true (g_file_get_contents (g_ptr_array_index (delivered, i), &contents, NULL, NULL));
        if (strstr (contents, "Message-ID: <fifty@o365-account.test>") != NULL)
          copies++;
      }
    g_assert_cmpuint (copies, ==, 50);
  }

  /* All of it over one connection. */
  g_assert_cmpuint (postfix_fixture_count_connections (postfix), ==, 1);
}

/* Peak RSS after a 1 MB message (which also pays every one-time cost: TLS, the trust store,
 * GIO's worker threads) and after a 10 MB one: the second must not add the message's size. */
static void
test_memory_does_not_grow_with_size (void)
{
  g_autoptr (HarnessFixture) postfix = postfix_fixture_start ();
  g_autoptr (O365SmtpConfig) config = engine_test_config (postfix_fixture_get_port (postfix),
                                                          harness_fixture_get (postfix, "SMTP_USER"),
                                                          harness_fixture_get (postfix, "SMTP_PASSWORD"));
  g_autofree char *small_path = NULL, *big_path = NULL;
  gsize small_size = 0, big_size = 0, after_small = 0, after_big;
  g_autoptr (GPtrArray) delivered = NULL;
  const char *names[] = { "memory-1mb", "memory-10mb" };

  small_path = write_big_message (names[0], 1000 * 1000, &small_size);
  big_path = write_big_message (names[1], 10 * 1000 * 1000, &big_size);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (MailOutgoing) message = message_from_file (i == 0 ? small_path : big_path,
                                                            i == 0 ? small_size : big_size);
      g_autoptr (GError) error = NULL;
      g_autoptr (MailSubmission) submission = engine_test_submit_one (config, message, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
      if (i == 0)
        after_small = peak_rss_kb ();
    }
  after_big = peak_rss_kb ();

  g_test_message ("peak RSS after the 1 MB message: %" G_GSIZE_FORMAT " kB, after the 10 MB one: %"
                  G_GSIZE_FORMAT " kB (+%" G_GSIZE_FORMAT " kB for 9 MB more message)",
                  after_small, after_big, after_big - after_small);
  if (test_rss_is_meaningful ())
    g_assert_cmpuint (after_big - after_small, <, 2 * 1024);
  else
    g_test_message ("AddressSanitizer build: the RSS bound is checked in the normal build only");
  delivered = postfix_fixture_wait_mail (postfix, 2);
  g_assert_cmpuint (delivered->len, ==, 2);
}

static void
test_bare_newline_policy_never_triggers (void)
{
  /* Postfix is set to reject bare LF (smtpd_forbid_bare_newline = reject): a message full of
   * them goes through because the engine never puts one on the wire. */
  g_autoptr (HarnessFixture) postfix = postfix_fixture_start ();
  g_autoptr (O365SmtpConfig) config = engine_test_config (postfix_fixture_get_port (postfix),
                                                          harness_fixture_get (postfix, "SMTP_USER"),
                                                          harness_fixture_get (postfix, "SMTP_PASSWORD"));
  const char *const one[] = { "bob@example.test", NULL };
  g_autoptr (MailOutgoing) message = engine_test_message ("alice@example.test", one,
                                                          "Subject: lf\n\na\nb\n.\nc\rd\n", 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailSubmission) submission = engine_test_submit_one (config, message, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
  g_assert_cmpstr (mail_submission_get_recipient (submission, 0), ==, "bob@example.test");
}

static void
test_wrong_password_refused_by_dovecot (void)
{
  g_autoptr (HarnessFixture) postfix = postfix_fixture_start ();
  g_autoptr (O365SmtpConfig) config = engine_test_config (postfix_fixture_get_port (postfix),
                                                          harness_fixture_get (postfix, "SMTP_USER"),
                                                          "not the password");
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpSession) session = engine_test_open_session (config, NULL, &error);

  g_assert_null (session);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/postfix/corpus-arrives-byte-identical", test_corpus_arrives_byte_identical);
  g_test_add_func ("/postfix/memory-does-not-grow-with-size", test_memory_does_not_grow_with_size);
  g_test_add_func ("/postfix/bare-newline-policy-never-triggers", test_bare_newline_policy_never_triggers);
  g_test_add_func ("/postfix/wrong-password-refused-by-dovecot", test_wrong_password_refused_by_dovecot);
  return g_test_run ();
}
