/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-password.c — no-echo terminal prompt or one stdin line; the buffer is wiped after use.
 * Ctrl-C (or SIGTERM, SIGHUP, SIGQUIT) at the prompt puts the echo back before the program
 * ends, or the shell it returns to would stay blind. */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "host-password.h"

#define MAX_PASSWORD 4096

void
host_password_free (char *password)
{
  if (password == NULL)
    return;
  explicit_bzero (password, strlen (password));
  g_free (password);
}

/* The terminal as it was before the prompt, for the signal handler. */
static struct termios prompt_saved;
static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
on_prompt_signal (int signum)
{
  /* Async-signal-safe only: the echo back on, then the signal's own default action (the
   * program ends as it would have, its status saying so). */
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &prompt_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Restores the terminal on the signals that end a program at a prompt; @previous gets what
 * was there (signals a caller ignores stay ignored). */
static void
catch_prompt_signals (struct sigaction previous[G_N_ELEMENTS (prompt_signals)])
{
  struct sigaction action = { 0 };

  action.sa_handler = on_prompt_signal;
  sigemptyset (&action.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    {
      sigaction (prompt_signals[i], NULL, &previous[i]);
      if (previous[i].sa_handler != SIG_IGN)
        sigaction (prompt_signals[i], &action, NULL);
    }
}

static void
release_prompt_signals (const struct sigaction previous[G_N_ELEMENTS (prompt_signals)])
{
  for (gsize i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &previous[i], NULL);
}

/* Reads one line (without its newline) from @fd into a fresh buffer. */
static char *
read_line (int fd)
{
  char *buffer = g_malloc0 (MAX_PASSWORD + 1);
  gsize length = 0;

  while (length < MAX_PASSWORD)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n <= 0 || c == '\n')
        break;
      buffer[length++] = c;
    }
  if (length > 0 && buffer[length - 1] == '\r')
    buffer[--length] = '\0';
  return buffer;
}

char *
host_read_password (const char *prompt, gboolean from_stdin, GError **error)
{
  char *password;

  if (from_stdin)
    password = read_line (STDIN_FILENO);
  else
    {
      struct termios quiet;
      struct sigaction previous[G_N_ELEMENTS (prompt_signals)];

      if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &prompt_saved) != 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("No terminal to ask for the password; use --password-stdin"));
          return NULL;
        }
      g_printerr ("%s", prompt);
      quiet = prompt_saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      catch_prompt_signals (previous);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
      password = read_line (STDIN_FILENO);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &prompt_saved);
      release_prompt_signals (previous);
      g_printerr ("\n");
    }

  if (*password == '\0')
    {
      host_password_free (password);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The password is empty"));
      return NULL;
    }
  return password;
}
