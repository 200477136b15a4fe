/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-notify.c — org.freedesktop.Notifications directly (GNotification would need the agent
 * to be a GApplication with a desktop file of its own). */
#include "config.h"

#include <glib/gi18n.h>

#include "agent-notify.h"

gboolean
agent_notify_is_news (const OutboxResult *result, gboolean told, guint earlier_attempts)
{
  switch (result->outcome)
    {
    case OUTBOX_OUTCOME_SENT:
    case OUTBOX_OUTCOME_FAILED:
      return earlier_attempts > 0 || !told;
    case OUTBOX_OUTCOME_HELD_UNKNOWN:
      return !told;
    case OUTBOX_OUTCOME_QUEUED:
      return !told && result->entry->state == OUTBOX_STATE_NEEDS_SIGN_IN;
    default:
      return FALSE;
    }
}

static void
on_notified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* No notification service (a server, a test, a bare X session): the log has it already. */
  if (reply == NULL)
    g_debug ("no desktop notification: %s", error->message);
}

/* The summary and body of the notification, and how urgent it is (0 low, 1 normal, 2 critical). */
static void
describe (const OutboxResult *result, char **summary, char **body, guchar *urgency)
{
  const OutboxEntry *entry = result->entry;
  g_autofree char *recipients = g_strjoinv (", ", entry->recipients);

  switch (result->outcome)
    {
    case OUTBOX_OUTCOME_SENT:
      *summary = g_strdup (_("Message sent"));
      /* TRANSLATORS: %s are the recipients and the account */
      *body = g_strdup_printf (_("The message to %s went out through %s."), recipients, entry->account);
      *urgency = 0;
      break;
    case OUTBOX_OUTCOME_FAILED:
      *summary = g_strdup (_("Message not sent"));
      /* TRANSLATORS: %s are the recipients, the reason and the path of the kept message */
      *body = g_strdup_printf (_("The message to %s was refused: %s\nIt is kept in %s."), recipients,
                               result->error != NULL ? result->error->message : "",
                               result->failed_path != NULL ? result->failed_path : "");
      *urgency = 2;
      break;
    case OUTBOX_OUTCOME_HELD_UNKNOWN:
      *summary = g_strdup (_("Message may not have been sent"));
      /* TRANSLATORS: %s are the recipients and the message's id in the outbox (twice) */
      *body = g_strdup_printf (_("The server may or may not have the message to %s; it is held, not sent "
                                 "again. Look at it with “o365-send --queue”; “o365-send --requeue %s” "
                                 "sends it again, “o365-send --discard %s” deletes it."),
                               recipients, entry->id, entry->id);
      *urgency = 2;
      break;
    case OUTBOX_OUTCOME_QUEUED:
    default:
      *summary = g_strdup (_("Sign in again to send your mail"));
      /* TRANSLATORS: %s are the account (twice) and the reason */
      *body = g_strdup_printf (_("Messages for %s wait in the outbox: the server did not accept the sign-in. "
                                 "Run “o365-account sign-in %s” (or store the new password with "
                                 "“o365-account edit”), then “o365-send --flush”. (%s)"),
                               entry->account, entry->account,
                               result->error != NULL ? result->error->message : "");
      *urgency = 1;
      break;
    }
}

void
agent_notify_outcome (GDBusConnection *bus, const OutboxResult *result)
{
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  GVariantBuilder hints;
  guchar urgency;

  describe (result, &summary, &body, &urgency);
  g_message ("%s: %s — %s", result->entry->id, summary, body);
  if (bus == NULL)
    return;
  g_variant_builder_init (&hints, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (urgency));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string ("org.o365account.Setup"));
  g_dbus_connection_call (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                          "org.freedesktop.Notifications", "Notify",
                          g_variant_new ("(susss@asa{sv}i)", "o365-account", 0u, "mail-send", summary, body,
                                         g_variant_new_strv (NULL, 0), &hints, -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_notified, NULL);
}
