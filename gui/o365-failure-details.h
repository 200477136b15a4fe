/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-failure-details.h — a failure message taken apart for showing: the plug-in's explanation
 * (short, what to do) and the server's reply it quotes (for a "Details" part), and the page the
 * reply points to, so that it can be a real link. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits @message, made as "EXPLANATION (The server said: REPLY)" (translated), into
 * @explanation and @reply. Returns FALSE, with @explanation the whole message and @reply NULL,
 * when it quotes no reply. */
gboolean o365_failure_split (const char *message, char **explanation, char **reply);

/* The first https:// address in @text, without the punctuation that ends the sentence around
 * it; NULL when there is none. */
char *o365_failure_find_link (const char *text);

G_END_DECLS
