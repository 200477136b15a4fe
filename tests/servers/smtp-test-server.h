/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-server.h — the tests' own SMTP server (docs/testing.md, layer 2), on 127.0.0.1 in the
 * caller's GMainContext, fully asynchronous. Two modes:
 *
 * - scripted: each connection runs the next script added with smtp_test_server_add_script()
 *   (send, expect, STARTTLS with a chosen certificate, delays, silence, floods...);
 * - office365: a stateful server answering like smtp.office365.com (see docs/office365.md), storing each
 *   message it accepts.
 *
 * Either way, everything a client sends is recorded byte for byte, per connection, with the offset
 * where TLS began. Certificates are looked up by name (NAME.pem, NAME.key) in the certificate
 * directory, by default $O365_TEST_CERTS. Call the functions from the thread whose thread-default
 * main context was current at smtp_test_server_start(). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* --- Scripts --- */

typedef struct _SmtpTestScript SmtpTestScript;

SmtpTestScript *smtp_test_script_new            (void);
void            smtp_test_script_free           (SmtpTestScript      *script);

/* Writes @text (or @data) in a single write: it may hold several lines, or part of one. */
void smtp_test_script_send          (SmtpTestScript      *script,
                                     const char          *text);
void smtp_test_script_send_bytes    (SmtpTestScript      *script,
                                     const void          *data,
                                     gsize                length);
/* Reads one CRLF-terminated line; it must equal @line (given without CRLF), byte for byte. */
void smtp_test_script_expect_line   (SmtpTestScript      *script,
                                     const char          *line);
void smtp_test_script_expect_prefix (SmtpTestScript      *script,
                                     const char          *prefix);
/* Reads a DATA body up to CRLF.CRLF and keeps its wire bytes (still dot-stuffed, the CRLF before
 * the final dot included): smtp_test_server_get_data(). */
void smtp_test_script_expect_data   (SmtpTestScript      *script);
/* TLS handshake as the server, with certificate @cert_name. @max_version caps the protocol (TLS
 * 1.0 to 1.2, e.g. a "TLS ≤ 1.1 only" server), or G_TLS_PROTOCOL_VERSION_UNKNOWN for no cap. */
void smtp_test_script_starttls      (SmtpTestScript      *script,
                                     const char          *cert_name,
                                     GTlsProtocolVersion  max_version);
void smtp_test_script_delay         (SmtpTestScript      *script,
                                     guint                ms);
/* Answers nothing more and waits (recording what still comes) until the client closes. */
void smtp_test_script_silence       (SmtpTestScript      *script);
/* Closes the connection and ends the script there (so does running out of steps). */
void smtp_test_script_close         (SmtpTestScript      *script);
/* Writes @line (give it its CRLF) over and over until the client closes; sending 64 MiB without
 * the client giving up fails the script. */
void smtp_test_script_send_endless  (SmtpTestScript      *script,
                                     const char          *line);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpTestScript, smtp_test_script_free)

/* --- Messages accepted by the office365 profile --- */

typedef struct {
  char *mail_from;
  char **rcpt_to;
  char *message_id;  /* the id the final reply announced, without angle brackets */
  char *path;        /* the .eml file in the mail directory, or NULL */
  GBytes *body;      /* the message itself when there is no mail directory, else NULL */
  guint64 size;      /* after removing the dot-stuffing */
} SmtpTestMessage;

/* --- The server --- */

#define SMTP_TEST_TYPE_SERVER (smtp_test_server_get_type ())
G_DECLARE_FINAL_TYPE (SmtpTestServer, smtp_test_server, SMTP_TEST, SERVER, GObject)

typedef void (*SmtpTestServerLogFunc) (const char *line, gpointer user_data);

SmtpTestServer *smtp_test_server_new_scripted (void);
SmtpTestServer *smtp_test_server_new_office365 (void);

/* Configuration, before smtp_test_server_start(). */
void smtp_test_server_set_cert_dir       (SmtpTestServer        *self,
                                          const char            *cert_dir);
/* Scripted mode: connection N runs the Nth script; a connection beyond the last one is a failure. */
void smtp_test_server_add_script         (SmtpTestServer        *self,
                                          SmtpTestScript        *script);
/* Office365 mode: the certificate STARTTLS presents (default "server"). */
void smtp_test_server_set_certificate    (SmtpTestServer        *self,
                                          const char            *cert_name);
/* Office365 mode: the only mailbox that authenticates, with AUTH LOGIN when @password is set and
 * AUTH XOAUTH2 when @token is set. */
void smtp_test_server_set_credentials    (SmtpTestServer        *self,
                                          const char            *user,
                                          const char            *password,
                                          const char            *token);
/* Office365 mode: every AUTH ends in "535 5.7.139 ... SmtpClientAuthentication is disabled". */
void smtp_test_server_set_auth_disabled  (SmtpTestServer        *self,
                                          gboolean               disabled);
/* Office365 mode: after each message's final dot, close the connection without replying (the
 * client must then report "status unknown"). */
void smtp_test_server_set_drop_after_data (SmtpTestServer        *self,
                                           gboolean               drop);
/* Office365 mode: after each message's final dot, keep the message and the connection but never
 * reply (a client killed meanwhile cannot know whether it was accepted). */
void smtp_test_server_set_hang_after_data (SmtpTestServer        *self,
                                           gboolean               hang);
/* Office365 mode: where every connection stops answering, so that a test can kill the client at
 * that very moment; the log says "holding …" once a connection gets there. A held connection
 * stays open until the client closes it (greeting, after-dot: it is read, never answered) or
 * until the server stops (data: it is not read any more). */
typedef enum {
  SMTP_TEST_HOLD_NONE,
  SMTP_TEST_HOLD_GREETING,   /* the TCP connection is accepted, and no greeting ever comes */
  SMTP_TEST_HOLD_DATA,       /* after 354, the first part of the body is read, then no more */
  SMTP_TEST_HOLD_AFTER_DOT,  /* the whole message is kept, final dot included; no reply */
} SmtpTestHold;

void smtp_test_server_set_hold          (SmtpTestServer        *self,
                                         SmtpTestHold           hold);
/* Office365 mode: QUIT is never answered; the connection stays until the client closes it (a
 * client that waits for the 221 before it reports the outcome is then seen waiting). */
void smtp_test_server_set_hang_after_quit (SmtpTestServer        *self,
                                           gboolean               hang);
/* Office365 mode: RCPT TO @defer gets 452 4.2.2 (mailbox full, try later) and RCPT TO @refuse
 * 550 5.1.10 (no such recipient), while the others are accepted; NULL for none. */
void smtp_test_server_set_refused_recipients (SmtpTestServer    *self,
                                              const char        *defer,
                                              const char        *refuse);
/* Office365 mode: each message is streamed to a new .eml file there; without a mail directory
 * messages are kept in memory. */
void smtp_test_server_set_mail_dir       (SmtpTestServer        *self,
                                          const char            *mail_dir);
/* A redacted, one-line-per-event transcript summary (never AUTH payloads); by default g_debug(). */
void smtp_test_server_set_log_func       (SmtpTestServer        *self,
                                          SmtpTestServerLogFunc  func,
                                          gpointer               user_data);

/* Listens on 127.0.0.1:@port (0: a free port, see smtp_test_server_get_port()). */
gboolean    smtp_test_server_start        (SmtpTestServer *self,
                                           guint16         port,
                                           GError        **error);
guint16     smtp_test_server_get_port     (SmtpTestServer *self);
/* The Exchange-like host name of the office365 profile: HOST.outlook.office365.com. */
const char *smtp_test_server_get_host     (SmtpTestServer *self);
/* Stops listening, cuts every connection and waits (bounded) until they are cleaned up. */
void        smtp_test_server_stop         (SmtpTestServer *self);
/* Iterates the server's main context until no connection is open and, in scripted mode, every
 * script has run; FALSE if that takes more than @timeout_ms. */
gboolean    smtp_test_server_wait_idle    (SmtpTestServer *self,
                                           guint           timeout_ms);

/* Results. Connections are numbered from 0 in the order they were accepted; GBytes results are
 * new references (unref them). In the office365 profile DATA bodies are not recorded (see the
 * messages instead). */
guint       smtp_test_server_get_n_connections (SmtpTestServer *self);
GBytes     *smtp_test_server_get_received      (SmtpTestServer *self,
                                                guint           connection);
/* Where TLS began in that recording, or -1 if it never did. */
gssize      smtp_test_server_get_tls_offset    (SmtpTestServer *self,
                                                guint           connection);
/* Whether any connection's recording holds @needle (anywhere / before its TLS began). */
gboolean    smtp_test_server_received_contains           (SmtpTestServer *self,
                                                          const char     *needle);
gboolean    smtp_test_server_received_contains_plaintext (SmtpTestServer *self,
                                                          const char     *needle);
/* TRUE when every script added ran to its end and none failed. */
gboolean    smtp_test_server_get_script_completed (SmtpTestServer *self);
/* The first failure of any script ("connection 1, step 3 (expect line …): …"), or NULL. */
const char *smtp_test_server_get_script_failure   (SmtpTestServer *self);
/* The bodies read by expect_data steps, in order. */
GBytes     *smtp_test_server_get_data             (SmtpTestServer *self,
                                                   guint           index);
guint                  smtp_test_server_get_n_messages (SmtpTestServer *self);
const SmtpTestMessage *smtp_test_server_get_message    (SmtpTestServer *self,
                                                        guint           index);
/* Reads that had to wait for a client and completed a command line, an AUTH response or a body:
 * a pipelined MAIL/RCPT/DATA flight counts once. Summed over all connections. */
guint       smtp_test_server_get_round_trips      (SmtpTestServer *self);

G_END_DECLS
