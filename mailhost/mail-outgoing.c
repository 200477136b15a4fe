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
};

G_DEFINE_FINAL_TYPE (MailOutgoing, mail_outgoing, G_TYPE_OBJECT)

static void
mail_outgoing_finalize (GObject *object)
{
  MailOutgoing *self = MAIL_OUTGOING (object);

  g_free (self->sender);
  g_strfreev (self->recipients);
  g_clear_object (&self->content);

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
