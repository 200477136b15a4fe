/* harness-fixture.c — runs the harness scripts for tests. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "harness-fixture.h"

struct _HarnessFixture
{
  char *harness;
  char *dir;
  GHashTable *facts;
  gboolean running;
};

static char *
harness_path (const char *harness)
{
  const char *srcdir = g_getenv ("O365_TEST_SRCDIR");

  if (srcdir == NULL)
    g_error ("O365_TEST_SRCDIR is not set: run the tests through `meson test`");
  return g_build_filename (srcdir, "harness", harness, NULL);
}

/* Runs the harness with @args; returns its stdout, failing the test with its stderr. */
static char *
run_harness (HarnessFixture *fixture, const char *command, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, harness_path (fixture->harness));
  g_ptr_array_add (argv, g_strdup (command));
  g_ptr_array_add (argv, g_strdup (fixture->dir));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("could not run %s: %s", fixture->harness, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s %s failed: %s\n%s", fixture->harness, command, error->message, err);
  return g_steal_pointer (&out);
}

/* A failed assertion aborts the test before harness_fixture_free() runs: the watchdog waits for
 * the test process to be gone (a zombie counts) and stops the instance. */
static void
start_watchdog (HarnessFixture *fixture)
{
  static const char script[] =
    "while read -r _ _ state _ < /proc/$1/stat 2>/dev/null && [ \"$state\" != Z ]; do sleep 1; done;"
    " exec \"$3\" stop \"$2\"";
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *harness = harness_path (fixture->harness);
  const char *argv[] = { "/bin/sh", "-c", script, "watchdog", parent, fixture->dir, harness, NULL };
  g_autoptr (GError) error = NULL;

  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_STDIN_FROM_DEV_NULL,
                      NULL, NULL, NULL, &error))
    g_error ("could not start the %s watchdog: %s", fixture->harness, error->message);
}

HarnessFixture *
harness_fixture_start (const char *harness, const char *const *extra_args)
{
  g_autofree char *output = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("o365-%s-XXXXXX", harness);
  HarnessFixture *fixture = g_new0 (HarnessFixture, 1);

  fixture->harness = g_strdup (harness);
  fixture->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  /* The daemons' unprivileged users (postfix, dovecot) must reach files under it. */
  g_chmod (fixture->dir, 0755);

  output = run_harness (fixture, "start", extra_args);
  fixture->running = TRUE;
  start_watchdog (fixture);

  fixture->facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *equals = strchr (lines[i], '=');

      if (equals != NULL)
        g_hash_table_insert (fixture->facts, g_strndup (lines[i], (gsize) (equals - lines[i])),
                             g_strdup (equals + 1));
    }
  return fixture;
}

void
harness_fixture_stop (HarnessFixture *fixture)
{
  g_autofree char *output = NULL;

  if (!fixture->running)
    return;
  output = run_harness (fixture, "stop", NULL);
  fixture->running = FALSE;
}

void
harness_fixture_free (HarnessFixture *fixture)
{
  harness_fixture_stop (fixture);
  g_clear_pointer (&fixture->facts, g_hash_table_unref);
  g_free (fixture->harness);
  g_free (fixture->dir);
  g_free (fixture);
}

const char *
harness_fixture_get (HarnessFixture *fixture, const char *key)
{
  return g_hash_table_lookup (fixture->facts, key);
}

char *
harness_fixture_run (HarnessFixture *fixture, const char *command, const char *const *args)
{
  return run_harness (fixture, command, args);
}
