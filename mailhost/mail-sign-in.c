/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-sign-in.c — the object a host and a plug-in share during an interactive sign-in. */
#include "config.h"

#include "mail-sign-in.h"

/**
 * MailSignIn:
 *
 * One interactive sign-in with an identity provider (“Sign in with Microsoft”), as a host
 * drives it.
 *
 * The host picks the flow, passes this object to [method@O365Mailhost.Account.sign_in_async]
 * and shows what its signals carry; the plug-in runs the flow. Every signal is emitted on the
 * main context the sign-in was started from.
 */
struct _MailSignIn
{
  GObject parent_instance;

  MailSignInFlow flow;
};

G_DEFINE_FINAL_TYPE (MailSignIn, mail_sign_in, G_TYPE_OBJECT)

enum
{
  SIGNAL_USER_CODE,
  SIGNAL_OPEN_URI,
  SIGNAL_STATUS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
mail_sign_in_class_init (MailSignInClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  /**
   * MailSignIn::user-code:
   * @self: the sign-in
   * @verification_uri: the page to enter the code at
   * @user_code: the code
   * @expires_in: seconds until the code expires
   *
   * Device code flow: the person opens @verification_uri in a browser, on any device, and
   * enters @user_code within @expires_in seconds. Show both; the plug-in waits meanwhile.
   */
  signals[SIGNAL_USER_CODE] =
    g_signal_new ("user-code", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT);
  /**
   * MailSignIn::open-uri:
   * @self: the sign-in
   * @uri: the sign-in page
   *
   * Browser flow: the sign-in page. A handler returns %TRUE when it opened the page itself
   * (a GTK host with its window as the parent); when none does, the plug-in asks the desktop
   * for the default browser. Either way a host may show the address for copying.
   *
   * Returns: whether the handler opened @uri
   */
  signals[SIGNAL_OPEN_URI] =
    g_signal_new ("open-uri", type, G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  /**
   * MailSignIn::status:
   * @self: the sign-in
   * @message: a translated sentence
   *
   * Progress, e.g. “Waiting for you to sign in in the browser…”.
   */
  signals[SIGNAL_STATUS] =
    g_signal_new ("status", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mail_sign_in_init (MailSignIn *self)
{
}

/**
 * mail_sign_in_new:
 * @flow: how the person signs in
 *
 * Makes a sign-in for a host to drive.
 *
 * Returns: (transfer full): a sign-in to pass to [method@O365Mailhost.Account.sign_in_async]
 */
MailSignIn *
mail_sign_in_new (MailSignInFlow flow)
{
  MailSignIn *self;

  g_return_val_if_fail (flow == MAIL_SIGN_IN_FLOW_DEVICE_CODE || flow == MAIL_SIGN_IN_FLOW_BROWSER, NULL);

  self = g_object_new (MAIL_TYPE_SIGN_IN, NULL);
  self->flow = flow;
  return self;
}

/**
 * mail_sign_in_get_flow:
 * @self: a sign-in
 *
 * The flow the host chose.
 *
 * Returns: how the person signs in
 */
MailSignInFlow
mail_sign_in_get_flow (MailSignIn *self)
{
  g_return_val_if_fail (MAIL_IS_SIGN_IN (self), MAIL_SIGN_IN_FLOW_DEVICE_CODE);
  return self->flow;
}

/**
 * mail_sign_in_emit_user_code:
 * @self: a sign-in
 * @verification_uri: the page to enter the code at
 * @user_code: the code
 * @expires_in: seconds until the code expires
 *
 * For plug-ins: emits [signal@O365Mailhost.SignIn::user-code].
 */
void
mail_sign_in_emit_user_code (MailSignIn *self,
                             const char *verification_uri,
                             const char *user_code,
                             guint expires_in)
{
  g_return_if_fail (MAIL_IS_SIGN_IN (self));
  g_return_if_fail (verification_uri != NULL && user_code != NULL);

  g_signal_emit (self, signals[SIGNAL_USER_CODE], 0, verification_uri, user_code, expires_in);
}

/**
 * mail_sign_in_emit_open_uri:
 * @self: a sign-in
 * @uri: the sign-in page
 *
 * For plug-ins: emits [signal@O365Mailhost.SignIn::open-uri].
 *
 * Returns: %TRUE when a handler opened @uri
 */
gboolean
mail_sign_in_emit_open_uri (MailSignIn *self, const char *uri)
{
  gboolean handled = FALSE;

  g_return_val_if_fail (MAIL_IS_SIGN_IN (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  g_signal_emit (self, signals[SIGNAL_OPEN_URI], 0, uri, &handled);
  return handled;
}

/**
 * mail_sign_in_emit_status:
 * @self: a sign-in
 * @message: a translated sentence
 *
 * For plug-ins: emits [signal@O365Mailhost.SignIn::status].
 */
void
mail_sign_in_emit_status (MailSignIn *self, const char *message)
{
  g_return_if_fail (MAIL_IS_SIGN_IN (self));
  g_return_if_fail (message != NULL);

  g_signal_emit (self, signals[SIGNAL_STATUS], 0, message);
}
