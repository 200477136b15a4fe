/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-outbox-result-variant.c — a result crosses D-Bus (a{sv}) and comes back the same: the
 * error's domain and code (which pick o365-send's exit status), the final reply, the refused
 * and deferred recipients, the entry's state. */
#include "config.h"

#include "outbox-result-variant.h"
#include "test-utils.h"

static OutboxEntry *
entry_new (void)
{
  OutboxEntry *entry = g_new0 (OutboxEntry, 1);

  entry->id = g_strdup ("20261202T120000-1-abcd");
  entry->account = g_strdup ("alice@example.com");
  entry->sender = g_strdup ("alice@example.com");
  entry->recipients = g_strsplit ("bob@example.com carol@example.com", " ", -1);
  entry->lock_fd = -1;
  return entry;
}

static OutboxResult *
round_trip (const OutboxResult *sent, OutboxEntry *received_entry)
{
  g_autoptr (GVariant) variant = g_variant_ref_sink (outbox_result_to_variant (sent));
  g_autoptr (GError) error = NULL;
  OutboxResult *received;

  g_assert_true (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT));
  received = outbox_result_from_variant (variant, received_entry, &error);
  g_assert_no_error (error);
  g_assert_nonnull (received);
  return received;
}

static void
test_sent_with_refusals (void)
{
  g_autoptr (OutboxEntry) entry = entry_new ();
  g_autoptr (OutboxEntry) other = entry_new ();
  g_autoptr (GError) refusal = g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED,
                                                     "550 5.1.10 RecipientNotFound");
  g_autoptr (GError) later = g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                                  "452 4.5.3 Too many recipients");
  OutboxResult sent = { .entry = entry, .outcome = OUTBOX_OUTCOME_SENT };
  g_autoptr (OutboxResult) received = NULL;
  g_autofree char *id = NULL;

  sent.final_reply = mail_reply_new (250, "2.0.0", "OK <ABC@AM0PR01.outlook.office365.com> [Hostname=x]");
  outbox_result_add_refusal (&sent.refused, "bob@example.com", refusal);
  outbox_result_add_refusal (&sent.deferred, "carol@example.com", later);
  received = round_trip (&sent, other);

  g_assert_cmpint (received->outcome, ==, OUTBOX_OUTCOME_SENT);
  g_assert_null (received->error);
  g_assert_cmpuint (mail_reply_get_code (received->final_reply), ==, 250);
  g_assert_cmpstr (mail_reply_get_enhanced_code (received->final_reply), ==, "2.0.0");
  id = mail_reply_dup_message_id (received->final_reply);
  g_assert_cmpstr (id, ==, "ABC@AM0PR01.outlook.office365.com");
  g_assert_cmpuint (received->refused->len, ==, 1);
  g_assert_cmpstr (((OutboxRefusal *) g_ptr_array_index (received->refused, 0))->recipient, ==, "bob@example.com");
  g_assert_error (((OutboxRefusal *) g_ptr_array_index (received->refused, 0))->error, MAIL_TRANSPORT_ERROR,
                  MAIL_TRANSPORT_ERROR_RECIPIENT_REJECTED);
  g_assert_cmpuint (received->deferred->len, ==, 1);
  g_assert_error (((OutboxRefusal *) g_ptr_array_index (received->deferred, 0))->error, MAIL_TRANSPORT_ERROR,
                  MAIL_TRANSPORT_ERROR_TEMPORARY);

  mail_reply_unref (sent.final_reply);
  g_ptr_array_unref (sent.refused);
  g_ptr_array_unref (sent.deferred);
}

static void
test_queued_keeps_state_and_error (void)
{
  g_autoptr (OutboxEntry) entry = entry_new ();
  g_autoptr (OutboxEntry) other = entry_new ();
  OutboxResult queued = { .entry = entry, .outcome = OUTBOX_OUTCOME_QUEUED };
  g_autoptr (OutboxResult) received = NULL;

  entry->state = OUTBOX_STATE_NEEDS_SIGN_IN;
  entry->attempts = 3;
  entry->next_attempt = 1796230000;
  queued.error = g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED, "535 5.7.3");
  received = round_trip (&queued, other);

  g_assert_cmpint (received->outcome, ==, OUTBOX_OUTCOME_QUEUED);
  g_assert_error (received->error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_AUTH_FAILED);
  g_assert_cmpstr (received->error->message, ==, "535 5.7.3");
  g_assert_cmpint (other->state, ==, OUTBOX_STATE_NEEDS_SIGN_IN);
  g_assert_cmpuint (other->attempts, ==, 3);
  g_assert_cmpint (other->next_attempt, ==, 1796230000);
  g_clear_error (&queued.error);
}

static void
test_failed_and_held (void)
{
  g_autoptr (OutboxEntry) entry = entry_new ();
  g_autoptr (OutboxEntry) other = entry_new ();
  OutboxResult failed = { .entry = entry, .outcome = OUTBOX_OUTCOME_FAILED, .failed_path = "/x/failed/a.eml" };
  g_autoptr (OutboxResult) received = NULL;
  g_autoptr (OutboxResult) held = NULL;

  failed.error = g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TOO_LARGE, "552 5.3.4");
  received = round_trip (&failed, other);
  g_assert_cmpint (received->outcome, ==, OUTBOX_OUTCOME_FAILED);
  g_assert_cmpstr (received->failed_path, ==, "/x/failed/a.eml");
  g_assert_error (received->error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TOO_LARGE);
  g_clear_error (&failed.error);

  failed.outcome = OUTBOX_OUTCOME_HELD_UNKNOWN;
  failed.failed_path = NULL;
  entry->state = OUTBOX_STATE_HELD_UNKNOWN;
  failed.error = g_error_new_literal (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN, "no reply");
  held = round_trip (&failed, other);
  g_assert_cmpint (held->outcome, ==, OUTBOX_OUTCOME_HELD_UNKNOWN);
  g_assert_cmpint (other->state, ==, OUTBOX_STATE_HELD_UNKNOWN);
  g_clear_error (&failed.error);
}

static void
test_refuses_what_is_not_a_result (void)
{
  g_autoptr (OutboxEntry) entry = entry_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr (GVariant) variant = NULL;
  g_autoptr (OutboxResult) result = NULL;

  g_variant_dict_insert (&dict, "outcome", "s", "delivered-maybe");
  variant = g_variant_ref_sink (g_variant_dict_end (&dict));
  result = outbox_result_from_variant (variant, entry, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_bad_reply_code_ignored (void)
{
  g_autoptr (OutboxEntry) entry = entry_new ();
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr (GVariant) variant = NULL;
  g_autoptr (OutboxResult) result = NULL;

  g_variant_dict_insert (&dict, "outcome", "s", "sent");
  /* A reply code out of range is left out, not a critical. */
  g_variant_dict_insert (&dict, "reply-code", "u", 7u);
  g_variant_dict_insert (&dict, "reply-text", "s", "x");
  variant = g_variant_ref_sink (g_variant_dict_end (&dict));
  result = outbox_result_from_variant (variant, entry, NULL);
  g_assert_nonnull (result);
  g_assert_null (result->final_reply);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/outbox-result-variant/sent-with-refusals", test_sent_with_refusals);
  g_test_add_func ("/outbox-result-variant/queued-keeps-state-and-error", test_queued_keeps_state_and_error);
  g_test_add_func ("/outbox-result-variant/failed-and-held", test_failed_and_held);
  g_test_add_func ("/outbox-result-variant/refuses-what-is-not-a-result", test_refuses_what_is_not_a_result);
  g_test_add_func ("/outbox-result-variant/bad-reply-code-ignored", test_bad_reply_code_ignored);
  return g_test_run ();
}
