/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-editor.c — the settings panel. Widgets are bound to the account's properties
 * (pending until Save); every change re-runs the per-field checks, which put their message
 * beside the field and decide whether Save and Test Connection are enabled.
 *
 * Nothing here blocks: the connection test, “Sign in with Microsoft” (O365SignInPanel, embedded
 * here), the keyring and removal are asynchronous and cancellable, and a running test or sign-in
 * is cancelled when the panel goes away.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-account-registry.h"
#include "mail-sign-in.h"
#include "o365-account-editor.h"
#include "o365-failure-details.h"
#include "o365-sign-in-panel.h"

struct _O365AccountEditor
{
  GtkWidget parent_instance;

  const O365GuiHooks *hooks;
  MailAccountType *account_type;
  MailAccount *account;
  const MailEndpoint *const *endpoints;
  guint n_endpoints;

  gboolean is_new;          /* not listed yet: no secret in the keyring */
  char *stored_auth_method; /* as opened: the kind of secret the keyring holds */
  gboolean changing_password;
  gboolean selecting_endpoint;
  gboolean busy; /* saving or removing */
  /* Which checks may show their message: those of the fields edited (property names, and
   * "password"), or all once Save was attempted — a new account does not open in red. */
  GHashTable *edited;
  gboolean save_attempted;
  GCancellable *test_cancellable;
  GCancellable *busy_cancellable;
  GtkNativeDialog *ca_file_chooser;

  GtkWidget *content; /* the one child; bound so that dispose_template() unparents it */
  GtkScrolledWindow *content_scroll;
  GtkWidget *scroll_target;   /* to bring into sight, once laid out */
  guint scroll_ticks;         /* frames left to keep it in sight */
  GtkWidget *fields;
  GtkWidget *advanced_expander;
  GtkWidget *display_name_entry;
  GtkWidget *address_entry;
  GtkLabel *address_message;
  GtkWidget *username_entry;
  GtkLabel *username_message;
  GtkLabel *username_label;
  GtkDropDown *endpoint_dropdown;
  GtkWidget *server_entry;
  GtkLabel *server_message;
  GtkWidget *port_entry;
  GtkLabel *port_message;
  GtkLabel *security_label;
  GtkDropDown *auth_dropdown;
  GtkLabel *auth_message;
  GtkLabel *password_label;
  GtkStack *password_stack;
  GtkWidget *password_entry;
  GtkLabel *password_message;
  O365SignInPanel *sign_in_panel;
  GtkWidget *client_id_label;
  GtkWidget *client_id_entry;
  GtkLabel *client_id_message;
  GtkWidget *tenant_label;
  GtkWidget *tenant_entry;
  GtkLabel *tenant_message;
  GtkWidget *tenant_note;
  GtkWidget *ca_file_entry;
  GtkLabel *ca_file_message;
  GtkSpinButton *timeout_spin;
  GtkDropDown *transport_dropdown;
  GtkLabel *transport_message;
  GtkAdjustment *timeout_adjustment;
  GtkSpinner *test_spinner;
  GtkWidget *test_cancel_button;
  GtkLabel *test_result;
  GtkLinkButton *test_link;
  GtkExpander *test_details;
  GtkLabel *test_details_reply;
  GtkLabel *status_label;
  GtkWidget *remove_button;
  GtkWidget *save_button;
};

G_DEFINE_FINAL_TYPE (O365AccountEditor, o365_account_editor, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HOOKS,
  PROP_ACCOUNT_TYPE,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_DONE,
  SIGNAL_SIGN_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The sign-in methods in the order of the drop-down's items. */
static const char *const auth_methods[] = { "oauth2", "password", "app-password", NULL };
/* The ways to send, in the order of the "Send through" drop-down's items. */
static const char *const transports[] = { "auto", "smtp", "graph", NULL };

static char *
dup_string (MailAccount *account, const char *property)
{
  char *value = NULL;

  g_object_get (account, property, &value, NULL);
  return value != NULL ? value : g_strdup ("");
}

static gboolean
uses_secret (const char *auth_method)
{
  return !g_str_equal (auth_method, "oauth2");
}

/* Whether Save must store a new secret: the keyring holds none of the kind the chosen method
 * needs, or the person asked to change it. */
static gboolean
needs_new_secret (O365AccountEditor *self)
{
  g_autofree char *auth_method = dup_string (self->account, "auth-method");

  return uses_secret (auth_method) &&
         (self->is_new || self->changing_password || !g_str_equal (auth_method, self->stored_auth_method));
}

/* The secret typed for this account, or NULL when the keyring's is to be used. */
static const char *
pending_secret (O365AccountEditor *self)
{
  return needs_new_secret (self) ? gtk_editable_get_text (GTK_EDITABLE (self->password_entry)) : NULL;
}

/* --- messages beside the fields ---------------------------------------------------------------- */

static void
show_field_message (GtkWidget *field, GtkLabel *message, const char *text)
{
  gtk_label_set_text (message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (message), text != NULL);
  if (text != NULL)
    {
      gtk_widget_add_css_class (field, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static gboolean
may_show_error (O365AccountEditor *self, const char *field)
{
  return self->save_attempted || g_hash_table_contains (self->edited, field);
}

static gboolean
check_field (O365AccountEditor *self, const char *property, GtkWidget *field, GtkLabel *message)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = self->hooks->validate_property (self->account, property, &error);

  show_field_message (field, message, ok || !may_show_error (self, property) ? NULL : error->message);
  return ok;
}

static gboolean
check_password (O365AccountEditor *self)
{
  g_autofree char *auth_method = dup_string (self->account, "auth-method");
  gboolean app_password = g_str_equal (auth_method, "app-password");
  const char *text = NULL;

  gtk_label_set_text_with_mnemonic (self->password_label, app_password ? _("App pass_word") : _("Pass_word"));
  if (needs_new_secret (self) && *gtk_editable_get_text (GTK_EDITABLE (self->password_entry)) == '\0')
    text = app_password ? _("Enter the app password you created for this account")
                        : _("Enter the password of this mailbox");
  show_field_message (self->password_entry, self->password_message,
                      may_show_error (self, "password") ? text : NULL);
  return text == NULL;
}

static void
update_password_row (O365AccountEditor *self)
{
  g_autofree char *auth_method = dup_string (self->account, "auth-method");
  gboolean shown = uses_secret (auth_method);

  gtk_widget_set_visible (GTK_WIDGET (self->password_label), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->password_stack), shown);
  gtk_stack_set_visible_child_name (self->password_stack, needs_new_secret (self) ? "entry" : "stored");
}

static void
update_sign_in_row (O365AccountEditor *self)
{
  g_autofree char *auth_method = dup_string (self->account, "auth-method");
  gboolean shown = !uses_secret (auth_method);

  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_panel), shown);
  gtk_widget_set_visible (self->client_id_label, shown);
  gtk_widget_set_visible (self->client_id_entry, shown);
  gtk_widget_set_visible (self->tenant_label, shown);
  gtk_widget_set_visible (self->tenant_entry, shown);
  gtk_widget_set_visible (self->tenant_note, shown);
  /* Their checks ran: the messages go with the fields. */
  if (!shown)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->client_id_message), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->tenant_message), FALSE);
    }
}

/* Runs every check (not just up to the first failure, so that every faulty field says so) and
 * enables what the result allows. */
static void
update_validity (O365AccountEditor *self)
{
  g_autofree char *auth_method = dup_string (self->account, "auth-method");
  gboolean oauth2 = !uses_secret (auth_method);
  gboolean valid = TRUE;
  gboolean sign_in_valid = TRUE; /* what a sign-in needs */
  gboolean testing = self->test_cancellable != NULL;
  gboolean signing_in = o365_sign_in_panel_get_signing_in (self->sign_in_panel);
  gboolean idle = !self->busy && !testing && !signing_in;

  sign_in_valid &= check_field (self, "address", self->address_entry, self->address_message);
  sign_in_valid &= check_field (self, "username", self->username_entry, self->username_message);
  valid &= check_field (self, "server", self->server_entry, self->server_message);
  valid &= check_field (self, "port", self->port_entry, self->port_message);
  sign_in_valid &= check_field (self, "auth-method", GTK_WIDGET (self->auth_dropdown), self->auth_message);
  valid &= check_field (self, "ca-file", self->ca_file_entry, self->ca_file_message);
  sign_in_valid &= check_field (self, "oauth2-client-id", self->client_id_entry, self->client_id_message);
  sign_in_valid &= check_field (self, "oauth2-tenant", self->tenant_entry, self->tenant_message);
  valid &= check_field (self, "transport", GTK_WIDGET (self->transport_dropdown), self->transport_message);
  valid &= sign_in_valid;
  update_password_row (self);
  valid &= check_password (self);
  update_sign_in_row (self);
  /* An account that signs in with Microsoft has nothing to send with until it has signed in. */
  if (oauth2)
    valid &= o365_sign_in_panel_get_signed_in (self->sign_in_panel);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", valid && !self->busy && !signing_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.test", valid && idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.cancel-test", testing);
  o365_sign_in_panel_set_can_start (self->sign_in_panel, oauth2 && sign_in_valid && !self->busy && !testing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.remove", !self->is_new && idle);
}

static void
update_username (O365AccountEditor *self)
{
  g_autofree char *address = dup_string (self->account, "address");
  g_autofree char *username = dup_string (self->account, "username");
  gboolean address_valid = self->hooks->validate_property (self->account, "address", NULL);
  g_autofree char *text = NULL;

  /* Empty, the sign-in name is the address: never typed twice. Another one (a shared mailbox,
   * Send-As) signs in as that person and sends as the address. */
  if (*username != '\0' && !g_str_equal (username, address) && address_valid)
    /* TRANSLATORS: "You sign in as bob@contoso.com and send as sales@contoso.com." */
    text = g_strdup_printf (_("You sign in as %s and send as %s."), username, address);
  else if (*username != '\0')
    text = g_strdup_printf (_("You sign in as %s."), username);
  else if (!address_valid)
    text = g_strdup (_("You sign in with your e-mail address."));
  else
    text = g_strdup_printf (_("You sign in as %s."), address);
  gtk_label_set_text (self->username_label, text);
}

static void
on_account_notify (O365AccountEditor *self, GParamSpec *pspec, MailAccount *account)
{
  g_hash_table_add (self->edited, (gpointer) g_intern_string (pspec->name));
  /* Whether Graph is allowed depends on the method: another method is an edit of that too. */
  if (g_str_equal (pspec->name, "auth-method"))
    g_hash_table_add (self->edited, (gpointer) g_intern_static_string ("transport"));
  if (g_str_equal (pspec->name, "address") || g_str_equal (pspec->name, "username"))
    update_username (self);
  /* Another method chosen meanwhile: the sign-in, and its Cancel button, would go out of sight. */
  if (g_str_equal (pspec->name, "auth-method"))
    {
      g_autofree char *auth_method = dup_string (self->account, "auth-method");

      if (uses_secret (auth_method))
        o365_sign_in_panel_cancel (self->sign_in_panel);
    }
  update_validity (self);
}

static void
show_status (O365AccountEditor *self, const char *text, gboolean is_error)
{
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
set_busy (O365AccountEditor *self, gboolean busy)
{
  self->busy = busy;
  if (busy)
    self->busy_cancellable = g_cancellable_new ();
  else
    g_clear_object (&self->busy_cancellable);
  gtk_widget_set_sensitive (self->fields, !busy);
  gtk_widget_set_sensitive (self->advanced_expander, !busy);
  update_validity (self);
}

static void
finish (O365AccountEditor *self)
{
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

/* --- endpoint, sign-in method and port: widgets ⇄ properties ---------------------------------- */

static void
on_endpoint_selected (O365AccountEditor *self, GParamSpec *pspec, GtkDropDown *dropdown)
{
  guint index = gtk_drop_down_get_selected (dropdown);
  const MailEndpoint *endpoint;

  if (index >= self->n_endpoints)
    return;
  endpoint = self->endpoints[index];
  gtk_label_set_text (self->security_label, mail_security_to_string (endpoint->security));
  /* Selecting the account's own endpoint when opening keeps a server the person set. */
  if (self->selecting_endpoint)
    return;
  g_object_set (self->account, "endpoint", endpoint->id, "server", endpoint->host,
                "port", (guint) endpoint->port, NULL);
}

static void
setup_endpoints (O365AccountEditor *self)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *current = dup_string (self->account, "endpoint");
  guint selected = 0;

  self->endpoints = mail_account_type_get_endpoints (self->account_type, &self->n_endpoints);
  for (guint i = 0; i < self->n_endpoints; i++)
    {
      gtk_string_list_append (names, self->endpoints[i]->name);
      if (g_str_equal (self->endpoints[i]->id, current))
        selected = i;
    }
  self->selecting_endpoint = TRUE;
  gtk_drop_down_set_model (self->endpoint_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->endpoint_dropdown, selected);
  on_endpoint_selected (self, NULL, self->endpoint_dropdown);
  self->selecting_endpoint = FALSE;
  g_signal_connect_object (self->endpoint_dropdown, "notify::selected",
                           G_CALLBACK (on_endpoint_selected), self, G_CONNECT_SWAPPED);
}

/* A drop-down's item ⇄ a string setting: @user_data is the NULL-terminated list of the values,
 * in the order of the items. */
static gboolean
choice_to_index (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  const char *const *values = user_data;
  const char *value = g_value_get_string (from);

  for (guint i = 0; values[i] != NULL; i++)
    if (g_strcmp0 (value, values[i]) == 0)
      {
        g_value_set_uint (to, i);
        return TRUE;
      }
  return FALSE;
}

static gboolean
index_to_choice (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  const char *const *values = user_data;
  guint index = g_value_get_uint (from);

  for (guint i = 0; values[i] != NULL; i++)
    if (i == index)
      {
        g_value_set_string (to, values[i]);
        return TRUE;
      }
  return FALSE;
}

static gboolean
port_to_text (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  guint port = g_value_get_uint (from);

  /* 0 stands for text that is not a port: leave that text as the person typed it. */
  if (port == 0)
    return FALSE;
  g_value_take_string (to, g_strdup_printf ("%u", port));
  return TRUE;
}

static gboolean
text_to_port (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  const char *text = g_value_get_string (from);
  guint64 port = 0;

  /* Anything but a plain number becomes 0, which the port check reports. */
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &port, NULL))
    port = 0;
  g_value_set_uint (to, (guint) port);
  return TRUE;
}

static void
bind_fields (O365AccountEditor *self)
{
  const GBindingFlags flags = G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE;

  g_object_bind_property (self->account, "display-name", self->display_name_entry, "text", flags);
  g_object_bind_property (self->account, "address", self->address_entry, "text", flags);
  g_object_bind_property (self->account, "username", self->username_entry, "text", flags);
  g_object_bind_property (self->account, "server", self->server_entry, "text", flags);
  g_object_bind_property_full (self->account, "port", self->port_entry, "text", flags,
                               port_to_text, text_to_port, NULL, NULL);
  g_object_bind_property_full (self->account, "auth-method", self->auth_dropdown, "selected", flags,
                               choice_to_index, index_to_choice, (gpointer) auth_methods, NULL);
  g_object_bind_property_full (self->account, "transport", self->transport_dropdown, "selected", flags,
                               choice_to_index, index_to_choice, (gpointer) transports, NULL);
  g_object_bind_property (self->account, "ca-file", self->ca_file_entry, "text", flags);
  g_object_bind_property (self->account, "oauth2-client-id", self->client_id_entry, "text", flags);
  g_object_bind_property (self->account, "oauth2-tenant", self->tenant_entry, "text", flags);
  g_object_bind_property (self->account, "timeout", self->timeout_adjustment, "value", flags);
}

/* --- password ---------------------------------------------------------------------------------- */

static void
on_password_changed (O365AccountEditor *self)
{
  g_hash_table_add (self->edited, (gpointer) g_intern_static_string ("password"));
  update_validity (self);
}

static void
on_change_password_clicked (O365AccountEditor *self)
{
  self->changing_password = TRUE;
  update_validity (self);
  gtk_widget_grab_focus (self->password_entry);
}

/* --- extra CA file ----------------------------------------------------------------------------- */

static void
on_ca_file_chosen (O365AccountEditor *self, int response, GtkNativeDialog *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_object_set (self->account, "ca-file", path, NULL);
    }
  g_clear_object (&self->ca_file_chooser);
}

static void
on_choose_ca_file_clicked (O365AccountEditor *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->ca_file_chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Extra CA File"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->ca_file_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_ca_file_chosen), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->ca_file_chooser);
}

/* --- test connection --------------------------------------------------------------------------- */

/* Something that just appeared (a result, the sign-in code) comes into sight once it is laid
 * out, in the next frames: scrolled as little as it takes, its top first if it is taller. */
static gboolean
scroll_into_view_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->content_scroll);
  double shown = gtk_widget_get_height (GTK_WIDGET (self->content_scroll));
  double by = 0;
  graphene_rect_t bounds; /* where it is in the part in sight */

  if (gtk_widget_compute_bounds (self->scroll_target, GTK_WIDGET (self->content_scroll), &bounds))
    {
      if (bounds.origin.y + bounds.size.height > shown)
        by = bounds.origin.y + bounds.size.height - shown;
      if (bounds.origin.y - by < 0)
        by = bounds.origin.y;
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + by);
    }
  return --self->scroll_ticks > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
scroll_into_view (O365AccountEditor *self, GtkWidget *target)
{
  if (self->scroll_ticks == 0)
    gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_into_view_tick, NULL, NULL);
  self->scroll_target = target;
  self->scroll_ticks = 3;
}

/* The connection test's result, with its link and details. */
static void
show_test_area (O365AccountEditor *self)
{
  scroll_into_view (self, gtk_widget_get_parent (GTK_WIDGET (self->test_result)));
}

static void
show_test_result (O365AccountEditor *self, const char *text, const char *style)
{
  GtkWidget *label = GTK_WIDGET (self->test_result);

  gtk_label_set_text (self->test_result, text);
  gtk_widget_set_visible (label, TRUE);
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "success");
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_widget_set_visible (GTK_WIDGET (self->test_link), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_details), FALSE);
  show_test_area (self);
}

/* A failure: the explanation in short, the page the server points to as a link, and its reply
 * itself folded away under "Details". */
static void
show_test_failure (O365AccountEditor *self, const char *message)
{
  g_autofree char *explanation = NULL, *reply = NULL, *link = NULL, *text = NULL;
  gboolean quoted = o365_failure_split (message, &explanation, &reply);

  text = g_strdup_printf (_("The test failed: %s"), explanation);
  show_test_result (self, text, "error");
  if (!quoted)
    return;
  gtk_label_set_text (self->test_details_reply, reply);
  gtk_expander_set_expanded (self->test_details, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_details), TRUE);
  link = o365_failure_find_link (reply);
  if (link != NULL)
    {
      gtk_link_button_set_uri (self->test_link, link);
      gtk_button_set_label (GTK_BUTTON (self->test_link), link);
      gtk_link_button_set_visited (self->test_link, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->test_link), TRUE);
    }
}

static void
set_testing (O365AccountEditor *self, gboolean testing)
{
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), testing);
  gtk_spinner_set_spinning (self->test_spinner, testing);
  gtk_widget_set_visible (self->test_cancel_button, testing);
  if (!testing)
    g_clear_object (&self->test_cancellable);
  update_validity (self);
}

static char *
describe_success (GVariant *facts)
{
  const char *server = NULL, *tls_version = NULL, *mechanism = NULL, *transport = NULL;

  g_variant_lookup (facts, "server", "&s", &server);
  g_variant_lookup (facts, "tls-version", "&s", &tls_version);
  g_variant_lookup (facts, "auth-mechanism", "&s", &mechanism);
  g_variant_lookup (facts, "transport", "&s", &transport);
  /* Graph's check is a web request: no TLS version or SMTP mechanism to tell. */
  if (g_strcmp0 (transport, "graph") == 0)
    /* TRANSLATORS: "Microsoft Graph at https://graph.microsoft.com works: it accepted the sign-in
     * with OAuth2 bearer (Mail.Send)." */
    return g_strdup_printf (_("Microsoft Graph at %s works: it accepted the sign-in with %s."),
                            server != NULL ? server : "?", mechanism != NULL ? mechanism : "?");
  /* TRANSLATORS: "Connection works: smtp.office365.com:587 accepted the sign-in (TLS 1.3, LOGIN)." */
  return g_strdup_printf (_("Connection works: %s accepted the sign-in (%s, %s)."),
                          server != NULL ? server : "?", tls_version != NULL ? tls_version : "?",
                          mechanism != NULL ? mechanism : "?");
}

static void
on_check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (O365AccountEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) facts = mail_transport_check_finish (MAIL_TRANSPORT (source), result, &error);

  /* Disposed meanwhile: the widgets are gone. */
  if (self->account == NULL)
    return;
  if (facts != NULL)
    {
      g_autofree char *text = describe_success (facts);

      show_test_result (self, text, "success");
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_test_result (self, _("The test was cancelled."), NULL);
  else
    show_test_failure (self, error->message);
  set_testing (self, FALSE);
}

static void
test_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailTransport) transport = NULL;
  g_autofree char *server = NULL;
  g_autofree char *text = NULL;
  g_autofree char *way = NULL;
  guint port = 0;

  if (self->test_cancellable != NULL)
    return;
  self->save_attempted = TRUE;
  transport = self->hooks->create_transport (self->account, pending_secret (self), &error);
  if (transport == NULL)
    {
      show_test_failure (self, error->message);
      return;
    }
  g_object_get (self->account, "server", &server, "port", &port, "transport", &way, NULL);
  if (g_strcmp0 (way, "graph") == 0)
    text = g_strdup (_("Connecting to Microsoft Graph…"));
  else
    text = g_strdup_printf (_("Connecting to %s:%u…"), server, port);
  show_test_result (self, text, NULL);
  self->test_cancellable = g_cancellable_new ();
  set_testing (self, TRUE);
  mail_transport_check_async (transport, self->test_cancellable, on_check_done, g_object_ref (self));
}

static void
cancel_test_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
}

/* --- sign in with Microsoft ------------------------------------------------------------------ */

/* The host's turn to connect to the sign-in (see o365-account-editor.h). */
/* The code shown (by the panel, which handles the signal first): the code and the page to enter
 * it at come into sight. */
static void
on_user_code (O365AccountEditor *self)
{
  scroll_into_view (self, GTK_WIDGET (self->sign_in_panel));
}

static void
on_sign_in_started (O365AccountEditor *self, MailSignIn *sign_in, O365SignInPanel *panel)
{
  g_signal_connect_object (sign_in, "user-code", G_CALLBACK (on_user_code), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_emit (self, signals[SIGNAL_SIGN_IN], 0, sign_in);
}

/* Cancel, or closed without Save: a new account leaves no sign-in behind in the keyring. */
static void
give_up_sign_in (O365AccountEditor *self)
{
  if (self->is_new)
    o365_sign_in_panel_discard (self->sign_in_panel);
  else
    o365_sign_in_panel_cancel (self->sign_in_panel);
}

/* --- save -------------------------------------------------------------------------------------- */

static void
finish_save (O365AccountEditor *self)
{
  g_autoptr (GError) error = NULL;

  if (!mail_account_save (self->account, &error))
    {
      set_busy (self, FALSE);
      show_status (self, error->message, TRUE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  g_free (self->stored_auth_method);
  self->stored_auth_method = dup_string (self->account, "auth-method");
  self->is_new = FALSE;
  self->changing_password = FALSE;
  set_busy (self, FALSE);
  show_status (self, NULL, FALSE);
  finish (self);
}

static void
on_secret_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (O365AccountEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mail_account_store_secret_finish (MAIL_ACCOUNT (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (self->account == NULL)
        return;
      text = g_strdup_printf (_("The password could not be stored in the keyring, so nothing was "
                                "saved: %s"), error->message);
      set_busy (self, FALSE);
      show_status (self, text, TRUE);
      return;
    }
  if (self->account != NULL)
    finish_save (self);
}

static void
save_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);
  g_autoptr (GError) error = NULL;
  const char *secret;

  if (self->busy)
    return;
  self->save_attempted = TRUE;
  if (!mail_account_validate (self->account, &error))
    {
      show_status (self, error->message, TRUE);
      return;
    }
  secret = pending_secret (self);
  set_busy (self, TRUE);
  show_status (self, _("Saving…"), FALSE);
  /* The secret first (as “o365-account add” does): an account is listed only once its
   * password is safely in the keyring. */
  if (secret != NULL)
    mail_account_store_secret_async (self->account, secret, self->busy_cancellable, on_secret_stored,
                                     g_object_ref (self));
  else
    finish_save (self);
}

/* --- cancel and remove ------------------------------------------------------------------------- */

static void
cancel_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);

  if (self->busy_cancellable != NULL)
    g_cancellable_cancel (self->busy_cancellable);
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  give_up_sign_in (self);
  self->hooks->revert (self->account);
  finish (self);
}

static void
on_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (O365AccountEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!mail_account_remove_finish (MAIL_ACCOUNT (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (self->account == NULL)
        return;
      text = g_strdup_printf (_("The account could not be removed: %s"), error->message);
      set_busy (self, FALSE);
      show_status (self, text, TRUE);
      return;
    }
  if (self->account == NULL)
    return;
  set_busy (self, FALSE);
  finish (self);
}

static void
on_remove_confirmed (O365AccountEditor *self, int response, GtkDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response != GTK_RESPONSE_ACCEPT || self->busy)
    return;
  set_busy (self, TRUE);
  show_status (self, _("Removing…"), FALSE);
  mail_account_remove_async (self->account, self->busy_cancellable, on_removed, g_object_ref (self));
}

static void
remove_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *address = dup_string (self->account, "address");
  GtkWidget *dialog;
  GtkWidget *remove;

  dialog = gtk_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Remove the account %s?"), address);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("Its settings and its passwords in the keyring are "
                                              "deleted. Mail already sent is not affected."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  remove = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Remove"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (remove, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_confirmed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- GObject ----------------------------------------------------------------------------------- */

/* Enter in a field while Save is not possible: an attempt to save, which shows every field's
 * reason (when Save is possible, Enter saves). */
static void
on_field_activated (O365AccountEditor *self)
{
  if (self->save_attempted)
    return;
  self->save_attempted = TRUE;
  update_validity (self);
}

static void
connect_enter (O365AccountEditor *self)
{
  GtkWidget *fields[] = {
    self->display_name_entry, self->address_entry, self->username_entry, self->server_entry, self->port_entry,
    self->password_entry, self->ca_file_entry, self->client_id_entry, self->tenant_entry,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    g_signal_connect_object (fields[i], "activate", G_CALLBACK (on_field_activated), self, G_CONNECT_SWAPPED);
}

static void
o365_account_editor_root (GtkWidget *widget)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (o365_account_editor_parent_class)->root (widget);
  /* Enter in any entry saves — when Save is enabled, that is, when everything is valid. */
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_default_widget (GTK_WINDOW (root), self->save_button);
}

static void
relate_messages (O365AccountEditor *self)
{
  const struct { GtkWidget *field; GtkLabel *message; } pairs[] = {
    { self->address_entry, self->address_message },
    { self->username_entry, self->username_message },
    { self->server_entry, self->server_message },
    { self->port_entry, self->port_message },
    { GTK_WIDGET (self->auth_dropdown), self->auth_message },
    { self->password_entry, self->password_message },
    { self->ca_file_entry, self->ca_file_message },
    { self->client_id_entry, self->client_id_message },
    { self->tenant_entry, self->tenant_message },
    { GTK_WIDGET (self->transport_dropdown), self->transport_message },
  };

  /* A screen reader reads the message with the field it is about. */
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (pairs[i].field), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                    pairs[i].message, NULL, -1);
}

static void
o365_account_editor_constructed (GObject *object)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (object);
  g_autofree char *id = NULL;
  g_auto (GStrv) listed = NULL;

  G_OBJECT_CLASS (o365_account_editor_parent_class)->constructed (object);

  id = mail_account_dup_id (self->account);
  listed = mail_account_registry_list (NULL);
  self->is_new = !g_strv_contains ((const char *const *) listed, id);
  self->stored_auth_method = dup_string (self->account, "auth-method");
  /* A new account starts with the recommended “Sign in with Microsoft” when this build knows an
   * app to sign in with, and with a password otherwise. */
  if (self->is_new && !uses_secret (self->stored_auth_method) &&
      !self->hooks->validate_property (self->account, "auth-method", NULL))
    g_object_set (self->account, "auth-method", "password", NULL);
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->client_id_entry),
                                  *OAUTH2_CLIENT_ID != '\0' ? _("Empty: the app built into this program")
                                                            : _("The Application (client) ID from Microsoft Entra ID"));

  gtk_adjustment_configure (self->timeout_adjustment, 300, 5, 3600, 5, 60, 0);
  setup_endpoints (self);
  bind_fields (self);
  relate_messages (self);
  gtk_widget_set_visible (self->remove_button, !self->is_new);
  update_username (self);
  o365_sign_in_panel_set_account (self->sign_in_panel, self->account);
  /* The keyring's sign-in is taken on trust, as a stored password is: reading it would mean
   * unlocking the keyring just to show a dialog. */
  o365_sign_in_panel_set_signed_in (self->sign_in_panel, !self->is_new && !uses_secret (self->stored_auth_method));
  g_signal_connect_object (self->sign_in_panel, "sign-in", G_CALLBACK (on_sign_in_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sign_in_panel, "notify::signed-in", G_CALLBACK (update_validity), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sign_in_panel, "notify::signing-in", G_CALLBACK (update_validity), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "notify", G_CALLBACK (on_account_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->password_entry, "changed", G_CALLBACK (on_password_changed), self,
                           G_CONNECT_SWAPPED);
  connect_enter (self);
  g_signal_connect_object (self->test_details, "notify::expanded", G_CALLBACK (show_test_area), self,
                           G_CONNECT_SWAPPED);
  update_validity (self);
}

static void
o365_account_editor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_TYPE:
      g_value_set_object (value, self->account_type);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
o365_account_editor_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_HOOKS:
      self->hooks = g_value_get_pointer (value);
      break;
    case PROP_ACCOUNT_TYPE:
      self->account_type = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
o365_account_editor_dispose (GObject *object)
{
  O365AccountEditor *self = O365_ACCOUNT_EDITOR (object);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  if (self->busy_cancellable != NULL)
    g_cancellable_cancel (self->busy_cancellable);
  if (self->account != NULL)
    give_up_sign_in (self);
  g_clear_object (&self->test_cancellable);
  g_clear_object (&self->busy_cancellable);
  if (self->ca_file_chooser != NULL)
    gtk_native_dialog_destroy (self->ca_file_chooser);
  g_clear_object (&self->ca_file_chooser);
  /* Closed without Save: what was typed is dropped, as Cancel would (after Save there is
   * nothing pending to drop). */
  if (self->account != NULL)
    self->hooks->revert (self->account);
  /* Unparents "content" too: a bound direct child. */
  gtk_widget_dispose_template (GTK_WIDGET (self), O365_TYPE_ACCOUNT_EDITOR);
  g_clear_object (&self->account);
  g_clear_object (&self->account_type);

  G_OBJECT_CLASS (o365_account_editor_parent_class)->dispose (object);
}

static void
o365_account_editor_finalize (GObject *object)
{
  g_free (O365_ACCOUNT_EDITOR (object)->stored_auth_method);
  g_hash_table_unref (O365_ACCOUNT_EDITOR (object)->edited);

  G_OBJECT_CLASS (o365_account_editor_parent_class)->finalize (object);
}

static void
o365_account_editor_class_init (O365AccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = o365_account_editor_constructed;
  object_class->get_property = o365_account_editor_get_property;
  object_class->set_property = o365_account_editor_set_property;
  object_class->dispose = o365_account_editor_dispose;
  object_class->finalize = o365_account_editor_finalize;
  widget_class->root = o365_account_editor_root;

  properties[PROP_HOOKS] =
    g_param_spec_pointer ("hooks", NULL, NULL,
                          G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_TYPE] =
    g_param_spec_object ("account-type", NULL, NULL, MAIL_TYPE_ACCOUNT_TYPE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, MAIL_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SIGN_IN] = g_signal_new ("sign-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, MAIL_TYPE_SIGN_IN);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "editor.test", NULL, test_activated);
  gtk_widget_class_install_action (widget_class, "editor.cancel-test", NULL, cancel_test_activated);
  gtk_widget_class_install_action (widget_class, "editor.remove", NULL, remove_activated);

  /* The template names it: its type must exist before the template is read. */
  g_type_ensure (O365_TYPE_SIGN_IN_PANEL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/o365account/gui/o365-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, content);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, content_scroll);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, fields);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, advanced_expander);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, display_name_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, address_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, address_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, username_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, username_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, username_label);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, endpoint_dropdown);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, server_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, server_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, port_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, port_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, security_label);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, auth_dropdown);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, auth_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, password_label);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, password_stack);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, password_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, password_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, sign_in_panel);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, client_id_label);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, client_id_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, client_id_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, tenant_label);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, tenant_note);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, tenant_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, tenant_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, ca_file_entry);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, ca_file_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, transport_dropdown);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, transport_message);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, test_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, test_result);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, test_link);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, test_details);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, test_details_reply);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, status_label);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, remove_button);
  gtk_widget_class_bind_template_child (widget_class, O365AccountEditor, save_button);
  gtk_widget_class_bind_template_callback (widget_class, on_change_password_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_ca_file_clicked);
}

static void
o365_account_editor_init (O365AccountEditor *self)
{
  self->edited = g_hash_table_new (g_str_hash, g_str_equal);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
o365_account_editor_new (const O365GuiHooks *hooks, MailAccountType *account_type, MailAccount *account)
{
  g_return_val_if_fail (hooks != NULL, NULL);
  g_return_val_if_fail (MAIL_IS_ACCOUNT_TYPE (account_type), NULL);
  g_return_val_if_fail (MAIL_IS_ACCOUNT (account), NULL);

  return g_object_new (O365_TYPE_ACCOUNT_EDITOR, "hooks", hooks, "account-type", account_type,
                       "account", account, NULL);
}

MailAccount *
o365_account_editor_get_account (O365AccountEditor *self)
{
  g_return_val_if_fail (O365_IS_ACCOUNT_EDITOR (self), NULL);
  return self->account;
}
