/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-text.h — which characters of a server's text must not reach a person's screen or log. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Control characters, line and paragraph separators (they break a log line or a label as LF
 * does) and the bidirectional controls (U+200E/F, U+202A–U+202E, U+2066–U+2069), which can
 * make text read differently from what it says ("Trojan Source", CVE-2021-42574). */
gboolean o365_text_is_unsafe_char (gunichar c);

G_END_DECLS
