/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-session.c — the session state machine: connect, STARTTLS, AUTH, transactions. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "mail-transport-error.h"
#include "o365-deadline.h"
#include "o365-smtp-explain.h"
#include "o365-smtp-auth.h"
#include "o365-smtp-channel.h"
#include "o365-smtp-envelope.h"
#include "o365-smtp-session.h"
#include "o365-smtp-tls-identity.h"
#include "o365-smtp-trust.h"
#include "o365-validate.h"

/* QUIT is a courtesy; never wait long for its answer. */
#define QUIT_TIMEOUT_MS 5000

struct _O365SmtpSession
{
  GObject parent_instance;

  O365SmtpConfig *config;
  O365Transcript *transcript;
  O365SmtpProgressFunc progress;
  gpointer progress_data;

  O365SmtpTrust *trust;            /* what verifies the server, loading meanwhile */
  GTlsCertificate *refused_peer;   /* the certificate the handshake refused, to say why */
  GTlsCertificateFlags refused_errors;
  gboolean system_check_due;       /* the extra CA did not know the issuer: the system store decides,
                                    * after the handshake and before anything is sent */
  GSocketConnection *connection;   /* the TCP connection */
  GIOStream *tls;                  /* the TLS connection on it, once STARTTLS is done */
  O365SmtpChannel *channel;        /* on the TLS stream once it exists */
  O365SmtpCapabilities *capabilities;
  char *ehlo_name;
  const char *tls_version;
  const char *auth_mechanism;
  MailReply *auth_refusal;
  gboolean open;
  gboolean needs_reset;
};

G_DEFINE_FINAL_TYPE (O365SmtpSession, o365_smtp_session, G_TYPE_OBJECT)

static void
o365_smtp_session_finalize (GObject *object)
{
  O365SmtpSession *self = O365_SMTP_SESSION (object);

  o365_smtp_config_free (self->config);
  g_clear_pointer (&self->transcript, o365_transcript_unref);
  g_clear_object (&self->trust);
  g_clear_object (&self->refused_peer);
  g_clear_object (&self->channel);
  g_clear_object (&self->tls);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->capabilities, o365_smtp_capabilities_free);
  g_free (self->ehlo_name);
  g_clear_pointer (&self->auth_refusal, mail_reply_unref);

  G_OBJECT_CLASS (o365_smtp_session_parent_class)->finalize (object);
}

static void
o365_smtp_session_class_init (O365SmtpSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_smtp_session_finalize;
}

static void
o365_smtp_session_init (O365SmtpSession *self)
{
}

O365SmtpSession *
o365_smtp_session_new (const O365SmtpConfig *config, O365Transcript *transcript)
{
  O365SmtpSession *self;

  g_return_val_if_fail (config != NULL && config->host != NULL, NULL);

  self = g_object_new (O365_TYPE_SMTP_SESSION, NULL);
  self->config = o365_smtp_config_copy (config);
  self->transcript = transcript != NULL ? o365_transcript_ref (transcript) : NULL;
  return self;
}

void
o365_smtp_session_set_trust (O365SmtpSession *self, O365SmtpTrust *trust)
{
  g_return_if_fail (O365_IS_SMTP_SESSION (self) && O365_IS_SMTP_TRUST (trust));
  g_return_if_fail (self->connection == NULL);
  g_set_object (&self->trust, trust);
}

void
o365_smtp_session_set_progress_func (O365SmtpSession *self, O365SmtpProgressFunc func, gpointer user_data)
{
  g_return_if_fail (O365_IS_SMTP_SESSION (self));
  self->progress = func;
  self->progress_data = user_data;
}

const char *
o365_smtp_session_get_tls_version (O365SmtpSession *self)
{
  g_return_val_if_fail (O365_IS_SMTP_SESSION (self), NULL);
  return self->tls_version;
}

const MailReply *
o365_smtp_session_get_auth_refusal (O365SmtpSession *self)
{
  g_return_val_if_fail (O365_IS_SMTP_SESSION (self), NULL);
  return self->auth_refusal;
}

const char *
o365_smtp_session_get_auth_mechanism (O365SmtpSession *self)
{
  g_return_val_if_fail (O365_IS_SMTP_SESSION (self), NULL);
  return self->auth_mechanism;
}

const O365SmtpCapabilities *
o365_smtp_session_get_capabilities (O365SmtpSession *self)
{
  g_return_val_if_fail (O365_IS_SMTP_SESSION (self), NULL);
  return self->capabilities;
}

gboolean
o365_smtp_session_is_open (O365SmtpSession *self)
{
  g_return_val_if_fail (O365_IS_SMTP_SESSION (self), FALSE);
  return self->open;
}

/* Drops the connection after a failure: nothing more can be said on it. */
static void
drop_connection (O365SmtpSession *self)
{
  self->open = FALSE;
  g_clear_object (&self->channel);
  if (self->tls != NULL)
    g_io_stream_close_async (self->tls, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  else if (self->connection != NULL)
    g_io_stream_close_async (G_IO_STREAM (self->connection), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&self->tls);
  g_clear_object (&self->connection);
}

static void
fail_open (GTask *task, GError *error)
{
  O365SmtpSession *self = g_task_get_source_object (task);

  o365_transcript_note (self->transcript, "%s", error->message);
  drop_connection (self);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* --- open: the steps in order --------------------------------------------------------------- */

typedef enum
{
  STEP_GREETING,
  STEP_EHLO,
  STEP_STARTTLS,
  STEP_EHLO_AFTER_TLS,
} OpenStep;

/* The open operation's own state. */
typedef struct
{
  OpenStep step;          /* whose reply is awaited */
  O365Deadline *deadline; /* of the wait under way that no channel timeout covers: connecting,
                           * the TLS handshake; NULL between them */
} OpenData;

static void
open_data_free (OpenData *data)
{
  o365_deadline_free (data->deadline);
  g_free (data);
}

/* Starts the deadline of a wait; the wait is given the returned cancellable. */
static GCancellable *
open_start_deadline (GTask *task)
{
  O365SmtpSession *self = g_task_get_source_object (task);
  OpenData *data = g_task_get_task_data (task);

  g_assert (data->deadline == NULL);
  data->deadline = o365_deadline_new (self->config->timeout_ms, g_task_get_cancellable (task));
  return o365_deadline_get_cancellable (data->deadline);
}

/* Ends the deadline of the wait that just finished: TRUE when it ran out, which tells a timeout
 * from the caller's cancellation. */
static gboolean
open_end_deadline (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);
  gboolean expired = o365_deadline_expired (data->deadline);

  g_clear_pointer (&data->deadline, o365_deadline_free);
  return expired;
}

static void connect_to_server (GTask *task);
static void command_step (GTask *task, OpenStep step);
static void start_tls (GTask *task);
static void authenticate (GTask *task);

/* RFC 5321 §4.1.4: without a meaningful host name, the client's address literal. */
static char *
address_literal (GSocketConnection *connection)
{
  g_autoptr (GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autofree char *address = NULL;
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup ("localhost");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  address = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", address);
  return g_strdup_printf ("[%s]", address);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  gboolean timed_out = open_end_deadline (task);
  GError *error = NULL;
  GSocket *socket;

  self->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (self->connection == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !timed_out)
        fail_open (task, error);
      else
        {
          fail_open (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_CONNECT,
                                        _("Could not connect to %s port %u: %s"),
                                        self->config->host, self->config->port,
                                        timed_out ? _("no answer in time") : error->message));
          g_clear_error (&error);
        }
      return;
    }

  /* Every flight is one write; Nagle would hold the next one back for a delayed ACK. */
  socket = g_socket_connection_get_socket (self->connection);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  if (self->config->ehlo_name != NULL)
    self->ehlo_name = g_strdup (self->config->ehlo_name);
  else
    self->ehlo_name = address_literal (self->connection);

  o365_transcript_note (self->transcript, "connected to %s port %u", self->config->host, self->config->port);
  self->channel = o365_smtp_channel_new (G_IO_STREAM (self->connection), self->transcript);
  o365_smtp_channel_set_timeout (self->channel, self->config->timeout_ms);
  command_step (task, STEP_GREETING);
}

static void
connect_to_server (GTask *task)
{
  O365SmtpSession *self = g_task_get_source_object (task);
  g_autoptr (GSocketClient) client = g_socket_client_new ();

  g_socket_client_connect_to_host_async (client, self->config->host, self->config->port,
                                         open_start_deadline (task), on_connected, task);
}

static void on_step_reply (GObject *source, GAsyncResult *result, gpointer user_data);

static void
on_step_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!o365_smtp_channel_write_finish (O365_SMTP_CHANNEL (source), result, &error))
    {
      fail_open (task, error);
      return;
    }
  o365_smtp_channel_read_reply_async (O365_SMTP_CHANNEL (source), g_task_get_cancellable (task),
                                      on_step_reply, task);
}

static void
command_step (GTask *task, OpenStep step)
{
  O365SmtpSession *self = g_task_get_source_object (task);
  OpenData *data = g_task_get_task_data (task);
  g_autofree char *command = NULL;

  data->step = step;
  if (step == STEP_GREETING)
    {
      o365_smtp_channel_read_reply_async (self->channel, g_task_get_cancellable (task), on_step_reply, task);
      return;
    }
  command = step == STEP_STARTTLS ? g_strdup ("STARTTLS\r\n") : g_strdup_printf ("EHLO %s\r\n", self->ehlo_name);
  o365_transcript_client_commands (self->transcript, command);
  o365_smtp_channel_write_async (self->channel, g_bytes_new_take (command, strlen (command)),
                                 g_task_get_cancellable (task), on_step_written, task);
  g_steal_pointer (&command);
}

/* A refused STARTTLS ends the session whatever the code: there is no unencrypted way on. A 4xx
 * (RFC 3207: 454 "TLS not available due to temporary reason") may work later; any other reply,
 * a positive one other than 220 too, is a TLS failure. */
static GError *
explain_starttls_refusal (const MailReply *reply)
{
  return o365_explain_reply_as (O365_SMTP_STAGE_STARTTLS, reply,
                                mail_reply_is_transient (reply) ? MAIL_TRANSPORT_ERROR_TEMPORARY
                                                                : MAIL_TRANSPORT_ERROR_TLS);
}

static void
on_step_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  OpenStep step = ((OpenData *) g_task_get_task_data (task))->step;
  g_autoptr (MailReply) reply = NULL;
  GError *error = NULL;
  static const O365SmtpStage stages[] = {
    [STEP_GREETING] = O365_SMTP_STAGE_GREETING,
    [STEP_EHLO] = O365_SMTP_STAGE_EHLO,
    [STEP_STARTTLS] = O365_SMTP_STAGE_STARTTLS,
    [STEP_EHLO_AFTER_TLS] = O365_SMTP_STAGE_EHLO,
  };
  static const guint expected[] = {
    [STEP_GREETING] = 220,
    [STEP_EHLO] = 250,
    [STEP_STARTTLS] = 220,
    [STEP_EHLO_AFTER_TLS] = 250,
  };

  reply = o365_smtp_channel_read_reply_finish (O365_SMTP_CHANNEL (source), result, &error);
  if (reply == NULL)
    {
      fail_open (task, error);
      return;
    }
  if (mail_reply_get_code (reply) != expected[step])
    {
      fail_open (task, step == STEP_STARTTLS ? explain_starttls_refusal (reply)
                                             : o365_explain_reply (stages[step], reply));
      return;
    }

  switch (step)
    {
    case STEP_GREETING:
      command_step (task, STEP_EHLO);
      break;
    case STEP_EHLO:
      /* Capabilities before TLS are only used to see STARTTLS; they are then forgotten. */
      {
        g_autoptr (O365SmtpCapabilities) plain = o365_smtp_capabilities_parse (reply);

        if (!plain->starttls)
          {
            fail_open (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS,
                                          _("%s does not offer STARTTLS; refusing to sign in or send "
                                            "without encryption"), self->config->host));
            return;
          }
      }
      command_step (task, STEP_STARTTLS);
      break;
    case STEP_STARTTLS:
      if (o365_smtp_channel_has_buffered_input (self->channel))
        {
          fail_open (task, g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                                                _("The server sent more data right after agreeing "
                                                  "to STARTTLS, before encryption began. That is a "
                                                  "response injection attack or a broken server; "
                                                  "the connection was closed.")));
          return;
        }
      start_tls (task);
      break;
    case STEP_EHLO_AFTER_TLS:
      self->capabilities = o365_smtp_capabilities_parse (reply);
      authenticate (task);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_accept_certificate (GTlsConnection *connection,
                       GTlsCertificate *peer,
                       GTlsCertificateFlags errors,
                       gpointer user_data)
{
  O365SmtpSession *self = user_data;

  g_set_object (&self->refused_peer, peer);
  self->refused_errors = errors;
  /* The extra CA verified everything but the trust anchor: the certificate may still be one
   * the system store trusts. Reading that store takes tens of milliseconds, which must not
   * stall the main loop (where glib-networking 2.74 asks), so the handshake goes on and the
   * store is consulted in a worker thread before a byte is sent over TLS. Expiry, a wrong name
   * or any other fault stays fatal at once. */
  if (errors == G_TLS_CERTIFICATE_UNKNOWN_CA && o365_smtp_trust_has_extra_ca (self->trust))
    {
      self->system_check_due = TRUE;
      return TRUE;
    }
  return FALSE;
}

/* Why the handshake failed: the certificate's faults when it was refused, else @error's text. */
static char *
describe_handshake_failure (O365SmtpSession *self, const GError *error)
{
  char *reasons = NULL;

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) && self->refused_peer != NULL)
    reasons = o365_tls_describe_certificate_errors (self->refused_peer, self->refused_errors,
                                                     self->config->host);
  return reasons != NULL ? reasons : g_strdup (error->message);
}

static const char *
tls_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default: return NULL;
    }
}

static void on_system_verified (GObject *source, GAsyncResult *result, gpointer user_data);
static void handshake_done (GTask *task);

static void
on_handshake (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  gboolean timed_out = open_end_deadline (task);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || timed_out)
        {
          g_autofree char *why = timed_out ? g_strdup (_("no answer in time"))
                                           : describe_handshake_failure (self, error);
          GError *tls_error = g_error_new (MAIL_TRANSPORT_ERROR,
                                           timed_out ? MAIL_TRANSPORT_ERROR_TIMEOUT : MAIL_TRANSPORT_ERROR_TLS,
                                           _("Could not establish a secure connection to %s: %s"),
                                           self->config->host, why);
          g_clear_error (&error);
          error = tls_error;
        }
      fail_open (task, error);
      return;
    }

  if (self->system_check_due)
    {
      g_autoptr (GSocketConnectable) identity = g_network_address_new (self->config->host, self->config->port);

      o365_smtp_trust_verify_with_system_async (self->trust, self->refused_peer, identity,
                                                open_start_deadline (task), on_system_verified, task);
      return;
    }
  handshake_done (task);
}

static void
on_system_verified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  gboolean timed_out = open_end_deadline (task);
  GError *error = NULL;
  GTlsCertificateFlags errors = o365_smtp_trust_verify_with_system_finish (self->trust, result, &error);
  g_autofree char *why = NULL;

  if (error != NULL && !timed_out)
    {
      fail_open (task, error);
      return;
    }
  g_clear_error (&error);
  if (!timed_out && errors == 0)
    {
      self->system_check_due = FALSE;
      handshake_done (task);
      return;
    }
  /* What the extra CA found (only the anchor missing) is the reason, as when it is refused
   * during the handshake. */
  why = timed_out ? g_strdup (_("no answer in time"))
                  : o365_tls_describe_certificate_errors (self->refused_peer, self->refused_errors,
                                                          self->config->host);
  fail_open (task, g_error_new (MAIL_TRANSPORT_ERROR, timed_out ? MAIL_TRANSPORT_ERROR_TIMEOUT : MAIL_TRANSPORT_ERROR_TLS,
                                _("Could not establish a secure connection to %s: %s"),
                                self->config->host, why));
}

/* The handshake is through and the certificate trusted: the protocol, the name, then EHLO. */
static void
handshake_done (GTask *task)
{
  O365SmtpSession *self = g_task_get_source_object (task);
  GTlsConnection *tls = G_TLS_CONNECTION (self->tls);
  GTlsProtocolVersion version;
  GError *error = NULL;

  version = g_tls_connection_get_protocol_version (tls);
  self->tls_version = tls_version_name (version);
  if (version != G_TLS_PROTOCOL_VERSION_TLS_1_2 && version != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      fail_open (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS,
                                    _("%s negotiated %s; TLS 1.2 or newer is required"),
                                    self->config->host,
                                    self->tls_version != NULL ? self->tls_version : _("an unknown protocol")));
      return;
    }
  if (!o365_tls_identity_check (g_tls_connection_get_peer_certificate (tls), self->config->host, &error))
    {
      fail_open (task, error);
      return;
    }

  {
    g_autofree char *cipher = g_tls_connection_get_ciphersuite_name (tls);

    o365_transcript_note (self->transcript, "%s established (%s), certificate valid for %s",
                          self->tls_version, cipher != NULL ? cipher : "?", self->config->host);
  }

  /* A fresh channel: nothing buffered or learned before TLS carries over. */
  g_clear_object (&self->channel);
  self->channel = o365_smtp_channel_new (self->tls, self->transcript);
  o365_smtp_channel_set_timeout (self->channel, self->config->timeout_ms);
  command_step (task, STEP_EHLO_AFTER_TLS);
}

/* Made in a worker thread: whatever a TLS library does when it sets up a connection, a GUI's
 * main loop never waits for it. The connection's database is the trust, given at construction
 * (not one of glib-networking's own, whose trust list it would parse again for each
 * connection), so the default database is never loaded here. */
static void
create_tls_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  O365SmtpSession *self = source;
  g_autoptr (GSocketConnectable) identity = g_network_address_new (self->config->host, self->config->port);
  GError *error = NULL;
  GIOStream *tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                                   cancellable, &error,
                                   "base-io-stream", self->connection,
                                   "server-identity", identity,
                                   "database", self->trust,
                                   NULL);

  if (tls == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tls, g_object_unref);
}

static void
on_tls_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->tls = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->tls == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_open (task, error);
      else
        {
          fail_open (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS, "%s%s",
                                        _("TLS is not available: "), error->message));
          g_clear_error (&error);
        }
      return;
    }
  g_signal_connect_object (self->tls, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (self->tls), G_PRIORITY_DEFAULT,
                                    open_start_deadline (task), on_handshake, task);
}

static void
on_trust_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  g_autoptr (GTask) create = NULL;
  GError *error = NULL;

  if (!o365_smtp_trust_wait_finish (self->trust, result, &error))
    {
      fail_open (task, error);
      return;
    }
  create = g_task_new (self, g_task_get_cancellable (task), on_tls_created, task);
  g_task_run_in_thread (create, create_tls_in_thread);
}

/* The trust was loading since the session began; it is needed now. */
static void
start_tls (GTask *task)
{
  O365SmtpSession *self = g_task_get_source_object (task);

  o365_smtp_trust_wait_async (self->trust, g_task_get_cancellable (task), on_trust_ready, task);
}

static void
on_authenticated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->auth_mechanism = o365_smtp_auth_finish (result, &error);
  if (self->auth_mechanism == NULL)
    {
      self->auth_refusal = o365_smtp_auth_dup_refusal (result);
      fail_open (task, error);
      return;
    }
  self->open = TRUE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
authenticate (GTask *task)
{
  O365SmtpSession *self = g_task_get_source_object (task);

  o365_smtp_auth_async (self->channel, self->capabilities, self->config, self->transcript,
                        g_task_get_cancellable (task), on_authenticated, task);
}

void
o365_smtp_session_open_async (O365SmtpSession *self,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (O365_IS_SMTP_SESSION (self));
  g_return_if_fail (self->connection == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_session_open_async);
  g_task_set_task_data (task, g_new0 (OpenData, 1), (GDestroyNotify) open_data_free);

  /* Everything that could smuggle a command is refused before a byte is sent. */
  if (self->config->ehlo_name != NULL &&
      !o365_smtp_envelope_check_ehlo_name (self->config->ehlo_name, &error))
    {
      fail_open (task, error);
      return;
    }
  if (!o365_validate_username (self->config->username, &error))
    {
      /* The settings check speaks the settings dialog's error domain; here it is the same
       * refusal as the one above. */
      fail_open (task, g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                                            error->message));
      g_clear_error (&error);
      return;
    }

  /* Loading in a worker thread while the connection is made; needed at STARTTLS. */
  if (self->trust == NULL)
    self->trust = o365_smtp_trust_new (self->config->ca_file);
  connect_to_server (task);
}

gboolean
o365_smtp_session_open_finish (O365SmtpSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_session_open_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- sending -------------------------------------------------------------------------------- */

typedef struct
{
  O365SmtpTransactionContext context;
} SendData;

static void
on_transaction_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!o365_smtp_transaction_run_finish (result, &self->needs_reset, &error))
    {
      drop_connection (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
o365_smtp_session_send_async (O365SmtpSession *self,
                              MailOutgoing *message,
                              MailSubmission *submission,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  SendData *data;

  g_return_if_fail (O365_IS_SMTP_SESSION (self));
  g_return_if_fail (MAIL_IS_OUTGOING (message) && MAIL_IS_SUBMISSION (submission));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_session_send_async);
  if (!self->open)
    {
      GError *error = g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                           _("The connection to the server is closed"));

      mail_submission_set_failed (submission, g_error_copy (error), NULL);
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (SendData, 1);
  data->context.channel = self->channel;
  data->context.capabilities = self->capabilities;
  data->context.transcript = self->transcript;
  data->context.reset_first = self->needs_reset;
  data->context.timeout_ms = self->config->timeout_ms;
  data->context.data_end_timeout_ms = self->config->data_end_timeout_ms;
  data->context.progress = self->progress;
  data->context.progress_data = self->progress_data;
  g_task_set_task_data (task, data, g_free);
  o365_smtp_transaction_run_async (&data->context, message, submission, cancellable,
                                   on_transaction_done, g_steal_pointer (&task));
}

gboolean
o365_smtp_session_send_finish (O365SmtpSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_session_send_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- checking a kept connection -------------------------------------------------------------- */

static void
on_noop_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailReply) reply = o365_smtp_channel_read_reply_finish (O365_SMTP_CHANNEL (source), result, &error);

  if (reply != NULL)
    o365_transcript_server (self->transcript, reply);
  if (reply == NULL || !mail_reply_is_positive (reply))
    {
      o365_transcript_note (self->transcript, "the kept connection is no longer usable%s%s",
                            error != NULL ? ": " : "", error != NULL ? error->message : "");
      drop_connection (self);
      g_task_return_boolean (task, FALSE);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_noop_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  O365SmtpSession *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!o365_smtp_channel_write_finish (O365_SMTP_CHANNEL (source), result, NULL))
    {
      drop_connection (self);
      g_task_return_boolean (task, FALSE);
      return;
    }
  o365_smtp_channel_read_reply_async (O365_SMTP_CHANNEL (source), cancellable, on_noop_reply, g_steal_pointer (&task));
}

void
o365_smtp_session_check_alive_async (O365SmtpSession *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (O365_IS_SMTP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_session_check_alive_async);
  if (!self->open)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  o365_transcript_client_commands (self->transcript, "NOOP\r\n");
  o365_smtp_channel_set_timeout (self->channel, self->config->timeout_ms);
  o365_smtp_channel_write_async (self->channel, g_bytes_new_static ("NOOP\r\n", 6), cancellable,
                                 on_noop_written, g_steal_pointer (&task));
}

gboolean
o365_smtp_session_check_alive_finish (O365SmtpSession *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_session_check_alive_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

/* --- closing -------------------------------------------------------------------------------- */

/* The close operation's own state. */
typedef struct
{
  O365SmtpQuitSentFunc quit_sent; /* NULL once called */
  gpointer quit_sent_data;
} CloseData;

/* Tells the caller, once, that nothing more will be said on the session. */
static void
tell_quit_sent (GTask *task)
{
  CloseData *data = g_task_get_task_data (task);
  O365SmtpQuitSentFunc quit_sent = data->quit_sent;

  data->quit_sent = NULL;
  if (quit_sent != NULL)
    quit_sent (g_task_get_source_object (task), data->quit_sent_data);
}

static void
on_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;

  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
close_streams (GTask *task)
{
  O365SmtpSession *self = g_task_get_source_object (task);
  GIOStream *stream = self->tls != NULL ? self->tls : G_IO_STREAM (self->connection);

  self->open = FALSE;
  g_clear_object (&self->channel);
  g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, on_closed, task);
}

static void
on_quit_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MailReply *reply = o365_smtp_channel_read_reply_finish (O365_SMTP_CHANNEL (source), result, NULL);

  /* Whatever the answer to QUIT was, the session ends (a g_autoptr here would be an unused
   * variable to clang). */
  if (reply != NULL)
    mail_reply_unref (reply);
  close_streams (user_data);
}

static void
on_quit_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  gboolean written = o365_smtp_channel_write_finish (O365_SMTP_CHANNEL (source), result, NULL);

  tell_quit_sent (task);
  if (!written)
    {
      close_streams (task);
      return;
    }
  o365_smtp_channel_read_reply_async (O365_SMTP_CHANNEL (source), g_task_get_cancellable (task),
                                      on_quit_reply, task);
}

void
o365_smtp_session_close_async (O365SmtpSession *self,
                               O365SmtpQuitSentFunc quit_sent,
                               gpointer quit_sent_data,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;
  CloseData *data;

  g_return_if_fail (O365_IS_SMTP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_session_close_async);
  data = g_new0 (CloseData, 1);
  data->quit_sent = quit_sent;
  data->quit_sent_data = quit_sent_data;
  g_task_set_task_data (task, data, g_free);
  if (!self->open)
    {
      drop_connection (self);
      tell_quit_sent (task);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  o365_transcript_client_commands (self->transcript, "QUIT\r\n");
  o365_smtp_channel_set_timeout (self->channel, MIN (self->config->timeout_ms, QUIT_TIMEOUT_MS));
  o365_smtp_channel_write_async (self->channel, g_bytes_new_static ("QUIT\r\n", 6), cancellable,
                                 on_quit_written, task);
}

void
o365_smtp_session_close_finish (O365SmtpSession *self, GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, self));
  g_task_propagate_boolean (G_TASK (result), NULL);
}
