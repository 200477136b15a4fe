/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-outbox-meta.c — libFuzzer target for the outbox's reader (tools/outbox.h): the input is
 * an entry's meta file, written next to its data file in a private outbox directory, and read
 * back with outbox_list(), the public function every reader of the outbox goes through (so
 * this target keeps compiling, and keeps its meaning, as the format gains keys and states).
 *
 * Invariants: no crash, no leak; the entry is either listed or reported unreadable with one
 * warning (a damaged entry is kept for a person, never dropped silently, never deleted); a
 * listed entry has its id, an account, a sender, at least one recipient, a known state, is not
 * locked, and a wire size that is a size or -1 (unknown). */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fuzz-common.h"
#include "outbox.h"

#define ENTRY_ID "20261202T120000-000000-0000fuzz"

static Outbox *outbox;
static char *meta_path;
static guint unreadable_warnings;

/* The reader's warning about a damaged entry is expected; any other warning is a finding. */
static void
on_log (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  if ((level & G_LOG_LEVEL_WARNING) && strstr (message, "is unreadable") != NULL)
    {
      unreadable_warnings++;
      return;
    }
  fuzz_fail (__FILE__, __LINE__, "unexpected log message", message);
}

/* Any GLib warning is a finding: "GError set over the top of a previous GError" was one
 * (corpus/outbox-meta/regression-invalid-escape-then-missing-key). */
static void
on_glib_log (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  fuzz_fail (__FILE__, __LINE__, "unexpected GLib message", message);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *directory = g_dir_make_tmp ("fuzz-outbox-XXXXXX", &error);
  g_autofree char *data_path = NULL;

  fuzz_init ();
  /* Warnings stay fatal everywhere but in the tools' own domain, where on_log() judges them. */
  g_log_set_handler ("o365-tools", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL, on_log, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_fatal_mask (NULL, G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("GLib", G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_handler ("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL, on_glib_log, NULL);
  if (directory == NULL)
    fuzz_fail (__FILE__, __LINE__, "no temporary directory", error->message);
  outbox = outbox_open (directory, &error);
  if (outbox == NULL)
    fuzz_fail (__FILE__, __LINE__, "outbox_open", error->message);
  data_path = g_build_filename (directory, ENTRY_ID ".eml", NULL);
  meta_path = g_build_filename (directory, ENTRY_ID ".meta", NULL);
  if (!g_file_set_contents (data_path, "Subject: fuzz\r\n\r\nbody\r\n", -1, &error))
    fuzz_fail (__FILE__, __LINE__, "writing the data file", error->message);
  return 0;
}

static void
check_entry (const OutboxEntry *entry)
{
  FUZZ_CHECK (g_strcmp0 (entry->id, ENTRY_ID) == 0, entry->id);
  FUZZ_CHECK (entry->account != NULL, NULL);
  FUZZ_CHECK (entry->sender != NULL, NULL);
  FUZZ_CHECK (entry->recipients != NULL && entry->recipients[0] != NULL, "an entry without recipients");
  FUZZ_CHECK (outbox_state_to_string (entry->state) != NULL, "an unknown state");
  FUZZ_CHECK (entry->lock_fd == -1, "a listed entry is locked");
  /* "WireSize=-2" was accepted (corpus/outbox-meta/regression-wire-size-minus-2), and
   * mail_outgoing_new() then refused the size when the entry was flushed. */
  FUZZ_CHECK (entry->wire_size >= -1, "a negative wire size other than -1 (unknown)");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;

  /* No fsync: a scratch file, rewritten a million times. */
  if (!g_file_set_contents_full (meta_path, (const char *) data, (gssize) size,
                                 G_FILE_SET_CONTENTS_NONE, 0600, &error))
    fuzz_fail (__FILE__, __LINE__, "writing the meta file", error->message);
  unreadable_warnings = 0;
  entries = outbox_list (outbox, &error);
  FUZZ_CHECK (entries != NULL, error != NULL ? error->message : NULL);
  FUZZ_CHECK (entries->len + unreadable_warnings == 1, "the entry is neither listed nor reported");
  if (entries->len == 1)
    check_entry (g_ptr_array_index (entries, 0));
  /* Never deleted, whatever it holds. */
  FUZZ_CHECK (g_file_test (meta_path, G_FILE_TEST_EXISTS), "the reader removed a damaged entry");
  return 0;
}
