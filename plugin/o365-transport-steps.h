/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-transport-steps.h — what every transport of the plug-in (SMTP, Microsoft Graph) does
 * around its own protocol: the account's turn at the connection gate, the batch of
 * submissions, and notes in the transcript. */
#pragma once

#include "mail-transport.h"

G_BEGIN_DECLS

/* A "*  …" line in @transport's transcript, built only when someone listens. */
void o365_transport_note (MailTransport *transport, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* A reference to each of @messages in @copies and a new submission for each in @submissions,
 * in order. */
void o365_transport_prepare_batch (GPtrArray *messages, GPtrArray **copies, GPtrArray **submissions);

/* A task with @source_tag and @task_data whose operation starts (@on_gate_acquired, with the
 * task) once @gate_key's connection gate is acquired. */
void o365_transport_start_operation (gpointer source_object,
                                     gpointer source_tag,
                                     const char *gate_key,
                                     gpointer task_data,
                                     GDestroyNotify task_data_free,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback on_gate_acquired,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);

/* Releases @gate_key's gate if *@gate_held, then completes @task (taking it) with @error (in
 * the contract's error domain: keyring failures are mapped) or @result. */
void o365_transport_complete (GTask *task,
                              const char *gate_key,
                              gboolean *gate_held,
                              GError *error,
                              gpointer result,
                              GDestroyNotify result_free);

G_END_DECLS
