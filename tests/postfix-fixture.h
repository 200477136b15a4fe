/* postfix-fixture.h — a real Postfix + Dovecot SASL on 127.0.0.1 for a test (postfix-harness
 * through harness-fixture), and what tests ask of it. */
#pragma once

#include "harness-fixture.h"

G_BEGIN_DECLS

/* Facts: PORT, SMTP_USER, SMTP_PASSWORD, CA, MAILDIR, LOG… (harness_fixture_get). */
HarnessFixture *postfix_fixture_start (void);
guint16 postfix_fixture_get_port (HarnessFixture *postfix);
/* SMTP connections Postfix accepted since it started (its own start-up checks excluded). */
guint postfix_fixture_count_connections (HarnessFixture *postfix);
/* Waits (bounded) until @count messages are in the Maildir; returns their paths, sorted. */
GPtrArray *postfix_fixture_wait_mail (HarnessFixture *postfix, guint count);

G_END_DECLS
