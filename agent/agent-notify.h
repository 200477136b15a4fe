/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-notify.h — telling the person at the desktop what became of a message nobody was
 * waiting for: finally sent, refused for good, held, or waiting for a new sign-in. */
#pragma once

#include "outbox-flush.h"

G_BEGIN_DECLS

/* Whether the outcome of an attempt is news for a person: a message that had been queued was
 * finally sent or refused; or nobody waited for it (@told FALSE) and it now needs the person
 * (held, sign-in needed). */
gboolean agent_notify_is_news (const OutboxResult *result, gboolean told, guint earlier_attempts);

/* A desktop notification (org.freedesktop.Notifications) on @bus about @result, logged too.
 * Without a notification service (headless), only logged: no error. */
void agent_notify_outcome (GDBusConnection *bus, const OutboxResult *result);

G_END_DECLS
