/* mail-account-type.h — the account type interface a plug-in implements (e.g. "office365").
 * Hosts code against this interface only, never against a plug-in's own types. */
#pragma once

#include <gio/gio.h>

#include "mail-account.h"

G_BEGIN_DECLS

typedef enum
{
  MAIL_SECURITY_STARTTLS, /* plain connect, then mandatory STARTTLS before anything else */
} MailSecurity;

/* A server a provider offers (e.g. worldwide, or a sovereign cloud). Static data of the plug-in. */
typedef struct
{
  const char *id;    /* stable, stored in settings: "worldwide" */
  const char *name;  /* for people, translated */
  const char *host;
  guint16 port;
  MailSecurity security;
} MailEndpoint;

#define MAIL_TYPE_ACCOUNT_TYPE (mail_account_type_get_type ())
G_DECLARE_INTERFACE (MailAccountType, mail_account_type, MAIL, ACCOUNT_TYPE, GObject)

struct _MailAccountTypeInterface
{
  GTypeInterface g_iface;

  const char *(*get_id) (MailAccountType *self);
  const char *(*get_display_name) (MailAccountType *self);
  /* The first endpoint is the default. */
  const MailEndpoint *const *(*get_endpoints) (MailAccountType *self, guint *n_endpoints);
  char *(*dup_default_username) (MailAccountType *self, const char *address);
  MailAccount *(*create_account) (MailAccountType *self, const char *account_id, GError **error);
  /* Optional: a GtkWidget editing @account (or a new account when NULL); transfer full, not
   * floating. It emits "done" (no arguments) once the person has saved, cancelled or removed the
   * account, and the host then closes it; destroying it earlier discards unsaved changes. Only
   * a GTK host that has initialised GTK calls this; hosts without a display never do, so a
   * plug-in can keep GTK out of its core. */
  GObject *(*create_settings_widget) (MailAccountType *self, MailAccount *account, GError **error);
};

const char *mail_account_type_get_id (MailAccountType *self);
const char *mail_account_type_get_display_name (MailAccountType *self);
const MailEndpoint *const *mail_account_type_get_endpoints (MailAccountType *self,
                                                            guint *n_endpoints);
const MailEndpoint *mail_account_type_get_default_endpoint (MailAccountType *self);
const MailEndpoint *mail_account_type_find_endpoint (MailAccountType *self, const char *id);
char *mail_account_type_dup_default_username (MailAccountType *self, const char *address);
MailAccount *mail_account_type_create_account (MailAccountType *self,
                                               const char *account_id,
                                               GError **error);
gboolean mail_account_type_has_settings_widget (MailAccountType *self);
GObject *mail_account_type_create_settings_widget (MailAccountType *self,
                                                   MailAccount *account,
                                                   GError **error);

const char *mail_security_to_string (MailSecurity security);

G_END_DECLS
