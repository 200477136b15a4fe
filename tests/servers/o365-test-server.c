/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-test-server — the local Office-365-like SMTP server (the office365 profile of the test
 * server) as a program: the README's main command runs it when no real Office 365 is reachable.
 *
 *   o365-test-server [--port N] [--cert-dir DIR] [--cert NAME] [--user ADDRESS]
 *                    [--password-file FILE] [--token-file FILE] [--mail-dir DIR]
 *                    [--auth-disabled] [--drop-after-data] [--hang-after-data] [--hang-after-quit]
 *                    [--hold-at greeting|data|after-dot] [--defer-recipient ADDRESS]
 *                    [--refuse-recipient ADDRESS] [--ready-fd FD]
 *
 * Secrets come from files only (never argv, which every user can read in /proc). Once listening
 * it writes "PORT=N\n" to --ready-fd, or to stdout. Its log on stderr is a redacted transcript
 * summary, each line with its time in milliseconds: every connection's opening ("[conn N]
 * connected from …") and end ("[conn N] closed"), each message accepted ("message <ID> accepted")
 * and, with --hold-at, the moment a connection is held ("[conn N] holding …"), so a test can kill
 * its client right then. SIGTERM or SIGINT stops it cleanly (exit status 0). */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smtp-test-server.h"

/* sysexits.h values: the callers are scripts. */
#define EXIT_USAGE 64
#define EXIT_CONFIG 78

static void
log_line (const char *line, gpointer user_data)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S.%f");

  /* Milliseconds are enough to read a transcript: drop the last three digits of %f. */
  fprintf (stderr, "%.*s o365-test-server: %s\n", (int) strlen (time) - 3, time, line);
}

static void G_GNUC_PRINTF (1, 2)
say (const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  log_line (line, NULL);
}

static gboolean
parse_hold (const char *name, SmtpTestHold *hold)
{
  static const struct {
    const char *name;
    SmtpTestHold hold;
  } holds[] = {
    { "greeting", SMTP_TEST_HOLD_GREETING },
    { "data", SMTP_TEST_HOLD_DATA },
    { "after-dot", SMTP_TEST_HOLD_AFTER_DOT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (holds); i++)
    {
      if (g_str_equal (name, holds[i].name))
        {
          *hold = holds[i].hold;
          return TRUE;
        }
    }
  return FALSE;
}

/* The file's first line, without its line end. */
static char *
read_secret (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  char *secret;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  secret = g_strndup (contents, strcspn (contents, "\r\n"));
  explicit_bzero (contents, length);
  if (*secret == '\0')
    {
      g_free (secret);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is empty", path);
      return NULL;
    }
  return secret;
}

static void
free_secret (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
announce_port (int ready_fd, guint16 port, GError **error)
{
  g_autofree char *line = g_strdup_printf ("PORT=%u\n", port);
  gsize done = 0;

  if (ready_fd < 0)
    {
      fputs (line, stdout);
      fflush (stdout);
      return TRUE;
    }
  while (done < strlen (line))
    {
      ssize_t n = write (ready_fd, line + done, strlen (line) - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "Cannot write to --ready-fd %d: %s", ready_fd, g_strerror (errno));
          return FALSE;
        }
      done += n;
    }
  close (ready_fd);
  return TRUE;
}

int
main (int argc, char **argv)
{
  int port = 0;
  int ready_fd = -1;
  g_autofree char *cert_dir = NULL;
  g_autofree char *cert_name = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *mail_dir = NULL;
  gboolean auth_disabled = FALSE;
  gboolean drop_after_data = FALSE;
  gboolean hang_after_data = FALSE;
  gboolean hang_after_quit = FALSE;
  g_autofree char *defer_recipient = NULL;
  g_autofree char *refuse_recipient = NULL;
  g_autofree char *hold_at = NULL;
  SmtpTestHold hold = SMTP_TEST_HOLD_NONE;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any free port)", "N" },
    { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &cert_dir, "Certificate directory (default: $O365_TEST_CERTS)", "DIR" },
    { "cert", 0, 0, G_OPTION_ARG_STRING, &cert_name, "Certificate NAME.pem with NAME.key (default: server)", "NAME" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "The mailbox that may sign in", "ADDRESS" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "Its password (AUTH LOGIN), first line of FILE", "FILE" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, "Its access token (AUTH XOAUTH2), first line of FILE", "FILE" },
    { "mail-dir", 0, 0, G_OPTION_ARG_FILENAME, &mail_dir, "Where accepted messages go as .eml (default: a new temporary directory)", "DIR" },
    { "auth-disabled", 0, 0, G_OPTION_ARG_NONE, &auth_disabled, "Answer every AUTH with 535 5.7.139 (SMTP AUTH disabled for the tenant)", NULL },
    { "drop-after-data", 0, 0, G_OPTION_ARG_NONE, &drop_after_data, "Close the connection after each final dot without replying (status unknown)", NULL },
    { "hang-after-data", 0, 0, G_OPTION_ARG_NONE, &hang_after_data, "Keep the connection after each final dot but never reply", NULL },
    { "hold-at", 0, 0, G_OPTION_ARG_STRING, &hold_at, "Stop answering there on every connection and log \"holding\": greeting (send nothing), data (stop reading the body), after-dot (keep the message, never reply)", "STAGE" },
    { "hang-after-quit", 0, 0, G_OPTION_ARG_NONE, &hang_after_quit, "Never answer QUIT; keep the connection until the client closes it", NULL },
    { "defer-recipient", 0, 0, G_OPTION_ARG_STRING, &defer_recipient, "Answer RCPT TO this address with 452 4.2.2 (mailbox full)", "ADDRESS" },
    { "refuse-recipient", 0, 0, G_OPTION_ARG_STRING, &refuse_recipient, "Answer RCPT TO this address with 550 5.1.10 (recipient not found)", "ADDRESS" },
    { "ready-fd", 0, 0, G_OPTION_ARG_INT, &ready_fd, "Write PORT=N to this descriptor once listening, instead of stdout", "FD" },
    { NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("— a local Office-365-like SMTP submission server");
  g_autoptr (GError) error = NULL;
  g_autoptr (SmtpTestServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  char *password = NULL;
  char *token = NULL;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      fprintf (stderr, "o365-test-server: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (port < 0 || port > G_MAXUINT16 || argc > 1 || ((password_file || token_file) && user == NULL)
      || (hold_at != NULL && !parse_hold (hold_at, &hold)))
    {
      fprintf (stderr, "o365-test-server: %s\n",
               argc > 1 ? "unexpected arguments" :
               hold_at != NULL && hold == SMTP_TEST_HOLD_NONE ? "--hold-at takes greeting, data or after-dot" :
               user == NULL && (password_file || token_file) ? "--password-file and --token-file need --user" :
               "--port must be 0 to 65535");
      return EXIT_USAGE;
    }
  if ((password_file != NULL && (password = read_secret (password_file, &error)) == NULL)
      || (token_file != NULL && (token = read_secret (token_file, &error)) == NULL)
      || (mail_dir == NULL && (mail_dir = g_dir_make_tmp ("o365-test-server-XXXXXX", &error)) == NULL))
    {
      fprintf (stderr, "o365-test-server: %s\n", error->message);
      return EXIT_CONFIG;
    }

  server = smtp_test_server_new_office365 ();
  smtp_test_server_set_log_func (server, log_line, NULL);
  if (cert_dir != NULL)
    smtp_test_server_set_cert_dir (server, cert_dir);
  if (cert_name != NULL)
    smtp_test_server_set_certificate (server, cert_name);
  smtp_test_server_set_credentials (server, user, password, token);
  free_secret (password);
  free_secret (token);
  smtp_test_server_set_auth_disabled (server, auth_disabled);
  smtp_test_server_set_drop_after_data (server, drop_after_data);
  smtp_test_server_set_hang_after_data (server, hang_after_data);
  smtp_test_server_set_hold (server, hold);
  smtp_test_server_set_hang_after_quit (server, hang_after_quit);
  smtp_test_server_set_mail_dir (server, mail_dir);
  smtp_test_server_set_refused_recipients (server, defer_recipient, refuse_recipient);
  if (!smtp_test_server_start (server, port, &error))
    {
      fprintf (stderr, "o365-test-server: %s\n", error->message);
      return EXIT_CONFIG;
    }

  say ("listening on 127.0.0.1:%u as %s.outlook.office365.com", smtp_test_server_get_port (server),
       smtp_test_server_get_host (server));
  say ("certificate “%s”; sign-in: %s%s%s%s; messages go to %s",
       cert_name != NULL ? cert_name : "server",
       user != NULL ? user : "nobody (no --user)",
       password_file != NULL ? ", AUTH LOGIN" : "",
       token_file != NULL ? ", AUTH XOAUTH2" : "",
       auth_disabled ? ", but SMTP AUTH is disabled for the tenant" : "",
       mail_dir);
  if (hold_at != NULL)
    say ("every connection is held: --hold-at %s", hold_at);
  if (!announce_port (ready_fd, smtp_test_server_get_port (server), &error))
    {
      fprintf (stderr, "o365-test-server: %s\n", error->message);
      return EXIT_CONFIG;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);

  say ("stopping: %u connection(s), %u message(s), %u round trip(s)",
       smtp_test_server_get_n_connections (server), smtp_test_server_get_n_messages (server),
       smtp_test_server_get_round_trips (server));
  smtp_test_server_stop (server);
  return 0;
}
