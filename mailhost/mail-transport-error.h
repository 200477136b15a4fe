/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-transport-error.h — the one error domain hosts understand for submission failures.
 * Messages are translated and say what a person can do; the server's own reply, when there
 * was one, travels separately as a MailReply (see MailSubmission). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MAIL_TRANSPORT_ERROR:
 *
 * The error domain of submission failures (see [error@O365Mailhost.TransportError]).
 */
#define MAIL_TRANSPORT_ERROR (mail_transport_error_quark ())
GQuark mail_transport_error_quark (void);

/**
 * MailTransportError:
 * @MAIL_TRANSPORT_ERROR_CONNECT: could not reach the server
 * @MAIL_TRANSPORT_ERROR_TLS: STARTTLS missing or refused, certificate, TLS version
 * @MAIL_TRANSPORT_ERROR_PROTOCOL: the server broke the protocol
 * @MAIL_TRANSPORT_ERROR_AUTH_FAILED: wrong credentials
 * @MAIL_TRANSPORT_ERROR_AUTH_DISABLED: sign-in method switched off by the organisation
 * @MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED: no common authentication mechanism
 * @MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED: may not send as this address
 * @MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED: every recipient was refused
 * @MAIL_TRANSPORT_ERROR_TOO_LARGE: the message is larger than the server takes
 * @MAIL_TRANSPORT_ERROR_RATE_LIMITED: too many messages or connections for now
 * @MAIL_TRANSPORT_ERROR_TEMPORARY: any other temporary failure
 * @MAIL_TRANSPORT_ERROR_PERMANENT: any other permanent failure
 * @MAIL_TRANSPORT_ERROR_TIMEOUT: the server did not answer in time
 * @MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN: the message may or may not have been accepted
 * @MAIL_TRANSPORT_ERROR_INVALID_MESSAGE: refused locally: bad envelope or content
 * @MAIL_TRANSPORT_ERROR_UNSUPPORTED: needs an extension the server lacks
 *
 * Why a submission failed. Messages are translated and say what a person can do; the
 * server's own reply, when there was one, travels separately as a [struct@O365Mailhost.Reply]
 * (see [class@O365Mailhost.Submission]).
 */
typedef enum
{
  MAIL_TRANSPORT_ERROR_CONNECT,
  MAIL_TRANSPORT_ERROR_TLS,
  MAIL_TRANSPORT_ERROR_PROTOCOL,
  MAIL_TRANSPORT_ERROR_AUTH_FAILED,
  MAIL_TRANSPORT_ERROR_AUTH_DISABLED,
  MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED,
  MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
  MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,
  MAIL_TRANSPORT_ERROR_TOO_LARGE,
  MAIL_TRANSPORT_ERROR_RATE_LIMITED,
  MAIL_TRANSPORT_ERROR_TEMPORARY,
  MAIL_TRANSPORT_ERROR_PERMANENT,
  MAIL_TRANSPORT_ERROR_TIMEOUT,
  MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN,
  MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
  MAIL_TRANSPORT_ERROR_UNSUPPORTED,
} MailTransportError;

/**
 * MailFailureClass:
 * @MAIL_FAILURE_TEMPORARY: try again later, unchanged
 * @MAIL_FAILURE_PERMANENT: retrying the same thing will fail again
 * @MAIL_FAILURE_STATUS_UNKNOWN: do not resend without asking: it may have been delivered
 *
 * What a host may do after a failure (see [func@O365Mailhost.TransportError.classify]).
 */
typedef enum
{
  MAIL_FAILURE_TEMPORARY,
  MAIL_FAILURE_PERMANENT,
  MAIL_FAILURE_STATUS_UNKNOWN,
} MailFailureClass;

MailFailureClass mail_transport_error_classify (const GError *error);

G_END_DECLS
