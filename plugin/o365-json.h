/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-json.h — the shape check every JSON answer from a server passes before json-glib
 * parses it (SASL challenges, the identity platform's token answers). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @json (@length bytes, not NUL-terminated) is exactly one JSON object with only
 * whitespace around it, and none of its strings holds a NUL (raw or as \u0000). */
gboolean o365_json_is_single_object (const char *json, gsize length);

G_END_DECLS
