/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-trust.c — the certificate's verifier, loaded in a worker thread meanwhile. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-trust.h"

struct _O365SmtpTrust
{
  GTlsDatabase parent_instance;

  gboolean has_extra_ca;
  gboolean loaded;
  GTlsDatabase *anchor; /* once loaded: the extra CA, else the system store (NULL: none at all) */
  GError *error;        /* once loaded: why the extra CA file could not be read */
  GQueue waiters;       /* GTask of o365_smtp_trust_wait_async() */
};

G_DEFINE_FINAL_TYPE (O365SmtpTrust, o365_smtp_trust, G_TYPE_TLS_DATABASE)

static void
o365_smtp_trust_finalize (GObject *object)
{
  O365SmtpTrust *self = O365_SMTP_TRUST (object);

  /* Nobody can be waiting: the load holds a reference until it is done. */
  g_assert (g_queue_is_empty (&self->waiters));
  g_clear_object (&self->anchor);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (o365_smtp_trust_parent_class)->finalize (object);
}

/* Called by the TLS connection during the handshake (in the main thread with glib-networking
 * 2.74, in its handshake thread with later ones): everything is loaded by then. */
static GTlsCertificateFlags
o365_smtp_trust_verify_chain (GTlsDatabase *database,
                              GTlsCertificate *chain,
                              const gchar *purpose,
                              GSocketConnectable *identity,
                              GTlsInteraction *interaction,
                              GTlsDatabaseVerifyFlags flags,
                              GCancellable *cancellable,
                              GError **error)
{
  O365SmtpTrust *self = O365_SMTP_TRUST (database);

  g_return_val_if_fail (self->loaded, G_TLS_CERTIFICATE_GENERIC_ERROR);

  if (self->anchor == NULL)
    return G_TLS_CERTIFICATE_UNKNOWN_CA | g_tls_certificate_verify (chain, identity, NULL);
  return g_tls_database_verify_chain (self->anchor, chain, purpose, identity, interaction, flags,
                                      cancellable, error);
}

static void
o365_smtp_trust_class_init (O365SmtpTrustClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_smtp_trust_finalize;
  G_TLS_DATABASE_CLASS (klass)->verify_chain = o365_smtp_trust_verify_chain;
}

static void
o365_smtp_trust_init (O365SmtpTrust *self)
{
  g_queue_init (&self->waiters);
}

/* --- loading -------------------------------------------------------------------------------- */

static void
load_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *ca_file = task_data;
  GTlsBackend *backend = g_tls_backend_get_default (); /* the TLS module, with dlopen() */
  GError *error = NULL;
  GTlsDatabase *anchor;

  /* GSocketClient would otherwise load the proxy resolver's module (dlopen() again) in the
   * main thread when it connects. */
  (void) g_proxy_resolver_get_default ();
  if (ca_file == NULL)
    {
      /* NULL (with a warning from glib-networking) when the system store cannot be read:
       * nothing is trusted then. */
      g_task_return_pointer (task, g_tls_backend_get_default_database (backend), g_object_unref);
      return;
    }
  anchor = g_tls_file_database_new (ca_file, &error);
  if (anchor == NULL)
    g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS,
                             _("Could not read the extra CA file %s: %s"), ca_file, error->message);
  else
    g_task_return_pointer (task, anchor, g_object_unref);
  g_clear_error (&error);
}

static void
return_loaded (O365SmtpTrust *self, GTask *waiter)
{
  if (self->error != NULL)
    g_task_return_error (waiter, g_error_copy (self->error));
  else
    g_task_return_boolean (waiter, TRUE);
  g_object_unref (waiter);
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  O365SmtpTrust *self = O365_SMTP_TRUST (source);
  GTask *waiter;

  self->anchor = g_task_propagate_pointer (G_TASK (result), &self->error);
  self->loaded = TRUE;
  while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
    return_loaded (self, waiter);
}

O365SmtpTrust *
o365_smtp_trust_new (const char *ca_file)
{
  O365SmtpTrust *self = g_object_new (O365_TYPE_SMTP_TRUST, NULL);
  g_autoptr (GTask) load = g_task_new (self, NULL, on_loaded, NULL);

  self->has_extra_ca = ca_file != NULL && *ca_file != '\0';
  g_task_set_task_data (load, self->has_extra_ca ? g_strdup (ca_file) : NULL, g_free);
  g_task_run_in_thread (load, load_in_thread);
  return self;
}

void
o365_smtp_trust_wait_async (O365SmtpTrust *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task;

  g_return_if_fail (O365_IS_SMTP_TRUST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_trust_wait_async);
  if (self->loaded)
    return_loaded (self, task);
  else
    g_queue_push_tail (&self->waiters, task);
}

gboolean
o365_smtp_trust_wait_finish (O365SmtpTrust *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_trust_wait_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
o365_smtp_trust_has_extra_ca (O365SmtpTrust *self)
{
  g_return_val_if_fail (O365_IS_SMTP_TRUST (self), FALSE);
  return self->has_extra_ca;
}

/* --- the system store, when the extra CA does not settle it ---------------------------------- */

typedef struct
{
  GTlsCertificate *peer;
  GSocketConnectable *identity;
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_object_unref (data->peer);
  g_object_unref (data->identity);
  g_free (data);
}

static void
verify_with_system_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VerifyData *data = task_data;
  g_autoptr (GTlsDatabase) system = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  GError *error = NULL;
  GTlsCertificateFlags errors;

  if (system == NULL)
    errors = G_TLS_CERTIFICATE_UNKNOWN_CA | g_tls_certificate_verify (data->peer, data->identity, NULL);
  else
    errors = g_tls_database_verify_chain (system, data->peer, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                          data->identity, NULL, G_TLS_DATABASE_VERIFY_NONE, cancellable,
                                          &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      g_clear_error (&error);
      g_task_return_int (task, errors);
    }
}

void
o365_smtp_trust_verify_with_system_async (O365SmtpTrust *self,
                                          GTlsCertificate *peer,
                                          GSocketConnectable *identity,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  VerifyData *data;

  g_return_if_fail (O365_IS_SMTP_TRUST (self));
  g_return_if_fail (G_IS_TLS_CERTIFICATE (peer) && G_IS_SOCKET_CONNECTABLE (identity));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_trust_verify_with_system_async);
  data = g_new0 (VerifyData, 1);
  data->peer = g_object_ref (peer);
  data->identity = g_object_ref (identity);
  g_task_set_task_data (task, data, (GDestroyNotify) verify_data_free);
  g_task_run_in_thread (task, verify_with_system_in_thread);
}

GTlsCertificateFlags
o365_smtp_trust_verify_with_system_finish (O365SmtpTrust *self, GAsyncResult *result, GError **error)
{
  gssize errors;

  g_return_val_if_fail (g_task_is_valid (result, self), G_TLS_CERTIFICATE_GENERIC_ERROR);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_trust_verify_with_system_async,
                        G_TLS_CERTIFICATE_GENERIC_ERROR);
  errors = g_task_propagate_int (G_TASK (result), error);
  return errors < 0 ? G_TLS_CERTIFICATE_GENERIC_ERROR : (GTlsCertificateFlags) errors;
}
