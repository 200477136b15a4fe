/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-transport-error.c — the transport error domain and its classification. */
#include "config.h"

#include <gio/gio.h>

#include "mail-transport-error.h"

/**
 * mail_transport_error_quark:
 *
 * The error domain of [error@O365Mailhost.TransportError].
 *
 * Returns: the domain's quark
 */
G_DEFINE_QUARK (mail-transport-error-quark, mail_transport_error)

/**
 * mail_transport_error_classify:
 * @error: an error a transport returned, in any domain (GIO's cancellation included)
 *
 * Classifies a failure: whether to retry, give up, or ask before resending.
 *
 * Returns: the failure's class
 */
MailFailureClass
mail_transport_error_classify (const GError *error)
{
  g_return_val_if_fail (error != NULL, MAIL_FAILURE_PERMANENT);

  if (error->domain == MAIL_TRANSPORT_ERROR)
    {
      switch ((MailTransportError) error->code)
        {
        case MAIL_TRANSPORT_ERROR_CONNECT:
        case MAIL_TRANSPORT_ERROR_RATE_LIMITED:
        case MAIL_TRANSPORT_ERROR_TEMPORARY:
        case MAIL_TRANSPORT_ERROR_TIMEOUT:
          return MAIL_FAILURE_TEMPORARY;
        case MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN:
          return MAIL_FAILURE_STATUS_UNKNOWN;
        case MAIL_TRANSPORT_ERROR_TLS:
        case MAIL_TRANSPORT_ERROR_PROTOCOL:
        case MAIL_TRANSPORT_ERROR_AUTH_FAILED:
        case MAIL_TRANSPORT_ERROR_AUTH_DISABLED:
        case MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED:
        case MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED:
        case MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED:
        case MAIL_TRANSPORT_ERROR_TOO_LARGE:
        case MAIL_TRANSPORT_ERROR_PERMANENT:
        case MAIL_TRANSPORT_ERROR_INVALID_MESSAGE:
        case MAIL_TRANSPORT_ERROR_UNSUPPORTED:
          return MAIL_FAILURE_PERMANENT;
        }
    }
  /* A cancelled send was not delivered and can simply be sent again. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return MAIL_FAILURE_TEMPORARY;
  return MAIL_FAILURE_PERMANENT;
}
