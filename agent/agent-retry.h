/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-retry.h — when the agent tries a temporarily refused message again: exponential
 * backoff with jitter, bounded, later still when the server said it is throttling. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint base_seconds; /* the first retry, give or take the jitter */
  guint max_seconds;  /* no wait is longer */
} AgentRetryPolicy;

/* O365_AGENT_RETRY=BASE/MAX (seconds), else 30/1800: the first retry after 15–30 s, the
 * wait doubling up to half an hour. Returns FALSE (and the default) if the variable is malformed. */
gboolean agent_retry_policy_from_environment (AgentRetryPolicy *policy);

/* Seconds to wait after @attempts failed attempts (at least 1) of entry @id: base·2^(attempts−1)
 * capped at max, then between half of it and all of it. The jitter comes from @id and
 * @attempts, so the same entry gets the same wait however often it is computed, and entries
 * queued together do not all come back at once. @throttled (421, 4.7.x, "too many
 * connections"): two steps further. */
guint agent_retry_delay (const AgentRetryPolicy *policy, const char *id, guint attempts, gboolean throttled);

G_END_DECLS
