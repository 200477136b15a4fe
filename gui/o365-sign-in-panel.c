/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-sign-in-panel.c — “Sign in with Microsoft” in the settings panel (see the header).
 *
 * Nothing here blocks: the sign-in is asynchronous and cancellable, and a running one is
 * cancelled when the panel goes away.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-sign-in.h"
#include "o365-sign-in-panel.h"

struct _O365SignInPanel
{
  GtkWidget parent_instance;

  MailAccount *account;
  gboolean can_start;
  gboolean signed_in;         /* the keyring holds a sign-in for the settings shown */
  gboolean signed_in_here;    /* ...stored by a sign-in in this panel */
  gboolean outdated;          /* a setting it depends on changed since */
  struct _SignInCall *call;   /* the running sign-in's way back here */
  guint settings_serial;      /* counts changes to the settings a sign-in depends on */
  guint started_serial;       /* ...when the running sign-in started */
  MailSignIn *sign_in;
  GCancellable *cancellable;  /* set while a sign-in runs */

  GtkWidget *sign_in_box; /* the one child; bound so that dispose_template() unparents it */
  GtkLabel *sign_in_state;
  GtkButton *sign_in_button;
  GtkWidget *sign_in_code_button;
  GtkWidget *sign_in_cancel_button;
  GtkWidget *sign_in_progress;
  GtkSpinner *sign_in_spinner;
  GtkLabel *sign_in_status;
  GtkWidget *sign_in_code_box;
  GtkLabel *sign_in_code_caption;
  GtkLabel *sign_in_user_code;
  GtkLinkButton *sign_in_uri_link;
  GtkLabel *sign_in_expiry;
  GtkLinkButton *sign_in_page_link;
  GtkLabel *sign_in_message;
};

G_DEFINE_FINAL_TYPE (O365SignInPanel, o365_sign_in_panel, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  PROP_SIGNED_IN,
  PROP_SIGNING_IN,
  PROP_CAN_START,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SIGN_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What a sign-in is for: after a change to any of these it no longer matches the settings. */
static const char *const sign_in_settings[] = {
  "address", "username", "endpoint", "oauth2-tenant", "oauth2-client-id", "oauth2-authority", NULL,
};

/* --- what the panel shows ---------------------------------------------------------------------- */

static void
update_state (O365SignInPanel *self)
{
  GtkWidget *state = GTK_WIDGET (self->sign_in_state);
  const char *text;

  if (self->signed_in && self->signed_in_here)
    text = _("Signed in — the sign-in is stored in the keyring");
  else if (self->signed_in)
    text = _("Signed in (stored in the keyring)");
  else if (self->outdated)
    text = _("The account’s settings changed since you signed in: sign in again to use them.");
  else
    text = _("Not signed in yet: sign in to save this account.");
  gtk_label_set_text (self->sign_in_state, text);
  if (self->signed_in && self->signed_in_here)
    gtk_widget_add_css_class (state, "success");
  else
    gtk_widget_remove_css_class (state, "success");
  gtk_button_set_label (self->sign_in_button,
                        self->signed_in ? _("Si_gn in again") : _("Si_gn in with Microsoft"));
}

static void
update_actions (O365SignInPanel *self)
{
  gboolean idle = self->cancellable == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.browser", self->can_start && idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.code", self->can_start && idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.cancel", !idle);
}

static void
show_message (O365SignInPanel *self, const char *text, gboolean is_error)
{
  GtkWidget *label = GTK_WIDGET (self->sign_in_message);

  gtk_label_set_text (self->sign_in_message, text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL);
  if (is_error)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}

/* The keyring's sign-in is for the mailbox, tenant and app it was made with. */
static void
on_setting_changed (O365SignInPanel *self, GParamSpec *pspec, MailAccount *account)
{
  self->settings_serial++;
  if (self->signed_in)
    {
      self->outdated = TRUE;
      o365_sign_in_panel_set_signed_in (self, FALSE);
    }
}

/* --- the sign-in ------------------------------------------------------------------------------- */

/* A running sign-in's way back to the panel. It must not keep the panel alive: closing the
 * window disposes the panel, which cancels the sign-in; and whatever the sign-in stored before
 * it ended may still have to be removed then. */
typedef struct _SignInCall
{
  GWeakRef panel;
  gboolean discard; /* given up: remove what it stored once it has ended */
} SignInCall;

static void
sign_in_call_free (SignInCall *call)
{
  g_weak_ref_clear (&call->panel);
  g_free (call);
}

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
on_sign_in_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* The panel is gone: nobody is left to tell but the log. */
  if (!mail_account_remove_finish (MAIL_ACCOUNT (source), result, &error))
    g_warning ("The sign-in of an account that was not saved could not be removed from the keyring: %s",
               error->message);
}

/* Takes a never-saved account's sign-in out of the keyring (and the access token out of memory).
 * Not cancellable: it outlives the panel. */
static void
remove_sign_in (MailAccount *account)
{
  mail_account_remove_async (account, NULL, on_sign_in_removed, NULL);
}

static void
set_signing_in (O365SignInPanel *self, gboolean signing_in)
{
  /* While it runs, Cancel takes the place of the buttons that start one. */
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_button), !signing_in);
  gtk_widget_set_visible (self->sign_in_code_button, !signing_in);
  gtk_widget_set_visible (self->sign_in_cancel_button, signing_in);
  gtk_widget_set_visible (self->sign_in_progress, signing_in);
  gtk_spinner_set_spinning (self->sign_in_spinner, signing_in);
  if (!signing_in)
    {
      gtk_widget_set_visible (self->sign_in_code_box, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->sign_in_page_link), FALSE);
      if (self->sign_in != NULL)
        g_signal_handlers_disconnect_by_data (self->sign_in, self);
      g_clear_object (&self->sign_in);
      g_clear_object (&self->cancellable);
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNING_IN]);
}

static void
on_sign_in_status (O365SignInPanel *self, const char *message, MailSignIn *sign_in)
{
  /* The line may be too short for a long translation: all of it on hover. */
  gtk_label_set_text (self->sign_in_status, message);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sign_in_status), message);
}

static void
on_sign_in_user_code (O365SignInPanel *self,
                      const char *verification_uri,
                      const char *user_code,
                      guint expires_in,
                      MailSignIn *sign_in)
{
  guint minutes = MAX (1, (expires_in + 59) / 60);
  g_autofree char *expiry =
    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The code is valid for %u minute.",
                                  "The code is valid for %u minutes.", minutes), minutes);

  gtk_label_set_text (self->sign_in_user_code, user_code);
  gtk_link_button_set_uri (self->sign_in_uri_link, verification_uri);
  gtk_button_set_label (GTK_BUTTON (self->sign_in_uri_link), verification_uri);
  gtk_label_set_text (self->sign_in_expiry, expiry);
  gtk_widget_set_visible (self->sign_in_code_box, TRUE);
}

static void
on_copy_code_clicked (O365SignInPanel *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          gtk_label_get_text (self->sign_in_user_code));
}

/* Before any host's handler: the page stays at hand, whoever opens it. */
static gboolean
on_sign_in_page (O365SignInPanel *self, const char *uri, MailSignIn *sign_in)
{
  gtk_link_button_set_uri (self->sign_in_page_link, uri);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_page_link), TRUE);
  return FALSE;
}

static void
on_browser_shown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (O365SignInPanel) self = g_weak_ref_get (ref);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  weak_ref_free (ref);
  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) || self == NULL || self->account == NULL ||
      self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  text = g_strdup_printf (_("No web browser could be opened (%s). Open the sign-in page with the "
                            "link above in a browser on this computer, or cancel and use a code "
                            "instead."), error->message);
  show_message (self, text, TRUE);
}

/* After any host's handler (a host with its own browser view may open the page itself): the
 * desktop's browser, through GTK, so that a portal gets this window as the parent. */
static gboolean
on_open_sign_in_page (O365SignInPanel *self, const char *uri, MailSignIn *sign_in)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri_full (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME,
                     self->cancellable, on_browser_shown, weak_ref_new (self));
  return TRUE;
}

static void
on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SignInCall *call = user_data;
  g_autoptr (O365SignInPanel) self = g_weak_ref_get (&call->panel);
  g_autoptr (GError) error = NULL;
  gboolean ok = mail_account_sign_in_finish (MAIL_ACCOUNT (source), result, &error);

  if (call->discard)
    remove_sign_in (MAIL_ACCOUNT (source));
  sign_in_call_free (call);
  /* Disposed meanwhile: the widgets are gone. */
  if (self == NULL || self->account == NULL)
    return;
  self->call = NULL;
  if (ok)
    {
      self->signed_in_here = TRUE;
      /* Made with settings that have changed since: it is in the keyring, but not for these. */
      self->outdated = self->settings_serial != self->started_serial;
      show_message (self, NULL, FALSE);
      o365_sign_in_panel_set_signed_in (self, !self->outdated);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (self, _("Sign-in cancelled."), FALSE);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Sign-in failed: %s"), error->message);

      show_message (self, text, TRUE);
    }
  set_signing_in (self, FALSE);
}

static void
start_sign_in (O365SignInPanel *self, MailSignInFlow flow)
{
  if (self->cancellable != NULL || !self->can_start || self->account == NULL)
    return;
  show_message (self, NULL, FALSE);
  gtk_label_set_text (self->sign_in_status, "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sign_in_status), NULL);
  self->sign_in = mail_sign_in_new (flow);
  self->started_serial = self->settings_serial;
  g_signal_connect_object (self->sign_in, "status", G_CALLBACK (on_sign_in_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sign_in, "user-code", G_CALLBACK (on_sign_in_user_code), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sign_in, "open-uri", G_CALLBACK (on_sign_in_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sign_in, "open-uri", G_CALLBACK (on_open_sign_in_page), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  self->cancellable = g_cancellable_new ();
  set_signing_in (self, TRUE);
  /* The host's turn to connect to the sign-in, before the plug-in emits anything. */
  g_signal_emit (self, signals[SIGNAL_SIGN_IN], 0, self->sign_in);
  self->call = g_new0 (SignInCall, 1);
  g_weak_ref_init (&self->call->panel, self);
  mail_account_sign_in_async (self->account, self->sign_in, self->cancellable, on_signed_in, self->call);
}

static void
sign_in_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start_sign_in (O365_SIGN_IN_PANEL (widget), MAIL_SIGN_IN_FLOW_BROWSER);
}

static void
sign_in_with_code_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start_sign_in (O365_SIGN_IN_PANEL (widget), MAIL_SIGN_IN_FLOW_DEVICE_CODE);
}

static void
cancel_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  o365_sign_in_panel_cancel (O365_SIGN_IN_PANEL (widget));
}

/* --- API --------------------------------------------------------------------------------------- */

void
o365_sign_in_panel_set_account (O365SignInPanel *self, MailAccount *account)
{
  g_return_if_fail (O365_IS_SIGN_IN_PANEL (self));
  g_return_if_fail (MAIL_IS_ACCOUNT (account));
  /* A sign-in, running or stored, is for one account. */
  g_return_if_fail (self->account == NULL || self->account == account);

  if (self->account == account)
    return;
  self->account = g_object_ref (account);
  for (const char *const *name = sign_in_settings; *name != NULL; name++)
    {
      g_autofree char *signal = g_strconcat ("notify::", *name, NULL);

      g_signal_connect_object (account, signal, G_CALLBACK (on_setting_changed), self, G_CONNECT_SWAPPED);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

gboolean
o365_sign_in_panel_get_signed_in (O365SignInPanel *self)
{
  g_return_val_if_fail (O365_IS_SIGN_IN_PANEL (self), FALSE);
  return self->signed_in;
}

void
o365_sign_in_panel_set_signed_in (O365SignInPanel *self, gboolean signed_in)
{
  gboolean changed;

  g_return_if_fail (O365_IS_SIGN_IN_PANEL (self));
  changed = self->signed_in != !!signed_in;
  self->signed_in = !!signed_in;
  /* Also when only how it was signed in (here or before) changed. */
  update_state (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

gboolean
o365_sign_in_panel_get_signing_in (O365SignInPanel *self)
{
  g_return_val_if_fail (O365_IS_SIGN_IN_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

void
o365_sign_in_panel_set_can_start (O365SignInPanel *self, gboolean can_start)
{
  g_return_if_fail (O365_IS_SIGN_IN_PANEL (self));
  if (self->can_start == !!can_start)
    return;
  self->can_start = !!can_start;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
}

void
o365_sign_in_panel_cancel (O365SignInPanel *self)
{
  g_return_if_fail (O365_IS_SIGN_IN_PANEL (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
o365_sign_in_panel_discard (O365SignInPanel *self)
{
  g_return_if_fail (O365_IS_SIGN_IN_PANEL (self));
  if (self->call != NULL)
    {
      /* Cancelling does not undo a refresh token already on its way to the keyring: remove
       * whatever the sign-in leaves once it has ended. */
      self->call->discard = TRUE;
      o365_sign_in_panel_cancel (self);
    }
  else if (self->signed_in_here)
    remove_sign_in (self->account);
  self->signed_in_here = FALSE;
}

/* --- GObject ----------------------------------------------------------------------------------- */

static void
o365_sign_in_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  O365SignInPanel *self = O365_SIGN_IN_PANEL (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->signed_in);
      break;
    case PROP_SIGNING_IN:
      g_value_set_boolean (value, o365_sign_in_panel_get_signing_in (self));
      break;
    case PROP_CAN_START:
      g_value_set_boolean (value, self->can_start);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
o365_sign_in_panel_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  O365SignInPanel *self = O365_SIGN_IN_PANEL (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      o365_sign_in_panel_set_account (self, g_value_get_object (value));
      break;
    case PROP_SIGNED_IN:
      o365_sign_in_panel_set_signed_in (self, g_value_get_boolean (value));
      break;
    case PROP_CAN_START:
      o365_sign_in_panel_set_can_start (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
o365_sign_in_panel_dispose (GObject *object)
{
  O365SignInPanel *self = O365_SIGN_IN_PANEL (object);

  o365_sign_in_panel_cancel (self);
  /* Owned by the sign-in, which ends on its own now. */
  self->call = NULL;
  if (self->sign_in != NULL)
    g_signal_handlers_disconnect_by_data (self->sign_in, self);
  g_clear_object (&self->sign_in);
  g_clear_object (&self->cancellable);
  /* The account may outlive the panel: its changes must not reach the widgets, gone now. */
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);
  /* Unparents "sign_in_box" too: a bound direct child. */
  gtk_widget_dispose_template (GTK_WIDGET (self), O365_TYPE_SIGN_IN_PANEL);

  G_OBJECT_CLASS (o365_sign_in_panel_parent_class)->dispose (object);
}

static void
o365_sign_in_panel_class_init (O365SignInPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = o365_sign_in_panel_get_property;
  object_class->set_property = o365_sign_in_panel_set_property;
  object_class->dispose = o365_sign_in_panel_dispose;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, MAIL_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNING_IN] =
    g_param_spec_boolean ("signing-in", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_START] =
    g_param_spec_boolean ("can-start", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SIGN_IN] = g_signal_new ("sign-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, MAIL_TYPE_SIGN_IN);

  gtk_widget_class_install_action (widget_class, "sign-in.browser", NULL, sign_in_activated);
  gtk_widget_class_install_action (widget_class, "sign-in.code", NULL, sign_in_with_code_activated);
  gtk_widget_class_install_action (widget_class, "sign-in.cancel", NULL, cancel_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/o365account/gui/o365-sign-in-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_box);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_state);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_code_button);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_progress);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_spinner);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_status);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_code_box);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_code_caption);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_user_code);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_uri_link);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_expiry);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_page_link);
  gtk_widget_class_bind_template_child (widget_class, O365SignInPanel, sign_in_message);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_code_clicked);
}

static void
o365_sign_in_panel_init (O365SignInPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* A screen reader reads the state with the button, and the caption with the code. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->sign_in_button), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->sign_in_state, NULL, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->sign_in_user_code), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->sign_in_code_caption, NULL, -1);
  update_state (self);
  update_actions (self);
}
