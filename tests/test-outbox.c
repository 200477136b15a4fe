/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-outbox.c — the durable outbox: atomic entries, listing, locks, state changes, orphans,
 * permissions. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>

#include "outbox.h"
#include "test-utils.h"

static const char *const one_recipient[] = { "bob@example.com", NULL };

static OutboxEntry *
add_entry (Outbox *outbox, const char *account, const char *content)
{
  g_autoptr (GError) error = NULL;
  OutboxDraft *draft = outbox_draft_new (outbox, &error);
  OutboxEntry *entry;

  g_assert_no_error (error);
  g_assert_true (outbox_draft_write (draft, content, strlen (content), &error));
  g_assert_no_error (error);
  entry = outbox_draft_commit (draft, account, account, one_recipient, MAIL_OUTGOING_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);
  return entry;
}

static char *
entry_path (Outbox *outbox, const char *id, const char *suffix)
{
  g_autofree char *name = g_strconcat (id, suffix, NULL);

  return g_build_filename (outbox_get_directory (outbox), name, NULL);
}

static guint
count_files (const char *directory)
{
  g_autoptr (GDir) dir = g_dir_open (directory, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static guint
file_mode (const char *path)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  return info.st_mode & 0777;
}

static Outbox *
open_outbox (void)
{
  g_autoptr (GError) error = NULL;
  Outbox *outbox = outbox_open (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (outbox);
  return outbox;
}

static void
test_location (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "o365-account", "outbox", NULL);

  g_assert_cmpstr (outbox_get_directory (outbox), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_DIR));
}

static void
test_write_and_list (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxDraft) draft = outbox_draft_new (outbox, &error);
  const char *recipients[] = { "a@example.com", "odd;name@example.com", NULL };
  g_autoptr (OutboxEntry) entry = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_autofree char *data_path = NULL;
  g_autofree char *meta_path = NULL;
  g_autofree char *contents = NULL;
  OutboxEntry *seen;

  g_assert_no_error (error);
  /* Until it is committed, a draft is no entry. */
  g_assert_true (outbox_draft_write (draft, "Subject: one\r\n", 14, &error));
  g_assert_true (outbox_draft_write (draft, "\r\nbody \xc3\xa9\r\n", 11, &error));
  g_assert_no_error (error);
  listed = outbox_list (outbox, &error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  entry = outbox_draft_commit (g_steal_pointer (&draft), "me@example.com", "alias@example.com", recipients,
                               MAIL_OUTGOING_8BIT_BODY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->lock_fd, >=, 0);
  g_assert_cmpint (entry->state, ==, OUTBOX_STATE_QUEUED);

  data_path = entry_path (outbox, entry->id, ".eml");
  meta_path = entry_path (outbox, entry->id, ".meta");
  g_assert_true (g_file_get_contents (data_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "Subject: one\r\n\r\nbody \xc3\xa9\r\n");
  g_assert_true (g_file_test (meta_path, G_FILE_TEST_IS_REGULAR));
  /* The two files and nothing else: no temporary file left behind. */
  g_assert_cmpuint (count_files (outbox_get_directory (outbox)), ==, 2);

  listed = outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  seen = g_ptr_array_index (listed, 0);
  g_assert_cmpstr (seen->id, ==, entry->id);
  g_assert_cmpstr (seen->account, ==, "me@example.com");
  g_assert_cmpstr (seen->sender, ==, "alias@example.com");
  g_assert_cmpstrv (seen->recipients, recipients);
  g_assert_cmpint (seen->flags, ==, MAIL_OUTGOING_8BIT_BODY);
  g_assert_cmpint (seen->state, ==, OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (seen->attempts, ==, 0);
  g_assert_null (seen->last_error);
  g_assert_nonnull (seen->created);
  g_assert_cmpint (seen->lock_fd, ==, -1);
}

static void
test_read (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (OutboxEntry) entry = add_entry (outbox, "me@example.com", "Subject: x\n\nbody\n");
  g_autoptr (GError) error = NULL;
  goffset size = 0;
  g_autoptr (GFileInputStream) stream = outbox_entry_read (outbox, entry, &size, &error);
  char buffer[64] = { 0 };
  gsize n = 0;

  g_assert_no_error (error);
  /* The size SIZE= declares: on the wire each LF is a CRLF. */
  g_assert_cmpint (size, ==, 20);
  g_assert_true (g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, sizeof buffer, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 17);
  g_assert_cmpstr (buffer, ==, "Subject: x\n\nbody\n");
}

/* The size on the wire counts each line end as CRLF, whether written as LF, CR or CRLF, even
 * split across two writes, plus the CRLF an unterminated last line gets; it survives a reload. */
static void
test_wire_size (void)
{
  static const struct
  {
    const char *first;
    const char *second;
    goffset wire_size;
  } cases[] = {
    { "Subject: s\n\nabcde\n", "", 21 },
    { "Subject: s\r\n\r\nabcde\r\n", "", 21 },
    { "Subject: s\r", "\n\r\nabcde\r\n", 21 },
    { "Subject: s\r", "\rabcde", 21 },
    { "Subject: s\n\nabcde", "", 21 },
    { "a\r\n", "\n", 5 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("wire-size-%" G_GSIZE_FORMAT, i);
      g_autofree char *directory = g_build_filename (g_get_user_data_dir (), name, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (Outbox) outbox = outbox_open (directory, &error);
      OutboxDraft *draft = outbox_draft_new (outbox, &error);
      g_autoptr (OutboxEntry) entry = NULL;
      g_autoptr (GPtrArray) listed = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_true (outbox_draft_write (draft, cases[i].first, strlen (cases[i].first), &error));
      g_assert_true (outbox_draft_write (draft, cases[i].second, strlen (cases[i].second), &error));
      entry = outbox_draft_commit (draft, "me@example.com", "me@example.com", one_recipient,
                                   MAIL_OUTGOING_NONE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (entry->wire_size, ==, cases[i].wire_size);
      listed = outbox_list (outbox, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (listed->len, ==, 1);
      g_assert_cmpint (((OutboxEntry *) g_ptr_array_index (listed, 0))->wire_size, ==, cases[i].wire_size);
      g_clear_pointer (&entry, outbox_entry_free);
    }
}

static void
test_oldest_first (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);

  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (added, add_entry (outbox, "me@example.com", "x\n"));
  listed = outbox_list (outbox, &error);
  g_assert_cmpuint (listed->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (((OutboxEntry *) g_ptr_array_index (listed, i))->id, ==,
                     ((OutboxEntry *) g_ptr_array_index (added, i))->id);
}

static void
test_discarded_draft (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  OutboxDraft *draft = outbox_draft_new (outbox, &error);

  g_assert_true (outbox_draft_write (draft, "partial", 7, &error));
  g_assert_cmpuint (count_files (outbox_get_directory (outbox)), ==, 1);
  outbox_draft_free (draft);
  g_assert_cmpuint (count_files (outbox_get_directory (outbox)), ==, 0);
}

static void
test_permissions (void)
{
  g_autofree char *directory = g_build_filename (g_get_user_data_dir (), "o365-account", "outbox", NULL);
  g_autofree char *failed = g_build_filename (directory, "failed", NULL);
  g_autofree char *data_path = NULL;
  g_autofree char *meta_path = NULL;
  g_autofree char *failed_path = NULL;
  g_autoptr (Outbox) outbox = NULL;
  g_autoptr (OutboxEntry) entry = NULL;
  g_autoptr (GError) error = NULL;
  mode_t old_umask;

  /* A directory someone made world-readable is made private; a permissive umask changes nothing. */
  g_assert_cmpint (g_mkdir_with_parents (directory, 0755), ==, 0);
  g_assert_cmpint (g_chmod (directory, 0755), ==, 0);
  old_umask = umask (0);
  outbox = open_outbox ();
  entry = add_entry (outbox, "me@example.com", "x\n");
  umask (old_umask);

  g_assert_cmpuint (file_mode (directory), ==, 0700);
  data_path = entry_path (outbox, entry->id, ".eml");
  meta_path = entry_path (outbox, entry->id, ".meta");
  g_assert_cmpuint (file_mode (data_path), ==, 0600);
  g_assert_cmpuint (file_mode (meta_path), ==, 0600);

  g_assert_true (outbox_entry_record_failure (outbox, entry, OUTBOX_STATE_QUEUED, "try later", &error));
  g_assert_cmpuint (file_mode (meta_path), ==, 0600);

  failed_path = outbox_entry_move_to_failed (outbox, entry, "refused", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (failed), ==, 0700);
  g_assert_cmpuint (file_mode (failed_path), ==, 0600);
}

static void
test_state_changes (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxEntry) added = add_entry (outbox, "me@example.com", "x\n");
  g_autofree char *id = g_strdup (added->id);
  g_autoptr (GPtrArray) claimed = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  OutboxEntry *entry;

  /* A temporary failure: still queued, the attempt and its reason recorded. */
  g_assert_true (outbox_entry_record_failure (outbox, added, OUTBOX_STATE_QUEUED,
                                              "Could not connect\n(twice)", &error));
  g_assert_no_error (error);
  g_clear_pointer (&added, outbox_entry_free);
  claimed = outbox_claim (outbox, "me@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  entry = g_ptr_array_index (claimed, 0);
  g_assert_cmpstr (entry->id, ==, id);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_cmpstr (entry->last_error, ==, "Could not connect\n(twice)");
  g_assert_nonnull (entry->last_attempt);

  /* Status unknown: held, so a plain flush no longer takes it. */
  g_assert_true (outbox_entry_record_failure (outbox, entry, OUTBOX_STATE_HELD_UNKNOWN, "no final reply", &error));
  g_clear_pointer (&claimed, g_ptr_array_unref);
  claimed = outbox_claim (outbox, "me@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 0);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  listed = outbox_list (outbox, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpint (((OutboxEntry *) g_ptr_array_index (listed, 0))->state, ==, OUTBOX_STATE_HELD_UNKNOWN);
  g_assert_cmpuint (((OutboxEntry *) g_ptr_array_index (listed, 0))->attempts, ==, 2);

  /* ... unless asked to, and then delivered: gone, data and meta. */
  claimed = outbox_claim (outbox, "ME@example.com", TRUE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_true (outbox_entry_remove (outbox, g_ptr_array_index (claimed, 0), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (outbox_get_directory (outbox)), ==, 0);
}

/* The earliest next attempt the server asked for survives a reopen, ends with the next recorded
 * attempt, and a person's requeue drops it. */
static void
test_deferral (void)
{
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (OutboxEntry) added = add_entry (outbox, "later@example.com", "x\n");
  g_autoptr (GPtrArray) claimed = NULL;
  OutboxEntry *entry;
  g_autofree char *id = g_strdup (added->id);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (added->next_attempt, ==, 0);
  g_assert_true (outbox_entry_record_deferral (outbox, added, "429 ApplicationThrottled", 30, &error));
  g_clear_pointer (&added, outbox_entry_free);
  g_assert_no_error (error);
  /* Read back from the meta file, as another process would. */
  claimed = outbox_claim (outbox, "later@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  entry = g_ptr_array_index (claimed, 0);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_cmpint (entry->state, ==, OUTBOX_STATE_QUEUED);
  g_assert_cmpint (entry->next_attempt, >=, before + 30);
  g_assert_true (outbox_entry_is_deferred (entry, before));
  g_assert_false (outbox_entry_is_deferred (entry, entry->next_attempt));

  /* An attempt without a hint: no wait any more. */
  g_assert_true (outbox_entry_record_failure (outbox, entry, OUTBOX_STATE_QUEUED, "timed out", &error));
  g_assert_cmpint (entry->next_attempt, ==, 0);
  g_assert_true (outbox_entry_record_deferral (outbox, entry, "503", 30, &error));
  g_clear_pointer (&claimed, g_ptr_array_unref);

  g_assert_true (outbox_requeue (outbox, id, &error));
  g_assert_no_error (error);
  claimed = outbox_claim (outbox, "later@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (((OutboxEntry *) g_ptr_array_index (claimed, 0))->next_attempt, ==, 0);
  g_assert_true (outbox_entry_remove (outbox, g_ptr_array_index (claimed, 0), &error));
  g_assert_no_error (error);
}

static void
test_move_to_failed (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxEntry) entry = add_entry (outbox, "me@example.com", "Subject: refused\n\n");
  g_autofree char *kept = outbox_entry_move_to_failed (outbox, entry, "550 no such user", &error);
  g_autofree char *failed_meta = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (GPtrArray) listed = NULL;
  g_autofree char *state = NULL;
  g_autofree char *reason = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (strstr (kept, "/failed/"));
  g_assert_true (g_str_has_suffix (kept, ".eml"));
  g_assert_true (g_file_get_contents (kept, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "Subject: refused\n\n");
  failed_meta = g_strconcat (outbox_get_directory (outbox), "/failed/", entry->id, ".meta", NULL);
  g_assert_true (g_key_file_load_from_file (keys, failed_meta, G_KEY_FILE_NONE, &error));
  state = g_key_file_get_string (keys, "Outbox Entry", "State", NULL);
  reason = g_key_file_get_string (keys, "Outbox Entry", "LastError", NULL);
  g_assert_cmpstr (state, ==, "failed");
  g_assert_cmpstr (reason, ==, "550 no such user");

  /* Out of the queue: only the failed/ directory is left. */
  listed = outbox_list (outbox, &error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_assert_cmpuint (count_files (outbox_get_directory (outbox)), ==, 1);
}

static void
test_claim_locks (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxEntry) mine = add_entry (outbox, "me@example.com", "x\n");
  g_autoptr (OutboxEntry) other = add_entry (outbox, "other@example.com", "y\n");
  g_autoptr (GPtrArray) claimed = NULL;
  g_autoptr (GPtrArray) again = NULL;

  /* Still held by their writer (an o365-send sending them): nobody else takes them. */
  claimed = outbox_claim (outbox, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 0);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  g_clear_pointer (&mine, outbox_entry_free);
  g_clear_pointer (&other, outbox_entry_free);
  claimed = outbox_claim (outbox, "me@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpstr (((OutboxEntry *) g_ptr_array_index (claimed, 0))->account, ==, "me@example.com");
  /* A second flush at the same time finds nothing of that account to send. */
  again = outbox_claim (outbox, NULL, FALSE, &error);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpstr (((OutboxEntry *) g_ptr_array_index (again, 0))->account, ==, "other@example.com");
}

static void
write_file (Outbox *outbox, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (outbox_get_directory (outbox), name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* A file as a writer that died a while ago left it (temporary files get a grace period). */
static void
write_old_file (Outbox *outbox, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (outbox_get_directory (outbox), name, NULL);
  struct utimbuf old = { .actime = time (NULL) - 3600, .modtime = time (NULL) - 3600 };

  write_file (outbox, name, contents);
  g_assert_cmpint (utime (path, &old), ==, 0);
}

static gboolean
exists (Outbox *outbox, const char *name)
{
  g_autofree char *path = g_build_filename (outbox_get_directory (outbox), name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
test_orphans (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxEntry) complete = add_entry (outbox, "me@example.com", "kept\n");
  g_autoptr (OutboxDraft) writing = outbox_draft_new (outbox, &error);
  g_autofree char *complete_data = g_strconcat (complete->id, ".eml", NULL);
  g_autofree char *complete_meta = g_strconcat (complete->id, ".meta", NULL);
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (Outbox) reopened = NULL;
  g_autoptr (OutboxEntry) finished = NULL;

  g_assert_true (outbox_draft_write (writing, "still coming", 12, &error));
  g_clear_pointer (&complete, outbox_entry_free);

  /* What crashed writers leave: data without meta, temporary files, meta whose data moved. */
  write_file (outbox, "20200101T000000-000001-00000001.eml", "no meta\n");
  write_old_file (outbox, ".20200101T000000-000002-00000002.eml.tmp", "half\n");
  write_old_file (outbox, ".20200101T000000-000003-00000003.meta.tmp", "[Outbox Entry]\n");
  write_file (outbox, "20200101T000000-000004-00000004.meta", "[Outbox Entry]\nState=queued\n");
  /* Not ours: never touched. */
  write_file (outbox, "notes.txt", "mine\n");

  g_assert_cmpint (outbox_clean_orphans (outbox, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_false (exists (outbox, "20200101T000000-000001-00000001.eml"));
  g_assert_false (exists (outbox, ".20200101T000000-000002-00000002.eml.tmp"));
  g_assert_false (exists (outbox, ".20200101T000000-000003-00000003.meta.tmp"));
  g_assert_false (exists (outbox, "20200101T000000-000004-00000004.meta"));
  g_assert_true (exists (outbox, "notes.txt"));
  g_assert_true (exists (outbox, complete_data));
  g_assert_true (exists (outbox, complete_meta));
  /* The live draft (locked by its writer) and its file survive, even through a new open. */
  reopened = open_outbox ();
  g_assert_cmpuint (count_files (outbox_get_directory (outbox)), ==, 4);
  g_assert_true (outbox_draft_write (writing, "!", 1, &error));
  finished = outbox_draft_commit (g_steal_pointer (&writing), "me@example.com", "me@example.com", one_recipient,
                                  MAIL_OUTGOING_NONE, &error);
  g_assert_nonnull (finished);
  g_assert_no_error (error);
  listed = outbox_list (reopened, &error);
  g_assert_cmpuint (listed->len, ==, 2);
}

/* The mark written before the final dot (issue 16.2): on disk before it returns; while its
 * sender holds the entry nobody takes it, once the sender is gone it is held as status unknown
 * and never claimed by a plain flush; and a mark that cannot be written fails, leaving the
 * entry as it was, so that the caller does not send the dot. */
static void
test_in_flight (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxEntry) sending = add_entry (outbox, "me@example.com", "x\n");
  g_autoptr (OutboxEntry) blocked = add_entry (outbox, "other@example.com", "y\n");
  g_autofree char *meta = g_strconcat (sending->id, ".meta", NULL);
  g_autofree char *blocked_temp = g_strconcat (".", blocked->id, ".meta.tmp", NULL);
  g_autofree char *blocked_temp_path = g_build_filename (outbox_get_directory (outbox), blocked_temp, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *path = g_build_filename (outbox_get_directory (outbox), meta, NULL);
  g_autoptr (GPtrArray) claimed = NULL;
  g_autoptr (GPtrArray) listed = NULL;

  g_assert_true (outbox_entry_mark_in_flight (outbox, sending, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "State=in-flight\n"));
  /* Its sender still holds it: not claimable, even with --include-unknown. */
  claimed = outbox_claim (outbox, "me@example.com", TRUE, &error);
  g_assert_cmpuint (claimed->len, ==, 0);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* The sender dies (its lock goes with it): listed as held, and a plain flush leaves it. */
  g_clear_pointer (&sending, outbox_entry_free);
  listed = outbox_list (outbox, &error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (((OutboxEntry *) g_ptr_array_index (listed, 0))->state, ==, OUTBOX_STATE_HELD_UNKNOWN);
  claimed = outbox_claim (outbox, "me@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 0);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  claimed = outbox_claim (outbox, "me@example.com", TRUE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (((OutboxEntry *) g_ptr_array_index (claimed, 0))->state, ==, OUTBOX_STATE_HELD_UNKNOWN);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "State=held-unknown\n"));

  /* The mark cannot be written (a directory where its temporary file goes; the tests may run as
   * root, whom no mode bit stops): it fails and the entry stays queued, in memory and on disk. */
  g_assert_cmpint (g_mkdir (blocked_temp_path, 0700), ==, 0);
  g_assert_false (outbox_entry_mark_in_flight (outbox, blocked, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (blocked->state, ==, OUTBOX_STATE_QUEUED);
  g_rmdir (blocked_temp_path);
  g_clear_pointer (&blocked, outbox_entry_free);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  claimed = outbox_claim (outbox, "other@example.com", FALSE, &error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (((OutboxEntry *) g_ptr_array_index (claimed, 0))->state, ==, OUTBOX_STATE_QUEUED);
}

/* A writer creates its draft, then locks it: another process cleaning in between (every
 * o365-send opens the outbox) must not take the new, not yet locked draft for a dead one's. */
static void
test_fresh_draft_not_orphaned (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;

  write_file (outbox, ".20261202T120000-000007-00000007.eml.tmp", "just created\n");
  g_assert_cmpint (outbox_clean_orphans (outbox, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (exists (outbox, ".20261202T120000-000007-00000007.eml.tmp"));
}

static void
test_damaged_meta (void)
{
  g_autoptr (Outbox) outbox = open_outbox ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = NULL;

  write_file (outbox, "20200101T000000-000005-00000005.eml", "data\n");
  write_file (outbox, "20200101T000000-000005-00000005.meta", "[Outbox Entry]\nAccount=me@example.com\n");
  g_test_expect_message ("o365-tools", G_LOG_LEVEL_WARNING, "*unreadable*");
  listed = outbox_list (outbox, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
  /* Left for a person to look at, never deleted. */
  g_assert_cmpint (outbox_clean_orphans (outbox, &error), ==, 0);
  g_assert_true (exists (outbox, "20200101T000000-000005-00000005.meta"));
}

/* Meta files the fuzzer found (tests/fuzz/corpus/outbox-meta/regression-*): each is reported
 * as unreadable with one warning, and left in place, never listed with a value it does not
 * hold. */
static void
test_damaged_meta_values (void)
{
  static const char *const damaged[] = {
    /* Below -1: NULL from mail_outgoing_new() would reach the transport. */
    "[Outbox Entry]\nAccount=me@example.com\nSender=me@example.com\nRecipients=bob@example.com;\n"
    "State=queued\nWireSize=-2\n",
    /* Not a number: it would be declared as SIZE=0. */
    "[Outbox Entry]\nAccount=me@example.com\nSender=me@example.com\nRecipients=bob@example.com;\n"
    "State=queued\nWireSize=abc\n",
    /* An invalid escape gives a value and an error; a missing State then set a second error. */
    "[Outbox Entry]\nAccount=a\\;b\nSender=s\nRecipients=r\n",
    /* The same with a State: the entry was listed with the error pending. */
    "[Outbox Entry]\nAccount=a\\;b\nSender=s\nRecipients=r\nState=queued\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr (Outbox) outbox = open_outbox ();
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) listed = NULL;
      g_autofree char *id = g_strdup_printf ("20200101T000000-000005-%08" G_GSIZE_MODIFIER "u", i);
      g_autofree char *data = g_strconcat (id, ".eml", NULL);
      g_autofree char *meta = g_strconcat (id, ".meta", NULL);
      g_autofree char *data_path = entry_path (outbox, id, ".eml");
      g_autofree char *meta_path = entry_path (outbox, id, ".meta");

      g_test_message ("meta file %" G_GSIZE_FORMAT, i);
      write_file (outbox, data, "data\n");
      write_file (outbox, meta, damaged[i]);
      g_test_expect_message ("o365-tools", G_LOG_LEVEL_WARNING, "*unreadable*");
      listed = outbox_list (outbox, &error);
      g_test_assert_expected_messages ();
      g_assert_no_error (error);
      g_assert_cmpuint (listed->len, ==, 0);
      g_assert_true (exists (outbox, meta));
      g_assert_cmpint (g_remove (meta_path), ==, 0);
      g_assert_cmpint (g_remove (data_path), ==, 0);
    }
}

/* Each test gets its own isolated data directory (G_TEST_OPTION_ISOLATE_DIRS). */
int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/outbox/location", test_location);
  g_test_add_func ("/outbox/write-and-list", test_write_and_list);
  g_test_add_func ("/outbox/read", test_read);
  g_test_add_func ("/outbox/wire-size", test_wire_size);
  g_test_add_func ("/outbox/oldest-first", test_oldest_first);
  g_test_add_func ("/outbox/discarded-draft", test_discarded_draft);
  g_test_add_func ("/outbox/permissions", test_permissions);
  g_test_add_func ("/outbox/state-changes", test_state_changes);
  g_test_add_func ("/outbox/deferral", test_deferral);
  g_test_add_func ("/outbox/move-to-failed", test_move_to_failed);
  g_test_add_func ("/outbox/claim-locks", test_claim_locks);
  g_test_add_func ("/outbox/orphans", test_orphans);
  g_test_add_func ("/outbox/in-flight", test_in_flight);
  g_test_add_func ("/outbox/fresh-draft-not-orphaned", test_fresh_draft_not_orphaned);
  g_test_add_func ("/outbox/damaged-meta", test_damaged_meta);
  g_test_add_func ("/outbox/damaged-meta-values", test_damaged_meta_values);

  return g_test_run ();
}
