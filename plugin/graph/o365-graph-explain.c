/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-explain.c — Graph status and error code → MAIL_TRANSPORT_ERROR and explanation. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mail-transport-error.h"
#include "o365-graph-explain.h"

typedef enum
{
  DETAIL_NONE,
  DETAIL_RETRY_AFTER, /* the explanation takes the seconds */
  DETAIL_SIZE,        /* the explanation takes the size, formatted */
} Detail;

typedef struct
{
  guint status_min, status_max;
  const char *graph_code; /* NULL: any */
  MailTransportError code;
  Detail detail;
  const char *explanation;
} Explanation;

/* First match wins: specific codes before the status ranges. */
static const Explanation explanations[] = {
  { 413, 413, NULL, MAIL_TRANSPORT_ERROR_TOO_LARGE, DETAIL_SIZE,
    N_("Microsoft Graph refused the message as too large (%s): send smaller attachments or a "
       "link to them.") },
  { 400, 499, "ErrorMessageSizeExceeded", MAIL_TRANSPORT_ERROR_TOO_LARGE, DETAIL_SIZE,
    N_("Microsoft Graph refused the message as too large (%s): send smaller attachments or a "
       "link to them.") },
  { 401, 401, NULL, MAIL_TRANSPORT_ERROR_AUTH_FAILED, DETAIL_NONE,
    N_("Microsoft Graph did not accept the sign-in (HTTP 401) even after it was renewed: sign in "
       "with Microsoft again.") },
  { 403, 403, NULL, MAIL_TRANSPORT_ERROR_AUTH_DISABLED, DETAIL_NONE,
    N_("Microsoft Graph refused to send for this account (HTTP 403, access denied): the app lacks "
       "the permission Mail.Send or its consent. An administrator grants it once in the Microsoft "
       "Entra admin center: App registrations → the app → API permissions → Add a permission → "
       "Microsoft Graph → Delegated → Mail.Send, then “Grant admin consent”.") },
  { 429, 429, NULL, MAIL_TRANSPORT_ERROR_RATE_LIMITED, DETAIL_RETRY_AFTER,
    N_("Microsoft Graph is limiting this account for now (HTTP 429): try again in %u seconds.") },
  { 503, 503, NULL, MAIL_TRANSPORT_ERROR_TEMPORARY, DETAIL_RETRY_AFTER,
    N_("Microsoft Graph is unavailable for now (HTTP 503): try again in %u seconds.") },
  { 500, 599, NULL, MAIL_TRANSPORT_ERROR_TEMPORARY, DETAIL_NONE,
    N_("Microsoft Graph failed on its side: try again later.") },
  { 400, 499, NULL, MAIL_TRANSPORT_ERROR_PERMANENT, DETAIL_NONE,
    N_("Microsoft Graph refused the message.") },
};

GError *
o365_graph_error_new (guint status, const char *graph_code, guint retry_after_s, gint64 size)
{
  for (gsize i = 0; i < G_N_ELEMENTS (explanations); i++)
    {
      const Explanation *entry = &explanations[i];
      g_autofree char *text = NULL;

      if (status < entry->status_min || status > entry->status_max ||
          (entry->graph_code != NULL && g_strcmp0 (entry->graph_code, graph_code) != 0))
        continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      if (entry->detail == DETAIL_RETRY_AFTER)
        text = g_strdup_printf (_(entry->explanation), retry_after_s > 0 ? retry_after_s : 60);
      else if (entry->detail == DETAIL_SIZE)
        {
          g_autofree char *bytes = g_format_size_full (MAX (size, 0), G_FORMAT_SIZE_LONG_FORMAT);

          text = g_strdup_printf (_(entry->explanation), bytes);
        }
      else
        text = g_strdup (_(entry->explanation));
#pragma GCC diagnostic pop
      /* The service's own words travel with the sentence, as SMTP's reply does. */
      return g_error_new (MAIL_TRANSPORT_ERROR, entry->code, "%s (HTTP %u%s%s)", text, status,
                          graph_code != NULL ? ", " : "", graph_code != NULL ? graph_code : "");
    }
  return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                      _("Microsoft Graph gave an answer this program does not understand (HTTP %u)"),
                      status);
}

char *
o365_graph_answer_string (GBytes *body, const char *object, const char *name)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  JsonNode *root, *member;
  JsonObject *holder;

  if (data == NULL || length == 0 || !json_parser_load_from_data (parser, data, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  holder = json_node_get_object (root);
  if (object != NULL)
    {
      if ((member = json_object_get_member (holder, object)) == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        return NULL;
      holder = json_node_get_object (member);
    }
  member = json_object_get_member (holder, name);
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (member));
}

char *
o365_graph_error_code_from_body (GBytes *body)
{
  return o365_graph_answer_string (body, "error", "code");
}
