/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-config.h — everything one SMTP session needs to know, including the credential.
 * Built from an account's settings and its keyring secret by the transport; tests build it
 * directly. The secret is wiped when the config is freed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  O365_SMTP_AUTH_PASSWORD, /* password or app password: AUTH PLAIN or LOGIN */
  O365_SMTP_AUTH_OAUTH2,   /* an OAuth2 access token: AUTH XOAUTH2 */
} O365SmtpAuthKind;

/* RFC 5321 §4.5.3.2 suggests 5 minutes for most replies and 10 for the final dot. */
#define O365_SMTP_DEFAULT_TIMEOUT_MS (5 * 60 * 1000)
#define O365_SMTP_DEFAULT_DATA_END_TIMEOUT_MS (10 * 60 * 1000)

typedef struct
{
  char *host;
  guint16 port;
  char *ehlo_name;           /* NULL: the address literal of our end of the connection */
  char *ca_file;             /* NULL, or extra trusted CA certificates (PEM) */
  guint timeout_ms;          /* for every step but the final dot; 0 = none */
  guint data_end_timeout_ms; /* waiting for the reply to the final dot */
  char *username;
  O365SmtpAuthKind auth_kind;
  char *mechanism;           /* NULL: the best the server offers for auth_kind */
  char *secret;              /* password or access token */
} O365SmtpConfig;

O365SmtpConfig *o365_smtp_config_new (void);
O365SmtpConfig *o365_smtp_config_copy (const O365SmtpConfig *config);
void o365_smtp_config_free (O365SmtpConfig *config);
/* Replaces the secret, wiping the old one. */
void o365_smtp_config_set_secret (O365SmtpConfig *config, const char *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365SmtpConfig, o365_smtp_config_free)

G_END_DECLS
