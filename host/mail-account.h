/* mail-account.h — one configured account, as hosts see it. A plug-in's account object
 * implements this interface; its settings and secrets are the plug-in's business. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _MailTransport MailTransport;

#define MAIL_TYPE_ACCOUNT (mail_account_get_type ())
G_DECLARE_INTERFACE (MailAccount, mail_account, MAIL, ACCOUNT, GObject)

struct _MailAccountInterface
{
  GTypeInterface g_iface;

  /* Properties every implementation provides: "id", "address", "display-name" (strings). */

  /* A transport that submits mail for this account (not yet connected). */
  MailTransport *(*create_transport) (MailAccount *self, GError **error);
};

char *mail_account_dup_id (MailAccount *self);
char *mail_account_dup_address (MailAccount *self);
char *mail_account_dup_display_name (MailAccount *self);
MailTransport *mail_account_create_transport (MailAccount *self, GError **error);

G_END_DECLS
