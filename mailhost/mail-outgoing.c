/* mail-outgoing.c — an immutable outgoing message (envelope + content stream). */
#include "config.h"

#include "mail-outgoing.h"

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

const char *
mail_outgoing_get_sender (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->sender;
}

const char *const *
mail_outgoing_get_recipients (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return (const char *const *) self->recipients;
}

GInputStream *
mail_outgoing_get_content (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), NULL);
  return self->content;
}

goffset
mail_outgoing_get_size (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), -1);
  return self->size;
}

MailOutgoingFlags
mail_outgoing_get_flags (MailOutgoing *self)
{
  g_return_val_if_fail (MAIL_IS_OUTGOING (self), MAIL_OUTGOING_NONE);
  return self->flags;
}
