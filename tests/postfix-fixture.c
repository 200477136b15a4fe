/* postfix-fixture.c — runs the Postfix harness script for tests. */
#include "config.h"

#include <gio/gio.h>
#include <unistd.h>

#include "postfix-fixture.h"
#include "test-utils.h"

struct _PostfixFixture
{
  char *dir;
  GHashTable *facts;
  gboolean running;
};

static char *
harness_path (void)
{
  return g_build_filename (g_getenv ("O365_TEST_SRCDIR"), "harness", "postfix-harness", NULL);
}

/* Runs the harness with @args; returns its stdout, failing the test with its stderr. */
static char *
run_harness (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, harness_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("could not run the Postfix harness: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("postfix-harness %s failed: %s\n%s", args[0], error->message, err);
  return g_steal_pointer (&out);
}

/* A failed assertion aborts the test before postfix_fixture_free() runs; a watchdog process
 * stops the instance once the test process is gone, so no daemon outlives its test. */
static void
start_watchdog (PostfixFixture *fixture)
{
  static const char script[] =
    "while read -r _ _ state _ < /proc/$1/stat 2>/dev/null && [ \"$state\" != Z ]; do sleep 1; done;"
    " exec \"$3\" stop \"$2\"";
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *harness = harness_path ();
  const char *argv[] = { "/bin/sh", "-c", script, "watchdog", parent, fixture->dir, harness, NULL };
  g_autoptr (GError) error = NULL;

  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_STDIN_FROM_DEV_NULL,
                      NULL, NULL, NULL, &error))
    g_error ("could not start the Postfix watchdog: %s", error->message);
}

PostfixFixture *
postfix_fixture_start (void)
{
  g_autofree char *base = test_build_path ("postfix", NULL);
  g_autofree char *output = NULL;
  g_auto (GStrv) lines = NULL;
  PostfixFixture *fixture = g_new0 (PostfixFixture, 1);

  g_mkdir_with_parents (base, 0755);
  fixture->dir = g_build_filename (base, "instance-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (fixture->dir));
  output = run_harness ((const char *[]) { "start", fixture->dir, NULL });
  fixture->running = TRUE;

  fixture->facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *equals = strchr (lines[i], '=');

      if (equals != NULL)
        g_hash_table_insert (fixture->facts, g_strndup (lines[i], (gsize) (equals - lines[i])),
                             g_strdup (equals + 1));
    }
  g_assert_nonnull (postfix_fixture_get (fixture, "PORT"));
  g_assert_nonnull (postfix_fixture_get (fixture, "MAILDIR"));
  start_watchdog (fixture);
  return fixture;
}

void
postfix_fixture_stop (PostfixFixture *fixture)
{
  g_autofree char *output = NULL;

  if (!fixture->running)
    return;
  output = run_harness ((const char *[]) { "stop", fixture->dir, NULL });
  fixture->running = FALSE;
}

void
postfix_fixture_free (PostfixFixture *fixture)
{
  postfix_fixture_stop (fixture);
  g_clear_pointer (&fixture->facts, g_hash_table_unref);
  g_free (fixture->dir);
  g_free (fixture);
}

const char *
postfix_fixture_get (PostfixFixture *fixture, const char *key)
{
  return g_hash_table_lookup (fixture->facts, key);
}

guint16
postfix_fixture_get_port (PostfixFixture *fixture)
{
  return (guint16) g_ascii_strtoull (postfix_fixture_get (fixture, "PORT"), NULL, 10);
}

guint
postfix_fixture_count_connections (PostfixFixture *fixture)
{
  g_autofree char *output = run_harness ((const char *[]) { "count-connections", fixture->dir, NULL });

  return (guint) g_ascii_strtoull (output, NULL, 10);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
postfix_fixture_wait_mail (PostfixFixture *fixture, guint count)
{
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  g_autofree char *output = run_harness ((const char *[]) { "wait-mail", fixture->dir, count_text, "30", NULL });
  g_autofree char *new_dir = g_build_filename (postfix_fixture_get (fixture, "MAILDIR"), "new", NULL);
  g_autoptr (GDir) dir = g_dir_open (new_dir, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (paths, g_build_filename (new_dir, name, NULL));
  g_ptr_array_sort (paths, compare_paths);
  return paths;
}
