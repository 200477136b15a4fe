/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-explain.c — actionable explanations for negative SMTP replies.
 *
 * One ordered table, first match wins: the Office 365 replies of docs/office365.md first (matched on
 * the enhanced status code and/or distinctive text, since Microsoft reuses codes such as
 * 5.7.139 and 4.3.2 for different causes), then generic rules by reply code and stage for
 * any other server (Postfix, Exim…), ending with a catch-all for each reply class.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-explain.h"

const char *
o365_smtp_stage_to_string (O365SmtpStage stage)
{
  switch (stage)
    {
    case O365_SMTP_STAGE_GREETING:
      /* TRANSLATORS: when the SMTP server greets the client; used as: at the “greeting” step */
      return _("greeting");
    case O365_SMTP_STAGE_EHLO:
      return "EHLO";
    case O365_SMTP_STAGE_STARTTLS:
      return "STARTTLS";
    case O365_SMTP_STAGE_AUTH:
      return "AUTH";
    case O365_SMTP_STAGE_MAIL:
      return "MAIL FROM";
    case O365_SMTP_STAGE_RCPT:
      return "RCPT TO";
    case O365_SMTP_STAGE_DATA:
      return "DATA";
    case O365_SMTP_STAGE_DATA_END:
      /* TRANSLATORS: after the whole message was sent; used as: at the “end of data” step */
      return _("end of data");
    case O365_SMTP_STAGE_RSET:
      return "RSET";
    case O365_SMTP_STAGE_QUIT:
      return "QUIT";
    }
  g_return_val_if_reached (NULL);
}

#define STAGE(name) (1u << O365_SMTP_STAGE_##name)

typedef struct
{
  guint stages;            /* STAGE () bits; 0 = at any stage */
  guint code;              /* an exact code (421), or a class (4 = 4xx, 5 = 5xx); 0 = either */
  const char *enhanced;    /* "5.7.139" exactly, or a prefix ending in '.' ("5.1."); NULL = any */
  const char *text;        /* lower-case substring of the reply text; NULL = any */
  MailTransportError error;
  const char *explanation; /* N_(): what happened, then what the person can do */
} ExplainRule;

static const ExplainRule rules[] = {
  /* Office 365 (docs/office365.md, "Replies"). XOAUTH2 does not get around the SMTP AUTH
   * switch, but "Sign in with Microsoft" also lets the account send through Microsoft Graph,
   * which the switch does not touch. */
  { 0, 5, "5.7.139", "disabled for the tenant", MAIL_TRANSPORT_ERROR_AUTH_DISABLED,
    N_("SMTP AUTH is disabled for your organisation: ask your administrator to enable SMTP "
       "AUTH for this mailbox, or choose “Sign in with Microsoft”, which lets the account send "
       "through Microsoft Graph instead.") },
  { 0, 5, "5.7.139", "disabled for the mailbox", MAIL_TRANSPORT_ERROR_AUTH_DISABLED,
    N_("SMTP AUTH is disabled for this mailbox: ask your administrator to enable SMTP AUTH "
       "for it, or choose “Sign in with Microsoft”, which lets the account send through "
       "Microsoft Graph instead.") },
  { 0, 5, "5.7.139", "basic authentication is disabled", MAIL_TRANSPORT_ERROR_AUTH_DISABLED,
    N_("Signing in with a password is no longer allowed for this account: choose “Sign in "
       "with Microsoft” in the account settings.") },
  { 0, 5, "5.7.30", "basic authentication", MAIL_TRANSPORT_ERROR_AUTH_DISABLED,
    N_("Signing in with a password is no longer allowed for this account: choose “Sign in "
       "with Microsoft” in the account settings.") },
  { 0, 535, "5.7.3", NULL, MAIL_TRANSPORT_ERROR_AUTH_FAILED,
    N_("The server did not accept the password or the Microsoft sign-in: check the password, "
       "or sign in with Microsoft again.") },
  { 0, 5, "5.7.57", NULL, MAIL_TRANSPORT_ERROR_AUTH_FAILED,
    N_("The server requires you to sign in before sending: check the sign-in method in the "
       "account settings.") },
  { 0, 5, "5.7.60", NULL, MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
    N_("You may not send as this address: send from your own address, or ask your "
       "administrator for “Send As” permission.") },
  { 0, 5, "5.2.252", NULL, MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
    N_("You may not send as this address: send from your own address, or ask your "
       "administrator for “Send As” permission.") },
  /* The same refusal from the mailbox store, under the generic 5.2.0. */
  { 0, 5, "5.2.0", "sendasdenied", MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
    N_("You may not send as this address: send from your own address, or ask your "
       "administrator for “Send As” permission.") },
  { 0, 4, "4.3.2", "thread limit", MAIL_TRANSPORT_ERROR_RATE_LIMITED,
    N_("Too many messages are being sent from this mailbox at the same time: wait a moment, "
       "then send one message at a time.") },
  { 0, 5, NULL, "submissionquotaexceeded", MAIL_TRANSPORT_ERROR_RATE_LIMITED,
    N_("This mailbox has reached its daily sending limit (10 000 recipients in 24 hours): "
       "try again later.") },
  { 0, 5, "5.7.233", NULL, MAIL_TRANSPORT_ERROR_RATE_LIMITED,
    N_("Your organisation has reached its daily limit for sending to external recipients: "
       "try again later, or ask your administrator.") },
  { 0, 5, "5.2.2", "quotaexceeded", MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("Your mailbox is full (the copy saved in Sent Items needs room too): delete some "
       "messages, then send again.") },
  { 0, 5, NULL, "maxsubmissionexceeded", MAIL_TRANSPORT_ERROR_TOO_LARGE,
    N_("The message is larger than your mailbox allows (usually 35 MB): make it smaller, for "
       "example by removing or shrinking attachments.") },
  { 0, 5, "5.1.8", "bad outbound sender", MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("Microsoft has blocked this account from sending, usually because it sent spam: "
       "contact your administrator.") },
  { 0, 5, "5.7.705", NULL, MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("Microsoft has blocked your organisation from sending, usually because of spam: "
       "contact your administrator.") },
  { 0, 5, "5.7.708", NULL, MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("Microsoft does not accept mail from your network’s IP address: contact your "
       "administrator.") },
  { 0, 4, "4.7.66", NULL, MAIL_TRANSPORT_ERROR_TLS,
    N_("The server refused the TLS version in use (it requires TLS 1.2 or newer): update "
       "the system’s TLS libraries.") },
  /* Sent as "451 5.7.3": the class digits differ, so the reply parser leaves "5.7.3" in the
   * text; Postfix says "must issue a STARTTLS command first". */
  { 0, 0, NULL, "starttls is required", MAIL_TRANSPORT_ERROR_TLS,
    N_("The server requires an encrypted connection, but this one was not encrypted: please "
       "report this problem.") },
  { 0, 0, NULL, "must issue a starttls command first", MAIL_TRANSPORT_ERROR_TLS,
    N_("The server requires an encrypted connection, but this one was not encrypted: please "
       "report this problem.") },
  { 0, 4, "4.3.2", "service not active", MAIL_TRANSPORT_ERROR_TEMPORARY,
    N_("Office 365 has a temporary problem: try again in a few minutes.") },
  { 0, 4, "4.7.0", "temporary server error", MAIL_TRANSPORT_ERROR_TEMPORARY,
    N_("Office 365 has a temporary problem: try again in a few minutes.") },
  { 0, 4, "4.3.111", NULL, MAIL_TRANSPORT_ERROR_TEMPORARY,
    N_("Office 365 has a temporary problem: try again in a few minutes.") },

  /* Any server. */
  { 0, 421, NULL, NULL, MAIL_TRANSPORT_ERROR_TEMPORARY,
    N_("The server closed the session, usually because it is busy or restarting: try again "
       "later.") },
  { STAGE (STARTTLS), 0, NULL, NULL, MAIL_TRANSPORT_ERROR_TLS,
    N_("The server refused to encrypt the connection (STARTTLS), so nothing was sent: check "
       "the server and port in the account settings.") },
  { 0, 4, NULL, NULL, MAIL_TRANSPORT_ERROR_TEMPORARY,
    N_("The server reported a temporary problem: try again later.") },
  { STAGE (AUTH), 504, NULL, NULL, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED,
    N_("The server does not offer this sign-in method: choose another one in the account "
       "settings.") },
  { STAGE (AUTH), 5, NULL, NULL, MAIL_TRANSPORT_ERROR_AUTH_FAILED,
    N_("The server did not accept the user name and password or the sign-in: check them in "
       "the account settings.") },
  { 0, 530, NULL, NULL, MAIL_TRANSPORT_ERROR_AUTH_FAILED,
    N_("The server requires you to sign in before sending: check the sign-in method in the "
       "account settings.") },
  { 0, 5, "5.3.4", NULL, MAIL_TRANSPORT_ERROR_TOO_LARGE,
    N_("The message is larger than the server accepts: make it smaller, for example by "
       "removing attachments.") },
  /* Before 552: at RCPT TO, "552 5.2.2" is the recipient's mailbox being full. */
  { STAGE (RCPT), 5, NULL, NULL, MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,
    N_("The server refused this recipient: check the address.") },
  { 0, 552, NULL, NULL, MAIL_TRANSPORT_ERROR_TOO_LARGE,
    N_("The message is larger than the server accepts: make it smaller, for example by "
       "removing attachments.") },
  /* X.1.x is about the sender's address, X.7.x a policy: at MAIL FROM both concern the
   * sender (Postfix reject_sender_login_mismatch says 553 5.7.1). */
  { STAGE (MAIL), 5, "5.1.", NULL, MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
    N_("The server refused the sender address: check your address in the account settings, "
       "or ask your administrator whether you may send from it.") },
  { STAGE (MAIL), 5, "5.7.", NULL, MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED,
    N_("The server refused the sender address: check your address in the account settings, "
       "or ask your administrator whether you may send from it.") },
  { STAGE (GREETING), 5, NULL, NULL, MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("The server refused the connection: check the server name and port in the account "
       "settings.") },
  { STAGE (EHLO), 5, NULL, NULL, MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("The server refused this computer’s greeting (EHLO): check the server name in the "
       "account settings, or ask your administrator.") },
  { STAGE (DATA_END), 5, NULL, NULL, MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("The server rejected the message after receiving it, for example because of its "
       "content or a policy: it was not sent.") },
  { 0, 5, NULL, NULL, MAIL_TRANSPORT_ERROR_PERMANENT,
    N_("The server refused the message: sending it again unchanged will fail the same way.") },
};

static gboolean
code_matches (guint pattern, guint code)
{
  if (pattern == 0)
    return TRUE;
  if (pattern < 10)
    return code / 100 == pattern;
  return code == pattern;
}

static gboolean
enhanced_matches (const char *pattern, const char *enhanced)
{
  if (pattern == NULL)
    return TRUE;
  if (enhanced == NULL)
    return FALSE;
  if (g_str_has_suffix (pattern, "."))
    return g_str_has_prefix (enhanced, pattern);
  return g_str_equal (enhanced, pattern);
}

/* The last rules match every 4xx and 5xx reply, so a negative reply always finds one. */
static const ExplainRule *
find_rule (O365SmtpStage stage, const MailReply *reply)
{
  g_autofree char *text = g_ascii_strdown (mail_reply_get_text (reply), -1);
  guint code = mail_reply_get_code (reply);
  const char *enhanced = mail_reply_get_enhanced_code (reply);

  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const ExplainRule *rule = &rules[i];

      if ((rule->stages == 0 || (rule->stages & (1u << stage)) != 0)
          && code_matches (rule->code, code)
          && enhanced_matches (rule->enhanced, enhanced)
          && (rule->text == NULL || strstr (text, rule->text) != NULL))
        return rule;
    }
  g_assert_not_reached ();
}

GError *
o365_explain_reply (O365SmtpStage stage, const MailReply *reply)
{
  g_return_val_if_fail (stage <= O365_SMTP_STAGE_QUIT, NULL);
  g_return_val_if_fail (reply != NULL, NULL);

  return o365_explain_reply_as (stage, reply,
                                mail_reply_is_positive (reply) ? MAIL_TRANSPORT_ERROR_PROTOCOL
                                                               : find_rule (stage, reply)->error);
}

GError *
o365_explain_reply_as (O365SmtpStage stage, const MailReply *reply, MailTransportError error)
{
  g_autofree char *quoted = NULL;
  const ExplainRule *rule;

  g_return_val_if_fail (stage <= O365_SMTP_STAGE_QUIT, NULL);
  g_return_val_if_fail (reply != NULL, NULL);

  quoted = mail_reply_to_string (reply);
  if (mail_reply_is_positive (reply))
    return g_error_new (MAIL_TRANSPORT_ERROR, error,
                        /* TRANSLATORS: the first %s is a stage such as "MAIL FROM", the second
                         * the server's reply */
                        _("The server sent an unexpected reply at the “%s” step: please report "
                          "this problem. (The server said: %s)"),
                        o365_smtp_stage_to_string (stage), quoted);

  rule = find_rule (stage, reply);
  return g_error_new (MAIL_TRANSPORT_ERROR, error,
                      /* TRANSLATORS: the first %s is an explanation such as "SMTP AUTH is
                       * disabled…", the second the server's reply such as "535 5.7.139 …" */
                      _("%s (The server said: %s)"), _(rule->explanation), quoted);
}
