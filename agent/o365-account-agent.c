/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-agent.c — the per-user submission agent: org.o365account.Agent on the session
 * bus (agent/org.o365account.Agent1.xml), started by D-Bus activation or the systemd user unit.
 * It owns the outbox and is the only process that talks to the server for an account (the
 * queue, agent-queue.h); this file is the bus side: the name, the methods, the signals, the
 * notifications, and leaving when idle.
 *
 *   o365-account-agent [--idle-exit SECONDS] [--debug] [--version]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <sysexits.h>
#include <unistd.h>

#include "agent-dbus.h"
#include "agent-notify.h"
#include "agent-queue.h"
#include "host-accounts.h"
#include "host-schema.h"
#include "host-secrets.h"
#include "host-version.h"
#include "mail-address.h"
#include "mail-i18n.h"
#include "message-head.h"
#include "outbox-result-variant.h"

#define AGENT_BUS_NAME "org.o365account.Agent"
#define AGENT_OBJECT_PATH "/org/o365account/Agent"
/* A kept connection is closed by Office 365 after some minutes of silence; 30 s covers a burst
 * of git send-email or a mail client's send queue without holding the account for long. */
#define DEFAULT_CONNECTION_IDLE 30
#define DEFAULT_IDLE_EXIT 60

typedef struct
{
  GMainLoop *loop;
  GDBusConnection *bus;
  O365Agent1 *skeleton;
  Outbox *outbox;
  MailPluginLoader *loader;
  AgentQueue *queue;
  guint idle_exit_seconds;
  guint idle_exit_id;
  guint calls; /* methods still being answered */
  int status;
} Agent;

static void
return_gerror (GDBusMethodInvocation *invocation, const GError *error)
{
  g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, error->message);
}

/* --- leaving when idle ----------------------------------------------------------------------- */

static gboolean
on_idle_exit (gpointer user_data)
{
  Agent *agent = user_data;

  agent->idle_exit_id = 0;
  if (agent->calls == 0 && agent_queue_is_idle (agent->queue))
    {
      g_message ("idle for %u s with nothing to retry: leaving", agent->idle_exit_seconds);
      g_main_loop_quit (agent->loop);
    }
  return G_SOURCE_REMOVE;
}

static void
arm_idle_exit (Agent *agent)
{
  g_clear_handle_id (&agent->idle_exit_id, g_source_remove);
  if (agent->idle_exit_seconds > 0 && agent->calls == 0 && agent_queue_is_idle (agent->queue))
    agent->idle_exit_id = g_timeout_add_seconds (agent->idle_exit_seconds, on_idle_exit, agent);
}

static void
on_idle_changed (gboolean idle, gpointer user_data)
{
  arm_idle_exit (user_data);
}

/* --- what the queue reports ------------------------------------------------------------------ */

static void
on_outcome (const OutboxResult *result, gboolean told, guint earlier_attempts, gpointer user_data)
{
  Agent *agent = user_data;

  g_message ("%s: %s%s%s", result->entry->id, outbox_outcome_to_string (result->outcome),
             result->error != NULL ? ": " : "", result->error != NULL ? result->error->message : "");
  o365_agent1_emit_outcome (agent->skeleton, result->entry->id, outbox_result_to_variant (result));
  if (agent_notify_is_news (result, told, earlier_attempts))
    agent_notify_outcome (agent->bus, result);
}

static void
on_progress (const char *id, guint64 sent, gint64 total, gpointer user_data)
{
  Agent *agent = user_data;

  o365_agent1_emit_progress (agent->skeleton, id, sent, total);
}

/* --- the methods ----------------------------------------------------------------------------- */

/* A method call being answered: the invocation is consumed by the answer. */
typedef struct
{
  Agent *agent;
  GDBusMethodInvocation *invocation;
  gboolean submitted; /* Submit rather than Send */
} Call;

static Call *
call_new (Agent *agent, GDBusMethodInvocation *invocation, gboolean submitted)
{
  Call *call = g_new0 (Call, 1);

  call->agent = agent;
  call->invocation = invocation;
  call->submitted = submitted;
  agent->calls++;
  g_clear_handle_id (&agent->idle_exit_id, g_source_remove);
  return call;
}

static void
call_free (Call *call)
{
  Agent *agent = call->agent;

  g_free (call);
  agent->calls--;
  arm_idle_exit (agent);
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) outcome = agent_queue_send_finish (call->agent->queue, result, &error);

  if (outcome == NULL)
    return_gerror (call->invocation, error);
  else if (call->submitted)
    o365_agent1_complete_submit (call->agent->skeleton, call->invocation, NULL, outcome);
  else
    o365_agent1_complete_send (call->agent->skeleton, call->invocation, outcome);
  call_free (call);
}

static gboolean
handle_send (O365Agent1 *skeleton, GDBusMethodInvocation *invocation, const char *id, gpointer user_data)
{
  Agent *agent = user_data;

  agent_queue_send_async (agent->queue, id, NULL, on_sent, call_new (agent, invocation, FALSE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Submit: the message is copied from the caller's descriptor into a draft in a worker thread
 * (a slow writer must not stall the other clients), then committed and sent as Send does. */
typedef struct
{
  Call *call;
  int fd;
  char *account;
  char *sender;
  GStrv recipients;
  char *dsn[OUTBOX_N_DSN];
  MailOutgoingFlags flags;
  OutboxDraft *draft;
} Submission;

static void
submission_free (Submission *submission)
{
  if (submission->fd >= 0)
    close (submission->fd);
  g_free (submission->account);
  g_free (submission->sender);
  g_strfreev (submission->recipients);
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    g_free (submission->dsn[i]);
  g_clear_pointer (&submission->draft, outbox_draft_free);
  g_free (submission);
}

static void
copy_message (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Submission *submission = task_data;
  g_autofree guint8 *buffer = g_malloc (64 * 1024);
  GError *error = NULL;
  gsize total = 0;

  for (;;)
    {
      gssize n = read (submission->fd, buffer, 64 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   _("Could not read the message: %s"), g_strerror (saved));
          return;
        }
      if (n == 0)
        break;
      total += n;
      if (message_has_8bit (buffer, n))
        submission->flags |= MAIL_OUTGOING_8BIT_BODY | MAIL_OUTGOING_UTF8_HEADERS;
      if (!outbox_draft_write (submission->draft, buffer, n, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (total == 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The message is empty"));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_message_copied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Submission *submission = g_task_get_task_data (G_TASK (result));
  Call *call = submission->call;
  Agent *agent = call->agent;
  g_autoptr (GError) error = NULL;
  OutboxEntry *entry;
  g_autofree char *id = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      return_gerror (call->invocation, error);
      call_free (call);
      return;
    }
  outbox_draft_set_dsn (submission->draft, submission->dsn[OUTBOX_DSN_NOTIFY], submission->dsn[OUTBOX_DSN_RETURN],
                        submission->dsn[OUTBOX_DSN_ENVID]);
  entry = outbox_draft_commit (g_steal_pointer (&submission->draft), submission->account, submission->sender,
                               (const char *const *) submission->recipients, submission->flags, &error);
  if (entry == NULL)
    {
      return_gerror (call->invocation, error);
      call_free (call);
      return;
    }
  id = g_strdup (entry->id);
  outbox_entry_free (entry); /* unlocked: the queue claims it */
  agent_queue_send_async (agent->queue, id, NULL, on_sent, call);
}

static gboolean
refuse (GDBusMethodInvocation *invocation, const char *message)
{
  g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, message);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_submit (O365Agent1 *skeleton,
               GDBusMethodInvocation *invocation,
               GUnixFDList *fd_list,
               const char *account_address,
               const char *sender,
               const char *const *recipients,
               GVariant *message,
               GVariant *options,
               gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (GTask) task = NULL;
  Submission *submission;
  static const char *const dsn_keys[OUTBOX_N_DSN] = { "dsn-notify", "dsn-return", "envid" };

  /* The envelope is checked before anything is queued, as o365-send checks it. */
  if (recipients[0] == NULL)
    return refuse (invocation, _("No recipients"));
  for (guint i = 0; recipients[i] != NULL; i++)
    if (!mail_address_check (recipients[i], &error))
      return refuse (invocation, error->message);
  if (*sender != '\0' && !mail_address_check (sender, &error))
    return refuse (invocation, error->message);
  account = host_find_account (agent->loader, *account_address != '\0' ? account_address : NULL, &error);
  if (account == NULL)
    return refuse (invocation, error->message);
  if (fd_list == NULL || g_variant_get_handle (message) >= g_unix_fd_list_get_length (fd_list))
    return refuse (invocation, _("No message descriptor was passed"));

  submission = g_new0 (Submission, 1);
  submission->fd = g_unix_fd_list_get (fd_list, g_variant_get_handle (message), &error);
  if (submission->fd < 0)
    {
      submission_free (submission);
      return refuse (invocation, error->message);
    }
  submission->account = mail_account_dup_address (account);
  submission->sender = g_strdup (*sender != '\0' ? sender : submission->account);
  submission->recipients = g_strdupv ((char **) recipients);
  for (guint i = 0; i < OUTBOX_N_DSN; i++)
    g_variant_lookup (options, dsn_keys[i], "s", &submission->dsn[i]);
  submission->draft = outbox_draft_new (agent->outbox, &error);
  if (submission->draft == NULL)
    {
      return_gerror (invocation, error);
      submission_free (submission);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  submission->call = call_new (agent, invocation, TRUE);
  task = g_task_new (NULL, NULL, on_message_copied, NULL);
  g_task_set_task_data (task, submission, (GDestroyNotify) submission_free);
  g_task_run_in_thread (task, copy_message);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_find_account (O365Agent1 *skeleton,
                     GDBusMethodInvocation *invocation,
                     const char *address,
                     const char *sender,
                     gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (MailAccount) account = host_choose_account (agent->loader, *address != '\0' ? address : NULL,
                                                         *sender != '\0' ? sender : NULL, &error);
  g_autoptr (MailTransport) transport = NULL;
  g_autofree char *found = NULL;

  if (account == NULL)
    {
      /* A GIO error, so that the caller gets its domain and code back (GDBus encodes them). */
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  /* What o365-send checks before it queues a message: the account can make a transport. */
  transport = mail_account_create_transport (account, &error);
  if (transport == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_IO_ERROR, G_IO_ERROR_FAILED, error->message);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  found = mail_account_dup_address (account);
  o365_agent1_complete_find_account (skeleton, invocation, found);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
add_time (GVariantDict *dict, const char *key, GDateTime *time)
{
  if (time != NULL)
    g_variant_dict_insert (dict, key, "x", g_date_time_to_unix (time));
}

static GVariant *
entry_to_variant (const OutboxEntry *entry)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "id", "s", entry->id);
  g_variant_dict_insert (&dict, "account", "s", entry->account);
  g_variant_dict_insert (&dict, "sender", "s", entry->sender);
  g_variant_dict_insert_value (&dict, "recipients", g_variant_new_strv ((const char *const *) entry->recipients, -1));
  g_variant_dict_insert (&dict, "state", "s", outbox_state_to_string (entry->state));
  g_variant_dict_insert (&dict, "attempts", "u", entry->attempts);
  add_time (&dict, "created", entry->created);
  add_time (&dict, "last-attempt", entry->last_attempt);
  if (entry->state == OUTBOX_STATE_QUEUED)
    g_variant_dict_insert (&dict, "next-attempt", "x", entry->next_attempt);
  if (entry->last_error != NULL)
    g_variant_dict_insert (&dict, "last-error", "s", entry->last_error);
  return g_variant_dict_end (&dict);
}

static gboolean
handle_list_queue (O365Agent1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = outbox_list (agent->outbox, &error);
  g_autoptr (GPtrArray) failed = entries != NULL ? outbox_list_failed (agent->outbox, &error) : NULL;
  GVariantBuilder builder;

  if (failed == NULL)
    {
      return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < entries->len; i++)
    g_variant_builder_add_value (&builder, entry_to_variant (g_ptr_array_index (entries, i)));
  for (guint i = 0; i < failed->len; i++)
    g_variant_builder_add_value (&builder, entry_to_variant (g_ptr_array_index (failed, i)));
  o365_agent1_complete_list_queue (skeleton, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_retry (O365Agent1 *skeleton, GDBusMethodInvocation *invocation, const char *id, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxEntry) entry = NULL;

  if (!outbox_requeue (agent->outbox, id, &error))
    {
      return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  /* Requeued, unlocked: the account's flush takes it now. */
  entry = outbox_claim_entry (agent->outbox, id, NULL);
  if (entry != NULL)
    {
      g_autofree char *account = g_strdup (entry->account);

      g_clear_pointer (&entry, outbox_entry_free);
      agent_queue_flush (agent->queue, account);
    }
  o365_agent1_complete_retry (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_discard (O365Agent1 *skeleton, GDBusMethodInvocation *invocation, const char *id, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;

  if (!outbox_discard (agent->outbox, id, &error))
    return_gerror (invocation, error);
  else
    o365_agent1_complete_discard (skeleton, invocation);
  agent_queue_rescan (agent->queue);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_flush (O365Agent1 *skeleton, GDBusMethodInvocation *invocation, const char *account, gpointer user_data)
{
  Agent *agent = user_data;

  agent_queue_flush (agent->queue, *account != '\0' ? account : NULL);
  o365_agent1_complete_flush (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* --- the bus ----------------------------------------------------------------------------------- */

static void
on_bus_acquired (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Agent *agent = user_data;
  g_autoptr (GError) error = NULL;

  agent->bus = g_object_ref (bus);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (agent->skeleton), bus, AGENT_OBJECT_PATH,
                                         &error))
    {
      g_printerr ("o365-account-agent: %s\n", error->message);
      agent->status = EX_SOFTWARE;
      g_main_loop_quit (agent->loop);
    }
}

static void
on_name_acquired (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Agent *agent = user_data;

  g_message ("serving %s (outbox %s)", name, outbox_get_directory (agent->outbox));
  /* What a crash or a log-out left queued goes out now, on its schedule. */
  agent_queue_rescan (agent->queue);
  arm_idle_exit (agent);
}

static void
on_name_lost (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Agent *agent = user_data;

  if (bus == NULL && agent->bus != NULL)
    {
      /* The session ended: what is queued stays in the outbox for the next agent. */
      g_message ("the session bus went away: leaving");
      g_main_loop_quit (agent->loop);
      return;
    }
  if (bus == NULL)
    g_printerr (_("o365-account-agent: no session bus\n"));
  else
    g_printerr (_("o365-account-agent: another agent already serves %s\n"), name);
  agent->status = EX_UNAVAILABLE;
  g_main_loop_quit (agent->loop);
}

static gboolean
on_terminate (gpointer user_data)
{
  Agent *agent = user_data;

  /* The outbox is the truth: an entry being sent is in flight and will be held if the server
   * may have it; nothing needs saving. */
  g_message ("terminated: leaving");
  g_main_loop_quit (agent->loop);
  return G_SOURCE_CONTINUE;
}

/* D-Bus activation gives the agent no standard error (under systemd it is the journal):
 * O365_AGENT_LOG=FILE keeps its log there, for tests and for finding out what happened. */
static void
log_to_file_if_asked (void)
{
  const char *path = g_getenv ("O365_AGENT_LOG");
  int fd;

  if (path == NULL || *path == '\0')
    return;
  fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_printerr ("o365-account-agent: cannot open %s: %s\n", path, g_strerror (errno));
      return;
    }
  dup2 (fd, STDERR_FILENO);
  close (fd);
}

static guint
seconds_from_environment (const char *name, guint fallback)
{
  const char *value = g_getenv (name);
  guint64 seconds;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 24 * 3600, &seconds, NULL))
    return fallback;
  return seconds;
}

int
main (int argc, char **argv)
{
  Agent agent = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  OutboxRetryPolicy policy;
  AgentQueueCallbacks callbacks = { on_outcome, on_progress, on_idle_changed };
  gboolean debug = FALSE;
  gboolean version = FALSE;
  int idle_exit = DEFAULT_IDLE_EXIT;
  guint owner_id;
  int status;
  const GOptionEntry options[] = {
    { "idle-exit", 0, 0, G_OPTION_ARG_INT, &idle_exit,
      N_("Leave after SECONDS with nothing to send or retry (0: never; default 60)"), N_("SECONDS") },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &debug, N_("Print every session (credentials redacted) on standard error"), NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, N_("Print the version and the libraries in use"), NULL },
    { NULL },
  };

  host_protect_secrets ();
  setlocale (LC_ALL, "");
  mail_bind_textdomain (GETTEXT_PACKAGE, LOCALEDIR);
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("o365-account-agent");
  log_to_file_if_asked ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("The per-user submission agent of o365-account: sends the outbox's "
                                           "messages, one connection per account, and retries them."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("o365-account-agent: %s\n", error->message);
      return EX_USAGE;
    }
  if (version)
    {
      host_version_print ("o365-account-agent");
      return EX_OK;
    }
  if (idle_exit < 0)
    {
      g_printerr ("o365-account-agent: %s\n", _("--idle-exit takes 0 or more seconds"));
      return EX_USAGE;
    }
  /* Activated by the bus, it has no arguments: the environment asks for the transcript. */
  debug = debug || g_strcmp0 (g_getenv ("O365_AGENT_DEBUG"), "1") == 0;
  if (!outbox_retry_policy_from_environment (&policy))
    g_printerr (_("o365-account-agent: O365_AGENT_RETRY must be BASE/MAX in seconds; using %u/%u\n"),
                policy.base_seconds, policy.max_seconds);

  status = host_load_plugins_checked ("o365-account-agent", &agent.loader);
  if (status >= 0)
    return status;
  agent.outbox = outbox_open (NULL, &error);
  if (agent.outbox == NULL)
    {
      g_printerr (_("o365-account-agent: cannot use the outbox: %s\n"), error->message);
      g_clear_object (&agent.loader);
      return EX_CANTCREAT;
    }
  agent.loop = g_main_loop_new (NULL, FALSE);
  agent.idle_exit_seconds = idle_exit;
  agent.queue = agent_queue_new (agent.outbox, agent.loader, &policy,
                                 seconds_from_environment ("O365_AGENT_IDLE", DEFAULT_CONNECTION_IDLE), debug,
                                 &callbacks, &agent);
  agent.skeleton = o365_agent1_skeleton_new ();
  o365_agent1_set_version (agent.skeleton, PACKAGE_VERSION);
  g_signal_connect (agent.skeleton, "handle-send", G_CALLBACK (handle_send), &agent);
  g_signal_connect (agent.skeleton, "handle-submit", G_CALLBACK (handle_submit), &agent);
  g_signal_connect (agent.skeleton, "handle-find-account", G_CALLBACK (handle_find_account), &agent);
  g_signal_connect (agent.skeleton, "handle-list-queue", G_CALLBACK (handle_list_queue), &agent);
  g_signal_connect (agent.skeleton, "handle-retry", G_CALLBACK (handle_retry), &agent);
  g_signal_connect (agent.skeleton, "handle-discard", G_CALLBACK (handle_discard), &agent);
  g_signal_connect (agent.skeleton, "handle-flush", G_CALLBACK (handle_flush), &agent);
  g_unix_signal_add (SIGTERM, on_terminate, &agent);
  g_unix_signal_add (SIGINT, on_terminate, &agent);

  owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, AGENT_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                             on_bus_acquired, on_name_acquired, on_name_lost, &agent, NULL);
  g_main_loop_run (agent.loop);
  /* A bus that went away (the session ended) has no name to release: GLib would warn. */
  if (agent.bus == NULL || !g_dbus_connection_is_closed (agent.bus))
    g_bus_unown_name (owner_id);
  if (agent.bus != NULL)
    {
      g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (agent.skeleton));
      g_dbus_connection_flush_sync (agent.bus, NULL, NULL);
    }
  agent_queue_free (agent.queue);
  g_clear_object (&agent.skeleton);
  g_clear_object (&agent.bus);
  outbox_free (agent.outbox);
  g_clear_object (&agent.loader);
  g_main_loop_unref (agent.loop);
  host_sync_settings ();
  return agent.status;
}
