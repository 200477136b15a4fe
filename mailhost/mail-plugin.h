/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-plugin.h — what a mail plug-in module exports, and the ABI it is built against.
 * MailPlugin's documentation (mail-plugin.c) states the contract. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * MAIL_PLUGIN_ABI_MAJOR:
 *
 * The plug-in ABI's major version: a plug-in built for another major does not load.
 */
#define MAIL_PLUGIN_ABI_MAJOR 1

/**
 * MAIL_PLUGIN_ABI_MINOR:
 *
 * The plug-in ABI's minor version: a plug-in built for a newer minor does not load.
 * 1.1 added [method@O365Mailhost.Account.sign_in_async], 1.2
 * [method@O365Mailhost.AccountType.suggest_endpoint], 1.3
 * [method@O365Mailhost.Transport.set_idle_timeout].
 */
#define MAIL_PLUGIN_ABI_MINOR 3

#define MAIL_TYPE_PLUGIN (mail_plugin_get_type ())
G_DECLARE_FINAL_TYPE (MailPlugin, mail_plugin, MAIL, PLUGIN, GTypeModule)

/**
 * MAIL_PLUGIN_ERROR:
 *
 * The error domain of the plug-in loader: why a module was refused (see
 * [error@O365Mailhost.PluginError]).
 */
#define MAIL_PLUGIN_ERROR (mail_plugin_error_quark ())
GQuark mail_plugin_error_quark (void);

/**
 * MailPluginError:
 * @MAIL_PLUGIN_ERROR_NOT_A_MODULE: the file is not a loadable module
 * @MAIL_PLUGIN_ERROR_MISSING_ENTRY_POINT: it lacks one of the four exported symbols
 * @MAIL_PLUGIN_ERROR_ABI_MAJOR_MISMATCH: built for another ABI major
 * @MAIL_PLUGIN_ERROR_ABI_MINOR_TOO_NEW: built for a newer ABI minor than the host's
 * @MAIL_PLUGIN_ERROR_INVALID_INFO: its metadata has no id or name, or claims another ABI
 * @MAIL_PLUGIN_ERROR_DUPLICATE_ID: a plug-in with the same id is loaded already
 * @MAIL_PLUGIN_ERROR_LOAD_FAILED: its load entry point failed
 * @MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS: the module or its directory can be changed by another
 *   user (group- or world-writable, or owned by someone other than the user and root)
 *
 * Why the loader refused a plug-in; the message names the file and the reason.
 */
typedef enum
{
  MAIL_PLUGIN_ERROR_NOT_A_MODULE,
  MAIL_PLUGIN_ERROR_MISSING_ENTRY_POINT,
  MAIL_PLUGIN_ERROR_ABI_MAJOR_MISMATCH,
  MAIL_PLUGIN_ERROR_ABI_MINOR_TOO_NEW,
  MAIL_PLUGIN_ERROR_INVALID_INFO,
  MAIL_PLUGIN_ERROR_DUPLICATE_ID,
  MAIL_PLUGIN_ERROR_LOAD_FAILED,
  MAIL_PLUGIN_ERROR_UNSAFE_PERMISSIONS,
} MailPluginError;

/**
 * MailPluginAbi:
 * @major: the ABI major, [const@O365Mailhost.PLUGIN_ABI_MAJOR] when built
 * @minor: the ABI minor, [const@O365Mailhost.PLUGIN_ABI_MINOR] when built
 *
 * The ABI a plug-in was compiled against: its data symbol `mail_plugin_abi`.
 */
typedef struct
{
  guint16 major;
  guint16 minor;
} MailPluginAbi;

/**
 * MailPluginInfo:
 * @abi: the ABI, as in `mail_plugin_abi`
 * @id: unique, e.g. `office365`
 * @name: translated, for people
 * @description: translated, one sentence
 * @version: the plug-in's version
 * @license: an SPDX identifier
 * @provides: (array zero-terminated=1): what it provides, e.g. `account-type:office365`
 *
 * A plug-in's static metadata, from its `mail_plugin_query()`.
 */
typedef struct
{
  MailPluginAbi abi;
  const char *id;
  const char *name;
  const char *description;
  const char *version;
  const char *license;
  const char *const *provides;
} MailPluginInfo;

/**
 * MailPluginQueryFunc:
 *
 * The type of a plug-in's `mail_plugin_query()`.
 *
 * Returns: (transfer none): the plug-in's static metadata
 */
typedef const MailPluginInfo *(*MailPluginQueryFunc) (void);

/**
 * MailPluginLoadFunc:
 * @plugin: the plug-in's type module
 * @error: return location for a #GError
 *
 * The type of a plug-in's `mail_plugin_load()`: registers its types into @plugin and adds
 * what it provides ([method@O365Mailhost.Plugin.add_account_type]).
 *
 * Returns: whether the plug-in loaded
 */
typedef gboolean (*MailPluginLoadFunc) (MailPlugin *plugin, GError **error);

/**
 * MailPluginUnloadFunc:
 * @plugin: the plug-in's type module
 *
 * The type of a plug-in's `mail_plugin_unload()`: forgets what it added; its code stays
 * resident.
 */
typedef void (*MailPluginUnloadFunc) (MailPlugin *plugin);

/**
 * MAIL_PLUGIN_SYMBOL_ABI:
 *
 * The name of the ABI data symbol every plug-in exports.
 */
#define MAIL_PLUGIN_SYMBOL_ABI    "mail_plugin_abi"
/**
 * MAIL_PLUGIN_SYMBOL_QUERY:
 *
 * The name of the metadata entry point ([callback@O365Mailhost.PluginQueryFunc]).
 */
#define MAIL_PLUGIN_SYMBOL_QUERY  "mail_plugin_query"
/**
 * MAIL_PLUGIN_SYMBOL_LOAD:
 *
 * The name of the load entry point ([callback@O365Mailhost.PluginLoadFunc]).
 */
#define MAIL_PLUGIN_SYMBOL_LOAD   "mail_plugin_load"
/**
 * MAIL_PLUGIN_SYMBOL_UNLOAD:
 *
 * The name of the unload entry point ([callback@O365Mailhost.PluginUnloadFunc]).
 */
#define MAIL_PLUGIN_SYMBOL_UNLOAD "mail_plugin_unload"

/* Declares a plug-in's entry points with default visibility; everything else in a plug-in
 * should be hidden (-fvisibility=hidden plus a linker version script). */
#define MAIL_PLUGIN_EXPORT __attribute__((visibility ("default")))

/* Defines the plug-in's mail_plugin_abi: one line in the plug-in's source. */
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

/* The entry points every plug-in defines. The library does not: the scanner must not list
 * them in the typelib, where a binding would look them up in libo365-mailhost. */
#ifndef __GI_SCANNER__
MAIL_PLUGIN_EXPORT const MailPluginInfo *mail_plugin_query (void);
MAIL_PLUGIN_EXPORT gboolean mail_plugin_load (MailPlugin *plugin, GError **error);
MAIL_PLUGIN_EXPORT void mail_plugin_unload (MailPlugin *plugin);
#endif

G_END_DECLS
