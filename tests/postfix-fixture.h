/* postfix-fixture.h — a real Postfix + Dovecot SASL on 127.0.0.1 for a test, through
 * tests/harness/postfix-harness (which knows how to start and stop it). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PostfixFixture PostfixFixture;

/* Starts an instance in a fresh directory under the test's build directory; aborts the test
 * (with the harness's explanation) if it cannot. */
PostfixFixture *postfix_fixture_start (void);
/* Stops it and waits until its processes are gone. */
void postfix_fixture_stop (PostfixFixture *fixture);
void postfix_fixture_free (PostfixFixture *fixture);

/* A fact the harness printed: PORT, SMTP_USER, SMTP_PASSWORD, CA, MAILDIR, LOG… */
const char *postfix_fixture_get (PostfixFixture *fixture, const char *key);
guint16 postfix_fixture_get_port (PostfixFixture *fixture);
/* SMTP connections Postfix accepted since it started (its probe excluded). */
guint postfix_fixture_count_connections (PostfixFixture *fixture);
/* Waits (bounded) until @count messages are in the Maildir; returns their paths, sorted. */
GPtrArray *postfix_fixture_wait_mail (PostfixFixture *fixture, guint count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostfixFixture, postfix_fixture_free)

G_END_DECLS
