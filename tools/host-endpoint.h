/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-endpoint.h — the endpoint a new account belongs to, from its address and, for a domain
 * of its own, its MX records (looked up asynchronously). */
#pragma once

#include "mail-account-type.h"

G_BEGIN_DECLS

/* Returns: (transfer none) (nullable): the endpoint, or NULL (the default one then) after a
 * note on stderr saying why none was found. */
const MailEndpoint *host_suggest_endpoint (MailAccountType *type, const char *address);

G_END_DECLS
