/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-device-flow.h — the device authorization grant (RFC 8628), as Microsoft runs it:
 * the person opens a web page on any device and types a short code while this program polls
 * the token endpoint at the interval the server asks for (5 s more after each slow_down),
 * until the sign-in is done, declined, or the code expires. Waiting uses main-loop timeouts on
 * the caller's context; cancelling stops at once. */
#pragma once

#include "o365-oauth2-client.h"

G_BEGIN_DECLS

/* RFC 8628 §3.5: after slow_down the interval grows by 5 seconds for good. */
#define O365_OAUTH2_SLOW_DOWN_STEP_S 5

/* @prompt (copied; its user_data must outlive the operation) gets the code to show. */
void o365_oauth2_device_flow_async (O365OAuth2Client *client,
                                    const O365OAuth2Prompt *prompt,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
/* Returns: the tokens, or NULL with O365_OAUTH2_ERROR_EXPIRED, _ACCESS_DENIED, … */
O365OAuth2TokenSet *o365_oauth2_device_flow_finish (GAsyncResult *result, GError **error);

G_END_DECLS
