/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-tls-identity.c — RFC 9525 DNS-ID matching without CN fallback. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-tls-identity.h"

static char *
normalise (const char *name)
{
  g_autofree char *ascii = g_hostname_to_ascii (name);
  gsize length;

  if (ascii == NULL)
    return NULL;
  /* An absolute name's trailing dot does not change what it names. */
  length = strlen (ascii);
  if (length > 0 && ascii[length - 1] == '.')
    ascii[length - 1] = '\0';
  return g_ascii_strdown (ascii, -1);
}

gboolean
o365_tls_dns_name_matches (const char *pattern, const char *host)
{
  g_autofree char *p = NULL;
  g_autofree char *h = NULL;
  const char *host_rest;

  g_return_val_if_fail (pattern != NULL && host != NULL, FALSE);

  p = normalise (pattern);
  h = normalise (host);
  if (p == NULL || h == NULL || *p == '\0' || *h == '\0' || g_hostname_is_ip_address (h))
    return FALSE;

  if (strchr (p, '*') == NULL)
    return g_str_equal (p, h);

  /* Only "*.rest" with at least two labels in "rest", and no other '*'. */
  if (!g_str_has_prefix (p, "*.") || strchr (p + 1, '*') != NULL || strchr (p + 2, '.') == NULL)
    return FALSE;
  host_rest = strchr (h, '.');
  if (host_rest == NULL || host_rest == h)
    return FALSE;
  return g_str_equal (p + 1, host_rest);
}

gboolean
o365_tls_identity_check (GTlsCertificate *certificate, const char *host, GError **error)
{
  g_autoptr (GPtrArray) names = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  names = g_tls_certificate_get_dns_names (certificate);
  if (names == NULL || names->len == 0)
    {
      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS,
                   _("The certificate of %s names no DNS host (it has no subjectAltName), so "
                     "it cannot prove the server is %s"), host, host);
      return FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      gsize length = 0;
      const char *data = g_bytes_get_data (g_ptr_array_index (names, i), &length);
      g_autofree char *name = g_strndup (data, length);

      /* A name with an embedded NUL is forged; g_strndup would cut it short. */
      if (strlen (name) == length && o365_tls_dns_name_matches (name, host))
        return TRUE;
    }
  g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS,
               _("The certificate presented by the server is not valid for %s"), host);
  return FALSE;
}

static char *
certificate_dns_names (GTlsCertificate *certificate)
{
  g_autoptr (GPtrArray) names = g_tls_certificate_get_dns_names (certificate);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      gsize length = 0;
      const char *name = g_bytes_get_data (g_ptr_array_index (names, i), &length);

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append_len (text, name, (gssize) length);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
format_date (GDateTime *time)
{
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d") : g_strdup ("?");
}

char *
o365_tls_describe_certificate_errors (GTlsCertificate *certificate, GTlsCertificateFlags errors, const char *host)
{
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    {
      g_autofree char *names = certificate_dns_names (certificate);

      g_ptr_array_add (reasons,
                       g_strdup_printf (_("its names (%s) do not include %s: check the server name "
                                          "in the account settings"),
                                        *names != '\0' ? names : _("none"), host));
    }
  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    {
      g_autofree char *issuer = g_tls_certificate_get_issuer_name (certificate);

      g_ptr_array_add (reasons,
                       g_strdup_printf (_("its issuer (%s) is not a trusted authority: if your "
                                          "organisation has its own, give its certificate with "
                                          "--ca-file"),
                                        issuer != NULL ? issuer : "?"));
    }
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    {
      g_autoptr (GDateTime) end = g_tls_certificate_get_not_valid_after (certificate);
      g_autofree char *date = format_date (end);

      g_ptr_array_add (reasons, g_strdup_printf (_("it expired on %s"), date));
    }
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    {
      g_autoptr (GDateTime) start = g_tls_certificate_get_not_valid_before (certificate);
      g_autofree char *date = format_date (start);

      g_ptr_array_add (reasons, g_strdup_printf (_("it is not valid before %s: check this "
                                                   "computer’s clock"), date));
    }
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (reasons, g_strdup (_("it was revoked")));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (reasons, g_strdup (_("it uses an insecure algorithm")));
  if (reasons->len == 0)
    return NULL;
  g_ptr_array_add (reasons, NULL);
  /* TRANSLATORS: joins the reasons a certificate was refused */
  return g_strjoinv (_("; "), (char **) reasons->pdata);
}
