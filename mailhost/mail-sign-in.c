/* mail-sign-in.c — the object a host and a plug-in share during an interactive sign-in. */
#include "config.h"

#include "mail-sign-in.h"

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

  signals[SIGNAL_USER_CODE] =
    g_signal_new ("user-code", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT);
  signals[SIGNAL_OPEN_URI] =
    g_signal_new ("open-uri", type, G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  signals[SIGNAL_STATUS] =
    g_signal_new ("status", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mail_sign_in_init (MailSignIn *self)
{
}

MailSignIn *
mail_sign_in_new (MailSignInFlow flow)
{
  MailSignIn *self;

  g_return_val_if_fail (flow == MAIL_SIGN_IN_FLOW_DEVICE_CODE || flow == MAIL_SIGN_IN_FLOW_BROWSER, NULL);

  self = g_object_new (MAIL_TYPE_SIGN_IN, NULL);
  self->flow = flow;
  return self;
}

MailSignInFlow
mail_sign_in_get_flow (MailSignIn *self)
{
  g_return_val_if_fail (MAIL_IS_SIGN_IN (self), MAIL_SIGN_IN_FLOW_DEVICE_CODE);
  return self->flow;
}

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

gboolean
mail_sign_in_emit_open_uri (MailSignIn *self, const char *uri)
{
  gboolean handled = FALSE;

  g_return_val_if_fail (MAIL_IS_SIGN_IN (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  g_signal_emit (self, signals[SIGNAL_OPEN_URI], 0, uri, &handled);
  return handled;
}

void
mail_sign_in_emit_status (MailSignIn *self, const char *message)
{
  g_return_if_fail (MAIL_IS_SIGN_IN (self));
  g_return_if_fail (message != NULL);

  g_signal_emit (self, signals[SIGNAL_STATUS], 0, message);
}
