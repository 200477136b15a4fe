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

/* Hands every outbox entry of @ids (unlocked, sendable) to the agent at once, so that it
 * sends them over one connection per account, and waits for every outcome. Returns: (transfer
 * full) one result (a{sv}) per id, in order, NULL where the agent did not take that entry (it
 * is left as it was, for sending directly); or NULL with *@why_not when there is no agent. */
GPtrArray *agent_client_send_all (GPtrArray *ids, char **why_not);

/* Asks the agent (activating it) which account sends a message: @address (--account; NULL:
 * none), else the one whose address is @sender (NULL: none), else the only one. Returns its
 * address; NULL with @error when the agent says there is no such account (G_IO_ERROR_NOT_FOUND)
 * or several and none chosen; NULL with *@why_not when there is no agent to ask. */
char *agent_client_find_account (const char *address, const char *sender, GError **error, char **why_not);

G_END_DECLS
