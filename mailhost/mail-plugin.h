/* mail-plugin.h — what a mail plug-in module exports, and the ABI it is built against.
 *
 * A plug-in is a shared object that exports exactly these symbols:
 *
 *   mail_plugin_abi     (data)  the MailPluginAbi it was compiled against; the host reads it
 *                               before calling any plug-in code
 *   mail_plugin_query   (func)  returns static metadata (MailPluginInfo)
 *   mail_plugin_load    (func)  registers the plug-in's types into the MailPlugin (a GTypeModule)
 *                               and adds what it provides (account types)
 *   mail_plugin_unload  (func)  deactivates: forgets what it added; its code stays resident
 *
 * Compatibility rule (as libpurple's): a plug-in loads when its ABI major equals the host's and
 * its ABI minor is not newer than the host's. Bump the minor for additions, the major for any
 * change that breaks existing plug-ins.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MAIL_PLUGIN_ABI_MAJOR 1
/* 1.1: MailAccount's optional interactive sign-in (mail-sign-in.h). */
#define MAIL_PLUGIN_ABI_MINOR 1

#define MAIL_TYPE_PLUGIN (mail_plugin_get_type ())
G_DECLARE_FINAL_TYPE (MailPlugin, mail_plugin, MAIL, PLUGIN, GTypeModule)

#define MAIL_PLUGIN_ERROR (mail_plugin_error_quark ())
GQuark mail_plugin_error_quark (void);

typedef enum
{
  MAIL_PLUGIN_ERROR_NOT_A_MODULE,
  MAIL_PLUGIN_ERROR_MISSING_ENTRY_POINT,
  MAIL_PLUGIN_ERROR_ABI_MAJOR_MISMATCH,
  MAIL_PLUGIN_ERROR_ABI_MINOR_TOO_NEW,
  MAIL_PLUGIN_ERROR_INVALID_INFO,
  MAIL_PLUGIN_ERROR_DUPLICATE_ID,
  MAIL_PLUGIN_ERROR_LOAD_FAILED,
} MailPluginError;

typedef struct
{
  guint16 major;
  guint16 minor;
} MailPluginAbi;

typedef struct
{
  MailPluginAbi abi;
  const char *id;            /* unique, e.g. "office365" */
  const char *name;          /* translated, for people */
  const char *description;   /* translated, one sentence */
  const char *version;
  const char *license;       /* SPDX identifier */
  const char *const *provides; /* NULL-terminated, e.g. { "account-type:office365", NULL } */
} MailPluginInfo;

typedef const MailPluginInfo *(*MailPluginQueryFunc) (void);
typedef gboolean (*MailPluginLoadFunc) (MailPlugin *plugin, GError **error);
typedef void (*MailPluginUnloadFunc) (MailPlugin *plugin);

#define MAIL_PLUGIN_SYMBOL_ABI    "mail_plugin_abi"
#define MAIL_PLUGIN_SYMBOL_QUERY  "mail_plugin_query"
#define MAIL_PLUGIN_SYMBOL_LOAD   "mail_plugin_load"
#define MAIL_PLUGIN_SYMBOL_UNLOAD "mail_plugin_unload"

/* Declares a plug-in's entry points with default visibility; everything else in a plug-in
 * should be hidden (-fvisibility=hidden plus a linker version script). */
#define MAIL_PLUGIN_EXPORT __attribute__((visibility ("default")))

#define MAIL_PLUGIN_DECLARE_ABI \
  MAIL_PLUGIN_EXPORT extern const MailPluginAbi mail_plugin_abi; \
  const MailPluginAbi mail_plugin_abi = { MAIL_PLUGIN_ABI_MAJOR, MAIL_PLUGIN_ABI_MINOR }

/* For hosts (the loader creates MailPlugin objects; see mail-plugin-loader.h). */
const char *mail_plugin_get_path (MailPlugin *plugin);
const MailPluginInfo *mail_plugin_get_info (MailPlugin *plugin);
gboolean mail_plugin_is_active (MailPlugin *plugin);
gboolean mail_plugin_activate (MailPlugin *plugin, GError **error);
void mail_plugin_deactivate (MailPlugin *plugin);
GListModel *mail_plugin_get_account_types (MailPlugin *plugin);

/* For plug-ins, from mail_plugin_load(): */
typedef struct _MailAccountType MailAccountType;
void mail_plugin_add_account_type (MailPlugin *plugin, MailAccountType *account_type);

/* The entry points every plug-in defines. */
MAIL_PLUGIN_EXPORT const MailPluginInfo *mail_plugin_query (void);
MAIL_PLUGIN_EXPORT gboolean mail_plugin_load (MailPlugin *plugin, GError **error);
MAIL_PLUGIN_EXPORT void mail_plugin_unload (MailPlugin *plugin);

G_END_DECLS
