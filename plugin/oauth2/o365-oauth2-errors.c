/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-errors.c — actionable explanations for the identity platform's error answers.
 *
 * One ordered table, first match wins: a rule matches an answer whose "error" is one of its
 * names or whose "error_codes" hold one of its AADSTS codes. Microsoft documents its AADSTS
 * codes, and a few say more than the OAuth error beside them (consent, public client flows, the
 * tenant, Conditional Access), so they are asked about before most names. An answer no rule
 * knows is reported with Microsoft's own name for it.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-oauth2-errors.h"
#include "o365-text.h"

G_DEFINE_QUARK (o365-oauth2-error-quark, o365_oauth2_error)

#define MAX_DESCRIPTION_CHARS 300

typedef enum
{
  SAY_SENTENCE,           /* the message, then Microsoft's description */
  SAY_SENTENCE_CLIENT_ID, /* the same; the message's one %s is the client id */
  SAY_PROGRESS,           /* the device flow's "not yet": the message alone */
} Say;

typedef struct
{
  const char *names[4]; /* OAuth "error" values, matched exactly; NULL-terminated */
  gint64 codes[6];      /* AADSTS codes, any one of them in "error_codes"; 0-terminated */
  O365OAuth2Error error;
  Say say;
  const char *message;  /* N_() */
} OAuth2ErrorRule;

static const OAuth2ErrorRule rules[] = {
  /* Not refusals: the device flow polls on. */
  { { "authorization_pending" }, { 0 }, O365_OAUTH2_ERROR_AUTHORIZATION_PENDING, SAY_PROGRESS,
    N_("Waiting for the sign-in to be completed") },
  { { "slow_down" }, { 0 }, O365_OAUTH2_ERROR_SLOW_DOWN, SAY_PROGRESS,
    N_("The sign-in service asked to be polled less often") },

  { { "consent_required" }, { 65001, 90094, 90095 }, O365_OAUTH2_ERROR_CONSENT_REQUIRED,
    SAY_SENTENCE_CLIENT_ID,
    N_("Your organisation has not approved this app (client id %s) to send mail for you: an "
       "administrator must grant consent in Microsoft Entra ID (see “Sign in with Microsoft” "
       "in the README)") },
  /* Sent with invalid_client, but it names the one setting to change. */
  { { NULL }, { 7000218 }, O365_OAUTH2_ERROR_INVALID_CLIENT, SAY_SENTENCE_CLIENT_ID,
    N_("The app registration (client id %s) does not allow public client flows: in Microsoft "
       "Entra ID, under App registrations → Authentication, turn on “Allow public client "
       "flows”") },
  { { "invalid_client", "unauthorized_client" }, { 0 }, O365_OAUTH2_ERROR_INVALID_CLIENT,
    SAY_SENTENCE_CLIENT_ID,
    N_("Microsoft does not accept the client id %s for this sign-in: check the client id, the "
       "tenant and the app registration") },
  { { NULL }, { 50020, 90072, 500200 }, O365_OAUTH2_ERROR_WRONG_TENANT, SAY_SENTENCE,
    N_("This Microsoft account does not belong to the configured tenant: use the tenant of "
       "your organisation, or “consumers” for Outlook.com and Hotmail") },
  { { NULL }, { 53000, 53001, 53002, 53003, 53004 }, O365_OAUTH2_ERROR_ACCESS_DENIED, SAY_SENTENCE,
    N_("Your organisation’s access policies (Conditional Access) block this sign-in; ask your "
       "administrator") },

  { { "invalid_grant", "interaction_required", "login_required" }, { 0 },
    O365_OAUTH2_ERROR_INVALID_GRANT, SAY_SENTENCE,
    N_("The sign-in with Microsoft has expired or was revoked: sign in with Microsoft again") },
  { { "invalid_scope" }, { 0 }, O365_OAUTH2_ERROR_INVALID_SCOPE, SAY_SENTENCE,
    N_("The app registration may not ask to send mail: add the delegated permission SMTP.Send "
       "(Office 365 Exchange Online) to it") },
  { { "access_denied", "authorization_declined" }, { 0 }, O365_OAUTH2_ERROR_ACCESS_DENIED,
    SAY_SENTENCE, N_("The sign-in was declined") },
  { { "expired_token", "code_expired" }, { 0 }, O365_OAUTH2_ERROR_EXPIRED, SAY_SENTENCE,
    N_("The sign-in code expired before the sign-in was completed: start again") },
  { { "temporarily_unavailable", "server_error" }, { 0 }, O365_OAUTH2_ERROR_SERVER, SAY_SENTENCE,
    N_("Microsoft’s sign-in service is temporarily unavailable: try again later") },
};

static gboolean
rule_matches (const OAuth2ErrorRule *rule, const char *name, const gint64 *codes, guint n_codes)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rule->names) && rule->names[i] != NULL; i++)
    if (g_str_equal (rule->names[i], name))
      return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (rule->codes) && rule->codes[i] != 0; i++)
    for (guint j = 0; j < n_codes; j++)
      if (codes[j] == rule->codes[i])
        return TRUE;
  return FALSE;
}

/* NULL when Microsoft refused for a reason no rule knows. */
static const OAuth2ErrorRule *
find_rule (const char *name, const gint64 *codes, guint n_codes)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rule_matches (&rules[i], name, codes, n_codes))
      return &rules[i];
  return NULL;
}

/* Microsoft's description, first line only (the rest is trace ids), without control or
 * bidirectional control characters. */
static char *
sanitize_description (const char *description)
{
  g_autofree char *line = NULL;
  GString *clean;
  guint kept = 0;

  if (description == NULL || *description == '\0' || !g_utf8_validate (description, -1, NULL))
    return NULL;
  line = g_strndup (description, strcspn (description, "\r\n"));
  clean = g_string_new (NULL);
  for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (o365_text_is_unsafe_char (c))
        continue;
      if (kept++ == MAX_DESCRIPTION_CHARS)
        {
          g_string_append (clean, "…");
          break;
        }
      g_string_append_unichar (clean, c);
    }
  g_strstrip (clean->str);
  if (*clean->str == '\0')
    {
      g_string_free (clean, TRUE);
      return NULL;
    }
  return g_string_free (clean, FALSE);
}

/* The compiler cannot check a format taken from the table; every SAY_SENTENCE_CLIENT_ID message
 * has exactly one %s, and msgfmt --check holds the translations to it. */
static char *
format_client_id (const char *message, const char *client_id)
{
  char *text;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  text = g_strdup_printf (_(message), client_id != NULL ? client_id : "");
#pragma GCC diagnostic pop
  return text;
}

GError *
o365_oauth2_error_from_response (const char *error_code,
                                 const char *description,
                                 const gint64 *aadsts_codes,
                                 guint n_aadsts_codes,
                                 const char *client_id)
{
  const char *name = error_code != NULL ? error_code : "";
  const OAuth2ErrorRule *rule = find_rule (name, aadsts_codes, n_aadsts_codes);
  O365OAuth2Error code = rule != NULL ? rule->error : O365_OAUTH2_ERROR_FAILED;
  g_autofree char *message = NULL;
  g_autofree char *said = NULL;

  if (rule != NULL && rule->say == SAY_PROGRESS)
    return g_error_new_literal (O365_OAUTH2_ERROR, code, _(rule->message));

  if (rule == NULL)
    {
      g_autofree char *clean_name = sanitize_description (name);

      message = g_strdup_printf (_("Microsoft refused the sign-in (%s)"),
                                 clean_name != NULL ? clean_name : _("no reason given"));
    }
  else if (rule->say == SAY_SENTENCE_CLIENT_ID)
    message = format_client_id (rule->message, client_id);
  else
    message = g_strdup (_(rule->message));

  said = sanitize_description (description);
  if (said != NULL)
    return g_error_new (O365_OAUTH2_ERROR, code, _("%s. Microsoft says: %s"), message, said);
  return g_error_new (O365_OAUTH2_ERROR, code, "%s.", message);
}

/* Hosts understand MAIL_TRANSPORT_ERROR: a failed token request becomes the class it belongs
 * to (temporary when the service is down or unreachable), keeping its explanation. */
GError *
o365_oauth2_error_to_transport_error (GError *error)
{
  MailTransportError code;
  GError *converted;

  if (error->domain != O365_OAUTH2_ERROR)
    return error;
  switch ((O365OAuth2Error) error->code)
    {
    case O365_OAUTH2_ERROR_NETWORK:
      code = MAIL_TRANSPORT_ERROR_CONNECT;
      break;
    case O365_OAUTH2_ERROR_SERVER:
      code = MAIL_TRANSPORT_ERROR_TEMPORARY;
      break;
    case O365_OAUTH2_ERROR_TIMEOUT:
      code = MAIL_TRANSPORT_ERROR_TIMEOUT;
      break;
    case O365_OAUTH2_ERROR_PROTOCOL:
      code = MAIL_TRANSPORT_ERROR_PROTOCOL;
      break;
    default:
      code = MAIL_TRANSPORT_ERROR_AUTH_FAILED;
      break;
    }
  converted = g_error_new_literal (MAIL_TRANSPORT_ERROR, code, error->message);
  g_error_free (error);
  return converted;
}
