/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-password.c — no-echo terminal prompt or one stdin line; the buffer is wiped after use. */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
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
      struct termios saved, quiet;

      if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved) != 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("No terminal to ask for the password; use --password-stdin"));
          return NULL;
        }
      g_printerr ("%s", prompt);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
      password = read_line (STDIN_FILENO);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
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
