/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fake-resolver.c — preloaded (LD_PRELOAD) into a program under test, it makes a resolver that
 * answers MX queries from $O365_TEST_MX ("domain=host,host;domain=host") the default one, so
 * that the programs' DNS lookups are tested without a network (the machine has no DNS). Other
 * domains: not found. It answers nothing else: preload it only where no other lookup happens. */
#include <gio/gio.h>

#define FAKE_TYPE_RESOLVER (fake_resolver_get_type ())
G_DECLARE_FINAL_TYPE (FakeResolver, fake_resolver, FAKE, RESOLVER, GResolver)

struct _FakeResolver
{
  GResolver parent_instance;
};

G_DEFINE_FINAL_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static GList *
mx_records (const char *domain, GError **error)
{
  g_auto (GStrv) zones = g_strsplit (g_getenv ("O365_TEST_MX") != NULL ? g_getenv ("O365_TEST_MX") : "", ";", -1);

  for (guint i = 0; zones[i] != NULL; i++)
    {
      g_auto (GStrv) zone = g_strsplit (zones[i], "=", 2);
      g_auto (GStrv) hosts = NULL;
      GList *records = NULL;

      if (zone[0] == NULL || zone[1] == NULL || g_ascii_strcasecmp (zone[0], domain) != 0)
        continue;
      hosts = g_strsplit (zone[1], ",", -1);
      for (guint j = 0; hosts[j] != NULL; j++)
        records = g_list_append (records, g_variant_ref_sink (g_variant_new ("(qs)", (guint16) (10 * (j + 1)), hosts[j])));
      return records;
    }
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "No MX record for %s (fake resolver)", domain);
  return NULL;
}

static GList *
fake_lookup_records (GResolver *resolver, const char *rrname, GResolverRecordType type, GCancellable *cancellable,
                     GError **error)
{
  if (type != G_RESOLVER_RECORD_MX)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "fake resolver: MX only");
      return NULL;
    }
  return mx_records (rrname, error);
}

static void
fake_lookup_records_async (GResolver *resolver, const char *rrname, GResolverRecordType type,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *records;

  g_task_set_source_tag (task, fake_lookup_records_async);
  records = fake_lookup_records (resolver, rrname, type, cancellable, &error);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, NULL);
}

static GList *
fake_lookup_records_finish (GResolver *resolver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_records = fake_lookup_records;
  resolver_class->lookup_records_async = fake_lookup_records_async;
  resolver_class->lookup_records_finish = fake_lookup_records_finish;
}

static void
fake_resolver_init (FakeResolver *self)
{
}

__attribute__ ((constructor)) static void
install_fake_resolver (void)
{
  g_autoptr (GResolver) resolver = g_object_new (FAKE_TYPE_RESOLVER, NULL);

  g_resolver_set_default (resolver);
}
