/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-mailhost.h — the plug-in contract in one header, for hosts and plug-ins alike:
 *
 *   #include <o365-mailhost.h>      cc … $(pkg-config --cflags --libs o365-mailhost-1)
 *
 * Every header included here is installed (in $includedir/o365-mailhost-1) and includes only
 * GLib's headers and its siblings. */
#pragma once

#include "mail-account.h"
#include "mail-address.h"
#include "mail-account-registry.h"
#include "mail-account-type.h"
#include "mail-enum-types.h"
#include "mail-i18n.h"
#include "mail-outgoing.h"
#include "mail-plugin.h"
#include "mail-plugin-loader.h"
#include "mail-reply.h"
#include "mail-sign-in.h"
#include "mail-submission.h"
#include "mail-transport.h"
#include "mail-transport-error.h"
