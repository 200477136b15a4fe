/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-send.c — a sendmail-compatible command for mutt, git send-email and scripts: reads an
 * RFC 5322 message on stdin and submits it through an Office 365 account.
 *
 *   o365-send [-t] [-i] [-v] [-f ADDR] [-F NAME] [-oi] [-odi] [-oem] [--account ADDR] [--debug]
 *             [--] [RECIPIENT…]
 *   o365-send --flush [--account ADDR] [--include-unknown] [--debug]     (also -q)
 *   o365-send --queue                                                     (also -bp)
 *   o365-send --requeue ID | --discard ID
 *   o365-send --version                                                   (also -V alone)
 *
 * The message goes to the durable outbox before any network activity and leaves it only once
 * the server accepted it. Exit codes follow sysexits.h, as msmtp's do: 0 sent, EX_TEMPFAIL (75)
 * queued for a later --flush, EX_PROTOCOL (76) delivery status unknown (held, not resent), and
 * the other classes for refusals (EX_DATAERR, EX_NOUSER, EX_UNAVAILABLE, EX_NOPERM, EX_CONFIG).
 *
 * Options are parsed by hand: sendmail's syntax ("-oi", "-odi", "-fADDR" and "-f ADDR", flags
 * grouped as in "-ti", options ending at the first recipient) is not something GOptionContext
 * can express. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "agent-client.h"
#include "host-accounts.h"
#include "host-complain.h"
#include "host-outbox.h"
#include "host-schema.h"
#include "host-secrets.h"
#include "host-version.h"
#include "mail-address.h"
#include "mail-i18n.h"
#include "message-head.h"
#include "outbox-result-variant.h"
#include "send-progress.h"

#define complain(...) host_complain ("o365-send", __VA_ARGS__)

/* Headers past this size are not a message a person wrote; refusing them bounds memory. */
#define HEAD_LIMIT (1024 * 1024)
#define CHUNK_SIZE (64 * 1024)

typedef enum
{
  MODE_SEND,
  MODE_FLUSH,
  MODE_QUEUE,
  MODE_REQUEUE,
  MODE_DISCARD,
} Mode;

typedef struct
{
  Mode mode;
  gboolean read_recipients; /* -t */
  gboolean verbose;         /* -v */
  gboolean debug;
  gboolean include_unknown;
  char *sender;             /* -f */
  char *account;            /* --account */
  char *dsn_notify;         /* -N, as NOTIFY= wants it */
  char *dsn_return;         /* -R */
  char *envid;              /* -V ENVID */
  char *entry_id;           /* --requeue, --discard */
  GPtrArray *recipients;    /* the arguments */
} Options;

static void
options_clear (Options *options)
{
  g_free (options->sender);
  g_free (options->account);
  g_free (options->dsn_notify);
  g_free (options->dsn_return);
  g_free (options->envid);
  g_free (options->entry_id);
  g_clear_pointer (&options->recipients, g_ptr_array_unref);
}

static void
print_help (void)
{
  g_print ("%s",
           _("Usage: o365-send [-t] [-i] [-v] [-f ADDRESS] [-F NAME] [-oi] [-odi] [-oem] [--account ADDRESS]\n"
             "                 [--debug] [--] [RECIPIENT…] < message\n"
             "       o365-send --flush [--account ADDRESS] [--include-unknown] [--debug]\n"
             "       o365-send --queue\n"
             "       o365-send --requeue ID | --discard ID\n"
             "\n"
             "Sends the message on standard input through an Office 365 account, sendmail-style.\n"
             "\n"
             "  -t                 also send to the To, Cc and Bcc addresses of the message\n"
             "  -f ADDRESS         envelope sender (default: the From address, else the account's)\n"
             "  -i, -oi            accepted: the whole input is always the message\n"
             "  -F NAME            accepted and ignored: o365-send never writes headers\n"
             "  -v                 say what the server answered\n"
             "  -odi, -oem, -oQ…   accepted and ignored\n"
             "  --account ADDRESS  the account to send with (default: the one whose address is the\n"
             "                     sender, else the only one)\n"
             "  --debug            print the session (credentials redacted) on standard error\n"
             "  --flush, -q        send what is queued in the outbox, one connection per account\n"
             "  --include-unknown  with --flush: also resend messages whose delivery is unknown\n"
             "  --queue, -bp       list the outbox\n"));
  /* Apart from the text above, so that its translations stay. */
  g_print ("%s", _("  -N NOTIFY          delivery status notifications: never, or one or more of\n"
                   "                     success, failure and delay, separated by commas\n"
                   "  -R full|hdrs       what a failure notification returns of the message\n"
                   "  -V ENVID           the envelope id notifications quote\n"));
  g_print ("%s", _("  --requeue ID       send message ID of the outbox (held, failed…) with the next flush\n"
                   "  --discard ID       delete message ID from the outbox\n"));
  g_print ("%s", _("  --version, -V      print the version and the libraries in use (-V only alone)\n"));
}

/* --version and -V: no account, keyring or settings needed. */
static int
print_version (void)
{
  host_version_print ("o365-send");
  return EX_OK;
}

static int G_GNUC_PRINTF (1, 2)
usage_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  complain ("%s", message);
  g_printerr (_("Run “o365-send --help” to see the options.\n"));
  return EX_USAGE;
}

/* Returns -1 when the options are fine, else the status to exit with. */
static int
parse_long_option (Options *options, const char *arg, int argc, char **argv, int *index)
{
  const char *equals = strchr (arg, '=');
  g_autofree char *name = equals != NULL ? g_strndup (arg + 2, equals - arg - 2) : g_strdup (arg + 2);

  if (g_str_equal (name, "account"))
    {
      const char *value = equals != NULL ? equals + 1 : (*index + 1 < argc ? argv[++*index] : NULL);

      if (value == NULL || *value == '\0')
        return usage_error (_("Option %s needs an address"), "--account");
      g_free (options->account);
      options->account = g_strdup (value);
      return -1;
    }
  if (g_str_equal (name, "requeue") || g_str_equal (name, "discard"))
    {
      const char *value = equals != NULL ? equals + 1 : (*index + 1 < argc ? argv[++*index] : NULL);

      if (value == NULL || *value == '\0')
        return usage_error (_("Option --%s needs a message id (see --queue)"), name);
      options->mode = g_str_equal (name, "requeue") ? MODE_REQUEUE : MODE_DISCARD;
      g_free (options->entry_id);
      options->entry_id = g_strdup (value);
      return -1;
    }
  if (equals != NULL)
    return usage_error (_("Option --%s takes no value"), name);
  if (g_str_equal (name, "debug"))
    options->debug = TRUE;
  else if (g_str_equal (name, "flush"))
    options->mode = MODE_FLUSH;
  else if (g_str_equal (name, "queue"))
    options->mode = MODE_QUEUE;
  else if (g_str_equal (name, "include-unknown"))
    options->include_unknown = TRUE;
  else if (g_str_equal (name, "read-recipients"))
    options->read_recipients = TRUE;
  else if (g_str_equal (name, "help"))
    {
      print_help ();
      return EX_OK;
    }
  else if (g_str_equal (name, "version"))
    return print_version ();
  else
    return usage_error (_("Unknown option %s"), arg);
  return -1;
}

/* Sendmail's -o options: "-oi" is -i; delivery mode (-od…), error mode (-oe…), queue directory
 * (-oQ…) and "-om" concern a local MTA and are accepted as msmtp accepts them. */
static int
parse_o_option (const char *arg)
{
  switch (arg[2])
    {
    case 'i':
      if (arg[3] == '\0')
        return -1;
      break;
    case 'd':
    case 'e':
    case 'Q':
      return -1;
    case 'm':
      if (arg[3] == '\0')
        return -1;
      break;
    default:
      break;
    }
  return usage_error (_("Unsupported option %s"), arg);
}

/* -N never|success,failure,delay, -R full|hdrs and -V ENVID (sendmail's, as mutt's dsn_notify
 * and dsn_return pass them), in the form NOTIFY=, RET= and ENVID= take. */
static int
parse_dsn_option (Options *options, char letter, const char *value)
{
  g_autofree char *upper = g_ascii_strup (value, -1);

  if (letter == 'N')
    {
      g_auto (GStrv) parts = g_strsplit (upper, ",", -1);
      static const char *const conditions[] = { "SUCCESS", "FAILURE", "DELAY", NULL };

      for (guint i = 0; parts[i] != NULL; i++)
        if (!(g_str_equal (parts[i], "NEVER") && parts[1] == NULL) &&
            !g_strv_contains (conditions, parts[i]))
          return usage_error (_("-N takes never, or one or more of success, failure and delay, "
                                "separated by commas"));
      g_free (options->dsn_notify);
      options->dsn_notify = g_steal_pointer (&upper);
    }
  else if (letter == 'R')
    {
      if (!g_str_equal (upper, "FULL") && !g_str_equal (upper, "HDRS"))
        return usage_error (_("-R takes full or hdrs"));
      g_free (options->dsn_return);
      options->dsn_return = g_steal_pointer (&upper);
    }
  else
    {
      /* RFC 3461 §4.4: at most 100 characters; printable ASCII (the engine encodes the rest). */
      for (const char *p = value; *p != '\0'; p++)
        if ((guchar) *p < 32 || (guchar) *p > 126)
          return usage_error (_("-V takes an envelope id of printable ASCII characters"));
      if (*value == '\0' || strlen (value) > 100)
        return usage_error (_("-V takes an envelope id of 1 to 100 characters"));
      g_free (options->envid);
      options->envid = g_strdup (value);
    }
  return -1;
}

static int
parse_short_options (Options *options, const char *arg, int argc, char **argv, int *index)
{
  for (const char *letter = arg + 1; *letter != '\0'; letter++)
    {
      const char *value;

      switch (*letter)
        {
        case 't':
          options->read_recipients = TRUE;
          continue;
        case 'i':
          /* Without -i, sendmail ends the input at a line holding only "."; o365-send always
           * reads to the end of input (as msmtp does), so -i changes nothing. */
          continue;
        case 'v':
          options->verbose = TRUE;
          continue;
        case 'h':
          /* Sendmail's -h is a hop count no MUA passes; here it is the help, as everywhere. */
          print_help ();
          return EX_OK;
        case 'q':
          if (letter[1] != '\0')
            return usage_error (_("Unsupported option %s (o365-send has no queue runner; use -q alone)"), arg);
          options->mode = MODE_FLUSH;
          continue;
        case 'f':
        case 'r':
        case 'F':
        case 'B':
        case 'N':
        case 'R':
        case 'V':
          break;
        default:
          return usage_error (_("Unknown option %s"), arg);
        }

      /* An option with a value: the rest of this argument, or the next one. */
      value = letter[1] != '\0' ? letter + 1 : (*index + 1 < argc ? argv[++*index] : NULL);
      if (value == NULL)
        return usage_error (_("Option %s needs a value"), arg);
      if (*letter == 'N' || *letter == 'R' || *letter == 'V')
        return parse_dsn_option (options, *letter, value);
      if (*letter == 'f' || *letter == 'r')
        {
          gsize length = strlen (value);

          g_autoptr (GError) address_error = NULL;

          /* "-f '<addr>'" and the null sender "-f '<>'" are written with brackets; an empty
           * -f is a mistake (an unset variable), never a request for the null sender. */
          if (length == 0)
            return usage_error (_("Option %s needs an address (the null sender is written “<>”)"), "-f");
          g_free (options->sender);
          if (length >= 2 && value[0] == '<' && value[length - 1] == '>')
            options->sender = g_strndup (value + 1, length - 2);
          else
            options->sender = g_strdup (value);
          if (*options->sender != '\0' && !mail_address_check (options->sender, &address_error))
            return usage_error (_("Invalid envelope sender: %s"), address_error->message);
        }
      /* -F is the full name sendmail uses when it writes a From header; o365-send never writes
       * headers, so it is accepted and ignored. -B declares the body type, which o365-send finds
       * out from the message itself. */
      return -1;
    }
  return -1;
}

static int
parse_arguments (Options *options, int argc, char **argv)
{
  gboolean operands = FALSE;

  options->recipients = g_ptr_array_new_with_free_func (g_free);
  /* msmtp's -V is the version; sendmail's and Postfix's -V ENVID the envelope id: alone it is
   * the first, with anything else the second. */
  if (argc == 2 && g_str_equal (argv[1], "-V"))
    return print_version ();
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      int status = -1;

      if (operands || arg[0] != '-' || arg[1] == '\0')
        {
          /* The first recipient ends the options, as in sendmail. */
          operands = TRUE;
          g_ptr_array_add (options->recipients, g_strdup (arg));
          continue;
        }
      if (g_str_equal (arg, "--"))
        operands = TRUE;
      else if (arg[1] == '-')
        status = parse_long_option (options, arg, argc, argv, &i);
      else if (arg[1] == 'o')
        status = parse_o_option (arg);
      else if (g_str_equal (arg, "-bm"))
        options->mode = MODE_SEND;
      else if (g_str_equal (arg, "-bp"))
        options->mode = MODE_QUEUE;
      else if (arg[1] == 'b')
        status = usage_error (_("Unsupported mode %s"), arg);
      else
        status = parse_short_options (options, arg, argc, argv, &i);
      if (status >= 0)
        return status;
    }
  return -1;
}

/* --- reading the message -------------------------------------------------------------------- */

/* One read from standard input: the number of bytes, 0 at the end, -1 on error. */
static gssize
read_input (char *buffer, gsize size, GError **error)
{
  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buffer, size);

      if (n >= 0)
        return n;
      if (errno != EINTR)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read the message: %s"), g_strerror (saved_errno));
          return -1;
        }
    }
}

/* Reads the header block (up to and including the empty line, if any) into @head, and whatever
 * came with it after into @rest; @separated says whether an empty line ended the block. */
static gboolean
read_head (GByteArray *head, GByteArray *rest, gboolean *at_end, gboolean *separated, GError **error)
{
  g_autofree char *buffer = g_malloc (CHUNK_SIZE);
  gsize head_end;
  gsize body_start;

  *at_end = FALSE;
  for (;;)
    {
      gssize n = read_input (buffer, CHUNK_SIZE, error);

      if (n < 0)
        return FALSE;
      *at_end = n == 0;
      g_byte_array_append (head, (const guint8 *) buffer, n);
      /* From the start each time: the end may straddle two reads, and the header block is
       * bounded, so this stays cheap. */
      if (message_head_find_end ((const char *) head->data, head->len, *at_end, &head_end, &body_start))
        break;
      if (head->len > HEAD_LIMIT)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("The message’s header is larger than %u KiB"),
                       HEAD_LIMIT / 1024);
          return FALSE;
        }
    }
  *separated = body_start > head_end;
  g_byte_array_append (rest, head->data + body_start, head->len - body_start);
  g_byte_array_set_size (head, body_start);
  return TRUE;
}

/* Streams @rest and the rest of standard input (unless @at_end) into @draft; sets the 8-bit
 * flag when it sees one. */
static gboolean
copy_body (OutboxDraft *draft, GByteArray *rest, gboolean at_end, MailOutgoingFlags *flags, GError **error)
{
  g_autofree char *buffer = g_malloc (CHUNK_SIZE);

  if (message_has_8bit (rest->data, rest->len))
    *flags |= MAIL_OUTGOING_8BIT_BODY;
  if (!outbox_draft_write (draft, rest->data, rest->len, error))
    return FALSE;
  while (!at_end)
    {
      gssize n = read_input (buffer, CHUNK_SIZE, error);

      if (n < 0)
        return FALSE;
      at_end = n == 0;
      if (!(*flags & MAIL_OUTGOING_8BIT_BODY) && message_has_8bit ((const guint8 *) buffer, n))
        *flags |= MAIL_OUTGOING_8BIT_BODY;
      if (!outbox_draft_write (draft, buffer, n, error))
        return FALSE;
    }
  return TRUE;
}

/* The arguments, then (with -t) the message's To, Cc and Bcc addresses (a resent message's
 * Resent-To, Resent-Cc and Resent-Bcc), without duplicates.
 * With -t, recipients given as arguments are added to those of the message, as Postfix and
 * msmtp do (classic Sendmail would leave them out instead). */
static GStrv
collect_recipients (Options *options, GBytes *head)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) from_head = options->read_recipients ? message_head_dup_recipients (head) : NULL;

  for (guint i = 0; i < options->recipients->len; i++)
    {
      const char *recipient = g_ptr_array_index (options->recipients, i);

      if (g_hash_table_add (seen, g_ascii_strdown (recipient, -1)))
        g_strv_builder_add (builder, recipient);
    }
  for (guint i = 0; from_head != NULL && from_head[i] != NULL; i++)
    if (g_hash_table_add (seen, g_ascii_strdown (from_head[i], -1)))
      g_strv_builder_add (builder, from_head[i]);
  return g_strv_builder_end (builder);
}

/* A refusal of what the message holds: what happened, then why. */
static int
data_error (const char *summary, const char *reason)
{
  complain ("%s (%s)", summary, reason);
  return EX_DATAERR;
}

/* The envelope is checked before the message is queued, so that no server ever sees an
 * address that is not one (a message in the outbox is one that a flush can send). Returns -1
 * when it is fine: the arguments are the caller's mistake (EX_USAGE), the rest came from the
 * message (EX_DATAERR). The -f sender was checked with the options. */
static int
check_envelope (Options *options, GBytes *head, const char *const *recipients, const char *sender)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *unparsable = message_head_dup_unparsable_field (head, options->sender == NULL,
                                                                   options->read_recipients);

  for (guint i = 0; i < options->recipients->len; i++)
    if (!mail_address_check (g_ptr_array_index (options->recipients, i), &error))
      return usage_error (_("Invalid recipient: %s"), error->message);
  if (unparsable != NULL)
    {
      g_autofree char *shown = g_strescape (unparsable, NULL);
      g_autofree char *reason = g_strdup_printf (_("cannot read the addresses in “%s”"), shown);

      return data_error (_("the message has an address field without a valid address; nothing was sent"),
                         reason);
    }
  /* What GMime read but is no address is left out of @recipients and @sender: refused here,
   * naming it, rather than lost. */
  if (options->read_recipients && !message_head_check_addresses (head, FALSE, TRUE, &error))
    return data_error (_("the message has an invalid recipient; nothing was sent"), error->message);
  if (options->sender == NULL && !message_head_check_addresses (head, TRUE, FALSE, &error))
    return data_error (_("the message’s From address is invalid; nothing was sent"), error->message);
  for (gsize i = 0; recipients[i] != NULL; i++)
    if (!mail_address_check (recipients[i], &error))
      return data_error (_("the message has an invalid recipient; nothing was sent"), error->message);
  if (options->sender == NULL && sender != NULL && !mail_address_check (sender, &error))
    return data_error (_("the message’s From address is invalid; nothing was sent"), error->message);
  return -1;
}

/* Office 365 refuses a sender that is not the mailbox (5.7.60 SendAsDenied) unless it has
 * Send As rights; said before sending, since the refusal only comes after the whole message. */
static void
warn_if_sending_as_another (const char *sender, const char *account_address)
{
  if (*sender == '\0' || g_ascii_strcasecmp (sender, account_address) == 0)
    return;
  g_printerr (_("o365-send: warning: sending as %s through the account %s; Office 365 refuses that "
                "(5.7.60 SendAsDenied) unless the account may send as that address\n"),
              sender, account_address);
}

/* The plug-ins, in *@loader, once the settings schema is known to be there; returns -1, else
 * the status to exit with (the reason printed). */
static int
load_plugins (MailPluginLoader **loader)
{
  return host_load_plugins_checked ("o365-send", loader);
}

/* The exit status for a failure to find the account (the reason printed). */
static int
account_error (const GError *error)
{
  complain ("%s", error->message);
  /* No such account: EX_NOUSER, as o365-account says it; several and none chosen: config. */
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? EX_NOUSER : EX_CONFIG;
}

/* For sending directly: the plug-ins, the account (@address, else as --account and @sender
 * choose it) and its transport. Returns -1, else the status to exit with (the reason printed). */
static int
open_direct (const char *address,
             const char *sender,
             MailPluginLoader **loader,
             char **account_address,
             MailTransport **transport)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailAccount) account = NULL;
  int status = load_plugins (loader);

  if (status >= 0)
    return status;
  account = host_choose_account (*loader, address, sender, &error);
  if (account == NULL)
    return account_error (error);
  g_free (*account_address);
  *account_address = mail_account_dup_address (account);
  *transport = mail_account_create_transport (account, &error);
  if (*transport == NULL)
    {
      complain ("%s", error->message);
      return EX_CONFIG;
    }
  return -1;
}

/* -v: the id Office 365 gave the message, parsed from its final reply. */
static void
print_message_id (OutboxResult *result)
{
  g_autofree char *id = NULL;

  if (result->outcome != OUTBOX_OUTCOME_SENT || result->final_reply == NULL)
    return;
  id = mail_reply_dup_message_id (result->final_reply);
  if (id != NULL)
    g_print (_("Message id given by the server: %s\n"), id);
}

/* A caller that got EX_TEMPFAIL may submit the same message again although it is queued
 * already: the new copy (@entry, taken) is dropped and the queued one is sent instead. Returns
 * the entry to send, or NULL with *@status when there is nothing to send now. */
static OutboxEntry *
take_queued_copy (Outbox *outbox, OutboxEntry *entry, int *status)
{
  g_autofree char *queued_id = outbox_find_duplicate (outbox, entry);
  g_autoptr (GError) error = NULL;
  OutboxEntry *queued;

  if (queued_id == NULL)
    return entry;
  outbox_entry_remove (outbox, entry, NULL);
  outbox_entry_free (entry);
  queued = outbox_claim_entry (outbox, queued_id, &error);
  if (queued != NULL && outbox_state_is_sendable (queued->state, FALSE))
    return queued;
  /* In flight under our lock: its sender died while the server may have taken it. */
  if (queued != NULL && (queued->state == OUTBOX_STATE_HELD_UNKNOWN || queued->state == OUTBOX_STATE_IN_FLIGHT))
    {
      g_printerr (_("This message is already in the outbox as %s, and may have been delivered: it "
                    "is held, not sent again (see “o365-send --queue”).\n"), queued_id);
      *status = EX_PROTOCOL;
    }
  else
    {
      g_printerr (_("This message is already queued as %s and is being sent; it is not queued "
                    "twice.\n"), queued_id);
      *status = EX_TEMPFAIL;
    }
  outbox_entry_free (queued);
  return NULL;
}

/* The agent's outcome for @entry, reported as one of our own would be. */
static int
report_agent_outcome (Options *options, Outbox *outbox, OutboxEntry *entry, GVariant *outcome)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OutboxResult) result = outbox_result_from_variant (outcome, entry, &error);
  int status;

  if (result == NULL)
    {
      /* It is in the outbox: the agent or a flush has it, whatever the answer meant. */
      complain (_("%s; the message stays in the outbox as %s (see “o365-send --queue”)"), error->message, entry->id);
      return EX_TEMPFAIL;
    }
  status = host_outbox_report (outbox, result, options->verbose || options->debug);
  if (options->verbose)
    print_message_id (result);
  return status;
}

/* Hands the queued @entry (taken) to the agent, the one process that talks to the server for
 * the account. Returns NULL with *@status when the agent had the outcome (reported), else the
 * entry, locked again, for sending directly: no session bus, no agent, or the agent failed
 * (then what it left is respected: a message it may have sent is held, not sent again). */
static OutboxEntry *
hand_to_agent (Options *options, Outbox *outbox, OutboxEntry *entry, int *status)
{
  g_autoptr (OutboxEntry) handed = entry;
  g_autoptr (GVariant) outcome = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *why_not = NULL;
  OutboxEntry *again;

  outbox_entry_unlock (handed);
  outcome = agent_client_send (handed->id, &why_not);
  if (outcome != NULL)
    {
      if (options->debug)
        g_printerr ("o365-send: %s sent through the agent (org.o365account.Agent)\n", handed->id);
      *status = report_agent_outcome (options, outbox, handed, outcome);
      return NULL;
    }
  if (options->debug)
    g_printerr ("o365-send: the agent failed (%s); sending directly\n", why_not);
  again = outbox_claim_entry (outbox, handed->id, &error);
  if (again == NULL)
    {
      complain (_("%s; the message stays in the outbox as %s (see “o365-send --queue”)"), error->message,
                handed->id);
      *status = EX_TEMPFAIL;
      return NULL;
    }
  if (!outbox_state_is_sendable (again->state, FALSE))
    {
      g_printerr (_("Message %s may have been delivered: it is held, not sent again (see “o365-send --queue”).\n"),
                  again->id);
      outbox_entry_free (again);
      *status = EX_PROTOCOL;
      return NULL;
    }
  return again;
}

static int
send_message (Options *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) head = g_byte_array_new ();
  g_autoptr (GByteArray) rest = g_byte_array_new ();
  g_autoptr (GBytes) head_bytes = NULL;
  g_autoptr (GBytes) transmitted = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailTransport) transport = NULL;
  g_autoptr (Outbox) outbox = NULL;
  g_autofree char *why_not = NULL;
  g_autoptr (OutboxDraft) draft = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *account_address = NULL;
  g_auto (GStrv) recipients = NULL;
  MailOutgoingFlags flags = MAIL_OUTGOING_NONE;
  OutboxEntry *entry;
  int status = EX_OK;
  gboolean at_end;
  gboolean separated;
  gsize length;
  const guint8 *data;
  g_autoptr (SendProgress) progress = NULL;

  if (!read_head (head, rest, &at_end, &separated, &error))
    {
      complain ("%s", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE) ? EX_DATAERR : EX_IOERR;
    }
  /* Sendmail would send an empty message; it is never what a person meant. */
  if (head->len == 0 && rest->len == 0)
    {
      complain ("%s", _("the message is empty; nothing was sent"));
      return EX_DATAERR;
    }
  head_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&head));
  /* The SMTP engine writes a bare CR as a line end, which neither the head parsing here nor
   * sendmail's or Postfix's sees: a "Bcc:" after one would reach every recipient. RFC 5322
   * allows CR only before LF, so such a head is refused rather than guessed at. */
  if (message_head_has_bare_cr (head_bytes))
    {
      complain ("%s", _("the message’s header contains a CR not followed by LF; end its lines with LF or CRLF"));
      return EX_DATAERR;
    }
  recipients = collect_recipients (options, head_bytes);
  sender = options->sender != NULL ? g_strdup (options->sender) : message_head_dup_from (head_bytes);
  status = check_envelope (options, head_bytes, (const char *const *) recipients, sender);
  if (status >= 0)
    return status;
  if (recipients[0] == NULL)
    {
      complain (_("no recipients; give them as arguments, or use -t to read them from the "
                    "message"));
      return EX_USAGE;
    }

  /* Everything that can be refused without the network is checked before the message is
   * queued, so that a message in the outbox is one that a flush can send. With an agent, it
   * finds the account (it has the plug-ins loaded: this process never loads them); without
   * one, this process does, and makes the transport it will send with. */
  account_address = agent_client_find_account (options->account, sender, &error, &why_not);
  if (account_address == NULL && error != NULL)
    return account_error (error);
  if (account_address == NULL)
    {
      if (options->debug)
        g_printerr ("o365-send: no agent (%s); sending directly\n", why_not);
      status = open_direct (options->account, sender, &loader, &account_address, &transport);
      if (status >= 0)
        return status;
    }
  if (sender == NULL)
    sender = g_strdup (account_address);
  warn_if_sending_as_another (sender, account_address);

  /* Bcc and Resent-Bcc fields are never transmitted, with or without -t (Postfix and msmtp do
   * the same): they would show every recipient the blind ones. */
  transmitted = message_head_remove_bcc (head_bytes);
  data = g_bytes_get_data (transmitted, &length);
  if (message_has_8bit (data, length))
    flags |= MAIL_OUTGOING_8BIT_BODY | MAIL_OUTGOING_UTF8_HEADERS;

  outbox = outbox_open (NULL, &error);
  if (outbox == NULL)
    {
      complain (_("cannot use the outbox: %s"), error->message);
      return EX_CANTCREAT;
    }
  draft = outbox_draft_new (outbox, &error);
  if (draft != NULL)
    outbox_draft_set_dsn (draft, options->dsn_notify, options->dsn_return, options->envid);
  /* A head ended by a line that is not a field gets the empty line RFC 5322 requires, so that
   * the receiver sees the body start where o365-send did. */
  if (draft == NULL || !outbox_draft_write (draft, data, length, &error)
      || (!separated && rest->len > 0 && !outbox_draft_write (draft, "\n", 1, &error))
      || !copy_body (draft, rest, at_end, &flags, &error))
    {
      complain ("%s", error->message);
      return EX_IOERR;
    }
  entry = outbox_draft_commit (g_steal_pointer (&draft), account_address, sender,
                               (const char *const *) recipients, flags, &error);
  if (entry == NULL)
    {
      complain (_("cannot queue the message: %s"), error->message);
      return EX_IOERR;
    }
  entry = take_queued_copy (outbox, entry, &status);
  if (entry == NULL)
    return status;
  if (transport == NULL)
    {
      entry = hand_to_agent (options, outbox, entry, &status);
      if (entry == NULL)
        return status;
      /* The agent failed: this process sends it after all. */
      status = open_direct (account_address, NULL, &loader, &account_address, &transport);
      if (status >= 0)
        {
          outbox_entry_free (entry);
          return status;
        }
    }
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  g_ptr_array_add (entries, entry);

  /* The caller learns the outcome now and keeps a message that failed (see the flag). A person
   * at a terminal sees how far it got (not with --debug: the transcript is on stderr then). */
  progress = options->debug ? NULL : send_progress_show (transport, "o365-send");
  results = host_outbox_send (outbox, transport, entries, OUTBOX_FLUSH_NEW_MESSAGES, options->debug);
  if (((OutboxResult *) g_ptr_array_index (results, 0))->outcome == OUTBOX_OUTCOME_SENT)
    send_progress_done (progress);
  g_clear_pointer (&progress, send_progress_free);
  status = host_outbox_report (outbox, g_ptr_array_index (results, 0), options->verbose || options->debug);
  if (options->verbose)
    print_message_id (g_ptr_array_index (results, 0));
  return status;
}

static int
flush (Options *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (Outbox) outbox = outbox_open (NULL, &error);
  int status;

  if (outbox == NULL)
    {
      complain (_("cannot use the outbox: %s"), error->message);
      return EX_CANTCREAT;
    }
  status = load_plugins (&loader);
  if (status >= 0)
    return status;
  return host_outbox_flush (outbox, loader, options->account, options->include_unknown, options->debug);
}

/* --requeue and --discard: a person's decision about one message. */
static int
decide (Options *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Outbox) outbox = outbox_open (NULL, &error);

  if (outbox == NULL)
    {
      complain (_("cannot use the outbox: %s"), error->message);
      return EX_CANTCREAT;
    }
  return host_outbox_decide (outbox, options->entry_id, options->mode == MODE_REQUEUE);
}

static int
show_queue (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Outbox) outbox = outbox_open (NULL, &error);

  if (outbox == NULL)
    {
      complain (_("cannot use the outbox: %s"), error->message);
      return EX_CANTCREAT;
    }
  return host_outbox_print_queue (outbox);
}

int
main (int argc, char **argv)
{
  Options options = { 0 };
  int status;

  host_protect_secrets ();
  setlocale (LC_ALL, "");
  mail_bind_textdomain (GETTEXT_PACKAGE, LOCALEDIR);
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("o365-send");

  status = parse_arguments (&options, argc, argv);
  if (status < 0)
    {
      if (options.mode != MODE_SEND && options.recipients->len > 0)
        status = usage_error ("%s", _("--flush and --queue take no recipients"));
      else if (options.mode == MODE_REQUEUE || options.mode == MODE_DISCARD)
        status = decide (&options);
      else if (options.mode == MODE_FLUSH)
        status = flush (&options);
      else if (options.mode == MODE_QUEUE)
        status = show_queue ();
      else
        status = send_message (&options);
    }
  options_clear (&options);
  return status;
}
