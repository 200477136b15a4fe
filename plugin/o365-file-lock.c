/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-file-lock.c — flock() on a per-key file in the runtime directory, polled. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "o365-file-lock.h"

/* How often a process waiting for another process's lock looks again. */
#define POLL_MS 50

/* The file for @key: named by a digest so that no address becomes a path. -1 if it cannot be
 * opened. */
static int
open_lock_file (const char *key, const char *purpose)
{
  g_autofree char *directory = g_build_filename (g_get_user_runtime_dir (), "o365-account", NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strconcat (digest, ".", purpose, NULL);
  g_autofree char *path = g_build_filename (directory, name, NULL);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    return -1;
  return open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

typedef struct
{
  int fd;
} LockWait;

static void
lock_wait_free (LockWait *wait)
{
  if (wait->fd >= 0)
    close (wait->fd);
  g_free (wait);
}

/* Tries the lock without blocking; TRUE when @task is done (and unreferenced). */
static gboolean
try_lock (GTask *task)
{
  LockWait *wait = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return TRUE;
    }
  if (flock (wait->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
    return FALSE;
  /* Locked (or flock() unusable here: in-process order then has to do). */
  g_task_return_int (task, wait->fd);
  wait->fd = -1;
  g_object_unref (task);
  return TRUE;
}

static gboolean
on_poll (gpointer user_data)
{
  return try_lock (user_data) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

void
o365_file_lock_acquire_async (const char *key,
                              const char *purpose,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LockWait *wait = g_new0 (LockWait, 1);
  g_autoptr (GSource) timer = NULL;

  g_task_set_source_tag (task, o365_file_lock_acquire_async);
  wait->fd = open_lock_file (key, purpose);
  g_task_set_task_data (task, wait, (GDestroyNotify) lock_wait_free);
  if (wait->fd < 0)
    {
      g_task_return_int (task, -1);
      g_object_unref (task);
      return;
    }
  if (try_lock (task))
    return;
  timer = g_timeout_source_new (POLL_MS);
  g_source_set_callback (timer, on_poll, task, NULL);
  g_source_attach (timer, g_task_get_context (task));
}

int
o365_file_lock_acquire_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_file_lock_acquire_async, -1);
  return (int) g_task_propagate_int (G_TASK (result), error);
}

void
o365_file_lock_release (int fd)
{
  if (fd >= 0)
    close (fd); /* releases the lock */
}
