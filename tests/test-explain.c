/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-explain.c — every Office 365 reply of docs/office365.md and the generic rules for other servers
 * give the right error code, classification and an explanation quoting the server. */
#include "config.h"

#include <string.h>

#include "mail-transport-error.h"
#include "o365-smtp-explain.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  O365SmtpStage stage;
  guint code;
  const char *enhanced;    /* as the reply parser leaves it: NULL when the class differs */
  const char *text;
  MailTransportError error;
  MailFailureClass failure;
  const char *explanation; /* a phrase the explanation must contain */
} ExplainCase;

/* docs/office365.md, "Replies", row by row, with Microsoft's wording. */
static const ExplainCase o365_cases[] = {
  { "smtp-auth-disabled-tenant", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit "
    "https://aka.ms/smtp_auth_disabled for more information. "
    "[BN9PR03CA0123.namprd03.prod.outlook.com]",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT,
    "SMTP AUTH is disabled for your organisation" },
  { "smtp-auth-disabled-mailbox", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit "
    "https://aka.ms/smtp_auth_disabled for more information.",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT,
    "SMTP AUTH is disabled for this mailbox" },
  /* A password account learns that "Sign in with Microsoft" would send through Graph. */
  { "smtp-auth-disabled-tenant-graph", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit "
    "https://aka.ms/smtp_auth_disabled for more information.",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT,
    "“Sign in with Microsoft”, which lets the account send through Microsoft Graph" },
  { "smtp-auth-disabled-mailbox-graph", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT,
    "“Sign in with Microsoft”, which lets the account send through Microsoft Graph" },
  { "smtp-auth-disabled-upper-case", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "AUTHENTICATION UNSUCCESSFUL, SMTPCLIENTAUTHENTICATION IS DISABLED FOR THE TENANT.",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT,
    "SMTP AUTH is disabled for your organisation" },
  { "basic-auth-disabled", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "Authentication unsuccessful, basic authentication is disabled. "
    "[DM6PR02CA0101.namprd02.prod.outlook.com]",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT, "Sign in with Microsoft" },
  { "basic-auth-not-supported", O365_SMTP_STAGE_AUTH, 550, "5.7.30",
    "Basic authentication is not supported for Client Submission.",
    MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT, "Sign in with Microsoft" },
  { "authentication-unsuccessful", O365_SMTP_STAGE_AUTH, 535, "5.7.3",
    "Authentication unsuccessful [SN4PR0601CA0012.namprd06.prod.outlook.com]",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "check the password" },
  { "client-not-authenticated", O365_SMTP_STAGE_MAIL, 530, "5.7.57",
    "Client not authenticated to send mail. [AM0PR10CA0023.EURPRD10.PROD.OUTLOOK.COM]",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "sign in before sending" },
  { "send-as-no-permission", O365_SMTP_STAGE_DATA_END, 550, "5.7.60",
    "SMTP; Client does not have permissions to send as this sender",
    MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, MAIL_FAILURE_PERMANENT,
    "You may not send as this address" },
  { "send-as-denied", O365_SMTP_STAGE_DATA_END, 554, "5.2.252",
    "SendAsDenied; someone@contoso.com not allowed to send as boss@contoso.com; "
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied",
    MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, MAIL_FAILURE_PERMANENT,
    "You may not send as this address" },
  { "send-as-denied-5.2.0", O365_SMTP_STAGE_DATA_END, 554, "5.2.0",
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to "
    "process message due to a permanent exception with message Cannot submit message.",
    MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, MAIL_FAILURE_PERMANENT,
    "You may not send as this address" },
  { "sender-thread-limit", O365_SMTP_STAGE_DATA_END, 432, "4.3.2",
    "STOREDRV.ClientSubmit; sender thread limit exceeded "
    "[Hostname=AM6PR10MB2345.EURPRD10.PROD.OUTLOOK.COM]",
    MAIL_TRANSPORT_ERROR_RATE_LIMITED, MAIL_FAILURE_TEMPORARY,
    "Too many messages are being sent from this mailbox at the same time" },
  { "submission-quota", O365_SMTP_STAGE_DATA_END, 554, "5.2.0",
    "STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message "
    "due to a permanent exception with message Cannot submit message.",
    MAIL_TRANSPORT_ERROR_RATE_LIMITED, MAIL_FAILURE_TEMPORARY, "daily sending limit" },
  { "tenant-external-limit", O365_SMTP_STAGE_RCPT, 550, "5.7.233",
    "Your message can't be sent because your organization has exceeded its daily limit for "
    "sending email to external recipients.",
    MAIL_TRANSPORT_ERROR_RATE_LIMITED, MAIL_FAILURE_TEMPORARY,
    "Your organisation has reached its daily limit" },
  { "mailbox-full", O365_SMTP_STAGE_DATA_END, 554, "5.2.2",
    "mailbox full; "
    "STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionQuotaExceeded; "
    "Failed to process message due to a permanent exception",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "Your mailbox is full" },
  { "max-submission", O365_SMTP_STAGE_DATA_END, 554, "5.2.0",
    "STOREDRV.Submission.Exception:MapiExceptionMaxSubmissionExceeded; Failed to process "
    "message due to a permanent exception with message Message size exceeds maximum size limit",
    MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "larger than your mailbox allows" },
  { "bad-outbound-sender", O365_SMTP_STAGE_MAIL, 550, "5.1.8",
    "Access denied, bad outbound sender AS(42004) [DB6PR0802MB2248.eurprd08.prod.outlook.com]",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT,
    "Microsoft has blocked this account from sending" },
  { "tenant-blocked", O365_SMTP_STAGE_MAIL, 550, "5.7.705",
    "Access denied, tenant has exceeded threshold",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT,
    "Microsoft has blocked your organisation from sending" },
  { "ip-blocked", O365_SMTP_STAGE_MAIL, 550, "5.7.708",
    "Access denied, traffic not accepted from this IP",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT,
    "does not accept mail from your network" },
  { "old-tls", O365_SMTP_STAGE_EHLO, 421, "4.7.66",
    "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. "
    "Visit https://aka.ms/smtp_auth_tls.",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT, "TLS 1.2" },
  /* 451 with a class-5 enhanced code: the parser leaves the code in the text. */
  { "starttls-required", O365_SMTP_STAGE_MAIL, 451, NULL,
    "5.7.3 STARTTLS is required to send mail [BN6PR11CA0043.namprd11.prod.outlook.com]",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT, "requires an encrypted connection" },
  { "service-not-active", O365_SMTP_STAGE_GREETING, 421, "4.3.2",
    "Service not active", MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY,
    "Office 365 has a temporary problem" },
  { "temporary-server-error", O365_SMTP_STAGE_DATA_END, 451, "4.7.0",
    "Temporary server error. Please try again later. PRX4 "
    "[AM0PR02MB5555.eurprd02.prod.outlook.com]",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "Office 365 has a temporary problem" },
  { "transient-4.3.111", O365_SMTP_STAGE_DATA_END, 451, "4.3.111",
    "Transient failure, please try again later",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "Office 365 has a temporary problem" },
};

/* Other servers, mostly Postfix's own wording, by stage. */
static const ExplainCase generic_cases[] = {
  { "421-at-mail", O365_SMTP_STAGE_MAIL, 421, "4.4.2", "mx.example.com Error: timeout exceeded",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "closed the session" },
  { "421-at-starttls", O365_SMTP_STAGE_STARTTLS, 421, NULL, "Service not available",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "closed the session" },
  { "421-at-data-end", O365_SMTP_STAGE_DATA_END, 421, "4.3.0", "Error: too many errors",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "closed the session" },
  { "starttls-454", O365_SMTP_STAGE_STARTTLS, 454, "4.7.0",
    "TLS not available due to local problem",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT, "refused to encrypt the connection" },
  { "starttls-502", O365_SMTP_STAGE_STARTTLS, 502, "5.5.1", "Error: command not implemented",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT, "refused to encrypt the connection" },
  { "starttls-first", O365_SMTP_STAGE_MAIL, 530, "5.7.0", "Must issue a STARTTLS command first",
    MAIL_TRANSPORT_ERROR_TLS, MAIL_FAILURE_PERMANENT, "requires an encrypted connection" },
  { "auth-454", O365_SMTP_STAGE_AUTH, 454, "4.7.0", "Temporary authentication failure",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "temporary problem" },
  { "auth-535", O365_SMTP_STAGE_AUTH, 535, "5.7.8",
    "Error: authentication failed: authentication failure",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "did not accept the user name" },
  { "auth-534", O365_SMTP_STAGE_AUTH, 534, "5.7.9", "Authentication mechanism is too weak",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "did not accept the user name" },
  { "auth-538", O365_SMTP_STAGE_AUTH, 538, "5.7.11",
    "Encryption required for requested authentication mechanism",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "did not accept the user name" },
  { "auth-other-5.7.139", O365_SMTP_STAGE_AUTH, 535, "5.7.139",
    "Authentication unsuccessful, the request did not meet the criteria to be authenticated "
    "successfully. Contact your administrator.",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "did not accept the user name" },
  { "auth-504", O365_SMTP_STAGE_AUTH, 504, "5.5.4", "Unrecognized authentication type",
    MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED, MAIL_FAILURE_PERMANENT,
    "does not offer this sign-in method" },
  { "mail-530", O365_SMTP_STAGE_MAIL, 530, "5.7.0", "Authentication required",
    MAIL_TRANSPORT_ERROR_AUTH_FAILED, MAIL_FAILURE_PERMANENT, "sign in before sending" },
  { "mail-451", O365_SMTP_STAGE_MAIL, 451, "4.3.0", "Error: queue file write error",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "temporary problem" },
  { "mail-login-mismatch", O365_SMTP_STAGE_MAIL, 553, "5.7.1",
    "<boss@example.com>: Sender address rejected: not owned by user someone@example.com",
    MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, MAIL_FAILURE_PERMANENT,
    "refused the sender address" },
  { "mail-unknown-domain", O365_SMTP_STAGE_MAIL, 550, "5.1.8",
    "<someone@nowhere.invalid>: Sender address rejected: Domain not found",
    MAIL_TRANSPORT_ERROR_SENDER_NOT_PERMITTED, MAIL_FAILURE_PERMANENT,
    "refused the sender address" },
  { "mail-syntax", O365_SMTP_STAGE_MAIL, 501, "5.5.4", "Syntax: MAIL FROM:<address>",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "refused the message" },
  { "mail-no-enhanced", O365_SMTP_STAGE_MAIL, 550, NULL, "Sender refused",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "refused the message" },
  { "mail-size", O365_SMTP_STAGE_MAIL, 552, "5.3.4", "Message size exceeds fixed limit",
    MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "larger than the server accepts" },
  { "mail-552-no-enhanced", O365_SMTP_STAGE_MAIL, 552, NULL, "Message size exceeds fixed limit",
    MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "larger than the server accepts" },
  { "rcpt-450", O365_SMTP_STAGE_RCPT, 450, "4.1.1",
    "<someone@example.com>: Recipient address rejected: unverified address",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "temporary problem" },
  { "rcpt-unknown", O365_SMTP_STAGE_RCPT, 550, "5.1.1",
    "<nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
    MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED, MAIL_FAILURE_PERMANENT, "refused this recipient" },
  { "rcpt-relay", O365_SMTP_STAGE_RCPT, 554, "5.7.1",
    "<someone@elsewhere.example>: Relay access denied",
    MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED, MAIL_FAILURE_PERMANENT, "refused this recipient" },
  { "rcpt-mailbox-full", O365_SMTP_STAGE_RCPT, 552, "5.2.2", "<full@example.com>: Mailbox full",
    MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED, MAIL_FAILURE_PERMANENT, "refused this recipient" },
  { "data-no-recipients", O365_SMTP_STAGE_DATA, 554, "5.5.1", "Error: no valid recipients",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "refused the message" },
  { "data-end-too-big", O365_SMTP_STAGE_DATA_END, 552, "5.3.4", "Error: message file too big",
    MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "larger than the server accepts" },
  { "data-end-554-5.3.4", O365_SMTP_STAGE_DATA_END, 554, "5.3.4", "Message too big for system",
    MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "larger than the server accepts" },
  { "data-end-spam", O365_SMTP_STAGE_DATA_END, 550, "5.7.1", "Message rejected as spam",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT,
    "rejected the message after receiving it" },
  { "data-end-452", O365_SMTP_STAGE_DATA_END, 452, "4.3.1", "Insufficient system storage",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "temporary problem" },
  { "greeting-554", O365_SMTP_STAGE_GREETING, 554, NULL, "mx.example.com No SMTP service here",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "refused the connection" },
  { "greeting-450", O365_SMTP_STAGE_GREETING, 450, NULL, "Try again later",
    MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "temporary problem" },
  { "ehlo-501", O365_SMTP_STAGE_EHLO, 501, "5.5.4", "Invalid domain name",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "greeting (EHLO)" },
  { "ehlo-550", O365_SMTP_STAGE_EHLO, 550, NULL, "Access denied",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "greeting (EHLO)" },
  { "rset-500", O365_SMTP_STAGE_RSET, 500, "5.5.2", "Error: bad syntax",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "refused the message" },
  { "quit-500", O365_SMTP_STAGE_QUIT, 500, "5.5.2", "Error: bad syntax",
    MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "refused the message" },
};

static MailReply *
case_reply (const ExplainCase *c)
{
  return mail_reply_new (c->code, c->enhanced, c->text);
}

static void
test_case (gconstpointer data)
{
  const ExplainCase *c = data;
  g_autoptr (MailReply) reply = case_reply (c);
  g_autofree char *quoted = mail_reply_to_string (reply);
  g_autoptr (GError) error = o365_explain_reply (c->stage, reply);
  const char *explanation_end;

  g_assert_error (error, MAIL_TRANSPORT_ERROR, (int) c->error);
  g_assert_cmpint (mail_transport_error_classify (error), ==, c->failure);

  explanation_end = strstr (error->message, " (The server said: ");
  g_assert_nonnull (explanation_end);
  g_assert_nonnull (g_strstr_len (error->message, explanation_end - error->message,
                                  c->explanation));
  g_assert_nonnull (strstr (explanation_end, quoted));
  g_assert_true (g_str_has_suffix (error->message, ")"));
}

static const ExplainCase *
find_o365_case (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (o365_cases); i++)
    if (g_str_equal (o365_cases[i].name, name))
      return &o365_cases[i];
  g_assert_not_reached ();
}

static void
test_explanations_differ (void)
{
  g_autoptr (MailReply) tenant = case_reply (find_o365_case ("smtp-auth-disabled-tenant"));
  g_autoptr (MailReply) basic = case_reply (find_o365_case ("basic-auth-disabled"));
  g_autoptr (GError) tenant_error = o365_explain_reply (O365_SMTP_STAGE_AUTH, tenant);
  g_autoptr (GError) basic_error = o365_explain_reply (O365_SMTP_STAGE_AUTH, basic);

  /* Same code 535 5.7.139, different remedies: only one needs the administrator; with SMTP
   * AUTH off, "Sign in with Microsoft" helps only through Microsoft Graph. */
  g_assert_nonnull (strstr (tenant_error->message, "administrator"));
  g_assert_nonnull (strstr (tenant_error->message, "Microsoft Graph"));
  g_assert_null (strstr (basic_error->message, "administrator"));
  g_assert_nonnull (strstr (basic_error->message, "Sign in with Microsoft"));
}

static void
test_multi_line_reply (void)
{
  g_autoptr (MailReply) reply =
    mail_reply_new (554, "5.7.1", "Message rejected\nsee https://example.com/policy");
  g_autoptr (GError) error = o365_explain_reply (O365_SMTP_STAGE_DATA_END, reply);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PERMANENT);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message,
                            "554 5.7.1 Message rejected see https://example.com/policy)"));
}

static void
test_positive_reply (void)
{
  g_autoptr (MailReply) reply = mail_reply_new (250, "2.0.0", "Ok");
  g_autoptr (GError) error = o365_explain_reply (O365_SMTP_STAGE_DATA, reply);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "“DATA”"));
  g_assert_nonnull (strstr (error->message, "250 2.0.0 Ok"));
}

static void
test_stage_names (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (o365_smtp_stage_to_string (O365_SMTP_STAGE_MAIL), ==, "MAIL FROM");
  g_assert_cmpstr (o365_smtp_stage_to_string (O365_SMTP_STAGE_RCPT), ==, "RCPT TO");
  g_assert_cmpstr (o365_smtp_stage_to_string (O365_SMTP_STAGE_EHLO), ==, "EHLO");
  for (O365SmtpStage stage = O365_SMTP_STAGE_GREETING; stage <= O365_SMTP_STAGE_QUIT; stage++)
    {
      const char *name = o365_smtp_stage_to_string (stage);

      g_assert_nonnull (name);
      g_assert_true (g_hash_table_add (seen, (gpointer) name));
    }
}

/* Whatever a server says, at any stage: an error in the domain whose class follows the reply
 * class (apart from TLS refusals and Microsoft's rate limits), quoting the reply. */
static void
test_every_code (void)
{
  for (O365SmtpStage stage = O365_SMTP_STAGE_GREETING; stage <= O365_SMTP_STAGE_QUIT; stage++)
    for (guint code = 400; code <= 599; code++)
      {
        g_autoptr (MailReply) reply = mail_reply_new (code, NULL, "Something went wrong");
        g_autofree char *quoted = mail_reply_to_string (reply);
        g_autoptr (GError) error = o365_explain_reply (stage, reply);
        MailFailureClass expected = MAIL_FAILURE_PERMANENT;

        if (code < 500 && (stage != O365_SMTP_STAGE_STARTTLS || code == 421))
          expected = MAIL_FAILURE_TEMPORARY;
        g_assert_nonnull (error);
        g_assert_true (error->domain == MAIL_TRANSPORT_ERROR);
        g_assert_cmpint (mail_transport_error_classify (error), ==, expected);
        g_assert_nonnull (strstr (error->message, quoted));
      }
}

static void
add_cases (const char *prefix, const ExplainCase *cases, gsize n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *path = g_strconcat (prefix, cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  add_cases ("/explain/o365/", o365_cases, G_N_ELEMENTS (o365_cases));
  add_cases ("/explain/generic/", generic_cases, G_N_ELEMENTS (generic_cases));
  g_test_add_func ("/explain/5.7.139-remedies-differ", test_explanations_differ);
  g_test_add_func ("/explain/multi-line-reply", test_multi_line_reply);
  g_test_add_func ("/explain/positive-reply", test_positive_reply);
  g_test_add_func ("/explain/stage-names", test_stage_names);
  g_test_add_func ("/explain/every-code", test_every_code);

  return g_test_run ();
}
