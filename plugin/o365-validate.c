/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-validate.c — settings checks. Addresses are parsed with GMime, not by hand. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <gmime/gmime.h>

#include "mail-address.h"
#include "o365-validate.h"

G_DEFINE_QUARK (o365-settings-error-quark, o365_settings_error)

void
o365_ensure_gmime (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. Non-ASCII
 * (IDN) names are checked in their ASCII (punycode) form. */
static gboolean
is_dns_name (const char *name)
{
  g_autofree char *ascii = g_hostname_to_ascii (name);
  g_auto (GStrv) labels = NULL;

  if (ascii == NULL || *ascii == '\0' || strlen (ascii) > 253)
    return FALSE;
  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize length = strlen (label);

      /* A single trailing dot (absolute name) leaves one empty last label. */
      if (length == 0 && labels[i + 1] == NULL && i > 0)
        break;
      if (length == 0 || length > 63 || label[0] == '-' || label[length - 1] == '-')
        return FALSE;
      for (gsize j = 0; j < length; j++)
        if (!g_ascii_isalnum (label[j]) && label[j] != '-')
          return FALSE;
    }
  return TRUE;
}

/* The addr-spec GMime finds in @text when @text is exactly one mailbox, else NULL. */
static char *
parse_single_mailbox (const char *text)
{
  GMimeParserOptions *options;
  InternetAddressList *list;
  char *addr = NULL;

  o365_ensure_gmime ();
  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_STRICT);
  list = internet_address_list_parse (options, text);
  if (list != NULL && internet_address_list_length (list) == 1)
    {
      InternetAddress *parsed = internet_address_list_get_address (list, 0);

      if (INTERNET_ADDRESS_IS_MAILBOX (parsed))
        addr = g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (parsed)));
    }
  g_clear_object (&list);
  g_mime_parser_options_free (options);
  return addr;
}

/* What the settings dialog says beside the field, for each of the contract's refusals. */
static const struct
{
  MailAddressError code;
  const char *message;
} address_explanations[] = {
  { MAIL_ADDRESS_ERROR_TOO_LONG, N_("The e-mail address is too long") },
  { MAIL_ADDRESS_ERROR_ENCODED_WORD, N_("Enter the address itself, not encoded text") },
};

static const char *
explain_address_error (const GError *address_error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (address_explanations); i++)
    if (g_error_matches (address_error, MAIL_ADDRESS_ERROR, address_explanations[i].code))
      return _(address_explanations[i].message);
  return _("An e-mail address needs a name, “@” and a domain, such as someone@example.com");
}

gboolean
o365_validate_address (const char *address, GError **error)
{
  g_autofree char *parsed = NULL;
  g_autoptr (GError) address_error = NULL;

  if (address == NULL || *address == '\0')
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS,
                           _("Enter your e-mail address, such as someone@example.com"));
      return FALSE;
    }
  if (!g_utf8_validate (address, -1, NULL) || has_control_characters (address))
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS,
                           _("The e-mail address contains characters that are not allowed"));
      return FALSE;
    }

  parsed = parse_single_mailbox (address);
  if (parsed == NULL)
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS,
                           _("Enter one e-mail address, such as someone@example.com"));
      return FALSE;
    }

  if (!g_str_equal (parsed, address))
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS,
                           _("Enter only the address, without a name, spaces or angle brackets"));
      return FALSE;
    }

  /* GMime took it as one bare mailbox; what an envelope may carry is the contract's one rule. */
  if (!mail_address_check (address, &address_error))
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS,
                           explain_address_error (address_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_validate_server (const char *server, GError **error)
{
  if (server == NULL || *server == '\0')
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_SERVER,
                           _("Enter the server’s name, such as smtp.office365.com"));
      return FALSE;
    }
  if (g_hostname_is_ip_address (server))
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_SERVER,
                           _("Enter the server’s name, not its IP address: the server’s certificate is checked against its name"));
      return FALSE;
    }
  if (!g_utf8_validate (server, -1, NULL) || !is_dns_name (server))
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_SERVER,
                           _("The server name may contain only letters, digits, hyphens and dots"));
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_validate_port (guint port, GError **error)
{
  if (port < 1 || port > 65535)
    {
      g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_PORT,
                   _("The port must be a number from 1 to 65535 (Microsoft 365 uses 587)"));
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_validate_timeout (guint seconds, GError **error)
{
  if (seconds < O365_TIMEOUT_MIN_SECONDS || seconds > O365_TIMEOUT_MAX_SECONDS)
    {
      g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_TIMEOUT,
                   _("The timeout must be from %u to %u seconds"),
                   O365_TIMEOUT_MIN_SECONDS, O365_TIMEOUT_MAX_SECONDS);
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_validate_username (const char *username, GError **error)
{
  if (username != NULL && (!g_utf8_validate (username, -1, NULL) || has_control_characters (username)))
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_USERNAME,
                           _("The user name contains characters that are not allowed"));
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_validate_oauth2_tenant (const char *tenant, GError **error)
{
  gsize length = tenant != NULL ? strlen (tenant) : 0;

  /* It becomes a path segment of the sign-in URL: nothing that could leave that segment. */
  if (length == 0 || length > 253 || tenant[0] == '.' || tenant[0] == '-')
    goto invalid;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (tenant[i]) && tenant[i] != '-' && tenant[i] != '.')
      goto invalid;
  return TRUE;

invalid:
  g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                       _("The tenant must be organizations, common, consumers, a tenant id or "
                         "a domain such as contoso.com"));
  return FALSE;
}

gboolean
o365_validate_oauth2_client_id (const char *client_id, GError **error)
{
  static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

  if (client_id == NULL || *client_id == '\0')
    return TRUE;
  if (strlen (client_id) == strlen (pattern))
    {
      gsize i;

      for (i = 0; pattern[i] != '\0'; i++)
        if (pattern[i] == '-' ? client_id[i] != '-' : !g_ascii_isxdigit (client_id[i]))
          break;
      if (pattern[i] == '\0')
        return TRUE;
    }
  g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                       _("The client id is the “Application (client) ID” of an app registered "
                         "in Microsoft Entra ID, such as 0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
  return FALSE;
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* A service address tokens are sent to: a scheme and a host, https always, plain http only to
 * this machine itself (the tests' servers). */
static gboolean
check_service_address (const char *value,
                       const char *not_https_message,
                       const char *invalid_message,
                       GError **error)
{
  g_autoptr (GUri) uri = NULL;
  const char *scheme, *host, *path;

  if (value == NULL || *value == '\0')
    return TRUE;
  uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || has_control_characters (value))
    goto invalid;
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);
  if (host == NULL || *host == '\0' || g_uri_get_userinfo (uri) != NULL ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      (*path != '\0' && !g_str_equal (path, "/")))
    goto invalid;
  /* Tokens travel over this connection: TLS always, except to this machine itself. */
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    {
      if (!g_hostname_is_ip_address (host) && !is_dns_name (host))
        goto invalid;
      return TRUE;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback_host (host))
    return TRUE;
  g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE, not_https_message);
  return FALSE;

invalid:
  g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE, invalid_message);
  return FALSE;
}

gboolean
o365_validate_oauth2_authority (const char *authority, GError **error)
{
  return check_service_address (authority,
                                _("The sign-in service must be reached over https (plain http only to "
                                  "this computer itself)"),
                                _("The sign-in service must be a web address with only a scheme and a "
                                  "host, such as https://login.microsoftonline.com"),
                                error);
}

gboolean
o365_validate_graph_endpoint (const char *endpoint, GError **error)
{
  return check_service_address (endpoint,
                                _("Microsoft Graph must be reached over https (plain http only to "
                                  "this computer itself)"),
                                _("The Microsoft Graph address must be a web address with only a "
                                  "scheme and a host, such as https://graph.microsoft.com"),
                                error);
}

gboolean
o365_validate_transport (const char *transport, const char *auth_method, GError **error)
{
  if (g_strcmp0 (transport, "smtp") != 0 && g_strcmp0 (transport, "graph") != 0 &&
      g_strcmp0 (transport, "auto") != 0)
    {
      g_set_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                   _("Unknown transport “%s” (smtp, graph or auto)"), transport);
      return FALSE;
    }
  /* Graph takes OAuth2 tokens only. */
  if (g_str_equal (transport, "graph") && g_strcmp0 (auth_method, "oauth2") != 0)
    {
      g_set_error_literal (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_VALUE,
                           _("Sending through Microsoft Graph needs “Sign in with Microsoft”"));
      return FALSE;
    }
  return TRUE;
}
