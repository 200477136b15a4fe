/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-account.h — one configured account, as hosts see it. A plug-in's account object
 * implements this interface; its settings and secrets are the plug-in's business. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _MailTransport MailTransport;
typedef struct _MailSignIn MailSignIn;

#define MAIL_TYPE_ACCOUNT (mail_account_get_type ())
G_DECLARE_INTERFACE (MailAccount, mail_account, MAIL, ACCOUNT, GObject)

/**
 * MailAccountInterface:
 * @g_iface: the parent interface
 * @create_transport: a transport that submits mail for this account (not yet connected)
 * @validate: checks every setting; the error names the first faulty one
 * @save: validates, then writes pending property changes and lists the account
 * @store_secret_async: stores a secret in the system keyring as the credential of the
 *   account's current sign-in method (password or app password)
 * @store_secret_finish: finishes @store_secret_async
 * @remove_async: deletes the account: its settings, its place in the account list and its
 *   keyring items
 * @remove_finish: finishes @remove_async
 * @sign_in_async: optional (ABI 1.1): an interactive sign-in (“Sign in with Microsoft”); see
 *   [method@O365Mailhost.Account.sign_in_async]
 * @sign_in_finish: finishes @sign_in_async
 *
 * What a plug-in's account object implements. Its settings and secrets are the plug-in's
 * business.
 */
struct _MailAccountInterface
{
  GTypeInterface g_iface;

  MailTransport *(*create_transport) (MailAccount *self, GError **error);

  gboolean (*validate) (MailAccount *self, GError **error);
  gboolean (*save) (MailAccount *self, GError **error);

  void (*store_secret_async) (MailAccount *self,
                              const char *secret,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
  gboolean (*store_secret_finish) (MailAccount *self, GAsyncResult *result, GError **error);

  void (*remove_async) (MailAccount *self,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  gboolean (*remove_finish) (MailAccount *self, GAsyncResult *result, GError **error);

  void (*sign_in_async) (MailAccount *self,
                         MailSignIn *sign_in,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
  gboolean (*sign_in_finish) (MailAccount *self, GAsyncResult *result, GError **error);
};

char *mail_account_dup_id (MailAccount *self);
char *mail_account_dup_address (MailAccount *self);
char *mail_account_dup_display_name (MailAccount *self);
MailTransport *mail_account_create_transport (MailAccount *self, GError **error);
gboolean mail_account_validate (MailAccount *self, GError **error);
gboolean mail_account_save (MailAccount *self, GError **error);
void mail_account_store_secret_async (MailAccount *self,
                                      const char *secret,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean mail_account_store_secret_finish (MailAccount *self, GAsyncResult *result, GError **error);
void mail_account_remove_async (MailAccount *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean mail_account_remove_finish (MailAccount *self, GAsyncResult *result, GError **error);
gboolean mail_account_can_sign_in (MailAccount *self);
void mail_account_sign_in_async (MailAccount *self,
                                 MailSignIn *sign_in,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean mail_account_sign_in_finish (MailAccount *self, GAsyncResult *result, GError **error);

G_END_DECLS
