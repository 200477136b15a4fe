/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-transport.c — MailTransport over O365SmtpSession. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "o365-connection-gate.h"
#include "o365-oauth2-tokens.h"
#include "o365-send-pacer.h"
#include "o365-smtp-session.h"
#include "o365-transport-steps.h"
#include "o365-transport.h"

struct _O365Transport
{
  GObject parent_instance;

  char *account_key;
  O365SmtpConfig *config;
  char *keyring_account_id; /* NULL: the config carries the secret */
  O365SecretKind keyring_kind;
  O365OAuth2Client *oauth2_client; /* non-NULL: access tokens from o365-oauth2-tokens */
  char *oauth2_account_id;
  char *oauth2_address;
  MailTransport *fallback; /* non-NULL: Graph, when the tenant has SMTP AUTH off ("auto") */
  GDestroyNotify on_fallback;
  gpointer on_fallback_data;
  GDestroyNotify on_fallback_data_free;
  guint idle_timeout;         /* seconds a connection is kept after a submission (0: none) */
  O365SmtpSession *kept;      /* that connection, signed in, holding the account's gate */
  guint kept_timeout_id;
  gint64 kept_since;          /* g_get_monotonic_time() when it was kept */
  guint waiting_for_gate;     /* this transport's operations waiting for the gate */
};

static void o365_transport_mail_transport_init (MailTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365Transport, o365_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MAIL_TYPE_TRANSPORT,
                                                      o365_transport_mail_transport_init))

static void
o365_transport_finalize (GObject *object)
{
  O365Transport *self = O365_TRANSPORT (object);

  o365_smtp_config_free (self->config);
  g_free (self->keyring_account_id);
  g_clear_object (&self->oauth2_client);
  g_free (self->oauth2_account_id);
  g_free (self->oauth2_address);
  g_clear_object (&self->fallback);
  if (self->kept != NULL)
    {
      /* Only a timeout or the next submission takes the kept connection; dropping it here
       * closes the socket without QUIT, which the server copes with. */
      g_clear_handle_id (&self->kept_timeout_id, g_source_remove);
      g_clear_object (&self->kept);
      o365_connection_gate_release (self->account_key);
    }
  /* Freed last: releasing the kept connection's gate above needs it. */
  g_free (self->account_key);
  if (self->on_fallback_data_free != NULL)
    self->on_fallback_data_free (self->on_fallback_data);

  G_OBJECT_CLASS (o365_transport_parent_class)->finalize (object);
}

static void
o365_transport_class_init (O365TransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_transport_finalize;
}

static void
o365_transport_init (O365Transport *self)
{
}

O365Transport *
o365_transport_new (const char *account_key, const O365SmtpConfig *config)
{
  O365Transport *self;

  g_return_val_if_fail (account_key != NULL && config != NULL, NULL);

  self = g_object_new (O365_TYPE_TRANSPORT, NULL);
  self->account_key = g_strdup (account_key);
  self->config = o365_smtp_config_copy (config);
  return self;
}

void
o365_transport_use_keyring (O365Transport *self, const char *account_id, O365SecretKind kind)
{
  g_return_if_fail (O365_IS_TRANSPORT (self));
  g_return_if_fail (account_id != NULL);

  g_free (self->keyring_account_id);
  self->keyring_account_id = g_strdup (account_id);
  self->keyring_kind = kind;
}

void
o365_transport_use_oauth2 (O365Transport *self,
                           const char *account_id,
                           const char *address,
                           O365OAuth2Client *client)
{
  g_return_if_fail (O365_IS_TRANSPORT (self));
  g_return_if_fail (account_id != NULL && address != NULL);
  g_return_if_fail (O365_IS_OAUTH2_CLIENT (client));

  g_set_object (&self->oauth2_client, client);
  g_free (self->oauth2_account_id);
  self->oauth2_account_id = g_strdup (account_id);
  g_free (self->oauth2_address);
  self->oauth2_address = g_strdup (address);
}

/* --- what every operation does first: its turn, the credential, the session ----------------- */

typedef void (*SessionReadyFunc) (GTask *task);

typedef struct
{
  GPtrArray *messages;    /* MailOutgoing (submit only) */
  GPtrArray *submissions; /* MailSubmission, same order (submit only) */
  O365SmtpSession *session;
  O365SmtpTrust *trust; /* loading from the start, for every session of the operation */
  SessionReadyFunc on_ready;
  guint next;
  gboolean gate_held;
  gboolean token_retried; /* the refused access token was refreshed once already */
  gboolean unchecked_kept; /* a kept connection used without NOOP: the first message is its check */
} OperationData;

static void
operation_data_free (OperationData *data)
{
  g_clear_pointer (&data->messages, g_ptr_array_unref);
  g_clear_pointer (&data->submissions, g_ptr_array_unref);
  g_clear_object (&data->session);
  g_clear_object (&data->trust);
  g_free (data);
}

static void
on_transcript_line (const char *line, gpointer user_data)
{
  mail_transport_emit_transcript (MAIL_TRANSPORT (user_data), line);
}

static void
on_progress (MailOutgoing *message, guint64 bytes_sent, gint64 total_bytes, gpointer user_data)
{
  mail_transport_emit_progress (MAIL_TRANSPORT (user_data), message, bytes_sent, total_bytes);
}


/* Releases the gate and completes the task with @error or @result (taking the task). */
static void
complete (GTask *task, GError *error, gpointer result, GDestroyNotify result_free)
{
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  o365_transport_complete (task, self->account_key, &data->gate_held, error, result, result_free);
}

static void request_access_token (GTask *task, gboolean force_refresh);

/* Office 365's answer to an access token it does not take (expired early, revoked, or meant for
 * another audience). */
static gboolean
is_token_refusal (const MailReply *reply)
{
  return reply != NULL && mail_reply_get_code (reply) == 535 &&
         g_strcmp0 (mail_reply_get_enhanced_code (reply), "5.7.3") == 0;
}

#define note(self, ...) o365_transport_note (MAIL_TRANSPORT (self), __VA_ARGS__)

static gboolean fall_back (GTask *task, const MailReply *refusal);

/* A password account's 535 5.7.3: the stored password is wrong (changed, say); signing in with
 * Microsoft has nothing to do with it. Returns the refusal (taking @error) saying what to run. */
static GError *
password_refusal (O365Transport *self, const MailReply *refusal, GError *error)
{
  g_autofree char *reply = mail_reply_to_string (refusal);

  g_error_free (error);
  return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED,
                      /* TRANSLATORS: %s are the sign-in name, the same again in a command, and
                       * the server's reply */
                      _("The server did not accept the password for %s: store the right one with "
                        "“o365-account edit %s --password-stdin”. (The server said: %s)"),
                      self->config->username, self->config->username, reply);
}

static void
on_session_open (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_smtp_session_open_finish (data->session, result, &error))
    {
      /* One refresh and one more try, never a loop: a second refusal is the answer. */
      if (self->oauth2_client != NULL && !data->token_retried &&
          is_token_refusal (o365_smtp_session_get_auth_refusal (data->session)))
        {
          data->token_retried = TRUE;
          g_error_free (error);
          g_clear_object (&data->session);
          note (self, "OAuth2: the server refused the access token; renewing it and trying once more");
          request_access_token (task, TRUE);
          return;
        }
      if (fall_back (task, o365_smtp_session_get_auth_refusal (data->session)))
        {
          g_error_free (error);
          return;
        }
      if (self->config->auth_kind == O365_SMTP_AUTH_PASSWORD
          && is_token_refusal (o365_smtp_session_get_auth_refusal (data->session)))
        error = password_refusal (self, o365_smtp_session_get_auth_refusal (data->session), error);
      complete (task, error, NULL, NULL);
      return;
    }
  data->on_ready (task);
}

static void
open_session (GTask *task, const O365SmtpConfig *config)
{
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (O365Transcript) transcript = NULL;

  if (mail_transport_wants_transcript (MAIL_TRANSPORT (self)))
    transcript = o365_transcript_new (on_transcript_line, g_object_ref (self), g_object_unref);
  data->session = o365_smtp_session_new (config, transcript);
  /* An operation that began on a kept connection has none yet: that connection was lost. */
  if (data->trust == NULL)
    data->trust = o365_smtp_trust_new (self->config->ca_file);
  o365_smtp_session_set_trust (data->session, data->trust);
  o365_smtp_session_set_progress_func (data->session, on_progress, self);
  o365_smtp_session_open_async (data->session, g_task_get_cancellable (task), on_session_open, task);
}

static void
on_access_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  g_autoptr (O365SmtpConfig) config = NULL;
  GError *error = NULL;
  gboolean refreshed = FALSE;
  gint64 expires_at = 0;
  char *token = o365_oauth2_tokens_get_finish (result, &refreshed, &expires_at, &error);

  if (token == NULL)
    {
      complete (task, o365_oauth2_error_to_transport_error (error), NULL, NULL);
      return;
    }
  note (self, "OAuth2: %s access token, valid for %" G_GINT64_FORMAT " more minutes%s",
        refreshed ? "a new" : "the remembered",
        MAX (expires_at - g_get_real_time (), 0) / G_USEC_PER_SEC / 60,
        refreshed ? "; the keyring holds the current refresh token" : "");
  config = o365_smtp_config_copy (self->config);
  o365_smtp_config_set_secret (config, token);
  secret_password_free (token);
  open_session (task, config);
}

static void
request_access_token (GTask *task, gboolean force_refresh)
{
  O365Transport *self = g_task_get_source_object (task);

  o365_oauth2_tokens_get_async (self->oauth2_client, self->oauth2_account_id, self->oauth2_address,
                                force_refresh, g_task_get_cancellable (task), on_access_token, task);
}

static void
on_secret (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  g_autoptr (O365SmtpConfig) config = NULL;
  GError *error = NULL;
  char *secret = o365_credentials_lookup_finish (result, &error);

  if (secret == NULL)
    {
      complete (task, error, NULL, NULL);
      return;
    }
  /* The session keeps its own copy, wiped with it; this one is wiped now. */
  config = o365_smtp_config_copy (self->config);
  o365_smtp_config_set_secret (config, secret);
  secret_password_free (secret);
  open_session (task, config);
}

/* With the gate held: the credential, then a new session. */
static void
sign_in (GTask *task)
{
  O365Transport *self = g_task_get_source_object (task);

  if (self->oauth2_client != NULL)
    request_access_token (task, FALSE);
  else if (self->keyring_account_id != NULL)
    o365_credentials_lookup_async (self->keyring_account_id, self->keyring_kind,
                                   g_task_get_cancellable (task), on_secret, task);
  else
    open_session (task, self->config);
}

static void
on_gate_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;

  self->waiting_for_gate--;
  if (!o365_connection_gate_acquire_finish (result, &error))
    {
      complete (task, error, NULL, NULL);
      return;
    }
  data->gate_held = TRUE;
  sign_in (task);
}

static void
start_operation (O365Transport *self,
                 gpointer source_tag,
                 OperationData *data,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  /* The trust store and the TLS and proxy modules load in a worker thread while the gate, the
   * credential and the connection are waited for: they are first needed at STARTTLS. */
  data->trust = o365_smtp_trust_new (self->config->ca_file);
  self->waiting_for_gate++;
  o365_transport_start_operation (self, source_tag, self->account_key, data, (GDestroyNotify) operation_data_free,
                                  cancellable, on_gate_acquired, callback, user_data);
}

/* --- a connection kept between submissions ---------------------------------------------------- */

/* A kept connection unused for less than this (or a third of the idle timeout, if shorter) is
 * used without a NOOP first. */
#define KEPT_FRESH_SECONDS 10

static void
on_kept_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (O365Transport) self = user_data;

  o365_smtp_session_close_finish (O365_SMTP_SESSION (source), result);
  g_object_unref (source);
  o365_connection_gate_release (self->account_key);
}

/* Says goodbye on the kept connection (if any), then lets the account's others in. */
static void
close_kept (O365Transport *self)
{
  O365SmtpSession *session = g_steal_pointer (&self->kept);

  g_clear_handle_id (&self->kept_timeout_id, g_source_remove);
  if (session != NULL)
    o365_smtp_session_close_async (session, NULL, NULL, NULL, on_kept_closed, g_object_ref (self));
}

static gboolean
on_kept_idle (gpointer user_data)
{
  O365Transport *self = user_data;

  self->kept_timeout_id = 0;
  note (self, "closing the connection kept for reuse: unused for %u s", self->idle_timeout);
  close_kept (self);
  return G_SOURCE_REMOVE;
}

/* At the end of a batch: keeps the session (and the gate) for the next one when the host asked
 * for it and nobody else of this transport is waiting for the gate. */
static gboolean
keep_session (O365Transport *self, OperationData *data)
{
  if (self->idle_timeout == 0 || self->waiting_for_gate > 0 || !o365_smtp_session_is_open (data->session))
    return FALSE;
  g_warn_if_fail (self->kept == NULL);
  self->kept = g_steal_pointer (&data->session);
  self->kept_since = g_get_monotonic_time ();
  data->gate_held = FALSE; /* the kept session holds it now */
  self->kept_timeout_id = g_timeout_add_seconds (self->idle_timeout, on_kept_idle, self);
  note (self, "keeping the connection open for reuse, for up to %u s", self->idle_timeout);
  return TRUE;
}

static void
on_kept_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  if (o365_smtp_session_check_alive_finish (data->session, result))
    {
      data->on_ready (task);
      return;
    }
  /* Closed by the server meanwhile: nothing was started on it, so a new one does it all. */
  g_clear_object (&data->session);
  note (self, "the kept connection was closed; opening a new one");
  sign_in (task);
}

static void
set_idle_timeout (MailTransport *transport, guint seconds)
{
  O365Transport *self = O365_TRANSPORT (transport);

  self->idle_timeout = seconds;
  if (seconds == 0)
    close_kept (self);
}

/* --- the end of every operation -------------------------------------------------------------- */

static void
on_session_ended (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *gate_key = user_data;

  o365_smtp_session_close_finish (O365_SMTP_SESSION (source), result);
  o365_connection_gate_release (gate_key);
}

/* Ends the session with QUIT. @report completes the operation as soon as QUIT is written: the
 * outcome is known by then, and a short-lived host (o365-send) can exit without waiting for
 * the 221, or up to the QUIT timeout when none comes. The session finishes in the background,
 * holding the account's connection gate until its connection is closed, so that the next
 * operation for the account still never opens a second connection meanwhile. */
static void
end_session (GTask *task, O365SmtpQuitSentFunc report)
{
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  g_assert (data->gate_held);
  data->gate_held = FALSE;
  o365_smtp_session_close_async (data->session, report, task, NULL, on_session_ended,
                                 g_strdup (self->account_key));
}

/* --- submit --------------------------------------------------------------------------------- */

static void
report_submitted (O365SmtpSession *session, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);

  complete (task, NULL, g_ptr_array_ref (data->submissions), (GDestroyNotify) g_ptr_array_unref);
}

static void send_next (GTask *task);

static void
on_pacer_told (GObject *source, GAsyncResult *result, gpointer user_data)
{
  o365_send_pacer_sent_finish (result);
  send_next (user_data);
}

static void
on_pacer_told_reopen (GObject *source, GAsyncResult *result, gpointer user_data)
{
  o365_send_pacer_sent_finish (result);
  sign_in (user_data);
}

/* Whether the server answered nothing of @submission's transaction: no recipient reply, so no
 * 354 either, and not a byte of the message went. */
static gboolean
is_untouched (MailSubmission *submission)
{
  if (mail_submission_get_status (submission) != MAIL_SUBMISSION_FAILED)
    return FALSE;
  for (guint i = 0; i < mail_submission_get_n_recipients (submission); i++)
    if (mail_submission_get_recipient_reply (submission, i) != NULL)
      return FALSE;
  return TRUE;
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean unchecked_kept = data->unchecked_kept;

  data->unchecked_kept = FALSE;
  if (!o365_smtp_session_send_finish (data->session, result, &error) && unchecked_kept && data->next == 1 &&
      is_untouched (g_ptr_array_index (data->submissions, 0)))
    {
      /* The kept connection was gone (closed by the server) before it answered anything: the
       * message starts again on a new one, as if the connection had not been kept. */
      note (self, "the kept connection was closed (%s); opening a new one", error->message);
      g_clear_object (&data->session);
      g_object_unref (g_ptr_array_index (data->submissions, 0));
      g_ptr_array_index (data->submissions, 0) = mail_submission_new (g_ptr_array_index (data->messages, 0));
      data->next = 0;
      o365_send_pacer_sent_async (self->account_key, on_pacer_told_reopen, task);
      return;
    }
  if (error != NULL)
    {
      /* The rest of the batch was not sent at all: safe to retry as it is. */
      for (guint i = data->next; i < data->messages->len; i++)
        mail_submission_set_failed (g_ptr_array_index (data->submissions, i),
                                    g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                                 _("Not sent: the connection ended before this "
                                                   "message (%s)"), error->message),
                                    NULL);
      data->next = data->messages->len;
    }
  o365_send_pacer_sent_async (self->account_key, on_pacer_told, task);
}

static void
on_paced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint index = data->next++;

  if (!o365_send_pacer_wait_finish (result, &error))
    {
      for (guint i = index; i < data->messages->len; i++)
        mail_submission_set_failed (g_ptr_array_index (data->submissions, i), g_error_copy (error), NULL);
      data->next = data->messages->len;
      send_next (task);
      return;
    }
  o365_smtp_session_send_async (data->session, g_ptr_array_index (data->messages, index),
                                g_ptr_array_index (data->submissions, index),
                                g_task_get_cancellable (task), on_sent, task);
}

static void
send_next (GTask *task)
{
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  if (data->next == data->messages->len && keep_session (self, data))
    complete (task, NULL, g_ptr_array_ref (data->submissions), (GDestroyNotify) g_ptr_array_unref);
  else if (data->next == data->messages->len)
    end_session (task, report_submitted);
  else
    o365_send_pacer_wait_async (self->account_key, g_task_get_cancellable (task), on_paced, task);
}

static void
o365_transport_submit_async (MailTransport *transport,
                             GPtrArray *messages,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  O365Transport *self = O365_TRANSPORT (transport);
  OperationData *data = g_new0 (OperationData, 1);

  o365_transport_prepare_batch (messages, &data->messages, &data->submissions);
  data->on_ready = send_next;
  if (self->kept != NULL)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, o365_transport_submit_async);
      g_task_set_task_data (task, data, (GDestroyNotify) operation_data_free);
      g_clear_handle_id (&self->kept_timeout_id, g_source_remove);
      data->session = g_steal_pointer (&self->kept);
      data->gate_held = TRUE;
      /* Used a moment ago, it is alive unless something unusual happened; the first message's
       * pipelined envelope then finds out, and a new connection takes it (on_sent). After a
       * longer pause, NOOP asks first. */
      if (g_get_monotonic_time () - self->kept_since < MIN (KEPT_FRESH_SECONDS, self->idle_timeout / 3.0) * G_USEC_PER_SEC)
        {
          note (self, "reusing the connection kept open");
          data->unchecked_kept = TRUE;
          data->on_ready (g_steal_pointer (&task));
          return;
        }
      note (self, "reusing the connection kept open, after NOOP");
      o365_smtp_session_check_alive_async (data->session, cancellable, on_kept_checked, g_steal_pointer (&task));
      return;
    }
  start_operation (O365_TRANSPORT (transport), o365_transport_submit_async, data, cancellable,
                   callback, user_data);
}

static GPtrArray *
o365_transport_submit_finish (MailTransport *transport, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_transport_submit_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- check ---------------------------------------------------------------------------------- */

static GVariant *
describe_session (O365Transport *self, O365SmtpSession *session)
{
  g_auto (GVariantDict) facts = G_VARIANT_DICT_INIT (NULL);
  const O365SmtpCapabilities *capabilities = o365_smtp_session_get_capabilities (session);
  g_autofree char *server = g_strdup_printf ("%s:%u", self->config->host, self->config->port);

  g_variant_dict_insert (&facts, "server", "s", server);
  g_variant_dict_insert (&facts, "tls-version", "s", o365_smtp_session_get_tls_version (session));
  g_variant_dict_insert_value (&facts, "auth-mechanisms",
                               g_variant_new_strv ((const char *const *) capabilities->auth_mechanisms, -1));
  g_variant_dict_insert (&facts, "auth-mechanism", "s", o365_smtp_session_get_auth_mechanism (session));
  if (capabilities->size_limit > 0)
    g_variant_dict_insert (&facts, "size-limit", "t", capabilities->size_limit);
  return g_variant_ref_sink (g_variant_dict_end (&facts));
}

static void
report_checked (O365SmtpSession *session, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);

  complete (task, NULL, describe_session (self, session), (GDestroyNotify) g_variant_unref);
}

static void
close_after_check (GTask *task)
{
  end_session (task, report_checked);
}

static void
o365_transport_check_async (MailTransport *transport,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  OperationData *data = g_new0 (OperationData, 1);

  data->on_ready = close_after_check;
  /* A check is a new sign-in: the kept connection goes first (its gate with it). */
  close_kept (O365_TRANSPORT (transport));
  start_operation (O365_TRANSPORT (transport), o365_transport_check_async, data, cancellable,
                   callback, user_data);
}

static GVariant *
o365_transport_check_finish (MailTransport *transport, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_transport_check_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
o365_transport_mail_transport_init (MailTransportInterface *iface)
{
  iface->submit_async = o365_transport_submit_async;
  iface->submit_finish = o365_transport_submit_finish;
  iface->check_async = o365_transport_check_async;
  iface->check_finish = o365_transport_check_finish;
  iface->set_idle_timeout = set_idle_timeout;
}

/* --- "auto": Microsoft Graph when the tenant switched SMTP AUTH off ---------------------------- */

void
o365_transport_fall_back_to (O365Transport *self,
                             MailTransport *fallback,
                             GDestroyNotify on_fallback,
                             gpointer on_fallback_data,
                             GDestroyNotify on_fallback_data_free)
{
  g_return_if_fail (O365_IS_TRANSPORT (self) && MAIL_IS_TRANSPORT (fallback));

  g_set_object (&self->fallback, fallback);
  self->on_fallback = on_fallback;
  self->on_fallback_data = on_fallback_data;
  self->on_fallback_data_free = on_fallback_data_free;
}

/* 535 5.7.139 (SMTP AUTH disabled for the tenant or mailbox) and 550 5.7.30 (basic auth off):
 * no sign-in over SMTP will ever work for this account (docs/office365.md). */
static gboolean
is_smtp_auth_switched_off (const MailReply *reply)
{
  return reply != NULL &&
         ((mail_reply_get_code (reply) == 535 && g_strcmp0 (mail_reply_get_enhanced_code (reply), "5.7.139") == 0) ||
          (mail_reply_get_code (reply) == 550 && g_strcmp0 (mail_reply_get_enhanced_code (reply), "5.7.30") == 0));
}

static void
forward_transcript (MailTransport *fallback, const char *line, gpointer self)
{
  mail_transport_emit_transcript (self, line);
}

static void
forward_progress (MailTransport *fallback, MailOutgoing *message, guint64 sent, gint64 total, gpointer self)
{
  mail_transport_emit_progress (self, message, sent, total);
}

static void
on_fallback_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer outcome;
  GDestroyNotify outcome_free;

  g_signal_handlers_disconnect_by_data (self->fallback, self);
  if (data->messages != NULL)
    {
      outcome = mail_transport_submit_finish (self->fallback, result, &error);
      outcome_free = (GDestroyNotify) g_ptr_array_unref;
    }
  else
    {
      outcome = mail_transport_check_finish (self->fallback, result, &error);
      outcome_free = (GDestroyNotify) g_variant_unref;
    }
  complete (task, error, outcome, outcome_free);
}

/* Hands the operation to Graph (the gate released first: Graph takes it itself), remembers the
 * choice for the account and says so once, in the transcript and as a progress note. */
static gboolean
fall_back (GTask *task, const MailReply *refusal)
{
  O365Transport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  if (self->fallback == NULL || !is_smtp_auth_switched_off (refusal))
    return FALSE;
  if (data->gate_held)
    {
      data->gate_held = FALSE;
      o365_connection_gate_release (self->account_key);
    }
  note (self, "The organisation has switched SMTP AUTH off (%u %s): this account sends through "
        "Microsoft Graph from now on", mail_reply_get_code (refusal), mail_reply_get_enhanced_code (refusal));
  g_message (_("SMTP AUTH is switched off for this account (%u %s): sending through Microsoft Graph "
               "instead, from now on."),
             mail_reply_get_code (refusal), mail_reply_get_enhanced_code (refusal));
  if (self->on_fallback != NULL)
    self->on_fallback (self->on_fallback_data);
  g_signal_connect_object (self->fallback, "transcript", G_CALLBACK (forward_transcript), self, 0);
  g_signal_connect_object (self->fallback, "progress", G_CALLBACK (forward_progress), self, 0);
  if (data->messages != NULL)
    mail_transport_submit_async (self->fallback, data->messages, g_task_get_cancellable (task),
                                 on_fallback_done, task);
  else
    mail_transport_check_async (self->fallback, g_task_get_cancellable (task), on_fallback_done, task);
  return TRUE;
}
