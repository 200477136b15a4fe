/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-outbox-retry.c — the agent's retry schedule: exponential, bounded, jittered the same way
 * each time, throttling further, the environment's policy. */
#include "config.h"

#include "outbox-retry.h"
#include "test-utils.h"

static const OutboxRetryPolicy policy = { 30, 1800 };

static void
test_doubles_within_jitter (void)
{
  guint nominal = 30;

  for (guint attempts = 1; attempts <= 12; attempts++)
    {
      guint delay = outbox_retry_delay (&policy, "20261202T120000-1-abc", attempts, FALSE);

      g_assert_cmpuint (delay, >=, nominal / 2);
      g_assert_cmpuint (delay, <=, nominal);
      nominal = MIN (nominal * 2, 1800);
    }
}

static void
test_bounded (void)
{
  for (guint attempts = 1; attempts < 10000; attempts += 97)
    g_assert_cmpuint (outbox_retry_delay (&policy, "id", attempts, TRUE), <=, 1800);
  g_assert_cmpuint (outbox_retry_delay (&policy, "id", G_MAXUINT, TRUE), <=, 1800);
  /* Never 0, or the timer would spin. */
  g_assert_cmpuint (outbox_retry_delay (&(OutboxRetryPolicy){ 1, 1 }, "id", 1, FALSE), ==, 1);
}

static void
test_same_entry_same_wait (void)
{
  g_assert_cmpuint (outbox_retry_delay (&policy, "a", 3, FALSE), ==, outbox_retry_delay (&policy, "a", 3, FALSE));
}

static void
test_entries_spread (void)
{
  g_autoptr (GHashTable) delays = g_hash_table_new (NULL, NULL);

  /* Twenty messages queued together by one outage must not all come back in the same second. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("20261202T120000-%u-beef", i);

      g_hash_table_add (delays, GUINT_TO_POINTER (outbox_retry_delay (&policy, id, 4, FALSE)));
    }
  g_assert_cmpuint (g_hash_table_size (delays), >=, 10);
}

static void
test_throttled_waits_longer (void)
{
  /* Two doublings further: the smallest throttled wait is above the largest plain one. */
  guint plain_max = 60; /* attempts 2: nominal 60 */
  guint throttled = outbox_retry_delay (&policy, "x", 2, TRUE);

  g_assert_cmpuint (throttled, >=, 240 / 2);
  g_assert_cmpuint (throttled, >, plain_max);
}

static void
test_environment (void)
{
  OutboxRetryPolicy read;

  g_setenv ("O365_AGENT_RETRY", "1/4", TRUE);
  g_assert_true (outbox_retry_policy_from_environment (&read));
  g_assert_cmpuint (read.base_seconds, ==, 1);
  g_assert_cmpuint (read.max_seconds, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const char *bad[] = { "0/4", "5/4", "x/4", "4" };

      g_setenv ("O365_AGENT_RETRY", bad[i], TRUE);
      g_assert_false (outbox_retry_policy_from_environment (&read));
      g_assert_cmpuint (read.base_seconds, ==, 30);
      g_assert_cmpuint (read.max_seconds, ==, 1800);
    }
  g_unsetenv ("O365_AGENT_RETRY");
  g_assert_true (outbox_retry_policy_from_environment (&read));
  g_assert_cmpuint (read.base_seconds, ==, 30);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/outbox-retry/doubles-within-jitter", test_doubles_within_jitter);
  g_test_add_func ("/outbox-retry/bounded", test_bounded);
  g_test_add_func ("/outbox-retry/same-entry-same-wait", test_same_entry_same_wait);
  g_test_add_func ("/outbox-retry/entries-spread", test_entries_spread);
  g_test_add_func ("/outbox-retry/throttled-waits-longer", test_throttled_waits_longer);
  g_test_add_func ("/outbox-retry/environment", test_environment);
  return g_test_run ();
}
