/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-outbox.c — the outbox as the reference programs show and flush it. */
#include "config.h"

#include <glib/gi18n.h>
#include <sysexits.h>

#include "agent-client.h"
#include "host-accounts.h"
#include "host-complain.h"
#include "host-exit-status.h"
#include "host-outbox.h"
#include "outbox-result-variant.h"
#include "outbox-retry.h"

static void
print_transcript_line (MailTransport *transport, const char *line, gpointer user_data)
{
  g_printerr ("%s\n", line);
}

GPtrArray *
host_outbox_send (Outbox *outbox, MailTransport *transport, GPtrArray *entries, OutboxFlushFlags flags, gboolean debug)
{
  g_autoptr (GAsyncResult) result = NULL;
  gulong handler = 0;

  if (debug)
    handler = g_signal_connect (transport, "transcript", G_CALLBACK (print_transcript_line), NULL);
  outbox_flush_async (outbox, transport, entries, flags, NULL, host_keep_result, &result);
  host_wait_for_result (&result);
  if (handler != 0)
    g_signal_handler_disconnect (transport, handler);
  return outbox_flush_finish (transport, result);
}

/* The recipients the server refused while the message went to others, each with its reply and
 * what it means. Returns the status they call for. */
static int
report_refusals (OutboxResult *result)
{
  for (guint i = 0; result->deferred != NULL && i < result->deferred->len; i++)
    {
      OutboxRefusal *refusal = g_ptr_array_index (result->deferred, i);

      g_printerr (_("Not sent to %s yet: %s\n"), refusal->recipient, refusal->error->message);
    }
  for (guint i = 0; result->refused != NULL && i < result->refused->len; i++)
    {
      OutboxRefusal *refusal = g_ptr_array_index (result->refused, i);

      g_printerr (_("Not sent to %s: %s\n"), refusal->recipient, refusal->error->message);
    }
  if (result->refused != NULL && result->refused->len > 0)
    return EX_NOUSER;
  return result->deferred != NULL && result->deferred->len > 0 ? EX_TEMPFAIL : EX_OK;
}

int
host_outbox_report (Outbox *outbox, OutboxResult *result, gboolean verbose)
{
  const char *id = result->entry->id;
  int status = report_refusals (result);

  switch (result->outcome)
    {
    case OUTBOX_OUTCOME_SENT:
      if (verbose)
        {
          g_autofree char *reply = result->final_reply != NULL ? mail_reply_to_string (result->final_reply) : NULL;

          /* Office 365's final reply carries the id it gave the message. */
          g_print (_("Sent %s: %s\n"), id, reply != NULL ? reply : "");
        }
      if (result->store_error != NULL)
        host_warn (_("%s was sent, but the outbox could not forget it (%s); delete %s.meta "
                     "from %s so that it is not sent twice"),
                    id, result->store_error->message, id, outbox_get_directory (outbox));
      /* Sent to the others; refused recipients make it EX_NOUSER. */
      return status;
    case OUTBOX_OUTCOME_QUEUED:
      g_printerr (_("Not sent yet: %s\n"), result->error->message);
      if (result->entry->state == OUTBOX_STATE_NEEDS_SIGN_IN)
        g_printerr (_("The message is kept as %s until the account can sign in; once it can, "
                      "“o365-send --flush” sends it.\n"), id);
      else
        g_printerr (_("The message is queued as %s; “o365-send --flush” sends it.\n"), id);
      /* A retry fixes what the transport calls temporary; a session it refused for good (a
       * flush whose sign-in is refused) waits for a person, and says so. */
      status = host_exit_status_combine (status, result->error->domain == MAIL_TRANSPORT_ERROR
                                                   ? host_exit_status_for_error (result->error)
                                                   : EX_TEMPFAIL);
      break;
    case OUTBOX_OUTCOME_HELD_UNKNOWN:
      g_printerr (_("Delivery status unknown: %s\n"), result->error->message);
      g_printerr (_("The message may have been delivered. It is held as %s and not sent again unless "
                    "you run “o365-send --flush --include-unknown”.\n"),
                  id);
      status = host_exit_status_combine (status, EX_PROTOCOL);
      break;
    case OUTBOX_OUTCOME_FAILED:
      g_printerr (_("Not sent: %s\n"), result->error->message);
      if (result->failed_path != NULL)
        g_printerr (_("The message will not be retried; it is kept in %s\n"), result->failed_path);
      status = host_exit_status_combine (status, host_exit_status_for_error (result->error));
      break;
    }
  if (result->store_error != NULL)
    host_warn (_("the outbox could not record this for %s: %s"), id, result->store_error->message);
  return status;
}

/* The accounts with something to send, in the order of their oldest message. */
static GPtrArray *
accounts_with_entries (GPtrArray *entries, gboolean include_unknown)
{
  GPtrArray *accounts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < entries->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (entries, i);
      gboolean known = FALSE;

      if (!outbox_state_is_sendable (entry->state, include_unknown))
        continue;
      for (guint j = 0; j < accounts->len && !known; j++)
        known = g_ascii_strcasecmp (g_ptr_array_index (accounts, j), entry->account) == 0;
      if (!known)
        g_ptr_array_add (accounts, g_strdup (entry->account));
    }
  return accounts;
}

static char *
format_time (GDateTime *time)
{
  g_autoptr (GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("-");
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static char *
format_unix_time (gint64 seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  return format_time (time);
}

static void
say_deferred (OutboxEntry *entry)
{
  g_autofree char *when = format_unix_time (entry->next_attempt);

  g_printerr (_("%s stays queued: the server asked not to be tried again before %s.\n"), entry->id, when);
}

/* Takes the entries whose next attempt the server put off out of @entries (releasing them),
 * saying when each will be tried. Returns the status they call for. */
static int
leave_deferred (GPtrArray *entries)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int status = EX_OK;

  for (guint i = 0; i < entries->len;)
    {
      OutboxEntry *entry = g_ptr_array_index (entries, i);

      if (!outbox_entry_is_deferred (entry, now))
        {
          i++;
          continue;
        }
      say_deferred (entry);
      status = EX_TEMPFAIL;
      g_ptr_array_remove_index (entries, i);
    }
  return status;
}

static int
flush_account (Outbox *outbox, MailPluginLoader *loader, const char *address, gboolean include_unknown, gboolean debug)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailAccount) account = host_find_account (loader, address, &error);
  g_autoptr (MailTransport) transport = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) results = NULL;
  int status = EX_OK;

  if (account == NULL)
    {
      host_complain (host_program_name (), _("%s; its messages stay queued"), error->message);
      return EX_CONFIG;
    }
  transport = mail_account_create_transport (account, &error);
  if (transport == NULL)
    {
      host_complain (host_program_name (), "%s", error->message);
      return EX_CONFIG;
    }
  entries = outbox_claim (outbox, address, include_unknown, &error);
  if (entries == NULL)
    {
      host_complain (host_program_name (), "%s", error->message);
      return EX_CANTCREAT;
    }
  status = leave_deferred (entries);
  if (entries->len == 0 && status != EX_OK)
    return status;
  if (entries->len == 0)
    {
      g_print (_("Nothing to send for %s.\n"), address);
      return EX_OK;
    }

  results = host_outbox_send (outbox, transport, entries, OUTBOX_FLUSH_NONE, debug);
  for (guint i = 0; i < results->len; i++)
    status = host_exit_status_combine (status, host_outbox_report (outbox, g_ptr_array_index (results, i), TRUE));
  return status;
}

/* The flush through the agent, which holds the account's connection (and may keep it open
 * for a while after its last message: a flush of our own would wait for it). The entries of
 * @listed to send now (of @address, or all) are handed to it together; TRUE with *@status when
 * it took some, each outcome reported. What it did not take is left for the direct flush
 * (*@rest). FALSE when there is nothing to hand over or no agent. */
static gboolean
flush_through_agent (Outbox *outbox, GPtrArray *listed, const char *address, gboolean include_unknown,
                     gboolean debug, gboolean *rest, int *status)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  g_autoptr (GPtrArray) deferred = g_ptr_array_new ();
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autofree char *why_not = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < listed->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (listed, i);

      if (!outbox_state_is_sendable (entry->state, include_unknown)
          || (address != NULL && g_ascii_strcasecmp (entry->account, address) != 0))
        continue;
      if (outbox_entry_is_deferred (entry, now))
        g_ptr_array_add (deferred, entry);
      else
        {
          g_ptr_array_add (ids, g_strdup (entry->id));
          g_ptr_array_add (entries, entry);
        }
    }
  if (ids->len == 0)
    return FALSE;
  /* --include-unknown is the person's decision to send held messages again; the agent sends
   * only what is queued. */
  for (guint i = 0; i < entries->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr (GError) error = NULL;

      if (entry->state == OUTBOX_STATE_HELD_UNKNOWN && !outbox_requeue (outbox, entry->id, &error))
        host_complain (host_program_name (), "%s", error->message);
    }
  outcomes = agent_client_send_all (ids, &why_not);
  if (outcomes == NULL)
    {
      if (debug)
        g_printerr ("%s: no agent (%s); flushing directly\n", host_program_name (), why_not);
      return FALSE;
    }
  if (debug)
    g_printerr ("%s: flushed through the agent (org.o365account.Agent)\n", host_program_name ());
  *status = deferred->len > 0 ? EX_TEMPFAIL : EX_OK;
  for (guint i = 0; i < deferred->len; i++)
    say_deferred (g_ptr_array_index (deferred, i));
  *rest = FALSE;
  for (guint i = 0; i < outcomes->len; i++)
    {
      GVariant *outcome = g_ptr_array_index (outcomes, i);
      g_autoptr (OutboxResult) result = NULL;
      g_autoptr (GError) error = NULL;

      if (outcome == NULL)
        {
          *rest = TRUE;
          continue;
        }
      result = outbox_result_from_variant (outcome, g_ptr_array_index (entries, i), &error);
      if (result == NULL)
        {
          host_complain (host_program_name (), _("%s; the message stays in the outbox as %s (see “o365-send --queue”)"),
                         error->message, (const char *) g_ptr_array_index (ids, i));
          *status = host_exit_status_combine (*status, EX_TEMPFAIL);
          continue;
        }
      *status = host_exit_status_combine (*status, host_outbox_report (outbox, result, TRUE));
    }
  return TRUE;
}

int
host_outbox_flush (Outbox *outbox, MailPluginLoader *loader, const char *address, gboolean include_unknown, gboolean debug)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listed = outbox_list (outbox, &error);
  g_autoptr (GPtrArray) accounts = NULL;
  gboolean rest = TRUE;
  int status = EX_OK;

  if (listed == NULL)
    {
      host_complain (host_program_name (), "%s", error->message);
      return EX_IOERR;
    }
  if (flush_through_agent (outbox, listed, address, include_unknown, debug, &rest, &status) && !rest)
    return status;
  if (address != NULL)
    return host_exit_status_combine (status, flush_account (outbox, loader, address, include_unknown, debug));

  accounts = accounts_with_entries (listed, include_unknown);
  if (accounts->len == 0)
    g_print (_("Nothing to send.\n"));
  for (guint i = 0; i < accounts->len; i++)
    status = host_exit_status_combine (
      status, flush_account (outbox, loader, g_ptr_array_index (accounts, i), include_unknown, debug));
  return status;
}

static void
print_entry (OutboxEntry *entry)
{
  g_autofree char *recipients = g_strjoinv (", ", entry->recipients);
  g_autofree char *created = format_time (entry->created);

  g_print ("%s  %s\n", entry->id, outbox_state_to_string (entry->state));
  g_print (_("  account:   %s\n"), entry->account);
  g_print (_("  from:      %s\n"), entry->sender);
  g_print (_("  to:        %s\n"), recipients);
  g_print (_("  queued:    %s\n"), created);
  g_print (_("  attempts:  %u\n"), entry->attempts);
  if (entry->last_error != NULL)
    {
      g_autofree char *when = format_time (entry->last_attempt);

      g_print (_("  last error (%s): %s\n"), when, entry->last_error);
    }
  if (outbox_entry_is_deferred (entry, g_get_real_time () / G_USEC_PER_SEC))
    {
      g_autofree char *when = format_unix_time (entry->next_attempt);

      g_print (_("  next attempt not before %s\n"), when);
    }
  else if (entry->state == OUTBOX_STATE_QUEUED && entry->attempts > 0)
    {
      OutboxRetryPolicy policy;
      g_autofree char *when = NULL;

      outbox_retry_policy_from_environment (&policy);
      when = format_unix_time (outbox_retry_due (&policy, entry, 0));
      /* The agent's schedule; without an agent, the next o365-send or flush. */
      g_print (_("  next attempt by the agent: %s\n"), when);
    }
}

int
host_outbox_print_queue (Outbox *outbox)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = outbox_list (outbox, &error);
  g_autoptr (GPtrArray) failed = entries != NULL ? outbox_list_failed (outbox, &error) : NULL;

  if (failed == NULL)
    {
      host_complain (host_program_name (), "%s", error->message);
      return EX_IOERR;
    }
  if (entries->len == 0 && failed->len == 0)
    {
      g_print (_("The outbox is empty.\n"));
      return EX_OK;
    }
  /* Every state, failed/ too: a message nobody can see is as good as lost. */
  for (guint i = 0; i < entries->len; i++)
    print_entry (g_ptr_array_index (entries, i));
  for (guint i = 0; i < failed->len; i++)
    print_entry (g_ptr_array_index (failed, i));
  g_print (ngettext ("%u message in %s\n", "%u messages in %s\n", entries->len + failed->len),
           entries->len + failed->len, outbox_get_directory (outbox));
  if (failed->len > 0)
    g_print ("%s", _("“o365-send --requeue ID” sends a message again with the next flush; "
                     "“o365-send --discard ID” deletes it.\n"));
  return EX_OK;
}

int
host_outbox_decide (Outbox *outbox, const char *id, gboolean requeue)
{
  g_autoptr (GError) error = NULL;

  if (requeue ? !outbox_requeue (outbox, id, &error) : !outbox_discard (outbox, id, &error))
    {
      host_complain (host_program_name (), "%s", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY) ? EX_TEMPFAIL
             : g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? EX_USAGE
                                                                          : EX_IOERR;
    }
  if (requeue)
    g_print (_("%s is queued; “o365-send --flush” sends it.\n"), id);
  else
    g_print (_("%s was deleted from the outbox.\n"), id);
  return EX_OK;
}
