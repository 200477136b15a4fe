/* mail-sign-in.h — one interactive sign-in with an identity provider ("Sign in with
 * Microsoft"), as a host drives it. The host picks the flow, passes this object to
 * mail_account_sign_in_async() and shows what its signals carry; the plug-in runs the flow.
 * Every signal is emitted on the main context the sign-in was started from.
 *
 *   "user-code" (const char *verification_uri, const char *user_code, guint expires_in)
 *       Device code flow: the person opens verification_uri in a browser, on any device, and
 *       enters user_code within expires_in seconds. Show both; the plug-in waits meanwhile.
 *   "open-uri" (const char *uri) → gboolean
 *       Browser flow: the sign-in page. A handler returns TRUE when it opened the page itself
 *       (a GTK host with its window as the parent); when none does, the plug-in asks the
 *       desktop for the default browser. Either way a host may show the address for copying.
 *   "status" (const char *message)
 *       Progress, as a translated sentence ("Waiting for you to sign in in the browser…").
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  MAIL_SIGN_IN_FLOW_DEVICE_CODE, /* a code typed at a web page, on this or any other device */
  MAIL_SIGN_IN_FLOW_BROWSER,     /* this machine's browser, answering a local listener */
} MailSignInFlow;

#define MAIL_TYPE_SIGN_IN (mail_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (MailSignIn, mail_sign_in, MAIL, SIGN_IN, GObject)

MailSignIn *mail_sign_in_new (MailSignInFlow flow);
MailSignInFlow mail_sign_in_get_flow (MailSignIn *self);

/* For plug-ins running the flow. */
void mail_sign_in_emit_user_code (MailSignIn *self,
                                  const char *verification_uri,
                                  const char *user_code,
                                  guint expires_in);
/* Returns: TRUE when a handler opened @uri. */
gboolean mail_sign_in_emit_open_uri (MailSignIn *self, const char *uri);
void mail_sign_in_emit_status (MailSignIn *self, const char *message);

G_END_DECLS
