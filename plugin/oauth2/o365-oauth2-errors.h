/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-errors.h — the O365_OAUTH2_ERROR domain, and what the Microsoft identity
 * platform's error answers mean: its OAuth error name and AADSTS codes become an error code and
 * a translated sentence saying what to do. Pure, no I/O. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define O365_OAUTH2_ERROR (o365_oauth2_error_quark ())
GQuark o365_oauth2_error_quark (void);

typedef enum
{
  O365_OAUTH2_ERROR_NO_CLIENT_ID,          /* none built in, none configured: register an app */
  O365_OAUTH2_ERROR_INVALID_SETTING,       /* authority, tenant or client id unusable */
  O365_OAUTH2_ERROR_NOT_SIGNED_IN,         /* no refresh token in the keyring */
  O365_OAUTH2_ERROR_INVALID_GRANT,         /* refresh token or code expired or revoked: sign in again */
  O365_OAUTH2_ERROR_CONSENT_REQUIRED,      /* an administrator must approve the app */
  O365_OAUTH2_ERROR_INVALID_CLIENT,        /* client id unknown, or public client flows off */
  O365_OAUTH2_ERROR_INVALID_SCOPE,         /* the app may not ask for SMTP.Send */
  O365_OAUTH2_ERROR_WRONG_TENANT,          /* the person's account is not in that tenant */
  O365_OAUTH2_ERROR_ACCESS_DENIED,         /* declined, or blocked by policy */
  O365_OAUTH2_ERROR_EXPIRED,               /* the device code ran out before sign-in */
  O365_OAUTH2_ERROR_AUTHORIZATION_PENDING, /* device flow: not yet, poll again */
  O365_OAUTH2_ERROR_SLOW_DOWN,             /* device flow: poll 5 s less often */
  O365_OAUTH2_ERROR_STATE_MISMATCH,        /* unused: a foreign answer is ignored, not fatal */
  O365_OAUTH2_ERROR_BROWSER,               /* the local listener could not be set up */
  O365_OAUTH2_ERROR_TIMEOUT,               /* no answer from the browser in time */
  O365_OAUTH2_ERROR_SERVER,                /* the service is temporarily unavailable */
  O365_OAUTH2_ERROR_NETWORK,               /* the service could not be reached */
  O365_OAUTH2_ERROR_PROTOCOL,              /* an answer this program does not understand */
  O365_OAUTH2_ERROR_FAILED,                /* any other refusal, with Microsoft's words */
} O365OAuth2Error;

/* An error response ({"error": …, "error_description": …, "error_codes": […]} or a
 * redirect's error parameters) as a GError a person can act on. */
GError *o365_oauth2_error_from_response (const char *error_code,
                                         const char *description,
                                         const gint64 *aadsts_codes,
                                         guint n_aadsts_codes,
                                         const char *client_id);

/* Hosts understand MAIL_TRANSPORT_ERROR: a failed token request becomes the class it belongs
 * to (temporary when the service is down or unreachable), keeping its explanation. Takes
 * @error; errors of other domains come back as they are. */
GError *o365_oauth2_error_to_transport_error (GError *error);

G_END_DECLS
