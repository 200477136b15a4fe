/* mail-transport-error.h — the one error domain hosts understand for submission failures.
 * Messages are translated and say what a person can do; the server's own reply, when there
 * was one, travels separately as a MailReply (see MailSubmission). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MAIL_TRANSPORT_ERROR (mail_transport_error_quark ())
GQuark mail_transport_error_quark (void);

typedef enum
{
  MAIL_TRANSPORT_ERROR_CONNECT,              /* could not reach the server */
  MAIL_TRANSPORT_ERROR_TLS,                  /* STARTTLS missing/refused, certificate, version */
  MAIL_TRANSPORT_ERROR_PROTOCOL,             /* the server broke the protocol */
  MAIL_TRANSPORT_ERROR_AUTH_FAILED,          /* wrong credentials */
  MAIL_TRANSPORT_ERROR_AUTH_DISABLED,        /* sign-in method switched off by the organisation */
  MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED,     /* no common authentication mechanism */
  MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, /* may not send as this address */
  MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,   /* every recipient was refused */
  MAIL_TRANSPORT_ERROR_TOO_LARGE,
  MAIL_TRANSPORT_ERROR_RATE_LIMITED,
  MAIL_TRANSPORT_ERROR_TEMPORARY,
  MAIL_TRANSPORT_ERROR_PERMANENT,
  MAIL_TRANSPORT_ERROR_TIMEOUT,
  MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN,       /* the message may or may not have been accepted */
  MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,      /* refused locally: bad envelope or content */
  MAIL_TRANSPORT_ERROR_UNSUPPORTED,          /* needs an extension the server lacks */
} MailTransportError;

typedef enum
{
  MAIL_FAILURE_TEMPORARY,      /* try again later, unchanged */
  MAIL_FAILURE_PERMANENT,      /* retrying the same thing will fail again */
  MAIL_FAILURE_STATUS_UNKNOWN, /* do not resend without asking: it may have been delivered */
} MailFailureClass;

/* Classifies any error a transport returned (GIO errors such as cancellation included). */
MailFailureClass mail_transport_error_classify (const GError *error);

G_END_DECLS
