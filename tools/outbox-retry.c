/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-retry.c — the retry schedule of queued messages. */
#include "config.h"

#include <stdlib.h>

#include "outbox-retry.h"

#define DEFAULT_BASE 30
#define DEFAULT_MAX 1800

gboolean
outbox_retry_policy_from_environment (OutboxRetryPolicy *policy)
{
  const char *value = g_getenv ("O365_AGENT_RETRY");
  guint64 base, max;
  char *end;

  policy->base_seconds = DEFAULT_BASE;
  policy->max_seconds = DEFAULT_MAX;
  if (value == NULL)
    return TRUE;
  base = g_ascii_strtoull (value, &end, 10);
  if (end == value || *end != '/')
    return FALSE;
  value = end + 1;
  max = g_ascii_strtoull (value, &end, 10);
  if (end == value || *end != '\0' || base == 0 || max < base || max > G_MAXUINT32)
    return FALSE;
  policy->base_seconds = base;
  policy->max_seconds = max;
  return TRUE;
}

guint
outbox_retry_delay (const OutboxRetryPolicy *policy, const char *id, guint attempts, gboolean throttled)
{
  guint steps = MAX (attempts, 1) - 1 + (throttled ? 2 : 0);
  guint64 delay = policy->base_seconds;
  guint jitter;

  for (guint i = 0; i < steps && delay < policy->max_seconds; i++)
    delay *= 2;
  delay = MIN (delay, policy->max_seconds);
  /* 50–100 % of the delay, the same for the same entry and attempt. */
  jitter = (g_str_hash (id) ^ (attempts * 2654435761u)) % 501;
  return MAX (1, (guint) (delay * (500 + jitter) / 1000));
}

gint64
outbox_retry_due (const OutboxRetryPolicy *policy, const OutboxEntry *entry, gint64 not_before)
{
  gint64 due = 0;

  if (entry->attempts > 0 && entry->last_attempt != NULL)
    due = g_date_time_to_unix (entry->last_attempt) + outbox_retry_delay (policy, entry->id, entry->attempts, FALSE);
  due = MAX (due, entry->next_attempt);
  return MAX (due, not_before);
}
