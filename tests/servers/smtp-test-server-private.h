/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-server-private.h — between the test server and the sessions it runs (scripted, office365). */
#pragma once

#include "smtp-test-connection.h"
#include "smtp-test-server.h"

G_BEGIN_DECLS

/* The part every running session shares; the first member of each session struct. */
typedef struct {
  SmtpTestServer *server;       /* NULL once the server is gone: nothing is reported then */
  SmtpTestConnection *conn;
  GCancellable *cancellable;    /* cancelled when the server stops */
  GDestroyNotify free_func;     /* frees the whole session struct */
  guint id;                     /* connection number from 1, for logs */
} SmtpTestSession;

void smtp_test_session_init (SmtpTestSession    *session,
                             SmtpTestServer     *server,
                             SmtpTestConnection *conn,
                             guint               id,
                             GDestroyNotify      free_func);
/* Frees what smtp_test_session_init() set up (for the session's free_func). */
void smtp_test_session_clear (SmtpTestSession   *session);
void smtp_test_session_log   (SmtpTestSession   *session,
                              const char        *format,
                              ...) G_GNUC_PRINTF (2, 3);
/* Logs @line as the client sent it, as far as that is safe: verbs and addresses, never AUTH
 * payloads or unknown bytes. */
void smtp_test_session_log_client_line (SmtpTestSession *session,
                                        GBytes          *line);
/* Printable ASCII as is, everything else as \xNN (so no control byte reaches a terminal),
 * shortened past 200 bytes. */
char *smtp_test_escape (const guint8 *data,
                        gsize         length);
/* Closes the connection, then reports the end to the server and frees the session. */
void smtp_test_session_end   (SmtpTestSession   *session);

/* Scripted mode. */
void smtp_test_script_run    (SmtpTestServer       *server,
                              SmtpTestConnection   *conn,
                              guint                 id,
                              const SmtpTestScript *script,
                              const char           *cert_dir);
/* Office365 mode. */
typedef struct {
  char *cert_dir;
  char *cert_name;
  char *host;
  char *user;
  char *password;
  char *token;
  char *mail_dir;
  gboolean auth_disabled;
  gboolean drop_after_data;
  gboolean hang_after_data;
  SmtpTestHold hold;
  gboolean hang_after_quit;
  char *defer_recipient;  /* answered 452 4.2.2 (mailbox full), or NULL */
  char *refuse_recipient; /* answered 550 5.1.10 (recipient not found), or NULL */
} SmtpTestOffice365Config;

void smtp_test_office365_run (SmtpTestServer                *server,
                              SmtpTestConnection            *conn,
                              guint                          id,
                              const SmtpTestOffice365Config *config);

/* What sessions report to the server. */
void smtp_test_server_log            (SmtpTestServer  *self,
                                      const char      *line);
void smtp_test_server_session_started (SmtpTestServer *self,
                                       SmtpTestSession *session);
void smtp_test_server_session_ended  (SmtpTestServer  *self,
                                      SmtpTestSession *session);
/* @failure: NULL when the script ran to its end. */
void smtp_test_server_script_ended   (SmtpTestServer  *self,
                                      const char      *failure);
void smtp_test_server_take_data      (SmtpTestServer  *self,
                                      GBytes          *data);
void smtp_test_server_take_message   (SmtpTestServer  *self,
                                      SmtpTestMessage *message);

void smtp_test_message_free (SmtpTestMessage *message);

G_END_DECLS
