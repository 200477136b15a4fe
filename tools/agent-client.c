/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-client.c — a synchronous call: o365-send is a command-line program with nothing else
 * to do while it waits, and its main context runs nothing else. */
#include "config.h"

#include <glib/gi18n.h>

#include "agent-client.h"
#include "agent-dbus.h"

/* DBUS_SESSION_BUS_ADDRESS, or the bus socket systemd and dbus-user-session put in
 * $XDG_RUNTIME_DIR (the two places GLib looks before autolaunching). */
static gboolean
session_bus_exists (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *socket = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;
  if (runtime == NULL)
    return FALSE;
  socket = g_build_filename (runtime, "bus", NULL);
  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

/* The session bus, or NULL with *@why_not. */
static GDBusConnection *
get_bus (char **why_not)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus;

  if (g_strcmp0 (g_getenv ("O365_SEND_NO_AGENT"), "1") == 0)
    {
      *why_not = g_strdup ("O365_SEND_NO_AGENT=1");
      return NULL;
    }
  /* No session bus (a cron job, ssh without a session): the direct path, said why. GLib would
   * otherwise try to autolaunch one (dbus-launch), which would start a bus nobody stops. */
  if (!session_bus_exists ())
    {
      *why_not = g_strdup (_("no session bus"));
      return NULL;
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    *why_not = g_strdup_printf (_("no session bus: %s"), error->message);
  return bus;
}

char *
agent_client_find_account (const char *address, const char *sender, GError **error, char **why_not)
{
  g_autoptr (GDBusConnection) bus = get_bus (why_not);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) call_error = NULL;
  char *account = NULL;

  if (bus == NULL)
    return NULL;
  reply = g_dbus_connection_call_sync (bus, "org.o365account.Agent", "/org/o365account/Agent",
                                       "org.o365account.Agent1", "FindAccount",
                                       g_variant_new ("(ss)", address != NULL ? address : "",
                                                      sender != NULL ? sender : ""),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &call_error);
  if (reply != NULL)
    {
      g_variant_get (reply, "(s)", &account);
      return account;
    }
  g_dbus_error_strip_remote_error (call_error);
  /* The agent's own answer (its GIO error, decoded by GDBus) against there being no agent. */
  if (call_error->domain == G_IO_ERROR)
    g_propagate_error (error, g_steal_pointer (&call_error));
  else
    *why_not = g_strdup_printf (_("the agent did not answer: %s"), call_error->message);
  return NULL;
}

GVariant *
agent_client_send (const char *id, char **why_not)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = get_bus (why_not);
  g_autoptr (GVariant) reply = NULL;
  GVariant *result;

  if (bus == NULL)
    return NULL;
  /* Activated if not running; no timeout of our own: the agent applies the session's, and a
   * long upload must not be cut short. A crash of the agent ends the call with an error. */
  reply = g_dbus_connection_call_sync (bus, "org.o365account.Agent", "/org/o365account/Agent",
                                       "org.o365account.Agent1", "Send", g_variant_new ("(s)", id),
                                       G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      *why_not = g_strdup_printf (_("the agent did not take it: %s"), error->message);
      return NULL;
    }
  g_variant_get (reply, "(@a{sv})", &result);
  return result;
}

static void
variant_unref0 (gpointer variant)
{
  if (variant != NULL)
    g_variant_unref (variant);
}

typedef struct
{
  GPtrArray *results; /* of GVariant a{sv}, or NULL for an entry not taken */
  guint pending;
  char *first_refusal;
} Handing;

typedef struct
{
  Handing *handing;
  guint index;
} HandedEntry;

static void
on_entry_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree HandedEntry *handed = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply != NULL)
    g_variant_get (reply, "(@a{sv})", &g_ptr_array_index (handed->handing->results, handed->index));
  else if (handed->handing->first_refusal == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      handed->handing->first_refusal = g_strdup (error->message);
    }
  handed->handing->pending--;
}

GPtrArray *
agent_client_send_all (GPtrArray *ids, char **why_not)
{
  g_autoptr (GDBusConnection) bus = get_bus (why_not);
  g_autoptr (GMainContext) context = NULL;
  Handing handing = { NULL, 0, NULL };
  gboolean taken = FALSE;

  g_return_val_if_fail (ids->len > 0, NULL);
  if (bus == NULL)
    return NULL;
  handing.results = g_ptr_array_new_full (ids->len, variant_unref0);
  g_ptr_array_set_size (handing.results, ids->len);
  /* Every call at once: the agent's next flush of the account takes all that have arrived. As
   * with Send, no timeout of our own. The calls complete on a context of their own, so that a
   * host's default context is not run here. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  for (guint i = 0; i < ids->len; i++)
    {
      HandedEntry *handed = g_new (HandedEntry, 1);

      handed->handing = &handing;
      handed->index = i;
      handing.pending++;
      g_dbus_connection_call (bus, "org.o365account.Agent", "/org/o365account/Agent", "org.o365account.Agent1",
                              "Send", g_variant_new ("(s)", (const char *) g_ptr_array_index (ids, i)),
                              G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL, on_entry_sent,
                              handed);
    }
  while (handing.pending > 0)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  for (guint i = 0; i < ids->len && !taken; i++)
    taken = g_ptr_array_index (handing.results, i) != NULL;
  if (!taken)
    {
      /* Not one taken: there is no agent to speak of (not installed, failed to start…). */
      *why_not = g_strdup_printf (_("the agent did not take them: %s"), handing.first_refusal);
      g_clear_pointer (&handing.results, g_ptr_array_unref);
    }
  g_free (handing.first_refusal);
  return handing.results;
}
