/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* latency-proxy.c — a loopback-only TCP relay that delays every byte by a fixed one-way latency
 * and counts the turns of the conversation, for the benchmarks (bench/run).
 *
 *   latency-proxy --target-port N [--port N] [--delay-ms MS] [--max-queue BYTES]
 *                 [--idle-exit SECONDS] [--max-seconds SECONDS] [--log FILE] [--trace]
 *
 * It listens on 127.0.0.1 only and relays to 127.0.0.1:TARGET only. Each chunk read from one side
 * is written to the other side DELAY ms later (a delay queue per direction, at most --max-queue
 * bytes each: reading pauses while a queue is full, which bounds memory and acts like a TCP window
 * of that size). The upstream connection is opened 3 × DELAY after a client connects (SYN,
 * SYN-ACK and ACK each cross the path once), so the greeting reaches the client two round trips
 * after connect(), as on a real path.
 *
 * Counting, per connection: a *client turn* is a client write — or the client's end of stream —
 * that follows server data delivered since the client's previous write: the client waited for
 * the server, i.e. one round trip. A write less than one round trip after the client's previous
 * turn is not another one (no answer can have come back yet; it answers the same flight). The
 * wait for the very last reply counts when the client closes after reading it (or resets the
 * connection). *Server turns* are the mirror image. When a connection ends, one line goes to
 * --log (or stderr):
 *
 *   conn=1 client_turns=9 server_turns=9 c2s_bytes=… s2c_bytes=… c2s_writes=… s2c_writes=… ms=…
 *   client_ms=… end=…
 *
 * (ms: the whole connection; client_ms: until the client closed its side.) With --trace, a line
 * for every chunk as it arrives: "trace conn=1 t=MS C>|S> BYTES [client-turn|server-turn]".
 *
 * Once listening it prints "PORT=N" on stdout. It stops by itself after --idle-exit seconds without
 * a connection (default 60) or --max-seconds in all (default 1800), and on SIGTERM/SIGINT. */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (64 * 1024)
#define MAX_CONNECTIONS 64

typedef struct _Conn Conn;

typedef struct
{
  gint64 due;    /* monotonic µs at which the chunk may leave */
  GBytes *bytes; /* NULL: the end of the stream */
} Chunk;

typedef struct
{
  Conn *conn;
  gboolean from_client;
  GQueue queue;           /* Chunk */
  gsize queued;           /* bytes in the queue and in flight */
  gboolean reading;       /* a read is pending */
  gboolean read_eof;
  gboolean writing;       /* a write is pending */
  gboolean done;          /* the end of stream was passed on */
  GBytes *in_flight;
  GSource *timer;
  guint64 bytes;
  guint64 writes;
} Pipe;

typedef struct
{
  guint16 port;
  guint16 target_port;
  guint delay_ms;
  gsize max_queue;
  guint idle_exit_s;
  gboolean trace;
  FILE *log;
  GMainLoop *loop;
  GSocketService *service;
  GList *conns;
  guint next_id;
  guint idle_timer;
  guint64 total_connections;
  guint64 total_client_turns;
} Proxy;

struct _Conn
{
  Proxy *proxy;
  guint id;
  int refs;
  gboolean closed;
  gint64 started;
  GCancellable *cancellable;
  GSocketConnection *client;
  GSocketConnection *server; /* NULL until the upstream connect completes */
  guint connect_timer;
  Pipe up;   /* client → server */
  Pipe down; /* server → client */
  gboolean server_spoke; /* server data delivered to the client since its last write */
  gboolean client_spoke; /* client data delivered to the server since its last write */
  gint64 client_turn_at; /* µs, the client's last turn (0: none yet) */
  gint64 client_end_at;  /* µs, when the client closed or reset its side (0: not yet) */
  gint64 server_turn_at;
  guint client_turns;
  guint server_turns;
};

static void pipe_read (Pipe *pipe);
static void pipe_write (Pipe *pipe);
static void conn_close (Conn *conn, const char *why);

static gint64
delay_us (Proxy *proxy)
{
  return (gint64) proxy->delay_ms * 1000;
}

static Conn *
conn_ref (Conn *conn)
{
  conn->refs++;
  return conn;
}

static void
chunk_free (Chunk *chunk)
{
  g_clear_pointer (&chunk->bytes, g_bytes_unref);
  g_free (chunk);
}

/* Drops what waits in the queue; a write in flight keeps its bytes until its callback. */
static void
pipe_clear (Pipe *pipe)
{
  g_queue_clear_full (&pipe->queue, (GDestroyNotify) chunk_free);
  if (pipe->timer != NULL)
    {
      g_source_destroy (pipe->timer);
      g_clear_pointer (&pipe->timer, g_source_unref);
    }
}

static void
conn_unref (Conn *conn)
{
  if (--conn->refs > 0)
    return;
  pipe_clear (&conn->up);
  pipe_clear (&conn->down);
  g_clear_pointer (&conn->up.in_flight, g_bytes_unref);
  g_clear_pointer (&conn->down.in_flight, g_bytes_unref);
  g_clear_object (&conn->client);
  g_clear_object (&conn->server);
  g_clear_object (&conn->cancellable);
  g_free (conn);
}

static gboolean
on_idle_exit (gpointer user_data)
{
  Proxy *proxy = user_data;

  proxy->idle_timer = 0;
  g_printerr ("latency-proxy: idle for %u s, stopping\n", proxy->idle_exit_s);
  g_main_loop_quit (proxy->loop);
  return G_SOURCE_REMOVE;
}

static void
arm_idle_exit (Proxy *proxy)
{
  if (proxy->idle_timer == 0 && proxy->conns == NULL)
    proxy->idle_timer = g_timeout_add_seconds (proxy->idle_exit_s, on_idle_exit, proxy);
}

static GSocketConnection *
pipe_source (Pipe *pipe)
{
  return pipe->from_client ? pipe->conn->client : pipe->conn->server;
}

static GSocketConnection *
pipe_sink (Pipe *pipe)
{
  return pipe->from_client ? pipe->conn->server : pipe->conn->client;
}

static void
conn_close (Conn *conn, const char *why)
{
  Proxy *proxy = conn->proxy;

  if (conn->closed)
    return;
  conn->closed = TRUE;
  g_cancellable_cancel (conn->cancellable);
  if (conn->connect_timer != 0)
    {
      g_source_remove (conn->connect_timer);
      conn->connect_timer = 0;
      conn_unref (conn);
    }
  pipe_clear (&conn->up);
  pipe_clear (&conn->down);
  if (conn->client != NULL)
    g_io_stream_close (G_IO_STREAM (conn->client), NULL, NULL);
  if (conn->server != NULL)
    g_io_stream_close (G_IO_STREAM (conn->server), NULL, NULL);

  fprintf (proxy->log,
           "conn=%u client_turns=%u server_turns=%u c2s_bytes=%" G_GUINT64_FORMAT
           " s2c_bytes=%" G_GUINT64_FORMAT " c2s_writes=%" G_GUINT64_FORMAT
           " s2c_writes=%" G_GUINT64_FORMAT " ms=%" G_GINT64_FORMAT " client_ms=%" G_GINT64_FORMAT
           " end=%s\n",
           conn->id, conn->client_turns, conn->server_turns, conn->up.bytes, conn->down.bytes,
           conn->up.writes, conn->down.writes, (g_get_monotonic_time () - conn->started) / 1000,
           ((conn->client_end_at != 0 ? conn->client_end_at : g_get_monotonic_time ()) - conn->started) / 1000,
           why);
  fflush (proxy->log);
  proxy->total_client_turns += conn->client_turns;

  proxy->conns = g_list_remove (proxy->conns, conn);
  arm_idle_exit (proxy);
  conn_unref (conn);
}

/* Both directions have passed their end of stream on: the conversation is over. */
static void
conn_check_done (Conn *conn)
{
  if (conn->up.done && conn->down.done)
    conn_close (conn, "eof");
}

static gboolean
on_due (gpointer user_data)
{
  Pipe *pipe = user_data;

  g_clear_pointer (&pipe->timer, g_source_unref);
  pipe_write (pipe);
  return G_SOURCE_REMOVE;
}

static gboolean
ready_time_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs ready_time_funcs = {
  .dispatch = ready_time_dispatch,
};

/* Wakes the writer at @due exactly (µs), not rounded to the next millisecond. */
static void
pipe_schedule (Pipe *pipe, gint64 due)
{
  GSource *timer = g_source_new (&ready_time_funcs, sizeof (GSource));

  g_source_set_callback (timer, on_due, pipe, NULL);
  g_source_set_ready_time (timer, due);
  g_source_attach (timer, NULL);
  pipe->timer = timer;
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipe *pipe = user_data;
  Conn *conn = pipe->conn;
  g_autoptr (GError) error = NULL;
  gsize size;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!conn->closed)
        conn_close (conn, pipe->from_client ? "server-write-error" : "client-write-error");
      conn_unref (conn);
      return;
    }
  if (conn->closed)
    {
      conn_unref (conn);
      return;
    }
  size = g_bytes_get_size (pipe->in_flight);
  g_clear_pointer (&pipe->in_flight, g_bytes_unref);
  pipe->writing = FALSE;
  pipe->queued -= size;
  if (!pipe->reading && !pipe->read_eof && pipe->queued < conn->proxy->max_queue)
    pipe_read (pipe);
  pipe_write (pipe);
  conn_unref (conn);
}

static void
pipe_write (Pipe *pipe)
{
  Conn *conn = pipe->conn;
  Chunk *chunk;
  GSocketConnection *sink;
  gint64 now;

  if (conn->closed || pipe->writing || pipe->timer != NULL || pipe->done)
    return;
  sink = pipe_sink (pipe);
  chunk = g_queue_peek_head (&pipe->queue);
  if (chunk == NULL || sink == NULL)
    return;
  now = g_get_monotonic_time ();
  if (chunk->due > now)
    {
      pipe_schedule (pipe, chunk->due);
      return;
    }
  g_queue_pop_head (&pipe->queue);
  if (chunk->bytes == NULL)
    {
      /* Pass the end of stream on, keeping the other direction open (SMTP's QUIT/221). */
      chunk_free (chunk);
      pipe->done = TRUE;
      g_socket_shutdown (g_socket_connection_get_socket (sink), FALSE, TRUE, NULL);
      if (pipe->from_client)
        conn->client_spoke = TRUE;
      conn_check_done (conn);
      return;
    }
  /* Delivered: the other side can read it from now on. */
  if (pipe->from_client)
    conn->client_spoke = TRUE;
  else
    conn->server_spoke = TRUE;
  pipe->in_flight = g_steal_pointer (&chunk->bytes);
  pipe->writing = TRUE;
  pipe->writes++;
  chunk_free (chunk);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (sink)),
                                   g_bytes_get_data (pipe->in_flight, NULL),
                                   g_bytes_get_size (pipe->in_flight), G_PRIORITY_DEFAULT,
                                   conn->cancellable, on_written, pipe);
  conn_ref (conn);
}

/* A client write (or end of stream) after server data is one turn; likewise the other way. */
static void
count_turn (Pipe *pipe, gsize size)
{
  Conn *conn = pipe->conn;
  gint64 now = g_get_monotonic_time ();
  /* An answer cannot come back sooner than one round trip (less 1 ms for timer rounding): a
   * second write within that time answered the same flight, e.g. TLS 1.3's ChangeCipherSpec
   * after the ServerHello and the Finished after the rest of the server's flight. */
  gint64 round_trip = MAX (2 * delay_us (conn->proxy) - 1000, 0);
  gboolean turn = FALSE;

  if (pipe->from_client && conn->server_spoke)
    {
      conn->server_spoke = FALSE;
      if (conn->client_turn_at == 0 || now - conn->client_turn_at >= round_trip)
        {
          conn->client_turns++;
          conn->client_turn_at = now;
          turn = TRUE;
        }
    }
  else if (!pipe->from_client && conn->client_spoke)
    {
      conn->client_spoke = FALSE;
      if (conn->server_turn_at == 0 || now - conn->server_turn_at >= round_trip)
        {
          conn->server_turns++;
          conn->server_turn_at = now;
          turn = TRUE;
        }
    }
  /* --trace: every chunk as it arrives, to see where a conversation waits. */
  if (conn->proxy->trace)
    fprintf (conn->proxy->log, "trace conn=%u t=%.1f %s %" G_GSIZE_FORMAT "%s\n", conn->id,
             (now - conn->started) / 1000.0, pipe->from_client ? "C>" : "S>", size,
             turn ? (pipe->from_client ? " client-turn" : " server-turn") : "");
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipe *pipe = user_data;
  Conn *conn = pipe->conn;
  g_autoptr (GError) error = NULL;
  GBytes *bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  Chunk *chunk;

  pipe->reading = FALSE;
  if (conn->closed)
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      conn_unref (conn);
      return;
    }
  if (bytes == NULL)
    {
      /* A reset (a close with unread data, e.g. TLS's close_notify after the 221) ends that
       * side's turn just as an orderly end of stream does. */
      count_turn (pipe, 0);
      if (pipe->from_client && conn->client_end_at == 0)
        conn->client_end_at = g_get_monotonic_time ();
      conn_close (conn, pipe->from_client ? "client-reset" : "server-reset");
      conn_unref (conn);
      return;
    }
  count_turn (pipe, g_bytes_get_size (bytes));
  if (pipe->from_client && g_bytes_get_size (bytes) == 0 && conn->client_end_at == 0)
    conn->client_end_at = g_get_monotonic_time ();
  chunk = g_new0 (Chunk, 1);
  chunk->due = g_get_monotonic_time () + delay_us (conn->proxy);
  if (g_bytes_get_size (bytes) == 0)
    {
      g_bytes_unref (bytes);
      pipe->read_eof = TRUE;
    }
  else
    {
      pipe->bytes += g_bytes_get_size (bytes);
      pipe->queued += g_bytes_get_size (bytes);
      chunk->bytes = bytes;
    }
  g_queue_push_tail (&pipe->queue, chunk);
  if (!pipe->read_eof && pipe->queued < conn->proxy->max_queue)
    pipe_read (pipe);
  pipe_write (pipe);
  conn_unref (conn);
}

static void
pipe_read (Pipe *pipe)
{
  Conn *conn = pipe->conn;

  if (conn->closed || pipe->reading || pipe->read_eof)
    return;
  pipe->reading = TRUE;
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (pipe_source (pipe))),
                                   READ_CHUNK, G_PRIORITY_DEFAULT, conn->cancellable, on_read, pipe);
  conn_ref (conn);
}

static void
set_nodelay (GSocketConnection *connection)
{
  /* Chunks leave as they came: the proxy must not merge or hold back small writes itself. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Conn *conn = user_data;
  g_autoptr (GError) error = NULL;
  GSocketConnection *server = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn->closed)
    {
      g_clear_object (&server);
      conn_unref (conn);
      return;
    }
  if (server == NULL)
    {
      g_printerr ("latency-proxy: cannot reach 127.0.0.1:%u: %s\n", conn->proxy->target_port, error->message);
      conn_close (conn, "connect-error");
      conn_unref (conn);
      return;
    }
  conn->server = server;
  set_nodelay (server);
  pipe_read (&conn->down);
  pipe_write (&conn->up);
  conn_unref (conn);
}

static gboolean
on_connect_due (gpointer user_data)
{
  Conn *conn = user_data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) target = g_inet_socket_address_new (loopback, conn->proxy->target_port);

  conn->connect_timer = 0;
  /* Straight to 127.0.0.1: no proxy resolver, no DNS. */
  g_socket_client_set_enable_proxy (client, FALSE);
  /* The timer's reference goes to the connect. */
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (target), conn->cancellable, on_connected, conn);
  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object,
             gpointer user_data)
{
  Proxy *proxy = user_data;
  Conn *conn;

  if (g_list_length (proxy->conns) >= MAX_CONNECTIONS)
    {
      g_printerr ("latency-proxy: more than %d connections at once, refusing one\n", MAX_CONNECTIONS);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  if (proxy->idle_timer != 0)
    {
      g_source_remove (proxy->idle_timer);
      proxy->idle_timer = 0;
    }
  conn = g_new0 (Conn, 1);
  conn->proxy = proxy;
  conn->id = ++proxy->next_id;
  conn->refs = 1; /* the proxy's, dropped by conn_close() */
  conn->started = g_get_monotonic_time ();
  conn->cancellable = g_cancellable_new ();
  conn->client = g_object_ref (connection);
  conn->up.conn = conn;
  conn->up.from_client = TRUE;
  conn->down.conn = conn;
  g_queue_init (&conn->up.queue);
  g_queue_init (&conn->down.queue);
  set_nodelay (connection);
  proxy->conns = g_list_prepend (proxy->conns, conn);
  proxy->total_connections++;

  /* What the client sends meanwhile waits in the queue, as it would in flight. */
  pipe_read (&conn->up);
  conn->connect_timer = g_timeout_add (3 * proxy->delay_ms, on_connect_due, conn_ref (conn));
  return TRUE;
}

static gboolean
on_stop (gpointer user_data)
{
  Proxy *proxy = user_data;

  g_main_loop_quit (proxy->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  int port = 0, target_port = 0, delay_ms = 25, idle_exit = 60, max_seconds = 1800;
  gint64 max_queue = 4 * 1024 * 1024;
  g_autofree char *log_path = NULL;
  Proxy proxy = { 0 };
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on, 127.0.0.1 (0: any free port)", "N" },
    { "target-port", 0, 0, G_OPTION_ARG_INT, &target_port, "Port to relay to on 127.0.0.1", "N" },
    { "delay-ms", 0, 0, G_OPTION_ARG_INT, &delay_ms, "One-way delay in ms (default 25)", "MS" },
    { "max-queue", 0, 0, G_OPTION_ARG_INT64, &max_queue, "Bytes held per direction at most (default 4 MiB)", "BYTES" },
    { "idle-exit", 0, 0, G_OPTION_ARG_INT, &idle_exit, "Stop after this long without a connection (default 60)", "SECONDS" },
    { "max-seconds", 0, 0, G_OPTION_ARG_INT, &max_seconds, "Stop after this long in all (default 1800)", "SECONDS" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, "Append one line per connection here (default: stderr)", "FILE" },
    { "trace", 0, 0, G_OPTION_ARG_NONE, &proxy.trace, "Also log every chunk and turn", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— a delaying, counting TCP relay on 127.0.0.1");
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("latency-proxy: %s\n", error->message);
      return 64;
    }
  if (argc > 1 || port < 0 || port > G_MAXUINT16 || target_port <= 0 || target_port > G_MAXUINT16
      || delay_ms < 0 || delay_ms > 10000 || max_queue < READ_CHUNK || idle_exit <= 0
      || max_seconds <= 0)
    {
      g_printerr ("latency-proxy: needs --target-port 1-65535; --delay-ms 0-10000; --max-queue ≥ %d; "
                  "positive --idle-exit and --max-seconds\n", READ_CHUNK);
      return 64;
    }
  proxy.target_port = target_port;
  proxy.delay_ms = delay_ms;
  proxy.max_queue = max_queue;
  proxy.idle_exit_s = idle_exit;
  proxy.log = stderr;
  if (log_path != NULL && (proxy.log = fopen (log_path, "a")) == NULL)
    {
      g_printerr ("latency-proxy: %s: %s\n", log_path, g_strerror (errno));
      return 73;
    }

  proxy.service = g_socket_service_new ();
  address = g_inet_socket_address_new (loopback, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (proxy.service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    {
      g_printerr ("latency-proxy: cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return 69;
    }
  proxy.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (proxy.service, "incoming", G_CALLBACK (on_incoming), &proxy);
  g_socket_service_start (proxy.service);

  proxy.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_stop, &proxy);
  g_unix_signal_add (SIGINT, on_stop, &proxy);
  g_timeout_add_seconds (max_seconds, on_stop, &proxy);
  arm_idle_exit (&proxy);

  printf ("PORT=%u\n", proxy.port);
  fflush (stdout);
  g_main_loop_run (proxy.loop);

  g_socket_service_stop (proxy.service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy.service));
  while (proxy.conns != NULL)
    conn_close (proxy.conns->data, "stopped");
  /* Let cancelled operations drop their references before the end (bounded). */
  for (int i = 0; i < 10000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_printerr ("latency-proxy: %" G_GUINT64_FORMAT " connection(s), %" G_GUINT64_FORMAT " client turn(s)\n",
              proxy.total_connections, proxy.total_client_turns);
  g_object_unref (proxy.service);
  g_main_loop_unref (proxy.loop);
  if (proxy.log != stderr)
    fclose (proxy.log);
  return 0;
}
