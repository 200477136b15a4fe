/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-account.c — the office365 account type's defaults, and account settings round trips
 * through GSettings (memory backend, the project's compiled schemas). */
#include "config.h"

#include "mail-account-registry.h"
#include "o365-account-type.h"
#include "o365-account.h"
#include "o365-endpoints.h"
#include "o365-validate.h"
#include "test-utils.h"

static void
test_type_defaults (void)
{
  g_autoptr (O365AccountType) type = o365_account_type_new ();
  MailAccountType *iface = MAIL_ACCOUNT_TYPE (type);
  const MailEndpoint *endpoint = mail_account_type_get_default_endpoint (iface);
  g_autofree char *username = mail_account_type_dup_default_username (iface, "ann@contoso.com");
  const MailEndpoint *const *all;
  guint n = 0;

  g_assert_cmpstr (mail_account_type_get_id (iface), ==, "office365");
  g_assert_cmpstr (endpoint->id, ==, "worldwide");
  g_assert_cmpstr (endpoint->host, ==, "smtp.office365.com");
  g_assert_cmpuint (endpoint->port, ==, 587);
  g_assert_cmpint (endpoint->security, ==, MAIL_SECURITY_STARTTLS);
  g_assert_cmpstr (username, ==, "ann@contoso.com");
  /* The dialog comes from a module next to the plug-in; linked directly, there is none. */
  g_assert_true (mail_account_type_has_settings_widget (iface));
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (mail_account_type_create_settings_widget (iface, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  }

  all = mail_account_type_get_endpoints (iface, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (all[1]->host, ==, "smtp-mail.outlook.com");
  g_assert_cmpstr (mail_account_type_find_endpoint (iface, "gcc-high")->host, ==, "smtp.office365.us");
  g_assert_cmpstr (mail_account_type_find_endpoint (iface, "china")->host, ==, "smtp.partner.outlook.cn");
  g_assert_null (mail_account_type_find_endpoint (iface, "moon"));
  g_assert_cmpstr (o365_endpoints_find ("gcc-high")->oauth2_authority, ==, "https://login.microsoftonline.us");
  g_assert_cmpstr (o365_endpoints_find ("worldwide")->oauth2_scope, ==,
                   "https://outlook.office.com/SMTP.Send offline_access");
}

static void
test_new_account_defaults (void)
{
  g_autoptr (O365AccountType) type = o365_account_type_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MailAccount) account =
    mail_account_type_create_account (MAIL_ACCOUNT_TYPE (type), "fresh", &error);
  g_autofree char *server = NULL, *security = NULL, *auth = NULL, *tenant = NULL, *endpoint = NULL;
  guint port = 0, timeout = 0;

  g_assert_no_error (error);
  g_assert_true (O365_IS_ACCOUNT (account));
  g_object_get (account, "server", &server, "port", &port, "security", &security,
                "auth-method", &auth, "oauth2-tenant", &tenant, "endpoint", &endpoint,
                "timeout", &timeout, NULL);
  g_assert_cmpstr (server, ==, "smtp.office365.com");
  g_assert_cmpuint (port, ==, 587);
  g_assert_cmpstr (security, ==, "starttls");
  g_assert_cmpstr (auth, ==, "oauth2");
  g_assert_cmpstr (tenant, ==, "organizations");
  g_assert_cmpstr (endpoint, ==, "worldwide");
  g_assert_cmpuint (timeout, ==, 300);

  /* A new account has no address yet, so it is not valid and cannot be saved. */
  g_assert_false (o365_account_save (O365_ACCOUNT (account), &error));
  g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS);
  g_assert_null (mail_account_registry_dup_type ("fresh"));

  g_clear_error (&error);
  g_assert_null (mail_account_type_create_account (MAIL_ACCOUNT_TYPE (type), "a/b", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_username_defaults_to_address (void)
{
  g_autoptr (O365Account) account = o365_account_new ("upn");
  g_autofree char *by_address = NULL, *by_upn = NULL;

  g_object_set (account, "address", "ann@contoso.com", NULL);
  by_address = o365_account_dup_username (account);
  g_assert_cmpstr (by_address, ==, "ann@contoso.com");
  g_object_set (account, "username", "ann.smith@contoso.onmicrosoft.com", NULL);
  by_upn = o365_account_dup_username (account);
  g_assert_cmpstr (by_upn, ==, "ann.smith@contoso.onmicrosoft.com");
}

static void
test_settings_round_trip (void)
{
  g_autofree char *id = mail_account_registry_new_id ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) listed = NULL;
  g_autofree char *address = NULL, *name = NULL, *server = NULL, *auth = NULL, *ca = NULL;
  g_autofree char *path = NULL, *stored = NULL, *type = NULL;
  guint port = 0, timeout = 0;

  {
    g_autoptr (O365Account) account = o365_account_new (id);

    g_object_set (account, "address", "ann@contoso.com", "display-name", "Ann Smith",
                  "server", "smtp.office365.us", "endpoint", "gcc-high", "port", 25,
                  "auth-method", "app-password", "ca-file", "/etc/ssl/extra.pem",
                  "timeout", 60, NULL);
    g_assert_true (o365_account_has_unsaved_changes (account));

    /* Pending changes are not visible to other readers until saved. */
    {
      g_autoptr (O365Account) other = o365_account_new (id);
      g_autofree char *other_address = NULL;

      g_object_get (other, "address", &other_address, NULL);
      g_assert_cmpstr (other_address, ==, "");
    }

    g_assert_true (o365_account_save (account, &error));
    g_assert_no_error (error);
    g_assert_false (o365_account_has_unsaved_changes (account));
  }

  {
    g_autoptr (O365Account) reopened = o365_account_new (id);

    g_object_get (reopened, "address", &address, "display-name", &name, "server", &server,
                  "port", &port, "auth-method", &auth, "ca-file", &ca, "timeout", &timeout, NULL);
  }
  g_assert_cmpstr (address, ==, "ann@contoso.com");
  g_assert_cmpstr (name, ==, "Ann Smith");
  g_assert_cmpstr (server, ==, "smtp.office365.us");
  g_assert_cmpuint (port, ==, 25);
  g_assert_cmpstr (auth, ==, "app-password");
  g_assert_cmpstr (ca, ==, "/etc/ssl/extra.pem");
  g_assert_cmpuint (timeout, ==, 60);

  /* It is stored where the schema says, and listed in the registry with its type. */
  path = mail_account_registry_dup_settings_path (id);
  {
    g_autoptr (GSettings) raw = g_settings_new_with_path (O365_ACCOUNT_SCHEMA, path);

    stored = g_settings_get_string (raw, "address");
  }
  g_assert_cmpstr (stored, ==, "ann@contoso.com");
  listed = mail_account_registry_list ("office365");
  g_assert_true (g_strv_contains ((const char *const *) listed, id));
  type = mail_account_registry_dup_type (id);
  g_assert_cmpstr (type, ==, "office365");

  g_assert_true (mail_account_registry_remove (id));
  g_assert_false (mail_account_registry_remove (id));
  g_assert_null (mail_account_registry_dup_type (id));
}

static void
test_invalid_values_never_saved (void)
{
  struct { const char *property; GValue value; O365SettingsError code; } cases[4] = { 0 };
  g_autoptr (O365Account) account = o365_account_new ("invalid");

  g_value_init (&cases[0].value, G_TYPE_UINT);
  g_value_set_uint (&cases[0].value, 0);
  cases[0].property = "port";
  cases[0].code = O365_SETTINGS_ERROR_INVALID_PORT;
  g_value_init (&cases[1].value, G_TYPE_STRING);
  g_value_set_static_string (&cases[1].value, "192.0.2.1");
  cases[1].property = "server";
  cases[1].code = O365_SETTINGS_ERROR_INVALID_SERVER;
  g_value_init (&cases[2].value, G_TYPE_UINT);
  g_value_set_uint (&cases[2].value, 1);
  cases[2].property = "timeout";
  cases[2].code = O365_SETTINGS_ERROR_INVALID_TIMEOUT;
  g_value_init (&cases[3].value, G_TYPE_STRING);
  g_value_set_static_string (&cases[3].value, "mars");
  cases[3].property = "endpoint";
  cases[3].code = O365_SETTINGS_ERROR_INVALID_VALUE;

  g_object_set (account, "address", "bob@example.com", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (O365Account) reader = NULL;
      g_autofree char *stored_address = NULL;

      g_test_message ("invalid %s", cases[i].property);
      g_object_set_property (G_OBJECT (account), cases[i].property, &cases[i].value);
      g_assert_false (o365_account_save (account, &error));
      g_assert_error (error, O365_SETTINGS_ERROR, (gint) cases[i].code);

      reader = o365_account_new ("invalid");
      g_object_get (reader, "address", &stored_address, NULL);
      g_assert_cmpstr (stored_address, ==, "");

      o365_account_revert (account);
      g_object_set (account, "address", "bob@example.com", NULL);
      g_value_unset (&cases[i].value);
    }
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/account/type-defaults", test_type_defaults);
  g_test_add_func ("/account/new-account-defaults", test_new_account_defaults);
  g_test_add_func ("/account/username-defaults-to-address", test_username_defaults_to_address);
  g_test_add_func ("/account/settings-round-trip", test_settings_round_trip);
  g_test_add_func ("/account/invalid-values-never-saved", test_invalid_values_never_saved);
  return g_test_run ();
}
