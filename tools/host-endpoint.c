/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-endpoint.c — the endpoint a new account belongs to: the account type knows its services'
 * domains and mail exchangers; this asks it, looking the domain's MX records up when the address
 * alone does not tell. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "host-accounts.h"
#include "host-endpoint.h"

/* A resolver that does not answer must not hold up adding an account. */
#define MX_LOOKUP_TIMEOUT_SECONDS 10

static gboolean
on_lookup_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Returns: (transfer full) (nullable): the MX host names of @domain. */
static GStrv
lookup_mail_exchangers (const char *domain, GError **error)
{
  g_autoptr (GResolver) resolver = g_resolver_get_default ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GStrvBuilder) hosts = g_strv_builder_new ();
  GList *records;
  guint timeout = g_timeout_add_seconds (MX_LOOKUP_TIMEOUT_SECONDS, on_lookup_timeout, cancellable);

  g_resolver_lookup_records_async (resolver, domain, G_RESOLVER_RECORD_MX, cancellable, host_keep_result, &result);
  host_wait_for_result (&result);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);
  records = g_resolver_lookup_records_finish (resolver, result, error);
  if (records == NULL)
    return NULL;
  for (GList *l = records; l != NULL; l = l->next)
    {
      const char *host = NULL;

      g_variant_get (l->data, "(q&s)", NULL, &host);
      g_strv_builder_add (hosts, host);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  return g_strv_builder_end (hosts);
}

const MailEndpoint *
host_suggest_endpoint (MailAccountType *type, const char *address)
{
  const MailEndpoint *endpoint = mail_account_type_suggest_endpoint (type, address, NULL);
  const char *at = strrchr (address, '@');
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) mail_exchangers = NULL;

  if (endpoint != NULL || at == NULL)
    return endpoint;
  mail_exchangers = lookup_mail_exchangers (at + 1, &error);
  if (mail_exchangers == NULL)
    {
      g_printerr (_("o365-account: note: could not look up where %s receives mail (%s); using the "
                    "default service\n"), at + 1, error->message);
      return NULL;
    }
  endpoint = mail_account_type_suggest_endpoint (type, address, (const char *const *) mail_exchangers);
  if (endpoint == NULL)
    g_printerr (_("o365-account: note: %s does not look like a %s domain (its mail goes to %s); "
                  "using the default service\n"), at + 1, mail_account_type_get_display_name (type),
                mail_exchangers[0] != NULL ? mail_exchangers[0] : "?");
  return endpoint;
}
