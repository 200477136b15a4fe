/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-client.h — o365-send's side of the agent (agent/org.o365account.Agent1.xml): hand a
 * queued message to the agent and wait for its outcome. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Hands outbox entry @id (unlocked, queued) to the agent, activating it if need be, and waits
 * for the outcome of its attempt. Returns: (transfer full) the result (a{sv}), or NULL with
 * *@why_not saying why there is no agent to take it (no session bus, none installed, it
 * failed): the caller then sends the message itself. O365_SEND_NO_AGENT=1 says no at once. */
GVariant *agent_client_send (const char *id, char **why_not);

G_END_DECLS
