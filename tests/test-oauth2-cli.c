/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-oauth2-cli.c — “Sign in with Microsoft” from the terminal, end to end: o365-account and
 * o365-send run as a person runs them, against the tests' identity provider and Office-365-like
 * SMTP server (in this process, on 127.0.0.1) and a real gnome-keyring (keyring-harness), with
 * settings in a private keyfile. The tests' browser plays the person: it enters the code shown
 * at the verification page, or opens the address printed for --browser. Afterwards no token
 * may be in any file, setting or output.
 *
 *   test-oauth2-cli O365_ACCOUNT O365_SEND [--tap]
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sysexits.h>

#include "graph-test-server.h"
#include "harness-fixture.h"
#include "oauth2-test-browser.h"
#include "oauth2-test-idp.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
#define SCOPE "https://outlook.office.com/SMTP.Send offline_access"
#define USER "alice@example.test"
#define GRAPH_USER "grace@example.test"
#define TOKEN "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkNMSSJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnLUNMSQ"
#define WAIT_MS 60000

static const char *o365_account_path;
static const char *o365_send_path;
static HarnessFixture *keyring;

/* --- running a program ------------------------------------------------------------------------ */

typedef void (*LineFunc) (const char *line, gpointer user_data);

typedef struct
{
  GSubprocess *process;
  GDataInputStream *lines;
  GOutputStream *err;       /* a memory stream collecting stderr */
  GString *out;
  char *err_text;
  LineFunc on_line;
  gpointer on_line_data;
  gboolean out_done;
  gboolean err_done;
  gboolean exited;
  int status;
} Run;

static void read_next_line (Run *run);

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  if (line == NULL)
    {
      run->out_done = TRUE;
      return;
    }
  g_string_append_printf (run->out, "%s\n", line);
  if (run->on_line != NULL)
    run->on_line (line, run->on_line_data);
  read_next_line (run);
}

static void
read_next_line (Run *run)
{
  g_data_input_stream_read_line_async (run->lines, G_PRIORITY_DEFAULT, NULL, on_line, run);
}

static void
on_err_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  run->err_done = TRUE;
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL));
  run->status = g_subprocess_get_if_exited (G_SUBPROCESS (source)) ? g_subprocess_get_exit_status (G_SUBPROCESS (source))
                                                                    : -1;
  run->exited = TRUE;
}

static char *work_dir;
/* NULL-terminated NAME, VALUE pairs the next programs also get (tests that need more). */
static const char *const *extra_env;

/* A private home and runtime directory, settings in a keyfile there, the keyring's bus, no
 * display and no desktop handlers: nothing a test runs may reach a real browser. */
static GSubprocessLauncher *
new_launcher (void)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  static const char *const dirs[][2] = {
    { "HOME", "home" }, { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_DATA_DIRS", "no-desktop-files" },
    /* A session's runtime directory, where the cross-process locks live (GTest's isolation
     * leaves /dev/null there, where none can be taken). */
    { "XDG_RUNTIME_DIR", "runtime" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (work_dir, dirs[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, dirs[i][0], path, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "BROWSER");
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, extra_env[i], extra_env[i + 1], TRUE);
  return launcher;
}

/* Starts @argv; @input (may be NULL) goes to its stdin; @on_line gets each line of its stdout. */
static void
run_start (Run *run, const char *const *argv, const char *input, LineFunc line_func, gpointer line_data)
{
  g_autoptr (GSubprocessLauncher) launcher = new_launcher ();
  g_autoptr (GError) error = NULL;
  GOutputStream *stdin_pipe;

  memset (run, 0, sizeof *run);
  run->out = g_string_new (NULL);
  run->on_line = line_func;
  run->on_line_data = line_data;
  run->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  stdin_pipe = g_subprocess_get_stdin_pipe (run->process);
  if (input != NULL)
    g_assert_true (g_output_stream_write_all (stdin_pipe, input, strlen (input), NULL, NULL, NULL));
  g_output_stream_close (stdin_pipe, NULL, NULL);

  run->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->process));
  read_next_line (run);
  run->err = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (run->err, g_subprocess_get_stderr_pipe (run->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL, on_err_spliced, run);
  g_subprocess_wait_async (run->process, NULL, on_exited, run);
}

static void
run_finish (Run *run)
{
  test_wait_for_flag (&run->exited, WAIT_MS);
  test_wait_for_flag (&run->out_done, WAIT_MS);
  test_wait_for_flag (&run->err_done, WAIT_MS);
  {
    GMemoryOutputStream *err = G_MEMORY_OUTPUT_STREAM (run->err);
    const char *data = g_memory_output_stream_get_data (err);

    run->err_text = g_strndup (data != NULL ? data : "", g_memory_output_stream_get_data_size (err));
  }
  g_test_message ("stdout:\n%s", run->out->str);
  g_test_message ("stderr:\n%s", run->err_text);
}

static const char *
run_stderr (Run *run)
{
  return run->err_text;
}

static void
run_clear (Run *run)
{
  g_clear_object (&run->process);
  g_clear_object (&run->lines);
  g_clear_object (&run->err);
  g_clear_pointer (&run->err_text, g_free);
  if (run->out != NULL)
    g_string_free (run->out, TRUE);
  run->out = NULL;
}

static void
assert_no_secret_in_output (OAuth2TestIdp *idp, Run *run)
{
  g_assert_null (oauth2_test_idp_find_issued (idp, run->out->str, run->out->len));
  g_assert_null (oauth2_test_idp_find_issued (idp, run_stderr (run), strlen (run_stderr (run))));
}

/* --- the person ------------------------------------------------------------------------------ */

/* "To sign in, open URL in a web browser (…) and enter the code CODE": enter it there. */
static void
enter_code (const char *line, gpointer user_data)
{
  OAuth2TestBrowser *browser = user_data;
  g_autoptr (GRegex) regex = g_regex_new ("open (\\S+) in a web browser .* enter the code (\\S+)$", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (g_regex_match (regex, line, 0, &match))
    {
      g_autofree char *uri = g_match_info_fetch (match, 1);
      g_autofree char *code = g_match_info_fetch (match, 2);
      g_autofree char *page = g_strdup_printf ("%s?code=%s", uri, code);

      oauth2_test_browser_open (browser, page);
    }
}

static gboolean denied;

/* The same, but the person declines. */
static void
decline_code (const char *line, gpointer user_data)
{
  OAuth2TestBrowser *browser = user_data;
  g_autoptr (GRegex) regex = g_regex_new ("open (\\S+) in a web browser .* enter the code (\\S+)$", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (g_regex_match (regex, line, 0, &match))
    {
      g_autofree char *uri = g_match_info_fetch (match, 1);
      g_autofree char *code = g_match_info_fetch (match, 2);
      g_autofree char *page = g_strdup_printf ("%s?code=%s&deny=1", uri, code);

      denied = TRUE;
      oauth2_test_browser_open (browser, page);
    }
}

/* --browser prints the sign-in address on a line of its own: open it. */
static void
open_printed_address (const char *line, gpointer user_data)
{
  if (g_str_has_prefix (line, "  http://") || g_str_has_prefix (line, "  https://"))
    oauth2_test_browser_open (user_data, line + 2);
}

/* --- the test --------------------------------------------------------------------------------- */

typedef struct
{
  OAuth2TestIdp *idp;
  SmtpTestServer *server;
  char *port;
  char *ca;
} Services;

/* @scope: what every token request must ask for. */
static void
services_start_with_scope (Services *services, const char *scope)
{
  g_autoptr (GError) error = NULL;

  services->idp = oauth2_test_idp_new (CLIENT_ID, scope);
  g_assert_true (oauth2_test_idp_start (services->idp, &error));
  g_assert_no_error (error);
  oauth2_test_idp_set_device_timing (services->idp, 1, 120);
  oauth2_test_idp_set_access_token (services->idp, TOKEN);

  services->server = smtp_test_server_new_office365 ();
  smtp_test_server_set_credentials (services->server, USER, NULL, TOKEN);
  g_assert_true (smtp_test_server_start (services->server, 0, &error));
  g_assert_no_error (error);
  services->port = g_strdup_printf ("%u", smtp_test_server_get_port (services->server));
  services->ca = test_cert_path ("ca.pem");
}

static void
services_start (Services *services)
{
  services_start_with_scope (services, SCOPE);
}

static void
services_stop (Services *services)
{
  smtp_test_server_stop (services->server);
  g_clear_object (&services->server);
  g_clear_object (&services->idp);
  g_free (services->port);
  g_free (services->ca);
}

/* o365-account add USER --auth oauth2 against @services, run to its end, the code entered by
 * @browser. */
static void
run_add_signed_in (Run *run, Services *services, OAuth2TestBrowser *browser)
{
  const char *argv[] = {
    o365_account_path, "add", USER, "--auth", "oauth2", "--server", "localhost", "--port", services->port,
    "--ca-file", services->ca, "--client-id", CLIENT_ID, "--oauth2-authority",
    oauth2_test_idp_get_authority (services->idp), NULL,
  };

  run_start (run, argv, NULL, enter_code, browser);
  run_finish (run);
}

static char *
secret_tool_search_address (const char *address)
{
  const char *argv[] = { "secret-tool", "search", "--all", "address", address, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, NULL, &error));
  g_assert_no_error (error);
  return g_strconcat (out, err, NULL);
}

static void
test_terminal_sign_in_send_and_sign_in_again (void)
{
  Services services = { 0 };
  OAuth2TestBrowser browser = { 0 };
  Run run;
  g_autofree char *found = NULL, *newest = NULL, *first_refresh = NULL, *leak = NULL;
  g_autofree char *settings = NULL, *settings_path = NULL;
  static const char message[] = "From: Alice <alice@example.test>\nTo: bob@example.test\nSubject: OAuth2\n\nHello.\n";

  services_start (&services);

  /* add --auth oauth2: the code in the terminal, entered at the page on "another device". */
  {
    run_add_signed_in (&run, &services, &browser);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "enter the code"));
    g_assert_nonnull (strstr (run.out->str, "Added " USER));
    g_assert_true (browser.done);
    g_assert_cmpuint (browser.status, ==, SOUP_STATUS_OK);
    g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "devicelogin"), ==, 1);
    g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "tokens"), ==, 1);
    g_assert_null (oauth2_test_idp_get_violation (services.idp));
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
  }
  first_refresh = g_strdup (oauth2_test_idp_get_refresh_token (services.idp));

  /* test --debug: a new process, so the access token comes from the refresh token. */
  {
    const char *argv[] = { o365_account_path, "test", USER, "--debug", NULL };

    run_start (&run, argv, NULL, NULL, NULL);
    run_finish (&run);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "signed in with:    XOAUTH2"));
    g_assert_nonnull (strstr (run_stderr (&run), "C: AUTH XOAUTH2 <credentials redacted>"));
    g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "refresh_token"), ==, 1);
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
  }

  /* o365-send, as mutt runs it. */
  {
    const char *argv[] = { o365_send_path, "-oi", "-f", USER, "--", "bob@example.test", NULL };

    run_start (&run, argv, message, NULL, NULL);
    run_finish (&run);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_cmpuint (smtp_test_server_get_n_messages (services.server), ==, 1);
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
  }

  /* sign-in --browser: the address printed, the browser sent back to the program's listener. */
  {
    const char *argv[] = { o365_account_path, "sign-in", USER, "--browser", NULL };

    oauth2_test_browser_clear (&browser);
    run_start (&run, argv, NULL, open_printed_address, &browser);
    run_finish (&run);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_true (browser.done);
    g_assert_cmpuint (browser.status, ==, SOUP_STATUS_OK);
    g_assert_nonnull (strstr (browser.page, "You can close this window"));
    g_assert_cmpstr (g_uri_get_host (oauth2_test_browser_get_uri (&browser)), ==, "127.0.0.1");
    g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "pkce_verified"), ==, 1);
    g_assert_null (oauth2_test_idp_get_violation (services.idp));
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
  }

  /* The keyring holds one sign-in for the account: the newest. */
  found = secret_tool_search_address (USER);
  g_assert_nonnull (strstr (found, "attribute.kind = oauth2-refresh-token"));
  g_assert_null (strstr (strstr (found, "attribute.kind = ") + 1, "attribute.kind = "));
  newest = g_strconcat ("secret = ", oauth2_test_idp_get_refresh_token (services.idp), "\n", NULL);
  g_assert_nonnull (strstr (found, newest));
  g_assert_null (strstr (found, first_refresh));

  /* The settings name the app and the identity platform (oauth2 is the default sign-in method),
   * and hold no token; no file anywhere does. */
  settings_path = g_build_filename (work_dir, "config", "glib-2.0", "settings", "keyfile", NULL);
  g_assert_true (g_file_get_contents (settings_path, &settings, NULL, NULL));
  g_assert_nonnull (strstr (settings, "oauth2-client-id='" CLIENT_ID "'"));
  g_assert_nonnull (strstr (settings, "oauth2-authority='http://127.0.0.1:"));
  g_assert_null (strstr (settings, "auth-method='password'"));
  leak = oauth2_test_idp_find_issued_in_files (services.idp, work_dir);
  g_assert_cmpstr (leak, ==, NULL);
  g_clear_pointer (&leak, g_free);
  leak = oauth2_test_idp_find_issued_in_files (services.idp, harness_fixture_get (keyring, "HOME"));
  g_assert_cmpstr (leak, ==, NULL);

  oauth2_test_browser_clear (&browser);
  services_stop (&services);
}

static void
test_declined_sign_in_adds_nothing (void)
{
  Services services = { 0 };
  OAuth2TestBrowser browser = { 0 };
  Run run;

  services_start (&services);
  {
    const char *argv[] = {
      o365_account_path, "add", "bob@example.test", "--auth", "oauth2", "--client-id", CLIENT_ID,
      "--oauth2-authority", oauth2_test_idp_get_authority (services.idp), NULL,
    };

    denied = FALSE;
    run_start (&run, argv, NULL, decline_code, &browser);
    run_finish (&run);
    g_assert_true (denied);
    g_assert_cmpint (run.status, ==, EX_NOPERM);
    g_assert_nonnull (strstr (run_stderr (&run), "declined"));
    run_clear (&run);
  }
  {
    const char *argv[] = { o365_account_path, "list", NULL };

    run_start (&run, argv, NULL, NULL, NULL);
    run_finish (&run);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_null (strstr (run.out->str, "bob@example.test"));
    run_clear (&run);
  }
  oauth2_test_browser_clear (&browser);
  services_stop (&services);
}

/* The keyfile's group of the account at @address gets @key = @value (a GVariant text). */
static void
set_account_setting (const char *address, const char *key, const char *value)
{
  g_autofree char *path = g_build_filename (work_dir, "config", "glib-2.0", "settings", "keyfile", NULL);
  g_autoptr (GKeyFile) settings = g_key_file_new ();
  g_autofree char *quoted = g_strdup_printf ("'%s'", address);
  g_auto (GStrv) groups = NULL;
  g_autoptr (GError) error = NULL;
  gboolean found = FALSE;

  g_assert_true (g_key_file_load_from_file (settings, path, G_KEY_FILE_KEEP_COMMENTS, &error));
  groups = g_key_file_get_groups (settings, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *value_now = g_key_file_get_value (settings, groups[i], "address", NULL);

      if (g_strcmp0 (value_now, quoted) == 0)
        {
          g_key_file_set_value (settings, groups[i], key, value);
          found = TRUE;
        }
    }
  g_assert_true (found);
  g_assert_true (g_key_file_save_to_file (settings, path, &error));
  g_assert_no_error (error);
}

/* o365-account add @address --transport graph, signed in at @services' IdP, its Graph the tests'
 * @graph. */
static void
add_graph_account (Services *services, OAuth2TestBrowser *browser, GraphTestServer *graph, const char *address)
{
  g_autofree char *endpoint = g_strdup_printf ("'%s'", graph_test_server_get_endpoint (graph));
  const char *argv[] = {
    o365_account_path, "add", address, "--auth", "oauth2", "--transport", "graph", "--client-id", CLIENT_ID,
    "--oauth2-authority", oauth2_test_idp_get_authority (services->idp), NULL,
  };
  Run run;

  run_start (&run, argv, NULL, enter_code, browser);
  run_finish (&run);
  g_assert_cmpint (run.status, ==, EX_OK);
  assert_no_secret_in_output (services->idp, &run);
  run_clear (&run);
  set_account_setting (address, "graph-endpoint", endpoint);
}

/* add --transport graph, then test and o365-send go through Microsoft Graph (the tests' Graph,
 * its address given as the account's graph-endpoint). */
static void
test_graph_transport (void)
{
  Services services = { 0 };
  OAuth2TestBrowser browser = { 0 };
  g_autoptr (GraphTestServer) graph = graph_test_server_new (TOKEN);
  g_autoptr (GError) error = NULL;
  Run run;
  static const char message[] = "From: Grace <grace@example.test>\nTo: bob@example.test\nSubject: Graph\n\nHello.\n";

  /* One sign-in, tokens for SMTP and for Graph: the requests all ask for offline_access. */
  services_start_with_scope (&services, "offline_access");
  g_assert_true (graph_test_server_start (graph, &error));
  g_assert_no_error (error);
  add_graph_account (&services, &browser, graph, GRAPH_USER);
  {
    const char *argv[] = { o365_account_path, "test", GRAPH_USER, "--debug", NULL };

    run_start (&run, argv, NULL, NULL, NULL);
    run_finish (&run);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "Microsoft Graph at http://127.0.0.1:"));
    g_assert_nonnull (strstr (run_stderr (&run), "Bearer <token redacted>"));
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
  }
  {
    const char *argv[] = { o365_send_path, "-oi", "-f", GRAPH_USER, "--", "bob@example.test", NULL };

    run_start (&run, argv, message, NULL, NULL);
    run_finish (&run);
    g_assert_cmpint (run.status, ==, EX_OK);
    g_assert_cmpuint (graph_test_server_get_messages (graph)->len, ==, 1);
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
  }
  g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "scope:https://graph.microsoft.com/Mail.Send offline_access"),
                    >=, 1);
  g_assert_null (graph_test_server_get_violation (graph));
  /* No token in any file: the settings, the outbox, the keyring's home (encrypted). */
  {
    g_autofree char *leak = oauth2_test_idp_find_issued_in_files (services.idp, work_dir);

    g_assert_cmpstr (leak, ==, NULL);
  }
  oauth2_test_browser_clear (&browser);
  services_stop (&services);
}

/* The NextAttempt= (seconds since the epoch) of the one outbox entry of @address, -1 if none. */
static gint64
next_attempt_of (const char *address)
{
  g_autofree char *outbox = g_build_filename (work_dir, "data", "o365-account", "outbox", NULL);
  g_autoptr (GDir) dir = g_dir_open (outbox, 0, NULL);
  const char *name;
  gint64 found = -1;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (outbox, name, NULL);
      g_autoptr (GKeyFile) meta = g_key_file_new ();
      g_autofree char *account = NULL;

      if (!g_str_has_suffix (name, ".meta") || !g_key_file_load_from_file (meta, path, G_KEY_FILE_NONE, NULL))
        continue;
      account = g_key_file_get_string (meta, "Outbox Entry", "Account", NULL);
      if (g_strcmp0 (account, address) != 0)
        continue;
      g_assert_cmpint (found, ==, -1);
      found = g_key_file_get_int64 (meta, "Outbox Entry", "NextAttempt", NULL);
    }
  return found;
}

/* Graph's 429 with Retry-After: 2 queues the message as temporary with its earliest next attempt;
 * a flush before then leaves it queued without a request, one after it sends it. */
static void
test_graph_retry_after (void)
{
  const char *address = "heidi@example.test";
  Services services = { 0 };
  OAuth2TestBrowser browser = { 0 };
  g_autoptr (GraphTestServer) graph = graph_test_server_new (TOKEN);
  g_autoptr (GError) error = NULL;
  static const GraphTestAnswer throttled[] = { GRAPH_TEST_ANSWER_THROTTLED };
  static const char message[] = "From: Heidi <heidi@example.test>\nTo: bob@example.test\nSubject: Later\n\nHello.\n";
  const char *send[] = { o365_send_path, "-oi", "-f", address, "--", "bob@example.test", NULL };
  const char *flush[] = { o365_send_path, "--flush", "-f", address, NULL };
  const char *queue[] = { o365_send_path, "--queue", NULL };
  gint64 before, next_attempt;
  guint n_requests;
  Run run;

  services_start_with_scope (&services, "offline_access");
  g_assert_true (graph_test_server_start (graph, &error));
  g_assert_no_error (error);
  add_graph_account (&services, &browser, graph, address);
  graph_test_server_set_retry_after (graph, 2);
  graph_test_server_script (graph, throttled, G_N_ELEMENTS (throttled));

  before = g_get_real_time () / G_USEC_PER_SEC;
  run_start (&run, send, message, NULL, NULL);
  run_finish (&run);
  g_assert_cmpint (run.status, ==, EX_TEMPFAIL);
  run_clear (&run);
  g_assert_cmpuint (graph_test_server_get_messages (graph)->len, ==, 0);
  next_attempt = next_attempt_of (address);
  g_assert_cmpint (next_attempt, >=, before + 2);

  run_start (&run, queue, NULL, NULL, NULL);
  run_finish (&run);
  g_assert_nonnull (strstr (run.out->str, "next attempt not before"));
  run_clear (&run);

  /* Too early: no request at all, and still queued. */
  n_requests = graph_test_server_get_n_requests (graph);
  run_start (&run, flush, NULL, NULL, NULL);
  run_finish (&run);
  g_assert_cmpint (run.status, ==, EX_TEMPFAIL);
  g_assert_nonnull (strstr (run_stderr (&run), "stays queued"));
  run_clear (&run);
  g_assert_cmpuint (graph_test_server_get_n_requests (graph), ==, n_requests);
  g_assert_cmpint (next_attempt_of (address), ==, next_attempt);

  while (g_get_real_time () / G_USEC_PER_SEC <= next_attempt)
    g_usleep (G_USEC_PER_SEC / 10);
  run_start (&run, flush, NULL, NULL, NULL);
  run_finish (&run);
  g_assert_cmpint (run.status, ==, EX_OK);
  run_clear (&run);
  g_assert_cmpuint (graph_test_server_get_messages (graph)->len, ==, 1);
  g_assert_cmpint (next_attempt_of (address), ==, -1);
  g_assert_null (graph_test_server_get_violation (graph));
  oauth2_test_browser_clear (&browser);
  services_stop (&services);
}

/* Graph takes tokens only: a password account cannot choose it. */
static void
test_graph_transport_needs_oauth2 (void)
{
  const char *argv[] = { o365_account_path, "add", "eve@example.test", "--auth", "password", "--transport", "graph",
                         "--password-stdin", NULL };
  Run run;

  run_start (&run, argv, "secret\n", NULL, NULL);
  run_finish (&run);
  g_assert_cmpint (run.status, ==, EX_DATAERR);
  g_assert_nonnull (strstr (run_stderr (&run), "Sign in with Microsoft"));
  run_clear (&run);
}

/* Runs @argv (no person involved unless @line_func) and returns its status; the output stays
 * in @run for the caller to check and clear. */
static int
run_to_end (Run *run, const char *const *argv, const char *input, LineFunc line_func, gpointer line_data)
{
  run_start (run, argv, input, line_func, line_data);
  run_finish (run);
  return run->status;
}

static void
assert_shown (const char *address, const char *property, const char *value)
{
  const char *argv[] = { o365_account_path, "show", address, NULL };
  g_autofree char *expected = g_strdup_printf ("\n%-18s %s\n", property, value);
  Run run;

  g_assert_cmpint (run_to_end (&run, argv, NULL, NULL, NULL), ==, EX_OK);
  g_assert_nonnull (strstr (run.out->str, expected));
  run_clear (&run);
}

/* A password account moves to “Sign in with Microsoft” without being removed: by edit --auth
 * oauth2, and by sign-in; the password leaves the keyring only once the sign-in succeeded. */
static void
test_password_account_moves_to_sign_in (void)
{
  Services services = { 0 };
  OAuth2TestBrowser browser = { 0 };
  Run run;
  const char *addresses[] = { "carol@example.test", "dave@example.test" };

  services_start (&services);
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      const char *add[] = { o365_account_path, "add", addresses[i], "--password-stdin", "--server", "localhost",
                            "--port", services.port, "--ca-file", services.ca, NULL };
      g_autofree char *found = NULL;

      g_assert_cmpint (run_to_end (&run, add, "a-password\n", NULL, NULL), ==, EX_OK);
      run_clear (&run);
      found = secret_tool_search_address (addresses[i]);
      g_assert_nonnull (strstr (found, "attribute.kind = password"));
    }

  /* edit --auth oauth2: signs in, then switches. */
  {
    const char *argv[] = { o365_account_path, "edit", addresses[0], "--auth", "oauth2", "--client-id", CLIENT_ID,
                           "--oauth2-authority", oauth2_test_idp_get_authority (services.idp), NULL };
    g_autofree char *found = NULL;

    g_assert_cmpint (run_to_end (&run, argv, NULL, enter_code, &browser), ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "enter the code"));
    assert_no_secret_in_output (services.idp, &run);
    run_clear (&run);
    assert_shown (addresses[0], "auth-method", "oauth2");
    found = secret_tool_search_address (addresses[0]);
    g_assert_nonnull (strstr (found, "attribute.kind = oauth2-refresh-token"));
    g_assert_null (strstr (found, "attribute.kind = password"));
  }

  /* edit (the app and its platform, still a password account), then sign-in. */
  {
    const char *edit[] = { o365_account_path, "edit", addresses[1], "--client-id", CLIENT_ID, "--oauth2-authority",
                           oauth2_test_idp_get_authority (services.idp), NULL };
    const char *sign_in[] = { o365_account_path, "sign-in", addresses[1], NULL };
    g_autofree char *found = NULL;

    g_assert_cmpint (run_to_end (&run, edit, NULL, NULL, NULL), ==, EX_OK);
    run_clear (&run);
    assert_shown (addresses[1], "auth-method", "password");
    oauth2_test_browser_clear (&browser);
    g_assert_cmpint (run_to_end (&run, sign_in, NULL, enter_code, &browser), ==, EX_OK);
    run_clear (&run);
    assert_shown (addresses[1], "auth-method", "oauth2");
    found = secret_tool_search_address (addresses[1]);
    g_assert_nonnull (strstr (found, "attribute.kind = oauth2-refresh-token"));
    g_assert_null (strstr (found, "attribute.kind = password"));
  }

  /* A CA file that is not there, or cannot be read as a file (a directory: the tests run as
   * root, whom no mode bit keeps out), is refused by add and edit alike. */
  {
    g_autofree char *directory = g_dir_make_tmp ("test-oauth2-cli-ca-XXXXXX", NULL);
    const char *unreadable[] = { "/nonexistent/ca.pem", directory };

    for (gsize i = 0; i < G_N_ELEMENTS (unreadable); i++)
      {
        const char *edit[] = { o365_account_path, "edit", addresses[1], "--ca-file", unreadable[i], NULL };
        const char *add[] = { o365_account_path, "add", "erin@example.test", "--password-stdin", "--ca-file",
                              unreadable[i], NULL };

        g_assert_cmpint (run_to_end (&run, edit, NULL, NULL, NULL), ==, EX_CONFIG);
        g_assert_nonnull (strstr (run_stderr (&run), unreadable[i]));
        run_clear (&run);
        /* No password on stdin: add refuses before it reads one, and a write could meet a
         * closed pipe. */
        g_assert_cmpint (run_to_end (&run, add, NULL, NULL, NULL), ==, EX_CONFIG);
        g_assert_nonnull (strstr (run_stderr (&run), unreadable[i]));
        run_clear (&run);
      }
    g_rmdir (directory);
  }
  oauth2_test_browser_clear (&browser);
  services_stop (&services);
}

/* add picks the service from the address: Outlook.com's own domains, else the domain's MX
 * records (a fake resolver preloaded into o365-account answers them: no network). */
static void
test_add_picks_endpoint_from_address (void)
{
  g_autofree char *module = g_build_filename (g_getenv ("O365_TEST_MODULES"), "fake-resolver.so", NULL);
  const char *sanitizer = g_getenv ("O365_TEST_SANITIZER_PRELOAD");
  g_autofree char *preload = sanitizer != NULL && *sanitizer != '\0' ? g_strconcat (sanitizer, ":", module, NULL)
                                                                     : g_strdup (module);
  const char *env[] = {
    "LD_PRELOAD", preload,
    "O365_TEST_MX", "contoso.test=contoso-test.mail.protection.outlook.com;"
                    "agency.test=agency-test.mail.protection.outlook.us.;"
                    "elsewhere.test=mx1.elsewhere.test",
    NULL,
  };
  static const struct
  {
    const char *address, *endpoint, *server, *tenant;
  } cases[] = {
    { "someone@outlook.com", "outlook", "smtp-mail.outlook.com", "consumers" },
    { "someone@Hotmail.com", "outlook", "smtp-mail.outlook.com", "consumers" },
    { "someone@live.com", "outlook", "smtp-mail.outlook.com", "consumers" },
    { "someone@msn.com", "outlook", "smtp-mail.outlook.com", "consumers" },
    { "someone@contoso.test", "worldwide", "smtp.office365.com", "organizations" },
    { "someone@agency.test", "gcc-high", "smtp.office365.us", "organizations" },
    { "someone@elsewhere.test", "worldwide", "smtp.office365.com", "organizations" },
  };
  Run run;

  extra_env = env;
  g_assert_true (g_file_test (module, G_FILE_TEST_EXISTS));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *add[] = { o365_account_path, "add", cases[i].address, "--password-stdin", NULL };

      g_assert_cmpint (run_to_end (&run, add, "pw\n", NULL, NULL), ==, EX_OK);
      if (g_str_equal (cases[i].address, "someone@elsewhere.test"))
        g_assert_nonnull (strstr (run_stderr (&run), "elsewhere.test does not look like"));
      else
        g_assert_null (strstr (run_stderr (&run), "does not look like"));
      run_clear (&run);
      assert_shown (cases[i].address, "endpoint", cases[i].endpoint);
      assert_shown (cases[i].address, "server", cases[i].server);
      assert_shown (cases[i].address, "oauth2-tenant", cases[i].tenant);
    }

  /* --endpoint: the preset named, no lookup. */
  {
    const char *add[] = { o365_account_path, "add", "someone@elsewhere-cn.test", "--password-stdin", "--endpoint",
                          "china", NULL };
    const char *bad[] = { o365_account_path, "add", "other@elsewhere-cn.test", "--password-stdin", "--endpoint",
                          "moon", NULL };

    g_assert_cmpint (run_to_end (&run, add, "pw\n", NULL, NULL), ==, EX_OK);
    g_assert_null (strstr (run_stderr (&run), "note:"));
    run_clear (&run);
    assert_shown ("someone@elsewhere-cn.test", "endpoint", "china");
    assert_shown ("someone@elsewhere-cn.test", "server", "smtp.partner.outlook.cn");
    g_assert_cmpint (run_to_end (&run, bad, "pw\n", NULL, NULL), ==, EX_USAGE);
    run_clear (&run);
  }
  extra_env = NULL;
}

/* Whether a file under @dir holds @text. */
static gboolean
file_under_contains (const char *dir, const char *text)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* remove of an account with mail in the outbox asks (here: no terminal, so it needs --force),
 * and its messages go to failed/ with the reason instead of failing on every --flush. */
static void
test_remove_with_queued_mail (void)
{
  Services services = { 0 };
  static const char message[] = "From: frank@example.test\nTo: bob@example.test\nSubject: queued\n\nHello.\n";
  g_autofree char *failed = g_build_filename (work_dir, "data", "o365-account", "outbox", "failed", NULL);
  Run run;

  services_start (&services);
  /* The server gone: the send is queued. */
  smtp_test_server_stop (services.server);
  {
    const char *add[] = { o365_account_path, "add", "frank@example.test", "--password-stdin", "--server",
                          "localhost", "--port", services.port, NULL };
    const char *send[] = { o365_send_path, "-t", NULL };

    g_assert_cmpint (run_to_end (&run, add, "pw\n", NULL, NULL), ==, EX_OK);
    run_clear (&run);
    g_assert_cmpint (run_to_end (&run, send, message, NULL, NULL), ==, EX_TEMPFAIL);
    run_clear (&run);
  }
  {
    const char *remove[] = { o365_account_path, "remove", "frank@example.test", NULL };
    const char *force[] = { o365_account_path, "remove", "frank@example.test", "--force", NULL };
    const char *list[] = { o365_account_path, "list", NULL };
    const char *queue[] = { o365_send_path, "--queue", NULL };
    const char *flush[] = { o365_send_path, "--flush", NULL };

    g_assert_cmpint (run_to_end (&run, remove, NULL, NULL, NULL), ==, EX_TEMPFAIL);
    g_assert_nonnull (strstr (run_stderr (&run), "o365-account: warning: frank@example.test has 1 message in the outbox"));
    g_assert_nonnull (strstr (run_stderr (&run), "--force"));
    run_clear (&run);
    g_assert_cmpint (run_to_end (&run, list, NULL, NULL, NULL), ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "frank@example.test"));
    run_clear (&run);

    g_assert_cmpint (run_to_end (&run, force, NULL, NULL, NULL), ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "Moved 1 message of frank@example.test to "));
    run_clear (&run);
    g_assert_true (file_under_contains (failed, "its account frank@example.test was removed"));
    /* --queue lists failed/ too: the message is there, no longer queued, with the reason. */
    g_assert_cmpint (run_to_end (&run, queue, NULL, NULL, NULL), ==, EX_OK);
    g_assert_nonnull (strstr (run.out->str, "its account frank@example.test was removed"));
    run_clear (&run);
    g_assert_cmpint (run_to_end (&run, flush, NULL, NULL, NULL), ==, EX_OK);
    run_clear (&run);
  }
  services_stop (&services);
}

/* Back to the shared home (@shared_dir) from a test's own, which is deleted. */
static void
leave_own_home (char *shared_dir)
{
  const char *argv_rm[] = { "rm", "-rf", work_dir, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
  g_free (work_dir);
  work_dir = shared_dir;
}

/* With one account and a From that is not its address, o365-send says before sending that
 * Office 365 will refuse it (5.7.60), in one line; with its own address it says nothing. */
static void
test_send_as_another_address_warns (void)
{
  Services services = { 0 };
  static const char other[] = "From: down@example.test\nTo: bob@example.test\nSubject: as another\n\nHi.\n";
  static const char own[] = "From: Grace <grace@example.test>\nTo: bob@example.test\nSubject: own\n\nHi.\n";
  char *shared_dir = work_dir;
  g_autoptr (GError) error = NULL;
  Run run;

  /* A home of its own: exactly one account. */
  work_dir = g_dir_make_tmp ("o365-oauth2-cli-one-XXXXXX", &error);
  g_assert_no_error (error);
  services_start (&services);
  {
    const char *add[] = { o365_account_path, "add", "grace@example.test", "--password-stdin", "--server",
                          "localhost", "--port", services.port, "--ca-file", services.ca, NULL };
    const char *send[] = { o365_send_path, "-t", NULL };
    const char *warning = "o365-send: warning: sending as down@example.test through the account "
                          "grace@example.test; Office 365 refuses that (5.7.60 SendAsDenied)";
    const char *line_end;

    g_assert_cmpint (run_to_end (&run, add, "pw\n", NULL, NULL), ==, EX_OK);
    run_clear (&run);
    run_to_end (&run, send, other, NULL, NULL);
    g_assert_true (g_str_has_prefix (run_stderr (&run), warning));
    line_end = strchr (run_stderr (&run), '\n');
    g_assert_nonnull (line_end);
    g_assert_null (strstr (line_end, "warning"));
    run_clear (&run);
    run_to_end (&run, send, own, NULL, NULL);
    g_assert_null (strstr (run_stderr (&run), "warning"));
    run_clear (&run);
  }
  services_stop (&services);
  leave_own_home (shared_dir);
}

/* Two o365-send started at once for one account, neither holding an access token: one redeems
 * the refresh token, the other, after it, the rotated one from the keyring (issue 16.9). A
 * rotated token redeemed again would be refused, or revoke the sign-in. */
static void
test_concurrent_sends_redeem_each_token_once (void)
{
  Services services = { 0 };
  OAuth2TestBrowser browser = { 0 };
  static const char first[] = "From: alice@example.test\nTo: bob@example.test\nSubject: first\n\nHi.\n";
  static const char second[] = "From: alice@example.test\nTo: bob@example.test\nSubject: second\n\nHi.\n";
  const char *send[] = { o365_send_path, "-t", NULL };
  char *shared_dir = work_dir;
  g_autoptr (GError) error = NULL;
  Run run, other;

  work_dir = g_dir_make_tmp ("o365-oauth2-cli-two-XXXXXX", &error);
  g_assert_no_error (error);
  services_start (&services);
  run_add_signed_in (&run, &services, &browser);
  g_assert_cmpint (run.status, ==, EX_OK);
  run_clear (&run);

  run_start (&run, send, first, NULL, NULL);
  run_start (&other, send, second, NULL, NULL);
  run_finish (&run);
  run_finish (&other);
  g_assert_cmpint (run.status, ==, EX_OK);
  g_assert_cmpint (other.status, ==, EX_OK);
  g_assert_cmpuint (smtp_test_server_get_n_messages (services.server), ==, 2);
  g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "refresh_token_reused"), ==, 0);
  g_assert_cmpuint (oauth2_test_idp_get_count (services.idp, "refresh_token"), ==, 2);
  run_clear (&run);
  run_clear (&other);

  oauth2_test_browser_clear (&browser);
  services_stop (&services);
  leave_own_home (shared_dir);
}

int
main (int argc, char **argv)
{
  const char *const shared[] = { "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", NULL };
  g_autoptr (GError) error = NULL;
  int status;

  test_init (&argc, &argv);
  if (argc != 3)
    g_error ("usage: %s O365_ACCOUNT O365_SEND", argv[0]);
  o365_account_path = argv[1];
  o365_send_path = argv[2];
  keyring = harness_fixture_start ("keyring-harness", NULL);
  for (guint i = 0; shared[i] != NULL; i++)
    g_setenv (shared[i], harness_fixture_get (keyring, shared[i]), TRUE);
  work_dir = g_dir_make_tmp ("o365-oauth2-cli-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/oauth2-cli/terminal-sign-in-send-and-sign-in-again", test_terminal_sign_in_send_and_sign_in_again);
  g_test_add_func ("/oauth2-cli/declined-sign-in-adds-nothing", test_declined_sign_in_adds_nothing);
  g_test_add_func ("/oauth2-cli/graph-transport", test_graph_transport);
  g_test_add_func ("/oauth2-cli/graph-retry-after", test_graph_retry_after);
  g_test_add_func ("/oauth2-cli/graph-transport-needs-oauth2", test_graph_transport_needs_oauth2);
  g_test_add_func ("/oauth2-cli/password-account-moves-to-sign-in", test_password_account_moves_to_sign_in);
  g_test_add_func ("/oauth2-cli/add-picks-endpoint-from-address", test_add_picks_endpoint_from_address);
  g_test_add_func ("/oauth2-cli/remove-with-queued-mail", test_remove_with_queued_mail);
  g_test_add_func ("/oauth2-cli/send-as-another-address-warns", test_send_as_another_address_warns);
  g_test_add_func ("/oauth2-cli/concurrent-sends-redeem-each-token-once", test_concurrent_sends_redeem_each_token_once);
  status = g_test_run ();

  harness_fixture_free (keyring);
  {
    const char *argv_rm[] = { "rm", "-rf", work_dir, NULL };

    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (work_dir);
  return status;
}
