/* mail-reply.c — an immutable, reference-counted server reply. */
#include "config.h"

#include "mail-reply.h"

struct _MailReply
{
  guint code;
  char *enhanced_code;
  char *text;
};

G_DEFINE_BOXED_TYPE (MailReply, mail_reply, mail_reply_ref, mail_reply_unref)

MailReply *
mail_reply_new (guint code, const char *enhanced_code, const char *text)
{
  MailReply *reply;

  g_return_val_if_fail (code >= 200 && code <= 599, NULL);

  reply = g_atomic_rc_box_new0 (MailReply);
  reply->code = code;
  reply->enhanced_code = g_strdup (enhanced_code);
  reply->text = g_strdup (text != NULL ? text : "");
  return reply;
}

MailReply *
mail_reply_ref (MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return g_atomic_rc_box_acquire (reply);
}

static void
mail_reply_clear (gpointer data)
{
  MailReply *reply = data;

  g_free (reply->enhanced_code);
  g_free (reply->text);
}

void
mail_reply_unref (MailReply *reply)
{
  g_return_if_fail (reply != NULL);
  g_atomic_rc_box_release_full (reply, mail_reply_clear);
}

guint
mail_reply_get_code (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, 0);
  return reply->code;
}

const char *
mail_reply_get_enhanced_code (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->enhanced_code;
}

const char *
mail_reply_get_text (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->text;
}

char *
mail_reply_to_string (const MailReply *reply)
{
  g_autoptr (GString) line = g_string_new (NULL);

  g_return_val_if_fail (reply != NULL, NULL);

  g_string_append_printf (line, "%u", reply->code);
  if (reply->enhanced_code != NULL)
    g_string_append_printf (line, " %s", reply->enhanced_code);
  if (*reply->text != '\0')
    g_string_append_printf (line, " %s", reply->text);
  g_string_replace (line, "\n", " ", 0);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

gboolean
mail_reply_is_positive (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->code < 400;
}

gboolean
mail_reply_is_transient (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->code >= 400 && reply->code < 500;
}
