/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-retry.h — when a temporarily refused message is tried again (by the agent; shown by
 * `o365-send --queue`): exponential backoff with jitter, bounded, later still when the server
 * said it is throttling, never before the server's Retry-After. */
#pragma once

#include "outbox.h"

G_BEGIN_DECLS

typedef struct
{
  guint base_seconds; /* the first retry, give or take the jitter */
  guint max_seconds;  /* no wait is longer */
} OutboxRetryPolicy;

/* O365_AGENT_RETRY=BASE/MAX (seconds), else 30/1800: the first retry after 15–30 s, the
 * wait doubling up to half an hour. Returns FALSE (and the default) if the variable is malformed. */
gboolean outbox_retry_policy_from_environment (OutboxRetryPolicy *policy);

/* Seconds to wait after @attempts failed attempts (at least 1) of entry @id: base·2^(attempts−1)
 * capped at max, then between half of it and all of it. The jitter comes from @id and
 * @attempts, so the same entry gets the same wait however often it is computed, and entries
 * queued together do not all come back at once. @throttled (421, 4.7.x, "too many
 * connections"): two steps further. */
guint outbox_retry_delay (const OutboxRetryPolicy *policy, const char *id, guint attempts, gboolean throttled);

/* When queued @entry is due again (seconds since the epoch): its backoff after the last
 * attempt, not before its Retry-After (next_attempt) nor @not_before (the account is
 * throttled); 0 for an entry never tried. */
gint64 outbox_retry_due (const OutboxRetryPolicy *policy, const OutboxEntry *entry, gint64 not_before);

G_END_DECLS
