/* test-utils.h — helpers shared by the tests (never copied into each test). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* g_test_init() with isolated directories and TAP, plus the project's locale set-up. */
void test_init (int *argc, char ***argv);

/* Path of a file in the test build directory, from $O365_TEST_BUILDDIR / $O365_TEST_CERTS /
 * $O365_TEST_MODULES (set by meson). Aborts the test when the variable is missing. */
char *test_build_path (const char *first_element, ...) G_GNUC_NULL_TERMINATED;
char *test_cert_path (const char *name);
char *test_module_path (const char *variant);

/* Runs the default main context until *@flag is TRUE, failing the test after @timeout_ms. */
void test_wait_for_flag (gboolean *flag, guint timeout_ms);

/* FALSE in an AddressSanitizer build: its quarantine holds freed memory on purpose, so the
 * process's RSS says nothing about the code's own memory use. */
gboolean test_rss_is_meaningful (void);

G_END_DECLS
