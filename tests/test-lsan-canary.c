/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-lsan-canary.c — proof that leak checking works in the sanitized test run (ASan builds
 * only): after a real STARTTLS handshake through glib-networking — the case where
 * LeakSanitizer's tracer used to crash here — a deliberately lost allocation must be reported,
 * and nothing else may be. If LeakSanitizer stops working, this test fails instead of every
 * other test passing without a leak check. */
#include "config.h"

#include <stdint.h>

#include <sanitizer/lsan_interface.h>

#include "engine-test-utils.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define USER "alice@contoso.test"
#define PASSWORD "correct horse battery staple"
/* The lost pointer is kept XOR-ed with this, where LeakSanitizer cannot recognise it. */
#define HIDE ((uintptr_t) 0x5a5a5a5a5a5a5a5aULL)

static G_GNUC_NO_INLINE uintptr_t
lose_allocation (void)
{
  return (uintptr_t) g_strdup ("lsan canary") ^ HIDE;
}

/* Overwrites the stack below the caller's frame, where a copy of the pointer may be left. */
static G_GNUC_NO_INLINE void
scrub_stack (void)
{
  volatile char scratch[16384];

  for (gsize i = 0; i < sizeof scratch; i++)
    scratch[i] = 0;
}

static void
test_leak_found_after_tls (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (O365SmtpConfig) config = NULL;
  g_autoptr (O365SmtpSession) session = NULL;
  g_autoptr (GError) error = NULL;
  uintptr_t hidden;

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  config = engine_test_config (smtp_test_server_get_port (server), USER, PASSWORD);
  session = engine_test_open_session (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  g_test_message ("before the deliberate leak: no leak may be reported");
  g_assert_cmpint (__lsan_do_recoverable_leak_check (), ==, 0);

  hidden = lose_allocation ();
  scrub_stack ();
  g_test_message ("after it: LeakSanitizer must report the 12 bytes of \"lsan canary\"");
  g_assert_cmpint (__lsan_do_recoverable_leak_check (), !=, 0);

  g_free ((char *) (hidden ^ HIDE));
  smtp_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/lsan-canary/leak-found-after-tls", test_leak_found_after_tls);
  return g_test_run ();
}
