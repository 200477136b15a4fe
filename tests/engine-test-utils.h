/* engine-test-utils.h — driving the submission engine from tests, synchronously (the main
 * loop runs while waiting). Shared by the scripted, hostile and Postfix tests. */
#pragma once

#include "mail-transport.h"
#include "o365-smtp-config.h"
#include "o365-smtp-session.h"

G_BEGIN_DECLS

/* A config for a server on localhost:@port with the test CA as the extra CA, EHLO name
 * "client.test", short timeouts, and a password login. */
O365SmtpConfig *engine_test_config (guint16 port, const char *username, const char *password);

/* A message from @text (no size guess: its exact length). */
MailOutgoing *engine_test_message (const char *sender,
                                   const char *const *recipients,
                                   const char *text,
                                   MailOutgoingFlags flags);

/* Submits @messages through an O365Transport and waits. Returns the submissions, or NULL with
 * the session error. @transcript collects the debug transcript when not NULL. */
GPtrArray *engine_test_submit (const O365SmtpConfig *config,
                               GPtrArray *messages,
                               GString *transcript,
                               GError **error);
/* Shorthand: one message; returns its submission (or NULL with the session error). */
MailSubmission *engine_test_submit_one (const O365SmtpConfig *config,
                                        MailOutgoing *message,
                                        GString *transcript,
                                        GError **error);

/* Opens a session (connect … AUTH) and closes it; returns the session for inspection, or NULL
 * with the error. */
O365SmtpSession *engine_test_open_session (const O365SmtpConfig *config,
                                           GString *transcript,
                                           GError **error);

G_END_DECLS
