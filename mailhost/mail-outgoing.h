/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-outgoing.h — one message to submit: the envelope and the message as a stream. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * MailOutgoingFlags:
 * @MAIL_OUTGOING_NONE: plain 7-bit ASCII
 * @MAIL_OUTGOING_8BIT_BODY: the message has octets above 127: needs 8BITMIME
 * @MAIL_OUTGOING_UTF8_HEADERS: RFC 6532 UTF-8 in headers: needs SMTPUTF8
 *
 * What a message needs of the server.
 */
typedef enum /*< flags >*/
{
  MAIL_OUTGOING_NONE = 0,
  MAIL_OUTGOING_8BIT_BODY = 1 << 0,
  MAIL_OUTGOING_UTF8_HEADERS = 1 << 1,
} MailOutgoingFlags;

#define MAIL_TYPE_OUTGOING (mail_outgoing_get_type ())
G_DECLARE_FINAL_TYPE (MailOutgoing, mail_outgoing, MAIL, OUTGOING, GObject)

MailOutgoing *mail_outgoing_new (const char *sender,
                                 const char *const *recipients,
                                 GInputStream *content,
                                 goffset size,
                                 MailOutgoingFlags flags);

const char *mail_outgoing_get_sender (MailOutgoing *self);
const char *const *mail_outgoing_get_recipients (MailOutgoing *self);
GInputStream *mail_outgoing_get_content (MailOutgoing *self);
goffset mail_outgoing_get_size (MailOutgoing *self);
MailOutgoingFlags mail_outgoing_get_flags (MailOutgoing *self);
void mail_outgoing_set_dsn (MailOutgoing *self, const char *notify, const char *ret, const char *envid);
const char *mail_outgoing_get_dsn_notify (MailOutgoing *self);
const char *mail_outgoing_get_dsn_return (MailOutgoing *self);
const char *mail_outgoing_get_envid (MailOutgoing *self);

typedef void (*MailOutgoingBeforeEndFunc) (MailOutgoing *outgoing, GTask *task, gpointer user_data);

/* For hosts: a hook run just before the end of data is sent (see the doc comment). */
void mail_outgoing_set_before_end_func (MailOutgoing *self,
                                        MailOutgoingBeforeEndFunc func,
                                        gpointer user_data,
                                        GDestroyNotify notify);
/* For transports. */
void mail_outgoing_approve_end_async (MailOutgoing *self,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean mail_outgoing_approve_end_finish (MailOutgoing *self, GAsyncResult *result, GError **error);

G_END_DECLS
