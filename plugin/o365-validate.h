/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-validate.h — checks of account settings, pure functions with messages a person can act
 * on (the settings dialog shows them beside the field). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define O365_SETTINGS_ERROR (o365_settings_error_quark ())
GQuark o365_settings_error_quark (void);

typedef enum
{
  O365_SETTINGS_ERROR_INVALID_ADDRESS,
  O365_SETTINGS_ERROR_INVALID_SERVER,
  O365_SETTINGS_ERROR_INVALID_PORT,
  O365_SETTINGS_ERROR_INVALID_TIMEOUT,
  O365_SETTINGS_ERROR_INVALID_USERNAME,
  O365_SETTINGS_ERROR_INVALID_VALUE,
} O365SettingsError;

#define O365_TIMEOUT_MIN_SECONDS 5
#define O365_TIMEOUT_MAX_SECONDS 3600

/* g_mime_init() once per process, from any thread. */
void o365_ensure_gmime (void);

/* A bare addr-spec ("someone@example.com"), parsed with GMime; no display name, no group. */
gboolean o365_validate_address (const char *address, GError **error);
/* A DNS host name (RFC 1123 labels); IP addresses are refused, since certificates name hosts. */
gboolean o365_validate_server (const char *server, GError **error);
gboolean o365_validate_port (guint port, GError **error);
gboolean o365_validate_timeout (guint seconds, GError **error);
/* A user name for AUTH: printable, no CR, LF or NUL. Empty means "the address". */
gboolean o365_validate_username (const char *username, GError **error);
/* “Sign in with Microsoft”: organizations, common, consumers, a tenant id or a domain. */
gboolean o365_validate_oauth2_tenant (const char *tenant, GError **error);
/* An application (client) id as Entra ID shows it, a GUID. Empty means the built-in one. */
gboolean o365_validate_oauth2_client_id (const char *client_id, GError **error);
/* The identity platform's base URL: https with a host name, or plain http to a loopback
 * address (a local test server) and nothing else. Empty means the endpoint preset's. */
gboolean o365_validate_oauth2_authority (const char *authority, GError **error);
/* The graph-endpoint override: empty (the preset's), https, or http to loopback only. */
gboolean o365_validate_graph_endpoint (const char *endpoint, GError **error);
/* smtp, graph (OAuth2 accounts only) or auto. */
gboolean o365_validate_transport (const char *transport, const char *auth_method, GError **error);

G_END_DECLS
