/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-reply.h — a server reply as hosts see it: code, RFC 3463 enhanced status, text.
 * The text is already sanitised (no control bytes) and safe to show or log. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _MailReply MailReply;

#define MAIL_TYPE_REPLY (mail_reply_get_type ())
GType mail_reply_get_type (void) G_GNUC_CONST;

MailReply *mail_reply_new (guint code, const char *enhanced_code, const char *text);
MailReply *mail_reply_ref (MailReply *reply);
void mail_reply_unref (MailReply *reply);

guint mail_reply_get_code (const MailReply *reply);
const char *mail_reply_get_enhanced_code (const MailReply *reply);
const char *mail_reply_get_text (const MailReply *reply);
char *mail_reply_to_string (const MailReply *reply);

gboolean mail_reply_is_positive (const MailReply *reply);
char *mail_reply_dup_message_id (const MailReply *reply);
gboolean mail_reply_is_transient (const MailReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailReply, mail_reply_unref)

G_END_DECLS
