/* postfix-fixture.c — Postfix through its harness. */
#include "config.h"

#include <glib.h>

#include "postfix-fixture.h"

HarnessFixture *
postfix_fixture_start (void)
{
  HarnessFixture *postfix = harness_fixture_start ("postfix-harness", NULL);

  g_assert_nonnull (harness_fixture_get (postfix, "PORT"));
  g_assert_nonnull (harness_fixture_get (postfix, "MAILDIR"));
  return postfix;
}

guint16
postfix_fixture_get_port (HarnessFixture *postfix)
{
  return (guint16) g_ascii_strtoull (harness_fixture_get (postfix, "PORT"), NULL, 10);
}

guint
postfix_fixture_count_connections (HarnessFixture *postfix)
{
  g_autofree char *output = harness_fixture_run (postfix, "count-connections", NULL);

  return (guint) g_ascii_strtoull (output, NULL, 10);
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
postfix_fixture_wait_mail (HarnessFixture *postfix, guint count)
{
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  g_autofree char *new_dir = g_build_filename (harness_fixture_get (postfix, "MAILDIR"), "new", NULL);
  g_autoptr (GDir) dir = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  /* Only its success matters (it fails the test on a timeout), not what it prints. */
  g_free (harness_fixture_run (postfix, "wait-mail", (const char *[]) { count_text, "30", NULL }));
  dir = g_dir_open (new_dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (paths, g_build_filename (new_dir, name, NULL));
  g_ptr_array_sort (paths, compare_paths);
  return paths;
}
