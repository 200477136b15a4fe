/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox.c — the durable outbox: entry files, their atomic writes, locks and states. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outbox.h"

#define DATA_SUFFIX ".eml"
#define META_SUFFIX ".meta"
#define TEMP_SUFFIX ".tmp"
#define FAILED_DIRECTORY "failed"
#define META_GROUP "Outbox Entry"

struct _Outbox
{
  char *directory;
};

struct _OutboxDraft
{
  Outbox *outbox;
  char *id;
  char *temp_path;
  int fd;
  goffset size;
  goffset wire_size; /* the octets DATA carries, before dot-stuffing */
  gboolean after_cr;
  gboolean in_line;  /* the last octet written was not a line end */
  char *dsn[OUTBOX_N_DSN];
  GChecksum *digest; /* of the data, to recognise a message submitted twice */
};

static const char *const state_names[] = {
  [OUTBOX_STATE_QUEUED] = "queued",
  [OUTBOX_STATE_HELD_UNKNOWN] = "held-unknown",
  [OUTBOX_STATE_FAILED] = "failed",
  [OUTBOX_STATE_IN_FLIGHT] = "in-flight",
  [OUTBOX_STATE_NEEDS_SIGN_IN] = "needs-sign-in",
};

const char *
outbox_state_to_string (OutboxState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

gboolean
outbox_state_is_sendable (OutboxState state, gboolean include_unknown)
{
  return state == OUTBOX_STATE_QUEUED || state == OUTBOX_STATE_NEEDS_SIGN_IN
         || (include_unknown && state == OUTBOX_STATE_HELD_UNKNOWN);
}

gboolean
outbox_state_from_string (const char *name, OutboxState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (name, state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

/* --- files ---------------------------------------------------------------------------------- */

static gboolean
fail_errno (GError **error, int saved_errno, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _("Outbox file “%s”: %s"), path,
               g_strerror (saved_errno));
  return FALSE;
}

/* IDs become file names: only letters, digits and hyphens, never a dot or a slash. */
static gboolean
is_valid_id (const char *id, gsize length)
{
  if (length == 0 || length > 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-')
      return FALSE;
  return TRUE;
}

/* A sortable, unique id: creation time in UTC, then randomness against a same-microsecond clash. */
static char *
new_id (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");

  return g_strdup_printf ("%s-%06d-%08x", stamp, g_date_time_get_microsecond (now), g_random_int ());
}

static char *
entry_file (const char *directory, const char *id, const char *suffix)
{
  g_autofree char *name = g_strconcat (id, suffix, NULL);

  return g_build_filename (directory, name, NULL);
}

static char *
temp_file (const char *directory, const char *id, const char *suffix)
{
  g_autofree char *name = g_strconcat (".", id, suffix, TEMP_SUFFIX, NULL);

  return g_build_filename (directory, name, NULL);
}

static gboolean
write_all (int fd, const void *data, gsize length, const char *path, GError **error)
{
  const char *bytes = data;

  while (length > 0)
    {
      ssize_t written = write (fd, bytes, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return fail_errno (error, errno, path);
      bytes += written;
      length -= written;
    }
  return TRUE;
}

/* Renames are only durable once the directory holding them is. */
static gboolean
sync_directory (const char *directory, GError **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    return fail_errno (error, errno, directory);
  if (fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved_errno = errno;
  close (fd);
  return fail_errno (error, saved_errno, directory);
}

/* @path replaced atomically by @contents, 0600, through a temporary file next to it (the
 * caller holds the entry's lock, so nobody else writes that temporary file). */
static gboolean
write_durably (const char *path, const char *temp_path, const char *contents, gsize length, GError **error)
{
  int fd = open (temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return fail_errno (error, errno, temp_path);
  if (!write_all (fd, contents, length, temp_path, error))
    {
      close (fd);
      g_unlink (temp_path);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (temp_path);
      return fail_errno (error, saved_errno, temp_path);
    }
  close (fd);
  if (g_rename (temp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (temp_path);
      return fail_errno (error, saved_errno, path);
    }
  return TRUE;
}

static gboolean
make_private_directory (const char *directory, GError **error)
{
  struct stat info;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    return fail_errno (error, errno, directory);
  /* Messages are private even when someone made the directory with a looser mode. */
  if (stat (directory, &info) != 0)
    return fail_errno (error, errno, directory);
  if ((info.st_mode & 077) != 0 && chmod (directory, 0700) != 0)
    return fail_errno (error, errno, directory);
  return TRUE;
}

/* Takes the entry's lock without waiting: -1 with *@busy set when another process holds it,
 * -1 with *@busy unset when the data file does not exist. */
static int
try_lock (const char *path, gboolean *busy)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  *busy = FALSE;
  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      *busy = TRUE;
      close (fd);
      return -1;
    }
  return fd;
}

/* --- meta files ----------------------------------------------------------------------------- */

static void
set_time (GKeyFile *keys, const char *key, GDateTime *time)
{
  if (time != NULL)
    {
      g_autofree char *text = g_date_time_format_iso8601 (time);

      g_key_file_set_string (keys, META_GROUP, key, text);
    }
}

static GDateTime *
get_time (GKeyFile *keys, const char *key)
{
  g_autofree char *text = g_key_file_get_string (keys, META_GROUP, key, NULL);

  return text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

/* The meta keys of OutboxEntry.dsn, in OutboxDsn order. */
static const char *const dsn_keys[OUTBOX_N_DSN] = { "DsnNotify", "DsnReturn", "Envid" };

static char *
entry_to_meta (OutboxEntry *entry, gsize *length)
{
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (GStrvBuilder) flags = g_strv_builder_new ();
  g_auto (GStrv) flag_names = NULL;

  g_key_file_set_string (keys, META_GROUP, "Account", entry->account);
  g_key_file_set_string (keys, META_GROUP, "Sender", entry->sender);
  g_key_file_set_string_list (keys, META_GROUP, "Recipients", (const char *const *) entry->recipients,
                              g_strv_length (entry->recipients));
  if (entry->flags & MAIL_OUTGOING_8BIT_BODY)
    g_strv_builder_add (flags, "8bit");
  if (entry->flags & MAIL_OUTGOING_UTF8_HEADERS)
    g_strv_builder_add (flags, "utf8-headers");
  flag_names = g_strv_builder_end (flags);
  g_key_file_set_string_list (keys, META_GROUP, "Flags", (const char *const *) flag_names,
                              g_strv_length (flag_names));
  if (entry->wire_size >= 0)
    g_key_file_set_int64 (keys, META_GROUP, "WireSize", entry->wire_size);
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    if (entry->dsn[i] != NULL)
      g_key_file_set_string (keys, META_GROUP, dsn_keys[i], entry->dsn[i]);
  g_key_file_set_string (keys, META_GROUP, "State", outbox_state_to_string (entry->state));
  g_key_file_set_uint64 (keys, META_GROUP, "Attempts", entry->attempts);
  set_time (keys, "Created", entry->created);
  set_time (keys, "LastAttempt", entry->last_attempt);
  if (entry->last_error != NULL)
    g_key_file_set_string (keys, META_GROUP, "LastError", entry->last_error);
  if (entry->digest != NULL)
    g_key_file_set_string (keys, META_GROUP, "Digest", entry->digest);
  if (entry->next_attempt > 0)
    g_key_file_set_int64 (keys, META_GROUP, "NextAttempt", entry->next_attempt);
  return g_key_file_to_data (keys, length, NULL);
}

/* The string @key of the entry's group into *@value, or FALSE with @error set (and *@value
 * NULL) when it is missing or not a valid string. */
static gboolean
get_string (GKeyFile *keys, const char *key, char **value, GError **error)
{
  g_autoptr (GError) key_error = NULL;

  *value = g_key_file_get_string (keys, META_GROUP, key, &key_error);
  if (key_error == NULL)
    return TRUE;
  g_clear_pointer (value, g_free);
  g_propagate_error (error, g_steal_pointer (&key_error));
  return FALSE;
}

static OutboxEntry *
entry_from_meta (const char *id, const char *path, GError **error)
{
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (OutboxEntry) entry = g_new0 (OutboxEntry, 1);
  g_auto (GStrv) flags = NULL;
  g_autofree char *state = NULL;
  g_autoptr (GError) key_error = NULL;

  entry->lock_fd = -1;
  entry->id = g_strdup (id);
  if (!g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, error))
    return NULL;
  /* g_key_file_get_string() can return a value *and* set an error (an invalid escape): only
   * the error says whether the value is good. */
  if (!get_string (keys, "Account", &entry->account, error) || !get_string (keys, "Sender", &entry->sender, error))
    return NULL;
  entry->recipients = g_key_file_get_string_list (keys, META_GROUP, "Recipients", NULL, &key_error);
  if (key_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&key_error));
      return NULL;
    }
  if (!get_string (keys, "State", &state, error))
    return NULL;
  if (!outbox_state_from_string (state, &entry->state) || entry->recipients[0] == NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("Outbox entry %s has no recipients or an unknown state"), id);
      return NULL;
    }
  flags = g_key_file_get_string_list (keys, META_GROUP, "Flags", NULL, NULL);
  if (flags != NULL && g_strv_contains ((const char *const *) flags, "8bit"))
    entry->flags |= MAIL_OUTGOING_8BIT_BODY;
  if (flags != NULL && g_strv_contains ((const char *const *) flags, "utf8-headers"))
    entry->flags |= MAIL_OUTGOING_UTF8_HEADERS;
  /* Entries queued by an older o365-send have none: unknown, and SIZE= is then left out. */
  entry->wire_size = -1;
  if (g_key_file_has_key (keys, META_GROUP, "WireSize", NULL))
    {
      /* A size below -1 would reach mail_outgoing_new(), which refuses it; a non-number would
       * be declared as SIZE=0. */
      entry->wire_size = g_key_file_get_int64 (keys, META_GROUP, "WireSize", &key_error);
      if (key_error != NULL || entry->wire_size < -1)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("Outbox entry %s has a WireSize that is not a size"), id);
          return NULL;
        }
    }
  entry->attempts = (guint) g_key_file_get_uint64 (keys, META_GROUP, "Attempts", NULL);
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    entry->dsn[i] = g_key_file_get_string (keys, META_GROUP, dsn_keys[i], NULL);
  entry->created = get_time (keys, "Created");
  entry->last_attempt = get_time (keys, "LastAttempt");
  entry->last_error = g_key_file_get_string (keys, META_GROUP, "LastError", NULL);
  entry->digest = g_key_file_get_string (keys, META_GROUP, "Digest", NULL);
  /* Entries queued by an older version, or without a hint from the server, have none: 0. */
  entry->next_attempt = MAX (g_key_file_get_int64 (keys, META_GROUP, "NextAttempt", NULL), 0);
  return g_steal_pointer (&entry);
}

static gboolean
write_meta (const char *directory, OutboxEntry *entry, GError **error)
{
  g_autofree char *path = entry_file (directory, entry->id, META_SUFFIX);
  g_autofree char *temp_path = temp_file (directory, entry->id, META_SUFFIX);
  gsize length = 0;
  g_autofree char *contents = entry_to_meta (entry, &length);

  return write_durably (path, temp_path, contents, length, error);
}

void
outbox_entry_unlock (OutboxEntry *entry)
{
  if (entry->lock_fd >= 0)
    close (entry->lock_fd);
  entry->lock_fd = -1;
}

void
outbox_entry_free (OutboxEntry *entry)
{
  if (entry == NULL)
    return;
  /* Closing the descriptor releases the lock. */
  if (entry->lock_fd >= 0)
    close (entry->lock_fd);
  g_free (entry->id);
  g_free (entry->account);
  g_free (entry->sender);
  g_strfreev (entry->recipients);
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    g_free (entry->dsn[i]);
  g_free (entry->last_error);
  g_free (entry->digest);
  g_clear_pointer (&entry->last_attempt, g_date_time_unref);
  g_clear_pointer (&entry->created, g_date_time_unref);
  g_free (entry);
}

/* --- the outbox ----------------------------------------------------------------------------- */

Outbox *
outbox_open (const char *directory, GError **error)
{
  g_autoptr (Outbox) self = g_new0 (Outbox, 1);

  self->directory = directory != NULL ? g_strdup (directory)
                                      : g_build_filename (g_get_user_data_dir (), "o365-account", "outbox", NULL);
  if (!make_private_directory (self->directory, error))
    return NULL;
  if (outbox_clean_orphans (self, error) < 0)
    return NULL;
  return g_steal_pointer (&self);
}

void
outbox_free (Outbox *self)
{
  if (self == NULL)
    return;
  g_free (self->directory);
  g_free (self);
}

const char *
outbox_get_directory (Outbox *self)
{
  return self->directory;
}

static gboolean
has_suffix (const char *name, const char *suffix, gsize *stem_length)
{
  if (!g_str_has_suffix (name, suffix))
    return FALSE;
  *stem_length = strlen (name) - strlen (suffix);
  return TRUE;
}

/* Whether some live process holds @id's lock, on its data file or its draft. */
static gboolean
is_busy (const char *directory, const char *id)
{
  g_autofree char *data = entry_file (directory, id, DATA_SUFFIX);
  g_autofree char *draft = temp_file (directory, id, DATA_SUFFIX);
  gboolean busy;
  int fd = try_lock (data, &busy);

  if (fd >= 0)
    {
      close (fd);
      return FALSE;
    }
  if (busy)
    return TRUE;
  fd = try_lock (draft, &busy);
  if (fd >= 0)
    close (fd);
  return busy;
}

/* Temporary files younger than this are never taken for a dead writer's. */
#define TEMP_FILE_GRACE_SECONDS 60

static gboolean
is_recent (const char *path)
{
  GStatBuf info;

  if (g_lstat (path, &info) != 0)
    return FALSE;
  return info.st_mtime > (time_t) (g_get_real_time () / G_USEC_PER_SEC) - TEMP_FILE_GRACE_SECONDS;
}

static gboolean
remove_file (const char *path, int *removed, GError **error)
{
  if (g_unlink (path) == 0)
    {
      (*removed)++;
      return TRUE;
    }
  return errno == ENOENT || fail_errno (error, errno, path);
}

/* One name found in the directory: removed when it is an orphan. */
static gboolean
clean_name (Outbox *self, const char *name, int *removed, GError **error)
{
  g_autofree char *path = g_build_filename (self->directory, name, NULL);
  g_autofree char *id = NULL;
  gsize stem;

  if (name[0] == '.' && has_suffix (name, TEMP_SUFFIX, &stem))
    {
      /* ".ID.eml.tmp" or ".ID.meta.tmp": left by a writer that is gone, unless it is not. */
      const char *dot = memchr (name + 1, '.', stem - 1);

      if (dot == NULL || !is_valid_id (name + 1, dot - name - 1))
        return TRUE;
      id = g_strndup (name + 1, dot - name - 1);
      /* A writer creates its draft, then locks it: one made just now may not be locked yet. */
      if (is_recent (path))
        return TRUE;
      return is_busy (self->directory, id) || remove_file (path, removed, error);
    }
  if (has_suffix (name, DATA_SUFFIX, &stem) && is_valid_id (name, stem))
    {
      g_autofree char *meta = NULL;
      gboolean busy;
      int fd;

      id = g_strndup (name, stem);
      meta = entry_file (self->directory, id, META_SUFFIX);
      if (g_file_test (meta, G_FILE_TEST_EXISTS))
        return TRUE;
      fd = try_lock (path, &busy);
      if (fd < 0)
        return TRUE;
      /* The writer may have finished between the look and the lock. */
      if (!g_file_test (meta, G_FILE_TEST_EXISTS) && !remove_file (path, removed, error))
        {
          close (fd);
          return FALSE;
        }
      close (fd);
      return TRUE;
    }
  if (has_suffix (name, META_SUFFIX, &stem) && is_valid_id (name, stem))
    {
      /* Data gone, meta left: a move to failed/ was cut short (the data is safe there). */
      g_autofree char *data = NULL;

      id = g_strndup (name, stem);
      data = entry_file (self->directory, id, DATA_SUFFIX);
      if (!g_file_test (data, G_FILE_TEST_EXISTS) && !is_busy (self->directory, id))
        return remove_file (path, removed, error);
    }
  return TRUE;
}

int
outbox_clean_orphans (Outbox *self, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (self->directory, 0, error);
  const char *name;
  int removed = 0;

  if (dir == NULL)
    return -1;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!clean_name (self, name, &removed, error))
      return -1;
  if (removed > 0 && !sync_directory (self->directory, error))
    return -1;
  return removed;
}

/* --- drafts --------------------------------------------------------------------------------- */

OutboxDraft *
outbox_draft_new (Outbox *self, GError **error)
{
  g_autoptr (OutboxDraft) draft = g_new0 (OutboxDraft, 1);

  draft->outbox = self;
  draft->fd = -1;
  /* A clash needs the same microsecond and the same 32 random bits: retry once or twice. */
  for (guint tries = 0; draft->fd < 0 && tries < 3; tries++)
    {
      g_free (draft->id);
      g_free (draft->temp_path);
      draft->id = new_id ();
      draft->temp_path = temp_file (self->directory, draft->id, DATA_SUFFIX);
      draft->fd = open (draft->temp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (draft->fd < 0 && errno != EEXIST)
        break;
    }
  if (draft->fd < 0)
    {
      fail_errno (error, errno, draft->temp_path);
      g_clear_pointer (&draft->temp_path, g_free);
      return NULL;
    }
  /* Held until the entry is sent or let go: tells this live writer from a crashed one's orphan. */
  if (flock (draft->fd, LOCK_EX | LOCK_NB) != 0)
    {
      fail_errno (error, errno, draft->temp_path);
      return NULL;
    }
  return g_steal_pointer (&draft);
}

/* Counts what @data adds on the wire, where the SMTP engine writes each CR, LF and CRLF as
 * CRLF: SIZE= (RFC 1870) must not understate it, and a message with LF line ends grows. */
static void
count_wire_octets (OutboxDraft *draft, const guint8 *data, gsize length)
{
  goffset octets = length;

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\r')
        octets++;
      else if (data[i] == '\n')
        octets += draft->after_cr ? -1 : 1;
      draft->after_cr = data[i] == '\r';
    }
  if (length > 0)
    draft->in_line = data[length - 1] != '\r' && data[length - 1] != '\n';
  draft->wire_size += octets;
}

gboolean
outbox_draft_write (OutboxDraft *draft, const void *data, gsize length, GError **error)
{
  if (!write_all (draft->fd, data, length, draft->temp_path, error))
    return FALSE;
  draft->size += length;
  count_wire_octets (draft, data, length);
  if (draft->digest == NULL)
    draft->digest = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (draft->digest, data, length);
  return TRUE;
}

void
outbox_draft_free (OutboxDraft *draft)
{
  if (draft == NULL)
    return;
  if (draft->temp_path != NULL)
    g_unlink (draft->temp_path);
  if (draft->fd >= 0)
    close (draft->fd);
  g_free (draft->temp_path);
  g_free (draft->id);
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    g_free (draft->dsn[i]);
  g_clear_pointer (&draft->digest, g_checksum_free);
  g_free (draft);
}

void
outbox_draft_set_dsn (OutboxDraft *draft, const char *notify, const char *ret, const char *envid)
{
  const char *values[OUTBOX_N_DSN] = { notify, ret, envid };

  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    {
      g_free (draft->dsn[i]);
      draft->dsn[i] = g_strdup (values[i]);
    }
}

OutboxEntry *
outbox_draft_commit (OutboxDraft *draft_,
                     const char *account,
                     const char *sender,
                     const char *const *recipients,
                     MailOutgoingFlags flags,
                     GError **error)
{
  g_autoptr (OutboxDraft) draft = draft_;
  const char *directory = draft->outbox->directory;
  g_autofree char *data_path = entry_file (directory, draft->id, DATA_SUFFIX);
  g_autoptr (OutboxEntry) entry = NULL;

  g_return_val_if_fail (account != NULL && sender != NULL, NULL);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, NULL);

  if (fsync (draft->fd) != 0)
    {
      fail_errno (error, errno, draft->temp_path);
      return NULL;
    }
  if (g_rename (draft->temp_path, data_path) != 0)
    {
      fail_errno (error, errno, data_path);
      return NULL;
    }
  g_clear_pointer (&draft->temp_path, g_free);

  entry = g_new0 (OutboxEntry, 1);
  entry->id = g_strdup (draft->id);
  entry->account = g_strdup (account);
  entry->sender = g_strdup (sender);
  entry->recipients = g_strdupv ((char **) recipients);
  entry->flags = flags;
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    entry->dsn[i] = g_steal_pointer (&draft->dsn[i]);
  /* The engine ends an unterminated last line with CRLF. */
  entry->wire_size = draft->wire_size + (draft->in_line ? 2 : 0);
  entry->state = OUTBOX_STATE_QUEUED;
  entry->created = g_date_time_new_now_utc ();
  if (draft->digest != NULL)
    entry->digest = g_strdup (g_checksum_get_string (draft->digest));
  /* The draft's descriptor (and its lock) now belongs to the entry. */
  entry->lock_fd = draft->fd;
  draft->fd = -1;
  if (!write_meta (directory, entry, error) || !sync_directory (directory, error))
    {
      g_unlink (data_path);
      return NULL;
    }
  return g_steal_pointer (&entry);
}

/* --- listing and claiming ------------------------------------------------------------------- */

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const OutboxEntry *x = *(OutboxEntry *const *) a;
  const OutboxEntry *y = *(OutboxEntry *const *) b;

  return strcmp (x->id, y->id);
}

static OutboxEntry *
load_entry_in (const char *directory, const char *id)
{
  g_autofree char *meta = entry_file (directory, id, META_SUFFIX);
  g_autofree char *data = entry_file (directory, id, DATA_SUFFIX);
  g_autoptr (GError) error = NULL;
  OutboxEntry *entry;

  if (!g_file_test (data, G_FILE_TEST_EXISTS))
    return NULL;
  entry = entry_from_meta (id, meta, &error);
  /* A vanished entry was just sent or moved by another process; a damaged one is left in
   * place for a person to look at, never deleted. */
  if (entry == NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning (_("Outbox entry %s is unreadable and left as it is: %s"), id, error->message);
  return entry;
}

static OutboxEntry *
load_entry (Outbox *self, const char *id)
{
  return load_entry_in (self->directory, id);
}

/* The complete entries in @directory (the outbox or its failed/), oldest first. */
static GPtrArray *
list_directory (Outbox *self, const char *directory, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (directory, 0, error);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      OutboxEntry *entry;
      gsize stem;

      if (!has_suffix (name, META_SUFFIX, &stem) || !is_valid_id (name, stem))
        continue;
      id = g_strndup (name, stem);
      entry = load_entry_in (directory, id);
      if (entry == NULL)
        continue;
      /* Its sender died while the server may have been taking it: never resent silently. */
      if (entry->state == OUTBOX_STATE_IN_FLIGHT && !is_busy (self->directory, id))
        entry->state = OUTBOX_STATE_HELD_UNKNOWN;
      g_ptr_array_add (entries, entry);
    }
  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

GPtrArray *
outbox_list (Outbox *self, GError **error)
{
  return list_directory (self, self->directory, error);
}

GPtrArray *
outbox_list_failed (Outbox *self, GError **error)
{
  g_autofree char *failed = g_build_filename (self->directory, FAILED_DIRECTORY, NULL);
  g_autoptr (GError) local_error = NULL;
  GPtrArray *entries = list_directory (self, failed, &local_error);

  /* No failed/ yet: nothing ever failed. */
  if (entries == NULL && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  if (entries == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return entries;
}

static gboolean
is_sendable (OutboxEntry *entry, const char *account, gboolean include_unknown)
{
  if (account != NULL && g_ascii_strcasecmp (entry->account, account) != 0)
    return FALSE;
  return outbox_state_is_sendable (entry->state, include_unknown);
}

GPtrArray *
outbox_claim (Outbox *self, const char *account, gboolean include_unknown, GError **error)
{
  g_autoptr (GPtrArray) listed = outbox_list (self, error);
  GPtrArray *claimed;

  if (listed == NULL)
    return NULL;
  claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  for (guint i = 0; i < listed->len; i++)
    {
      OutboxEntry *seen = g_ptr_array_index (listed, i);
      g_autofree char *data = entry_file (self->directory, seen->id, DATA_SUFFIX);
      OutboxEntry *entry;
      gboolean busy;
      int fd;

      if (!is_sendable (seen, account, include_unknown))
        continue;
      fd = try_lock (data, &busy);
      if (fd < 0)
        continue;
      /* Read again under the lock: the previous holder may have sent or changed it. */
      entry = load_entry (self, seen->id);
      if (entry != NULL && entry->state == OUTBOX_STATE_IN_FLIGHT)
        {
          /* The lock is ours, so whoever marked it died: held from now on, on disk too. */
          entry->state = OUTBOX_STATE_HELD_UNKNOWN;
          write_meta (self->directory, entry, NULL);
        }
      if (entry == NULL || !is_sendable (entry, account, include_unknown))
        {
          outbox_entry_free (entry);
          close (fd);
          continue;
        }
      entry->lock_fd = fd;
      g_ptr_array_add (claimed, entry);
    }
  return claimed;
}

/* --- an entry's data and state -------------------------------------------------------------- */

char *
outbox_entry_get_path (Outbox *self, OutboxEntry *entry)
{
  return entry_file (self->directory, entry->id, DATA_SUFFIX);
}

GFileInputStream *
outbox_entry_read (Outbox *self, OutboxEntry *entry, goffset *size, GError **error)
{
  g_autofree char *path = outbox_entry_get_path (self, entry);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  GFileInputStream *stream = g_file_read (file, NULL, error);

  if (stream != NULL)
    *size = entry->wire_size;
  return stream;
}

static void
note_attempt (OutboxEntry *entry, OutboxState state, const char *reason)
{
  entry->attempts++;
  entry->next_attempt = 0;
  entry->state = state;
  g_free (entry->last_error);
  entry->last_error = g_strdup (reason);
  g_clear_pointer (&entry->last_attempt, g_date_time_unref);
  entry->last_attempt = g_date_time_new_now_utc ();
}

gboolean
outbox_entry_record_failure (Outbox *self, OutboxEntry *entry, OutboxState state, const char *reason, GError **error)
{
  g_return_val_if_fail (entry->lock_fd >= 0, FALSE);
  g_return_val_if_fail (state == OUTBOX_STATE_QUEUED || state == OUTBOX_STATE_HELD_UNKNOWN
                          || state == OUTBOX_STATE_NEEDS_SIGN_IN, FALSE);

  note_attempt (entry, state, reason);
  return write_meta (self->directory, entry, error) && sync_directory (self->directory, error);
}

gboolean
outbox_entry_record_deferral (Outbox *self, OutboxEntry *entry, const char *reason, guint seconds, GError **error)
{
  g_return_val_if_fail (entry->lock_fd >= 0, FALSE);

  note_attempt (entry, OUTBOX_STATE_QUEUED, reason);
  /* Wall-clock time, so that it holds across processes and reboots. */
  if (seconds > 0)
    entry->next_attempt = g_get_real_time () / G_USEC_PER_SEC + seconds;
  return write_meta (self->directory, entry, error) && sync_directory (self->directory, error);
}

gboolean
outbox_entry_is_deferred (OutboxEntry *entry, gint64 now)
{
  return entry->state == OUTBOX_STATE_QUEUED && entry->next_attempt > now;
}

gboolean
outbox_entry_narrow_recipients (Outbox *self,
                                OutboxEntry *entry,
                                const char *const *recipients,
                                OutboxState state,
                                const char *reason,
                                GError **error)
{
  g_return_val_if_fail (entry->lock_fd >= 0, FALSE);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, FALSE);

  g_strfreev (entry->recipients);
  entry->recipients = g_strdupv ((char **) recipients);
  return outbox_entry_record_failure (self, entry, state, reason, error);
}

gboolean
outbox_entry_mark_in_flight (Outbox *self, OutboxEntry *entry, GError **error)
{
  OutboxState before = entry->state;

  g_return_val_if_fail (entry->lock_fd >= 0, FALSE);

  entry->state = OUTBOX_STATE_IN_FLIGHT;
  if (write_meta (self->directory, entry, error) && sync_directory (self->directory, error))
    return TRUE;
  entry->state = before;
  return FALSE;
}

/* Deletes entry @id of @directory (the outbox or its failed/). */
static gboolean
remove_entry_files (const char *directory, const char *id, GError **error)
{
  g_autofree char *meta = entry_file (directory, id, META_SUFFIX);
  g_autofree char *data = entry_file (directory, id, DATA_SUFFIX);

  /* Meta first: a crash in between leaves an orphan data file, never a half entry. */
  if (g_unlink (meta) != 0 && errno != ENOENT)
    return fail_errno (error, errno, meta);
  if (g_unlink (data) != 0 && errno != ENOENT)
    return fail_errno (error, errno, data);
  return sync_directory (directory, error);
}

gboolean
outbox_entry_remove (Outbox *self, OutboxEntry *entry, GError **error)
{
  g_return_val_if_fail (entry->lock_fd >= 0, FALSE);

  return remove_entry_files (self->directory, entry->id, error);
}

char *
outbox_entry_move_to_failed (Outbox *self, OutboxEntry *entry, const char *reason, GError **error)
{
  g_autofree char *failed = g_build_filename (self->directory, FAILED_DIRECTORY, NULL);
  g_autofree char *data = entry_file (self->directory, entry->id, DATA_SUFFIX);
  g_autofree char *meta = entry_file (self->directory, entry->id, META_SUFFIX);
  g_autofree char *failed_data = entry_file (failed, entry->id, DATA_SUFFIX);

  g_return_val_if_fail (entry->lock_fd >= 0, NULL);

  /* Data first, so that the message is never only in a file about to be deleted; a crash
   * before the old meta file goes leaves it without data, which outbox_clean_orphans() drops. */
  if (!make_private_directory (failed, error))
    return NULL;
  if (g_rename (data, failed_data) != 0)
    {
      fail_errno (error, errno, failed_data);
      return NULL;
    }
  note_attempt (entry, OUTBOX_STATE_FAILED, reason);
  if (!write_meta (failed, entry, error) || !sync_directory (failed, error))
    return NULL;
  if (g_unlink (meta) != 0 && errno != ENOENT)
    {
      fail_errno (error, errno, meta);
      return NULL;
    }
  if (!sync_directory (self->directory, error))
    return NULL;
  return g_steal_pointer (&failed_data);
}

/* --- what a person decides ------------------------------------------------------------------ */

static gboolean
fail_unknown_id (GError **error, const char *id)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, _("No message %s in the outbox"), id);
  return FALSE;
}

/* Locks entry @id of the outbox itself for a person's decision. */
static OutboxEntry *
lock_for_decision (Outbox *self, const char *id, GError **error)
{
  g_autofree char *data = entry_file (self->directory, id, DATA_SUFFIX);
  OutboxEntry *entry;
  gboolean busy;
  int fd = try_lock (data, &busy);

  if (fd < 0 && busy)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("Message %s is being sent right now; try again when that is over"), id);
      return NULL;
    }
  if (fd < 0 || (entry = load_entry (self, id)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      fail_unknown_id (error, id);
      return NULL;
    }
  entry->lock_fd = fd;
  return entry;
}

/* Entry @id in failed/ (*@failed: that directory), or NULL; FALSE for an id that cannot be one. */
static gboolean
find_failed (Outbox *self, const char *id, char **failed, OutboxEntry **entry, GError **error)
{
  if (!is_valid_id (id, strlen (id)))
    return fail_unknown_id (error, id);
  *failed = g_build_filename (self->directory, FAILED_DIRECTORY, NULL);
  *entry = load_entry_in (*failed, id);
  return TRUE;
}

gboolean
outbox_requeue (Outbox *self, const char *id, GError **error)
{
  g_autofree char *failed = NULL;
  g_autoptr (OutboxEntry) entry = NULL;

  if (!find_failed (self, id, &failed, &entry, error))
    return FALSE;
  if (entry != NULL)
    {
      g_autofree char *data = entry_file (self->directory, id, DATA_SUFFIX);
      g_autofree char *failed_data = entry_file (failed, id, DATA_SUFFIX);

      /* Data back first, then a meta file saying queued: its presence completes the entry. */
      if (g_rename (failed_data, data) != 0)
        return fail_errno (error, errno, data);
      entry->state = OUTBOX_STATE_QUEUED;
      entry->next_attempt = 0;
      return write_meta (self->directory, entry, error) && sync_directory (self->directory, error)
             && remove_entry_files (failed, id, error);
    }
  entry = lock_for_decision (self, id, error);
  if (entry == NULL)
    return FALSE;
  /* A person's decision: sent with the next flush, whatever the server asked. */
  entry->state = OUTBOX_STATE_QUEUED;
  entry->next_attempt = 0;
  return write_meta (self->directory, entry, error) && sync_directory (self->directory, error);
}

gboolean
outbox_discard (Outbox *self, const char *id, GError **error)
{
  g_autofree char *failed = NULL;
  g_autoptr (OutboxEntry) entry = NULL;

  if (!find_failed (self, id, &failed, &entry, error))
    return FALSE;
  if (entry != NULL)
    return remove_entry_files (failed, id, error);
  entry = lock_for_decision (self, id, error);
  return entry != NULL && outbox_entry_remove (self, entry, error);
}

/* --- a message submitted twice -------------------------------------------------------------- */

static gboolean
is_same_submission (const OutboxEntry *a, const OutboxEntry *b)
{
  return a->digest != NULL && g_strcmp0 (a->digest, b->digest) == 0
         && g_ascii_strcasecmp (a->account, b->account) == 0 && g_strcmp0 (a->sender, b->sender) == 0
         && g_strv_equal ((const char *const *) a->recipients, (const char *const *) b->recipients);
}

char *
outbox_find_duplicate (Outbox *self, OutboxEntry *entry)
{
  g_autoptr (GPtrArray) entries = outbox_list (self, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      OutboxEntry *other = g_ptr_array_index (entries, i);

      if (strcmp (other->id, entry->id) != 0 && is_same_submission (other, entry))
        return g_strdup (other->id);
    }
  return NULL;
}

OutboxEntry *
outbox_claim_entry (Outbox *self, const char *id, GError **error)
{
  return lock_for_decision (self, id, error);
}
