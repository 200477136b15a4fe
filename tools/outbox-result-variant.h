/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-result-variant.h — an OutboxResult as the agent's D-Bus interface carries it (a{sv};
 * the keys are documented in agent/org.o365account.Agent1.xml), and back, so that o365-send
 * reports an outcome the agent had the same way as one of its own. */
#pragma once

#include "outbox-flush.h"

G_BEGIN_DECLS

/* Returns: (transfer floating) the result as a{sv}. */
GVariant *outbox_result_to_variant (const OutboxResult *result);

/* The result @dict describes, for @entry (borrowed by the result, its state updated from
 * @dict); NULL with @error if @dict is not one. */
OutboxResult *outbox_result_from_variant (GVariant *dict, OutboxEntry *entry, GError **error);

/* The outcome's name in the interface: "sent", "queued", "failed" or "held-unknown". */
const char *outbox_outcome_to_string (OutboxOutcome outcome);

G_END_DECLS
