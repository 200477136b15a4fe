/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-connection-gate.c — a FIFO lock per key, and a file lock per key across processes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "o365-connection-gate.h"

/* How often a process waiting for another process's connection to end looks again. */
#define FILE_LOCK_POLL_MS 50

typedef struct
{
  gboolean held;
  int lock_fd;    /* the file lock, while this process holds the gate, or -1 */
  GQueue waiters; /* of GTask */
} Gate;

static GHashTable *gates; /* key → Gate */

static void
gate_free (Gate *gate)
{
  g_queue_clear_full (&gate->waiters, g_object_unref);
  if (gate->lock_fd >= 0)
    close (gate->lock_fd); /* releases the file lock */
  g_free (gate);
}

static Gate *
lookup_gate (const char *key, gboolean create)
{
  Gate *gate;

  if (gates == NULL)
    gates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) gate_free);
  gate = g_hash_table_lookup (gates, key);
  if (gate == NULL && create)
    {
      gate = g_new0 (Gate, 1);
      gate->lock_fd = -1;
      g_queue_init (&gate->waiters);
      g_hash_table_insert (gates, g_strdup (key), gate);
    }
  return gate;
}

/* The lock file for @key: in the user's runtime directory (private, gone at logout), named by
 * a digest so that no address becomes a path. Returns -1 if it cannot be opened: the
 * in-process gate then has to do. */
static int
open_lock_file (const char *key)
{
  g_autofree char *directory = g_build_filename (g_get_user_runtime_dir (), "o365-account", NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strconcat (digest, ".lock", NULL);
  g_autofree char *path = g_build_filename (directory, name, NULL);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    return -1;
  return open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

typedef struct
{
  char *key;
  int fd;
} FileLockWait;

static void
file_lock_wait_free (FileLockWait *wait)
{
  if (wait->fd >= 0)
    close (wait->fd);
  g_free (wait->key);
  g_free (wait);
}

static void gate_release (const char *key);

/* Tries the file lock without blocking; TRUE when the task is done (taken). */
static gboolean
try_file_lock (GTask *task)
{
  FileLockWait *wait = g_task_get_task_data (task);
  Gate *gate = lookup_gate (wait->key, FALSE);

  if (g_task_return_error_if_cancelled (task))
    {
      gate_release (wait->key);
      g_object_unref (task);
      return TRUE;
    }
  if (flock (wait->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
    return FALSE;
  /* Locked (or flock() unusable here: the in-process gate then has to do). */
  gate->lock_fd = wait->fd;
  wait->fd = -1;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return TRUE;
}

static gboolean
on_file_lock_poll (gpointer user_data)
{
  return try_file_lock (user_data) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Completes @task (taken) once no other process holds @key's connection. */
static void
acquire_file_lock (GTask *task, const char *key)
{
  FileLockWait *wait = g_new0 (FileLockWait, 1);
  g_autoptr (GSource) timer = NULL;

  wait->key = g_strdup (key);
  wait->fd = open_lock_file (key);
  g_task_set_task_data (task, wait, (GDestroyNotify) file_lock_wait_free);
  if (wait->fd < 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (try_file_lock (task))
    return;
  timer = g_timeout_source_new (FILE_LOCK_POLL_MS);
  g_source_set_callback (timer, on_file_lock_poll, task, NULL);
  g_source_attach (timer, g_task_get_context (task));
}

/* Gives the gate to @task (taken), which may have to wait for other processes first. */
static void
enter (GTask *task, Gate *gate, const char *key)
{
  if (gate->lock_fd >= 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  acquire_file_lock (task, key);
}

void
o365_connection_gate_acquire_async (const char *key,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Gate *gate = lookup_gate (key, TRUE);

  g_task_set_source_tag (task, o365_connection_gate_acquire_async);
  if (!gate->held)
    {
      gate->held = TRUE;
      enter (task, gate, key);
      return;
    }
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_queue_push_tail (&gate->waiters, task);
}

gboolean
o365_connection_gate_acquire_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_connection_gate_acquire_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
gate_release (const char *key)
{
  Gate *gate = lookup_gate (key, FALSE);
  GTask *next;

  g_return_if_fail (gate != NULL && gate->held);

  /* Waiters cancelled meanwhile are told so and skipped: they never held the gate. The file
   * lock stays with this process while its own waiters go on. */
  while ((next = g_queue_pop_head (&gate->waiters)) != NULL)
    {
      if (!g_task_return_error_if_cancelled (next))
        {
          enter (next, gate, key);
          return;
        }
      g_object_unref (next);
    }
  g_hash_table_remove (gates, key);
}

void
o365_connection_gate_release (const char *key)
{
  gate_release (key);
}
