/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-auth.c — PLAIN, LOGIN and XOAUTH2 over the SMTP channel. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-explain.h"
#include "o365-smtp-sasl.h"
#include "o365-smtp-auth.h"

typedef struct
{
  O365SmtpChannel *channel;
  O365Transcript *transcript;
  const char *mechanism;      /* static string */
  GPtrArray *responses;       /* base64 secrets to send, one per 334 challenge */
  guint next_response;
  gboolean error_challenge;   /* XOAUTH2 sent its failure JSON; the final reply follows */
  char *xoauth2_status;       /* from that JSON, for the error message */
  MailReply *refusal;         /* the final negative reply, when sign-in was refused */
} AuthData;

static void
auth_data_free (AuthData *data)
{
  g_clear_object (&data->channel);
  g_clear_pointer (&data->transcript, o365_transcript_unref);
  g_clear_pointer (&data->responses, g_ptr_array_unref);
  g_free (data->xoauth2_status);
  g_clear_pointer (&data->refusal, mail_reply_unref);
  g_free (data);
}

const char *
o365_smtp_auth_choose_mechanism (const O365SmtpCapabilities *capabilities,
                                 const O365SmtpConfig *config,
                                 GError **error)
{
  static const char *const password_mechanisms[] = { "PLAIN", "LOGIN", NULL };
  static const char *const oauth2_mechanisms[] = { "XOAUTH2", NULL };
  const char *const *acceptable = config->auth_kind == O365_SMTP_AUTH_OAUTH2
                                    ? oauth2_mechanisms : password_mechanisms;
  g_autofree char *offered = NULL;

  if (config->mechanism != NULL)
    {
      for (guint i = 0; acceptable[i] != NULL; i++)
        if (g_ascii_strcasecmp (config->mechanism, acceptable[i]) == 0 &&
            o365_smtp_capabilities_has_auth (capabilities, acceptable[i]))
          return acceptable[i];
    }
  else
    {
      for (guint i = 0; acceptable[i] != NULL; i++)
        if (o365_smtp_capabilities_has_auth (capabilities, acceptable[i]))
          return acceptable[i];
    }

  offered = g_strjoinv (" ", capabilities->auth_mechanisms);
  if (*offered == '\0')
    g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED,
                         _("The server does not offer sign-in (no AUTH after STARTTLS)"));
  else if (config->auth_kind == O365_SMTP_AUTH_OAUTH2)
    g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED,
                 _("The server does not offer “Sign in with Microsoft” (XOAUTH2); it offers: %s"),
                 offered);
  else
    g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED,
                 _("The server offers no password sign-in this program supports (%s); it offers: %s"),
                 config->mechanism != NULL ? config->mechanism : "PLAIN, LOGIN", offered);
  return NULL;
}

static GBytes *
secret_line (char *base64)
{
  char *line = g_strconcat (base64, "\r\n", NULL);

  o365_sasl_secret_free (base64);
  /* The bytes own the line and wipe it when the write is done with it. */
  return g_bytes_new_with_free_func (line, strlen (line), (GDestroyNotify) o365_sasl_secret_free, line);
}

static void on_reply (GObject *source, GAsyncResult *result, gpointer user_data);

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_smtp_channel_write_finish (data->channel, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  {
    GTask *owned = g_steal_pointer (&task);

    o365_smtp_channel_read_reply_async (data->channel, g_task_get_cancellable (owned), on_reply, owned);
  }
}

static void
send_line (GTask *task, GBytes *line)
{
  AuthData *data = g_task_get_task_data (task);

  o365_smtp_channel_write_async (data->channel, line, g_task_get_cancellable (task), on_written, task);
}

/* Leaves the caller's reference to @task alone: only a line sent takes one of its own. */
static void
answer_challenge (GTask *task, MailReply *reply)
{
  AuthData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (data->error_challenge)
    {
      g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                               _("The server sent another challenge after a failed sign-in"));
      return;
    }

  if (data->next_response < data->responses->len)
    {
      char *response = g_ptr_array_index (data->responses, data->next_response);

      /* The challenge must at least be valid base64 (a LOGIN prompt, or empty). */
      g_autofree char *challenge = o365_sasl_decode_challenge (mail_reply_get_text (reply), &error);
      if (challenge == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_index (data->responses, data->next_response++) = NULL;
      o365_transcript_client_secret (data->transcript, NULL);
      send_line (g_object_ref (task), secret_line (response));
      return;
    }

  if (g_str_equal (data->mechanism, "XOAUTH2"))
    {
      g_autofree char *status = NULL, *schemes = NULL, *scope = NULL;

      /* The token was refused: the server explains in JSON and waits for an empty line
       * before sending the final 535. */
      if (!o365_sasl_xoauth2_decode_error (mail_reply_get_text (reply), &status, &schemes, &scope, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->error_challenge = TRUE;
      data->xoauth2_status = g_steal_pointer (&status);
      o365_transcript_client_commands (data->transcript, "\r\n");
      send_line (g_object_ref (task), g_bytes_new_static ("\r\n", 2));
      return;
    }

  g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                           _("The server keeps asking for more during %s sign-in"), data->mechanism);
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AuthData *data = g_task_get_task_data (task);
  g_autoptr (MailReply) reply = NULL;
  GError *error = NULL;

  reply = o365_smtp_channel_read_reply_finish (data->channel, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  switch (mail_reply_get_code (reply))
    {
    case 235:
      g_task_return_pointer (task, (gpointer) data->mechanism, NULL);
      return;
    case 334:
      answer_challenge (task, reply);
      return;
    default:
      data->refusal = mail_reply_ref (reply);
      error = o365_explain_reply (O365_SMTP_STAGE_AUTH, reply);
      if (data->xoauth2_status != NULL)
        g_prefix_error (&error, _("Microsoft refused the access token (status %s). "),
                        data->xoauth2_status);
      g_task_return_error (task, error);
      return;
    }
}

void
o365_smtp_auth_async (O365SmtpChannel *channel,
                      const O365SmtpCapabilities *capabilities,
                      const O365SmtpConfig *config,
                      O365Transcript *transcript,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (channel, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autofree char *command = NULL;
  char *initial = NULL;
  AuthData *data;

  g_task_set_source_tag (task, o365_smtp_auth_async);
  data = g_new0 (AuthData, 1);
  data->channel = g_object_ref (channel);
  data->transcript = transcript != NULL ? o365_transcript_ref (transcript) : NULL;
  data->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) o365_sasl_secret_free);
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);

  data->mechanism = o365_smtp_auth_choose_mechanism (capabilities, config, &error);
  if (data->mechanism == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (config->secret == NULL || config->username == NULL)
    {
      g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED,
                               _("No credentials to sign in with"));
      return;
    }

  if (g_str_equal (data->mechanism, "LOGIN"))
    {
      char *user = o365_sasl_login_encode_username (config->username, &error);
      char *password = user != NULL ? o365_sasl_login_encode (config->secret, &error) : NULL;

      if (password == NULL)
        {
          g_clear_pointer (&user, o365_sasl_secret_free);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (data->responses, user);
      g_ptr_array_add (data->responses, password);
      command = g_strdup ("AUTH LOGIN\r\n");
      o365_transcript_client_commands (transcript, command);
      send_line (g_steal_pointer (&task), g_bytes_new_take (g_steal_pointer (&command), strlen ("AUTH LOGIN\r\n")));
      return;
    }

  if (g_str_equal (data->mechanism, "PLAIN"))
    initial = o365_sasl_plain_encode (config->username, config->secret, &error);
  else
    initial = o365_sasl_xoauth2_encode (config->username, config->secret, &error);
  if (initial == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  command = g_strdup_printf ("AUTH %s", data->mechanism);
  if (strlen (command) + 1 + strlen (initial) + 2 <= O365_SMTP_AUTH_MAX_INLINE_LINE)
    {
      char *line = g_strconcat (command, " ", initial, NULL);
      g_autofree char *visible = g_strconcat (command, " ", NULL);

      o365_sasl_secret_free (initial);
      o365_transcript_client_secret (transcript, visible);
      send_line (g_steal_pointer (&task), secret_line (line));
    }
  else
    {
      g_ptr_array_add (data->responses, initial);
      o365_transcript_client_commands (transcript, command);
      send_line (g_steal_pointer (&task), g_bytes_new_take (g_strconcat (command, "\r\n", NULL),
                                                            strlen (command) + 2));
    }
}

const char *
o365_smtp_auth_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_auth_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

MailReply *
o365_smtp_auth_dup_refusal (GAsyncResult *result)
{
  AuthData *data;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_auth_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  return data->refusal != NULL ? mail_reply_ref (data->refusal) : NULL;
}
