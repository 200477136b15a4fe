/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* send-progress.c — the transport's progress signal as one line on a terminal, redrawn at most
 * a few times a second: “o365-send: sending 45 % (9.0 MB of 20.0 MB, 2.1 MB/s)”. */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "send-progress.h"

/* Redrawing faster than this only costs the terminal. */
#define REDRAW_INTERVAL_US (200 * G_TIME_SPAN_MILLISECOND)

struct _SendProgress
{
  MailTransport *transport;
  gulong handler;
  char *program;
  gint64 started;
  gint64 drawn_at;
  gboolean drawn;
  gint64 total_bytes; /* of the last report */
};

static void
draw (SendProgress *self, guint64 bytes_sent, gint64 total_bytes, gboolean done)
{
  gint64 now = g_get_monotonic_time ();
  double seconds = MAX (now - self->started, 1) / (double) G_TIME_SPAN_SECOND;
  g_autofree char *sent = g_format_size (bytes_sent);
  g_autofree char *rate = g_format_size ((guint64) (bytes_sent / seconds));

  if (self->drawn && !done && now - self->drawn_at < REDRAW_INTERVAL_US)
    return;
  self->drawn = TRUE;
  self->drawn_at = now;
  if (total_bytes > 0)
    {
      g_autofree char *total = g_format_size ((guint64) total_bytes);

      /* \r and \033[K: the same line, redrawn; the rest of the old one cleared. */
      g_printerr ("\r");
      g_printerr (_("%s: sending %3u %% (%s of %s, %s/s)"), self->program,
                  (guint) (bytes_sent * 100 / (guint64) total_bytes), sent, total, rate);
    }
  else
    {
      g_printerr ("\r");
      g_printerr (_("%s: sending (%s, %s/s)"), self->program, sent, rate);
    }
  g_printerr ("\033[K");
}

static void
on_progress (MailTransport *transport, MailOutgoing *message, guint64 bytes_sent, gint64 total_bytes,
             gpointer user_data)
{
  SendProgress *self = user_data;

  self->total_bytes = total_bytes;
  draw (self, bytes_sent, total_bytes, total_bytes >= 0 && bytes_sent >= (guint64) total_bytes);
}

void
send_progress_done (SendProgress *self)
{
  /* The reports count the octets read, the total those on the wire (CRLF): once the server
   * has the message, all of it was sent. */
  if (self != NULL && self->drawn && self->total_bytes > 0)
    draw (self, (guint64) self->total_bytes, self->total_bytes, TRUE);
}

SendProgress *
send_progress_show (MailTransport *transport, const char *program)
{
  SendProgress *self;

  if (!isatty (STDERR_FILENO))
    return NULL;
  self = g_new0 (SendProgress, 1);
  self->transport = g_object_ref (transport);
  self->program = g_strdup (program);
  self->started = g_get_monotonic_time ();
  self->handler = g_signal_connect (transport, "progress", G_CALLBACK (on_progress), self);
  return self;
}

void
send_progress_free (SendProgress *self)
{
  if (self == NULL)
    return;
  if (self->drawn)
    g_printerr ("\n");
  g_signal_handler_disconnect (self->transport, self->handler);
  g_object_unref (self->transport);
  g_free (self->program);
  g_free (self);
}
