/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox-result-variant.c — OutboxResult ⇄ a{sv}. GErrors travel as (domain name, code,
 * message): the domains are registered quarks (mail-transport-error-quark, g-io-error-quark…),
 * so the receiver gets back the same domain and code, and with them the same exit status. */
#include "config.h"

#include <glib/gi18n.h>

#include "outbox-result-variant.h"

static const char *const outcome_names[] = {
  [OUTBOX_OUTCOME_SENT] = "sent",
  [OUTBOX_OUTCOME_QUEUED] = "queued",
  [OUTBOX_OUTCOME_FAILED] = "failed",
  [OUTBOX_OUTCOME_HELD_UNKNOWN] = "held-unknown",
};

const char *
outbox_outcome_to_string (OutboxOutcome outcome)
{
  g_return_val_if_fail (outcome < G_N_ELEMENTS (outcome_names), NULL);
  return outcome_names[outcome];
}

static void
insert_error (GVariantDict *dict, const GError *error)
{
  g_variant_dict_insert (dict, "error-domain", "s", g_quark_to_string (error->domain));
  g_variant_dict_insert (dict, "error-code", "i", error->code);
  g_variant_dict_insert (dict, "error-message", "s", error->message);
}

static GVariant *
refusals_to_variant (const GPtrArray *refusals)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssis)"));
  for (guint i = 0; refusals != NULL && i < refusals->len; i++)
    {
      const OutboxRefusal *refusal = g_ptr_array_index (refusals, i);

      g_variant_builder_add (&builder, "(ssis)", refusal->recipient, g_quark_to_string (refusal->error->domain),
                             refusal->error->code, refusal->error->message);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
outbox_result_to_variant (const OutboxResult *result)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_return_val_if_fail (result != NULL && result->entry != NULL, NULL);

  g_variant_dict_insert (&dict, "id", "s", result->entry->id);
  g_variant_dict_insert (&dict, "outcome", "s", outbox_outcome_to_string (result->outcome));
  if (result->outcome == OUTBOX_OUTCOME_QUEUED || result->outcome == OUTBOX_OUTCOME_HELD_UNKNOWN)
    g_variant_dict_insert (&dict, "state", "s", outbox_state_to_string (result->entry->state));
  if (result->error != NULL)
    insert_error (&dict, result->error);
  if (result->final_reply != NULL)
    {
      g_autofree char *reply = mail_reply_to_string (result->final_reply);
      g_autofree char *id = mail_reply_dup_message_id (result->final_reply);

      g_variant_dict_insert (&dict, "reply", "s", reply);
      g_variant_dict_insert (&dict, "reply-code", "u", mail_reply_get_code (result->final_reply));
      if (mail_reply_get_enhanced_code (result->final_reply) != NULL)
        g_variant_dict_insert (&dict, "reply-enhanced-code", "s", mail_reply_get_enhanced_code (result->final_reply));
      g_variant_dict_insert (&dict, "reply-text", "s", mail_reply_get_text (result->final_reply));
      if (id != NULL)
        g_variant_dict_insert (&dict, "message-id", "s", id);
    }
  if (result->failed_path != NULL)
    g_variant_dict_insert (&dict, "failed-path", "s", result->failed_path);
  if (result->store_error != NULL)
    g_variant_dict_insert (&dict, "store-error", "s", result->store_error->message);
  if (result->refused != NULL && result->refused->len > 0)
    g_variant_dict_insert_value (&dict, "refused", refusals_to_variant (result->refused));
  if (result->deferred != NULL && result->deferred->len > 0)
    g_variant_dict_insert_value (&dict, "deferred", refusals_to_variant (result->deferred));
  g_variant_dict_insert (&dict, "attempts", "u", result->entry->attempts);
  if (result->outcome == OUTBOX_OUTCOME_QUEUED && result->entry->next_attempt > 0)
    g_variant_dict_insert (&dict, "next-attempt", "x", result->entry->next_attempt);
  return g_variant_dict_end (&dict);
}

static GError *
error_from_parts (const char *domain, int code, const char *message)
{
  /* An unknown domain name still gets a quark: the code is then only shown, never acted on. */
  return g_error_new_literal (g_quark_from_string (domain), code, message);
}

static void
refusals_from_variant (GVariantDict *dict, const char *key, GPtrArray **list)
{
  g_autoptr (GVariant) refusals = g_variant_dict_lookup_value (dict, key, G_VARIANT_TYPE ("a(ssis)"));
  GVariantIter iter;
  const char *recipient, *domain, *message;
  int code;

  if (refusals == NULL)
    return;
  g_variant_iter_init (&iter, refusals);
  while (g_variant_iter_next (&iter, "(&s&si&s)", &recipient, &domain, &code, &message))
    {
      g_autoptr (GError) error = error_from_parts (domain, code, message);

      outbox_result_add_refusal (list, recipient, error);
    }
}

OutboxResult *
outbox_result_from_variant (GVariant *variant, OutboxEntry *entry, GError **error)
{
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (variant);
  g_autoptr (OutboxResult) result = g_new0 (OutboxResult, 1);
  const char *outcome = NULL, *state = NULL, *text = NULL, *domain = NULL, *enhanced = NULL;
  guint reply_code = 0;
  int code = 0;
  guint i;

  result->entry = entry;
  if (!g_variant_dict_lookup (&dict, "outcome", "&s", &outcome))
    outcome = "";
  for (i = 0; i < G_N_ELEMENTS (outcome_names); i++)
    if (g_str_equal (outcome, outcome_names[i]))
      break;
  if (i == G_N_ELEMENTS (outcome_names))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The agent gave an outcome this program does not know: “%s”"), outcome);
      return NULL;
    }
  result->outcome = i;
  if (g_variant_dict_lookup (&dict, "state", "&s", &state))
    outbox_state_from_string (state, &entry->state);
  if (g_variant_dict_lookup (&dict, "error-domain", "&s", &domain) &&
      g_variant_dict_lookup (&dict, "error-code", "i", &code) &&
      g_variant_dict_lookup (&dict, "error-message", "&s", &text))
    result->error = error_from_parts (domain, code, text);
  else if (result->outcome != OUTBOX_OUTCOME_SENT)
    result->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("The agent gave no reason"));
  if (g_variant_dict_lookup (&dict, "reply-code", "u", &reply_code) && reply_code >= 200 && reply_code <= 599 &&
      g_variant_dict_lookup (&dict, "reply-text", "&s", &text))
    {
      if (!g_variant_dict_lookup (&dict, "reply-enhanced-code", "&s", &enhanced))
        enhanced = NULL;
      result->final_reply = mail_reply_new (reply_code, enhanced, text);
    }
  g_variant_dict_lookup (&dict, "failed-path", "s", &result->failed_path);
  if (g_variant_dict_lookup (&dict, "store-error", "&s", &text))
    result->store_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, text);
  g_variant_dict_lookup (&dict, "attempts", "u", &entry->attempts);
  g_variant_dict_lookup (&dict, "next-attempt", "x", &entry->next_attempt);
  refusals_from_variant (&dict, "refused", &result->refused);
  refusals_from_variant (&dict, "deferred", &result->deferred);
  return g_steal_pointer (&result);
}
