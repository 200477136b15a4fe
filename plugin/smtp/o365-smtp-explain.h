/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-explain.h — turns a negative SMTP reply into a GError a person can act on: the Office 365
 * replies listed in docs/office365.md get a specific explanation, any other server's replies a generic
 * one chosen from the code and the stage. Pure, no I/O. */
#pragma once

#include "mail-reply.h"
#include "mail-transport-error.h"

G_BEGIN_DECLS

/* The command (or moment) a reply answers. */
typedef enum
{
  O365_SMTP_STAGE_GREETING,
  O365_SMTP_STAGE_EHLO,
  O365_SMTP_STAGE_STARTTLS,
  O365_SMTP_STAGE_AUTH,
  O365_SMTP_STAGE_MAIL,
  O365_SMTP_STAGE_RCPT,
  O365_SMTP_STAGE_DATA,
  O365_SMTP_STAGE_DATA_END, /* the reply to the final "." */
  O365_SMTP_STAGE_RSET,
  O365_SMTP_STAGE_QUIT,
} O365SmtpStage;

/* "MAIL FROM", "RCPT TO", "greeting"…, translated where it is not a command name. */
const char *o365_smtp_stage_to_string (O365SmtpStage stage);

/* A MAIL_TRANSPORT_ERROR whose message is a translated sentence saying what happened and what
 * to do, followed by the server's reply quoted on one line. A positive reply where a negative
 * one was expected gives MAIL_TRANSPORT_ERROR_PROTOCOL. */
GError *o365_explain_reply (O365SmtpStage stage, const MailReply *reply);
/* The same sentence, classified as @error by the caller: for a step where every refusal means
 * one thing whatever its code (a refused STARTTLS). */
GError *o365_explain_reply_as (O365SmtpStage stage, const MailReply *reply, MailTransportError error);

G_END_DECLS
