/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-script.c — scripted conversations: the step list a test builds, and the runner that
 * plays it on one connection. A failing step is recorded, never aborts: the test asserts on it. */
#include "config.h"

#include <string.h>

#include "smtp-test-server-private.h"

/* A flood stops here: a client that is still reading by then has no limit. */
#define ENDLESS_MAX (64 * 1024 * 1024)
#define ENDLESS_CHUNK (64 * 1024)

typedef enum {
  STEP_SEND,
  STEP_EXPECT_LINE,
  STEP_EXPECT_PREFIX,
  STEP_EXPECT_DATA,
  STEP_STARTTLS,
  STEP_DELAY,
  STEP_SILENCE,
  STEP_CLOSE,
  STEP_SEND_ENDLESS,
} StepKind;

typedef struct {
  StepKind kind;
  GBytes *bytes;  /* what to send, or the line or prefix to expect */
  char *cert_name;
  GTlsProtocolVersion max_version;
  guint ms;
} Step;

struct _SmtpTestScript {
  GPtrArray *steps;  /* shared with the runs: steps never change once added */
};

static void
step_free (Step *step)
{
  g_clear_pointer (&step->bytes, g_bytes_unref);
  g_free (step->cert_name);
  g_free (step);
}

SmtpTestScript *
smtp_test_script_new (void)
{
  SmtpTestScript *script = g_new0 (SmtpTestScript, 1);

  script->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  return script;
}

void
smtp_test_script_free (SmtpTestScript *script)
{
  g_ptr_array_unref (script->steps);
  g_free (script);
}

static Step *
add (SmtpTestScript *script, StepKind kind, const void *data, gsize length)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  if (data != NULL)
    step->bytes = g_bytes_new (data, length);
  g_ptr_array_add (script->steps, step);
  return step;
}

void
smtp_test_script_send (SmtpTestScript *script, const char *text)
{
  add (script, STEP_SEND, text, strlen (text));
}

void
smtp_test_script_send_bytes (SmtpTestScript *script, const void *data, gsize length)
{
  add (script, STEP_SEND, data, length);
}

void
smtp_test_script_expect_line (SmtpTestScript *script, const char *line)
{
  add (script, STEP_EXPECT_LINE, line, strlen (line));
}

void
smtp_test_script_expect_prefix (SmtpTestScript *script, const char *prefix)
{
  add (script, STEP_EXPECT_PREFIX, prefix, strlen (prefix));
}

void
smtp_test_script_expect_data (SmtpTestScript *script)
{
  add (script, STEP_EXPECT_DATA, NULL, 0);
}

void
smtp_test_script_starttls (SmtpTestScript     *script,
                           const char         *cert_name,
                           GTlsProtocolVersion max_version)
{
  Step *step = add (script, STEP_STARTTLS, NULL, 0);

  step->cert_name = g_strdup (cert_name);
  step->max_version = max_version;
}

void
smtp_test_script_delay (SmtpTestScript *script, guint ms)
{
  add (script, STEP_DELAY, NULL, 0)->ms = ms;
}

void
smtp_test_script_silence (SmtpTestScript *script)
{
  add (script, STEP_SILENCE, NULL, 0);
}

void
smtp_test_script_close (SmtpTestScript *script)
{
  add (script, STEP_CLOSE, NULL, 0);
}

void
smtp_test_script_send_endless (SmtpTestScript *script, const char *line)
{
  g_return_if_fail (*line != '\0');
  add (script, STEP_SEND_ENDLESS, line, strlen (line));
}

static char *
describe (const Step *step)
{
  g_autofree char *text = NULL;

  if (step->bytes != NULL)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (step->bytes, &length);

      text = smtp_test_escape (data, length);
    }
  switch (step->kind)
    {
    case STEP_SEND:
      return g_strdup_printf ("send “%s”", text);
    case STEP_EXPECT_LINE:
      return g_strdup_printf ("expect line “%s”", text);
    case STEP_EXPECT_PREFIX:
      return g_strdup_printf ("expect prefix “%s”", text);
    case STEP_EXPECT_DATA:
      return g_strdup ("expect data");
    case STEP_STARTTLS:
      return g_strdup_printf ("starttls “%s”", step->cert_name);
    case STEP_DELAY:
      return g_strdup_printf ("delay %u ms", step->ms);
    case STEP_SILENCE:
      return g_strdup ("silence");
    case STEP_CLOSE:
      return g_strdup ("close");
    case STEP_SEND_ENDLESS:
      return g_strdup_printf ("send endless “%s”", text);
    default:
      g_assert_not_reached ();
    }
}

typedef struct {
  SmtpTestSession base;
  GPtrArray *steps;
  guint index;
  char *cert_dir;
  GBytes *endless_chunk;
  guint64 endless_sent;
  GOutputStream *data;
} ScriptRun;

static void
script_run_free (gpointer data)
{
  ScriptRun *run = data;

  smtp_test_session_clear (&run->base);
  g_ptr_array_unref (run->steps);
  g_free (run->cert_dir);
  g_clear_pointer (&run->endless_chunk, g_bytes_unref);
  g_clear_object (&run->data);
  g_free (run);
}

static const Step *
current (ScriptRun *run)
{
  return g_ptr_array_index (run->steps, run->index);
}

static void G_GNUC_PRINTF (2, 3)
fail (ScriptRun *run, const char *format, ...)
{
  g_autofree char *reason = NULL;
  g_autofree char *step = describe (current (run));
  g_autofree char *failure = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  failure = g_strdup_printf ("connection %u, step %u (%s): %s", run->base.id, run->index + 1,
                             step, reason);
  smtp_test_session_log (&run->base, "script failed: %s", failure);
  if (run->base.server != NULL)
    smtp_test_server_script_ended (run->base.server, failure);
  smtp_test_session_end (&run->base);
}

static void
complete (ScriptRun *run)
{
  smtp_test_session_log (&run->base, "script completed");
  if (run->base.server != NULL)
    smtp_test_server_script_ended (run->base.server, NULL);
  smtp_test_session_end (&run->base);
}

static void run_step (ScriptRun *run);

static void
next (ScriptRun *run)
{
  run->index++;
  run_step (run);
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScriptRun *run = user_data;
  g_autoptr (GError) error = NULL;

  if (!smtp_test_connection_write_finish (run->base.conn, result, &error))
    fail (run, "could not send: %s", error->message);
  else
    next (run);
}

static gboolean
bytes_equal_prefix (GBytes *line, GBytes *expected, gboolean prefix)
{
  gsize line_length, expected_length;
  const void *line_data = g_bytes_get_data (line, &line_length);
  const void *expected_data = g_bytes_get_data (expected, &expected_length);

  if (prefix ? line_length < expected_length : line_length != expected_length)
    return FALSE;
  return expected_length == 0 || memcmp (line_data, expected_data, expected_length) == 0;
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScriptRun *run = user_data;
  const Step *step = current (run);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) line = smtp_test_connection_read_line_finish (run->base.conn, result, &error);

  if (line == NULL)
    {
      fail (run, "%s", error->message);
      return;
    }
  smtp_test_session_log_client_line (&run->base, line);
  if (!bytes_equal_prefix (line, step->bytes, step->kind == STEP_EXPECT_PREFIX))
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (line, &length);
      g_autofree char *got = smtp_test_escape (data, length);

      fail (run, "got “%s”", got);
      return;
    }
  next (run);
}

static void
on_data (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScriptRun *run = user_data;
  g_autoptr (GError) error = NULL;
  guint64 length = smtp_test_connection_read_data_finish (run->base.conn, result, &error);

  if (error != NULL)
    {
      fail (run, "%s", error->message);
      return;
    }
  smtp_test_session_log (&run->base, "C: <DATA body, %" G_GUINT64_FORMAT " bytes>", length);
  g_output_stream_close (run->data, NULL, NULL);
  if (run->base.server != NULL)
    smtp_test_server_take_data (run->base.server,
                                g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (run->data)));
  g_clear_object (&run->data);
  next (run);
}

static void
on_tls (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScriptRun *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *protocol = smtp_test_connection_starttls_finish (run->base.conn, result, &error);

  if (protocol == NULL)
    {
      fail (run, "TLS handshake failed: %s", error->message);
      return;
    }
  smtp_test_session_log (&run->base, "TLS established (%s)", protocol);
  next (run);
}

static gboolean
on_delay_done (gpointer user_data)
{
  ScriptRun *run = user_data;

  if (g_cancellable_is_cancelled (run->base.cancellable))
    fail (run, "the server stopped");
  else
    next (run);
  return G_SOURCE_REMOVE;
}

static void
start_delay (ScriptRun *run, guint ms)
{
  GSource *source = g_timeout_source_new (ms);
  GSource *cancelled = g_cancellable_source_new (run->base.cancellable);

  /* The timeout also fires when the server stops, so the run never outlives it by @ms. */
  g_source_set_dummy_callback (cancelled);
  g_source_add_child_source (source, cancelled);
  g_source_unref (cancelled);
  g_source_set_callback (source, on_delay_done, run, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

static void
on_drained (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScriptRun *run = user_data;
  g_autoptr (GError) error = NULL;

  /* A reset is as good as a close; only our own stop or time-out is not. */
  if (!smtp_test_connection_drain_finish (run->base.conn, result, &error)
      && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)))
    {
      fail (run, "the client did not close the connection: %s", error->message);
      return;
    }
  smtp_test_session_log (&run->base, "the client closed the connection");
  next (run);
}

static void send_endless_chunk (ScriptRun *run);

static void
on_endless_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScriptRun *run = user_data;
  g_autoptr (GError) error = NULL;

  if (!smtp_test_connection_write_finish (run->base.conn, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        fail (run, "the client neither read nor closed: %s", error->message);
      else
        {
          smtp_test_session_log (&run->base, "the client gave up after %" G_GUINT64_FORMAT " bytes",
                                 run->endless_sent);
          next (run);
        }
      return;
    }
  run->endless_sent += g_bytes_get_size (run->endless_chunk);
  if (run->endless_sent >= ENDLESS_MAX)
    fail (run, "the client was still reading after %" G_GUINT64_FORMAT " bytes", run->endless_sent);
  else
    send_endless_chunk (run);
}

static void
send_endless_chunk (ScriptRun *run)
{
  smtp_test_connection_write_async (run->base.conn, run->endless_chunk, run->base.cancellable,
                                    on_endless_sent, run);
}

static void
start_endless (ScriptRun *run, GBytes *line)
{
  GByteArray *chunk = g_byte_array_sized_new (ENDLESS_CHUNK + g_bytes_get_size (line));
  gsize length;
  const guint8 *data = g_bytes_get_data (line, &length);
  g_autofree char *text = smtp_test_escape (data, length);

  /* Whole lines only, so the flood stays well-formed however far the client reads. */
  while (chunk->len < ENDLESS_CHUNK)
    g_byte_array_append (chunk, data, length);
  g_clear_pointer (&run->endless_chunk, g_bytes_unref);
  run->endless_chunk = g_byte_array_free_to_bytes (chunk);
  run->endless_sent = 0;
  smtp_test_session_log (&run->base, "S: %s, over and over", text);
  send_endless_chunk (run);
}

static void
run_step (ScriptRun *run)
{
  const Step *step;

  if (run->index >= run->steps->len)
    {
      complete (run);
      return;
    }
  step = current (run);
  switch (step->kind)
    {
    case STEP_SEND:
      {
        gsize length;
        const guint8 *data = g_bytes_get_data (step->bytes, &length);
        g_autofree char *text = smtp_test_escape (data, length);

        smtp_test_session_log (&run->base, "S: %s", text);
        smtp_test_connection_write_async (run->base.conn, step->bytes, run->base.cancellable,
                                          on_sent, run);
      }
      break;
    case STEP_EXPECT_LINE:
    case STEP_EXPECT_PREFIX:
      smtp_test_connection_read_line_async (run->base.conn, run->base.cancellable, on_line, run);
      break;
    case STEP_EXPECT_DATA:
      run->data = g_memory_output_stream_new_resizable ();
      smtp_test_connection_read_data_async (run->base.conn, FALSE, run->data, run->base.cancellable,
                                            on_data, run);
      break;
    case STEP_STARTTLS:
      if (run->cert_dir == NULL)
        fail (run, "no certificate directory (set O365_TEST_CERTS)");
      else
        smtp_test_connection_starttls_async (run->base.conn, run->cert_dir, step->cert_name,
                                             step->max_version, run->base.cancellable, on_tls, run);
      break;
    case STEP_DELAY:
      start_delay (run, step->ms);
      break;
    case STEP_SILENCE:
      smtp_test_session_log (&run->base, "silent until the client closes");
      smtp_test_connection_drain_async (run->base.conn, run->base.cancellable, on_drained, run);
      break;
    case STEP_CLOSE:
      complete (run);
      break;
    case STEP_SEND_ENDLESS:
      start_endless (run, step->bytes);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
smtp_test_script_run (SmtpTestServer       *server,
                      SmtpTestConnection   *conn,
                      guint                 id,
                      const SmtpTestScript *script,
                      const char           *cert_dir)
{
  ScriptRun *run = g_new0 (ScriptRun, 1);

  smtp_test_session_init (&run->base, server, conn, id, script_run_free);
  run->steps = g_ptr_array_ref (script->steps);
  run->cert_dir = g_strdup (cert_dir);
  run_step (run);
}
