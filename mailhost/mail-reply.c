/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-reply.c — an immutable, reference-counted server reply. */
#include "config.h"

#include <string.h>

#include "mail-reply.h"

/**
 * MailReply:
 *
 * A server reply as hosts see it: the code, the RFC 3463 enhanced status code and the text,
 * immutable and reference-counted. The text is already sanitised (no control bytes) and safe
 * to show or log.
 */
struct _MailReply
{
  guint code;
  char *enhanced_code;
  char *text;
};

G_DEFINE_BOXED_TYPE (MailReply, mail_reply, mail_reply_ref, mail_reply_unref)

/**
 * mail_reply_new:
 * @code: the reply code, 200 to 599
 * @enhanced_code: (nullable): the enhanced status code, e.g. `2.0.0`, or %NULL
 * @text: (nullable): the text: every line of the reply without its codes, joined by `\n`
 *
 * Makes a reply.
 *
 * Returns: (transfer full): the reply
 */
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

/**
 * mail_reply_ref:
 * @reply: a reply
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @reply, with one more reference
 */
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

/**
 * mail_reply_unref:
 * @reply: (transfer full): a reply
 *
 * Drops a reference; the last one frees the reply.
 */
void
mail_reply_unref (MailReply *reply)
{
  g_return_if_fail (reply != NULL);
  g_atomic_rc_box_release_full (reply, mail_reply_clear);
}

/**
 * mail_reply_get_code:
 * @reply: a reply
 *
 * The reply code.
 *
 * Returns: the reply code, e.g. 250
 */
guint
mail_reply_get_code (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, 0);
  return reply->code;
}

/**
 * mail_reply_get_enhanced_code:
 * @reply: a reply
 *
 * The RFC 3463 enhanced status code.
 *
 * Returns: (transfer none) (nullable): the enhanced status code, e.g. `5.7.139`, or %NULL when
 *   the server sent none
 */
const char *
mail_reply_get_enhanced_code (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->enhanced_code;
}

/**
 * mail_reply_get_text:
 * @reply: a reply
 *
 * The reply's text.
 *
 * Returns: (transfer none): all lines of the reply without their codes, joined by `\n`
 */
const char *
mail_reply_get_text (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  return reply->text;
}

/**
 * mail_reply_to_string:
 * @reply: a reply
 *
 * The reply on one line, for messages and logs: `250 2.0.0 OK <id> [Hostname=…]`.
 *
 * Returns: (transfer full): the line
 */
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

/**
 * mail_reply_is_positive:
 * @reply: a reply
 *
 * Whether the reply is positive (2xx or 3xx).
 *
 * Returns: whether the code is below 400
 */
gboolean
mail_reply_is_positive (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->code < 400;
}

/**
 * mail_reply_is_transient:
 * @reply: a reply
 *
 * Whether the reply is a temporary failure.
 *
 * Returns: whether the code is a temporary failure (4xx)
 */
gboolean
mail_reply_is_transient (const MailReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->code >= 400 && reply->code < 500;
}

/**
 * mail_reply_dup_message_id:
 * @reply: a reply, typically the server's answer to the end of a message
 *
 * The id the server gave the message, when its reply names one the way Office 365's does:
 * `250 2.0.0 OK <id> [Hostname=…]` (the first `<…>` of a positive reply's text).
 *
 * Returns: (transfer full) (nullable): the id without its angle brackets, or %NULL
 */
char *
mail_reply_dup_message_id (const MailReply *reply)
{
  const char *open, *close;

  g_return_val_if_fail (reply != NULL, NULL);

  if (!mail_reply_is_positive (reply) || (open = strchr (reply->text, '<')) == NULL ||
      (close = strchr (open + 1, '>')) == NULL || close == open + 1)
    return NULL;
  for (const char *p = open + 1; p < close; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return NULL;
  return g_strndup (open + 1, close - open - 1);
}
