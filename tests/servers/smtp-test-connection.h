/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-connection.h — one client connection of the test server: buffered reading of lines and
 * DATA bodies, single writes, STARTTLS, and a byte-exact recording of what the client sent. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SMTP_TEST_TYPE_CONNECTION (smtp_test_connection_get_type ())
G_DECLARE_FINAL_TYPE (SmtpTestConnection, smtp_test_connection, SMTP_TEST, CONNECTION, GObject)

/* Longest client line accepted (an XOAUTH2 initial response can exceed 4 KB). */
#define SMTP_TEST_MAX_LINE (64 * 1024)

SmtpTestConnection *smtp_test_connection_new (GSocketConnection *tcp);

/* Whether DATA bodies go into the recording (default TRUE). */
void     smtp_test_connection_set_record_bodies (SmtpTestConnection *self,
                                                 gboolean            record);

/* TRUE when a complete line is already buffered: reading it will not wait for the client. */
gboolean smtp_test_connection_has_line          (SmtpTestConnection *self);

/* One CRLF-terminated line, returned without its CRLF (it may hold NUL bytes). Fails with
 * G_IO_ERROR_CONNECTION_CLOSED when the client closes first, G_IO_ERROR_MESSAGE_TOO_LARGE past
 * SMTP_TEST_MAX_LINE. */
void     smtp_test_connection_read_line_async   (SmtpTestConnection  *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GBytes  *smtp_test_connection_read_line_finish  (SmtpTestConnection  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* A DATA body up to its CRLF.CRLF, streamed into @sink (the wire bytes, or un-dot-stuffed when
 * @unstuff). Returns the number of bytes written to @sink. */
void     smtp_test_connection_read_data_async   (SmtpTestConnection  *self,
                                                 gboolean             unstuff,
                                                 GOutputStream       *sink,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
guint64  smtp_test_connection_read_data_finish  (SmtpTestConnection  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Part of a DATA body: waits for at least one byte, takes what is buffered (up to 64 KiB, recorded
 * as bodies are) and returns how many bytes that was; fails as read_line does when the client
 * closes first. */
void     smtp_test_connection_read_part_async   (SmtpTestConnection  *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gsize    smtp_test_connection_read_part_finish  (SmtpTestConnection  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Reads and records everything until the client closes; nothing is answered. */
void     smtp_test_connection_drain_async       (SmtpTestConnection  *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean smtp_test_connection_drain_finish      (SmtpTestConnection  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* @bytes in one write call, as the test gave them. */
void     smtp_test_connection_write_async       (SmtpTestConnection  *self,
                                                 GBytes              *bytes,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean smtp_test_connection_write_finish      (SmtpTestConnection  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Server side of STARTTLS (see smtp-test-tls.h). Plaintext the client sent after its STARTTLS
 * line is recorded, then dropped, as a server must (CVE-2011-0411). Returns the protocol name. */
void     smtp_test_connection_starttls_async    (SmtpTestConnection  *self,
                                                 const char          *cert_dir,
                                                 const char          *cert_name,
                                                 GTlsProtocolVersion  max_version,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char    *smtp_test_connection_starttls_finish   (SmtpTestConnection  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Closes the connection (TLS close_notify included); never cancelled, so it always completes. */
void     smtp_test_connection_close_async       (SmtpTestConnection  *self,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void     smtp_test_connection_close_finish      (SmtpTestConnection  *self,
                                                 GAsyncResult        *result);

GBytes  *smtp_test_connection_get_received      (SmtpTestConnection  *self);
/* Offset in the recording where TLS began, or -1. */
gssize   smtp_test_connection_get_tls_offset    (SmtpTestConnection  *self);
/* Reads that had to wait for the client and completed a line or a body. */
guint    smtp_test_connection_get_round_trips   (SmtpTestConnection  *self);
/* "127.0.0.1:40000", for logs. */
const char *smtp_test_connection_get_peer       (SmtpTestConnection  *self);

G_END_DECLS
