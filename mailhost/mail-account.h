/* mail-account.h — one configured account, as hosts see it. A plug-in's account object
 * implements this interface; its settings and secrets are the plug-in's business. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _MailTransport MailTransport;
typedef struct _MailSignIn MailSignIn;

#define MAIL_TYPE_ACCOUNT (mail_account_get_type ())
G_DECLARE_INTERFACE (MailAccount, mail_account, MAIL, ACCOUNT, GObject)

struct _MailAccountInterface
{
  GTypeInterface g_iface;

  /* Properties every implementation provides: "id", "address", "display-name" (strings).
   * Conventional ones a reference host may set when present: "server" (string), "port" (uint),
   * "auth-method" (string), "ca-file" (string). */

  /* A transport that submits mail for this account (not yet connected). */
  MailTransport *(*create_transport) (MailAccount *self, GError **error);

  /* Checks every setting; the error names the first faulty one. */
  gboolean (*validate) (MailAccount *self, GError **error);
  /* Validates, then writes pending property changes and lists the account. */
  gboolean (*save) (MailAccount *self, GError **error);

  /* Stores @secret in the system keyring as the credential of the account's current sign-in
   * method (password or app password). */
  void (*store_secret_async) (MailAccount *self,
                              const char *secret,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
  gboolean (*store_secret_finish) (MailAccount *self, GAsyncResult *result, GError **error);

  /* Deletes the account: its settings, its place in the account list and its keyring items. */
  void (*remove_async) (MailAccount *self,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  gboolean (*remove_finish) (MailAccount *self, GAsyncResult *result, GError **error);

  /* Optional (ABI 1.1): an interactive sign-in (“Sign in with Microsoft”) with the settings as
   * they are now, pending changes included, talking to the host through @sign_in (see
   * mail-sign-in.h). On success the credential it yields is in the system keyring, replacing
   * any earlier one; the settings themselves are not saved. */
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
/* Whether the account type offers an interactive sign-in at all. */
gboolean mail_account_can_sign_in (MailAccount *self);
void mail_account_sign_in_async (MailAccount *self,
                                 MailSignIn *sign_in,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean mail_account_sign_in_finish (MailAccount *self, GAsyncResult *result, GError **error);

G_END_DECLS
