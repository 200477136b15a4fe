/* harness-fixture.h — a real server for a test, started and stopped through one of the
 * scripts in tests/harness/ (postfix-harness, keyring-harness). A watchdog stops it if the test
 * process dies first, so no daemon outlives its test. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HarnessFixture HarnessFixture;

/* Runs `tests/harness/@harness start DIR @extra_args…` with a fresh DIR (under /tmp: socket
 * paths must stay short) and keeps the facts it prints. Aborts the test if it fails. */
HarnessFixture *harness_fixture_start (const char *harness, const char *const *extra_args);
/* Stops it and waits until its processes are gone. */
void harness_fixture_stop (HarnessFixture *fixture);
void harness_fixture_free (HarnessFixture *fixture);

/* A fact the harness printed (PORT, MAILDIR, DBUS_SESSION_BUS_ADDRESS…), or NULL. */
const char *harness_fixture_get (HarnessFixture *fixture, const char *key);
/* Runs `@harness @command DIR @args…`; returns its standard output. Aborts the test if it fails. */
char *harness_fixture_run (HarnessFixture *fixture, const char *command, const char *const *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HarnessFixture, harness_fixture_free)

G_END_DECLS
