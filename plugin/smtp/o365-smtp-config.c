/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-config.c — session parameters; the secret never outlives them unwiped. */
#include "config.h"

#include "o365-smtp-sasl.h"
#include "o365-smtp-config.h"

O365SmtpConfig *
o365_smtp_config_new (void)
{
  O365SmtpConfig *config = g_new0 (O365SmtpConfig, 1);

  config->port = 587;
  config->timeout_ms = O365_SMTP_DEFAULT_TIMEOUT_MS;
  config->data_end_timeout_ms = O365_SMTP_DEFAULT_DATA_END_TIMEOUT_MS;
  config->auth_kind = O365_SMTP_AUTH_PASSWORD;
  return config;
}

O365SmtpConfig *
o365_smtp_config_copy (const O365SmtpConfig *config)
{
  O365SmtpConfig *copy = g_new0 (O365SmtpConfig, 1);

  *copy = *config;
  copy->host = g_strdup (config->host);
  copy->ehlo_name = g_strdup (config->ehlo_name);
  copy->ca_file = g_strdup (config->ca_file);
  copy->username = g_strdup (config->username);
  copy->mechanism = g_strdup (config->mechanism);
  copy->secret = g_strdup (config->secret);
  return copy;
}

void
o365_smtp_config_set_secret (O365SmtpConfig *config, const char *secret)
{
  g_clear_pointer (&config->secret, o365_sasl_secret_free);
  config->secret = g_strdup (secret);
}

void
o365_smtp_config_free (O365SmtpConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->host);
  g_free (config->ehlo_name);
  g_free (config->ca_file);
  g_free (config->username);
  g_free (config->mechanism);
  g_clear_pointer (&config->secret, o365_sasl_secret_free);
  g_free (config);
}
