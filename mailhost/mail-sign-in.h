/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-sign-in.h — one interactive sign-in with an identity provider ("Sign in with
 * Microsoft"), as a host drives it (see MailSignIn's documentation in mail-sign-in.c). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * MailSignInFlow:
 * @MAIL_SIGN_IN_FLOW_DEVICE_CODE: a code typed at a web page, on this or any other device
 * @MAIL_SIGN_IN_FLOW_BROWSER: this machine's browser, answering a local listener
 *
 * How the person signs in.
 */
typedef enum
{
  MAIL_SIGN_IN_FLOW_DEVICE_CODE,
  MAIL_SIGN_IN_FLOW_BROWSER,
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
gboolean mail_sign_in_emit_open_uri (MailSignIn *self, const char *uri);
void mail_sign_in_emit_status (MailSignIn *self, const char *message);

G_END_DECLS
