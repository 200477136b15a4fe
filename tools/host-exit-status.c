/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-exit-status.c — sysexits.h statuses for the reference programs. */
#include "config.h"

#include <sysexits.h>

#include "host-exit-status.h"
#include "mail-transport-error.h"

int
host_exit_status_for_error (const GError *error)
{
  if (error->domain != MAIL_TRANSPORT_ERROR)
    return EX_UNAVAILABLE;
  switch ((MailTransportError) error->code)
    {
    case MAIL_TRANSPORT_ERROR_CONNECT:
    case MAIL_TRANSPORT_ERROR_TEMPORARY:
    case MAIL_TRANSPORT_ERROR_RATE_LIMITED:
    case MAIL_TRANSPORT_ERROR_TIMEOUT:
      return EX_TEMPFAIL;
    case MAIL_TRANSPORT_ERROR_AUTH_FAILED:
    case MAIL_TRANSPORT_ERROR_AUTH_DISABLED:
    case MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED:
      return EX_NOPERM;
    case MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN:
      /* 76 means the server may have the message: only then (see the man page). */
      return EX_PROTOCOL;
    case MAIL_TRANSPORT_ERROR_TLS:
    case MAIL_TRANSPORT_ERROR_PROTOCOL:
      return EX_UNAVAILABLE;
    case MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED:
      return EX_NOUSER;
    case MAIL_TRANSPORT_ERROR_INVALID_MESSAGE:
    case MAIL_TRANSPORT_ERROR_TOO_LARGE:
      return EX_DATAERR;
    case MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED:
    case MAIL_TRANSPORT_ERROR_UNSUPPORTED:
    case MAIL_TRANSPORT_ERROR_PERMANENT:
      return EX_UNAVAILABLE;
    }
  return EX_SOFTWARE;
}

int
host_exit_status_combine (int status, int other)
{
  if (status == EX_OK || (status == EX_TEMPFAIL && other != EX_OK))
    return other;
  return status;
}
