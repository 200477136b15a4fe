/* test-utils.c — shared test helpers. */
#include "config.h"

#include <locale.h>

#include "test-utils.h"

void
test_init (int *argc, char ***argv)
{
  setlocale (LC_ALL, "");
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

static const char *
required_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run the tests through `meson test`", name);
  return value;
}

char *
test_build_path (const char *first_element, ...)
{
  g_autoptr (GPtrArray) elements = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (elements, (gpointer) required_env ("O365_TEST_BUILDDIR"));
  va_start (args, first_element);
  for (const char *e = first_element; e != NULL; e = va_arg (args, const char *))
    g_ptr_array_add (elements, (gpointer) e);
  va_end (args);
  g_ptr_array_add (elements, NULL);
  return g_build_filenamev ((char **) elements->pdata);
}

char *
test_cert_path (const char *name)
{
  return g_build_filename (required_env ("O365_TEST_CERTS"), name, NULL);
}

char *
test_module_path (const char *variant)
{
  g_autofree char *file = g_strconcat (variant, "." G_MODULE_SUFFIX, NULL);

  return g_build_filename (required_env ("O365_TEST_MODULES"), file, NULL);
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
test_wait_for_flag (gboolean *flag, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  if (!*flag)
    g_error ("timed out after %u ms", timeout_ms);
}

gboolean
test_rss_is_meaningful (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return FALSE;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return FALSE;
#else
  return TRUE;
#endif
#else
  return TRUE;
#endif
}
