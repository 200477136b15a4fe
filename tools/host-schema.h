/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-schema.h — whether the compiled settings schema is there, checked before anything touches
 * the settings: without it GLib aborts the program (“… is not installed”). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* FALSE, with an error saying what to install or run, when the accounts' schema is missing. */
gboolean host_check_settings_schema (GError **error);

G_END_DECLS
