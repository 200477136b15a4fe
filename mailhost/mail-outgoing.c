/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-outgoing.c — an immutable outgoing message (envelope + content stream). */
#include "config.h"

#include "mail-outgoing.h"

/**
 * MailOutgoing:
 *
 * One message to submit, immutable: the envelope (sender and recipients) and the message
 * itself as a stream. A transport reads the stream once, while it sends.
 */
struct _MailOutgoing
{
  GObject parent_instance;

  char *sender;
  GStrv recipients;
  GInputStream *content;
  goffset size;
  MailOutgoingFlags flags;
  char *dsn_notify;
  char *dsn_return;
  char *envid;

  MailOutgoingBeforeEndFunc before_end;
  gpointer before_end_data;
  GDestroyNotify before_end_notify;
};

G_DEFINE_FINAL_TYPE (MailOutgoing, mail_outgoing, G_TYPE_OBJECT)

static void
mail_outgoing_finalize (GObject *object)
{
  MailOutgoing *self = MAIL_OUTGOING (object);

  g_free (self->sender);
  g_strfreev (self->recipients);
  g_clear_object (&self->content);
  g_free (self->dsn_notify);
  g_free (self->dsn_return);
  g_free (self->envid);
  if (self->before_end_notify != NULL)
    self->before_end_notify (self->before_end_data);

  G_OBJECT_CLASS (mail_outgoing_parent_class)->finalize (object);
}

static void
mail_outgoing_class_init (MailOutgoingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_outgoing_finalize;
}

static void
mail_outgoing_init (MailOutgoing *self)
{
}

/**
 * mail_outgoing_new:
 * @sender: the envelope sender (MAIL FROM)
 * @recipients: (array zero-terminated=1): the RCPT TO addresses, at least one
 * @content: the RFC 5322 message, LF or CRLF line ends (the transport normalises and
 *   dot-stuffs it while streaming)
 * @size: its length in octets, or -1 if unknown
 * @flags: what the message needs of the server
 *
 * Makes a message to submit.
 *
 * Returns: (transfer full): the message
 */
MailOutgoing *
mail_outgoing_new (const char *sender,
                   const char *const *recipients,
                   GInputStream *content,
                   goffset size,
                   MailOutgoingFlags flags)
{
  MailOutgoing *self;

  g_return_val_if_fail (sender != NULL, NULL);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (content), NULL);
  g_return_val_if_fail (size >= -1, NULL);

  self = g_object_new (MAIL_TYPE_OUTGOING, NULL);
  self->sender = g_strdup (sender);
  self->recipients = g_strdupv ((char **) recipients);
  self->content = g_object_ref (content);
  self->size = size;
  self->flags = flags;
  return self;
}

/**
 * mail_outgoing_get_sender:
 * @self: a message
 *
 * The envelope sender (MAIL FROM).
 *
 * Returns: (transfer none): the envelope sender
 */
const char *
mail_outgoing_get_sender (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->sender;
}

/**
 * mail_outgoing_get_recipients:
 * @self: a message
 *
 * The envelope recipients (RCPT TO).
 *
 * Returns: (array zero-terminated=1) (transfer none): the envelope recipients
 */
const char *const *
mail_outgoing_get_recipients (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return (const char *const *) self->recipients;
}

/**
 * mail_outgoing_get_content:
 * @self: a message
 *
 * The message itself, as a stream.
 *
 * Returns: (transfer none): the message's stream
 */
GInputStream *
mail_outgoing_get_content (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->content;
}

/**
 * mail_outgoing_get_size:
 * @self: a message
 *
 * The message's length.
 *
 * Returns: the message's length in octets, or -1 if unknown
 */
goffset
mail_outgoing_get_size (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), -1);
  return self->size;
}

/**
 * mail_outgoing_get_flags:
 * @self: a message
 *
 * What the message needs of the server.
 *
 * Returns: what the message needs of the server
 */
MailOutgoingFlags
mail_outgoing_get_flags (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), MAIL_OUTGOING_NONE);
  return self->flags;
}

/**
 * mail_outgoing_set_dsn:
 * @self: a message, not yet handed to a transport
 * @notify: (nullable): RFC 3461 NOTIFY: `NEVER`, or a comma-separated list of `SUCCESS`,
 *   `FAILURE` and `DELAY`; %NULL: the server's default
 * @ret: (nullable): RFC 3461 RET: `FULL` or `HDRS`; %NULL: the server's default
 * @envid: (nullable): the envelope id the delivery status notifications quote, in plain text
 *   (printable ASCII; the transport encodes it); %NULL: none
 *
 * Asks for delivery status notifications (DSN, as sendmail's `-N`, `-R` and `-V`). A transport
 * sends them as parameters of MAIL FROM and RCPT TO when the server offers DSN, and leaves them
 * out otherwise.
 */
void
mail_outgoing_set_dsn (MailOutgoing *self, const char *notify, const char *ret, const char *envid)
{
  g_return_if_fail (MAIL_IS_OUTGOING (self));

  g_free (self->dsn_notify);
  self->dsn_notify = g_strdup (notify);
  g_free (self->dsn_return);
  self->dsn_return = g_strdup (ret);
  g_free (self->envid);
  self->envid = g_strdup (envid);
}

/**
 * mail_outgoing_get_dsn_notify:
 * @self: a message
 *
 * When to send delivery status notifications; see [method@O365Mailhost.Outgoing.set_dsn].
 *
 * Returns: (transfer none) (nullable): the NOTIFY value, or %NULL
 */
const char *
mail_outgoing_get_dsn_notify (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->dsn_notify;
}

/**
 * mail_outgoing_get_dsn_return:
 * @self: a message
 *
 * What a delivery status notification returns of the message; see
 * [method@O365Mailhost.Outgoing.set_dsn].
 *
 * Returns: (transfer none) (nullable): the RET value, or %NULL
 */
const char *
mail_outgoing_get_dsn_return (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->dsn_return;
}

/**
 * mail_outgoing_get_envid:
 * @self: a message
 *
 * The envelope id for delivery status notifications; see [method@O365Mailhost.Outgoing.set_dsn].
 *
 * Returns: (transfer none) (nullable): the envelope id, in plain text, or %NULL
 */
const char *
mail_outgoing_get_envid (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->envid;
}

/**
 * MailOutgoingBeforeEndFunc:
 * @outgoing: the message
 * @task: (transfer full): to complete with g_task_return_boolean() once the host is ready for
 *   the server to have the message, or with g_task_return_error() to stop it; it may be
 *   completed later, from the same main context
 * @user_data: the data given to [method@O365Mailhost.Outgoing.set_before_end_func]
 *
 * Called by the transport when everything but the end of the message has been sent, before the
 * end of data is written: from then on the server may have accepted it, so a host that keeps a
 * copy records that the message is in flight here.
 */

/**
 * mail_outgoing_set_before_end_func:
 * @self: a message
 * @func: (scope notified) (closure user_data) (destroy notify): what to run before the end of
 *   data is sent
 * @user_data: data for @func
 * @notify: frees @user_data, or %NULL
 *
 * For hosts: asks the transport to wait for @func before it sends the end of the message. If
 * @func fails, the end is never sent and the message fails with a temporary error: the server
 * does not have it.
 */
void
mail_outgoing_set_before_end_func (MailOutgoing *self,
                                   MailOutgoingBeforeEndFunc func,
                                   gpointer user_data,
                                   GDestroyNotify notify)
{
  g_return_if_fail (MAIL_IS_OUTGOING (self));

  if (self->before_end_notify != NULL)
    self->before_end_notify (self->before_end_data);
  self->before_end = func;
  self->before_end_data = user_data;
  self->before_end_notify = notify;
}

/**
 * mail_outgoing_approve_end_async:
 * @self: a message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host has answered
 * @user_data: data for @callback
 *
 * For transports: runs the host's [callback@O365Mailhost.OutgoingBeforeEndFunc], if any, just
 * before the end of data is written.
 */
void
mail_outgoing_approve_end_async (MailOutgoing *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  GTask *task;

  g_return_if_fail (MAIL_IS_OUTGOING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_outgoing_approve_end_async);
  if (self->before_end == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  self->before_end (self, task, self->before_end_data);
}

/**
 * mail_outgoing_approve_end_finish:
 * @self: a message
 * @result: the result given to the callback
 * @error: return location for the host's refusal
 *
 * Finishes [method@O365Mailhost.Outgoing.approve_end_async].
 *
 * Returns: %TRUE if the end of data may be sent
 */
gboolean
mail_outgoing_approve_end_finish (MailOutgoing *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mail_outgoing_approve_end_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
