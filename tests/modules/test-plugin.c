/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-plugin.c — a minimal plug-in, compiled into several deliberately broken variants (see
 * meson.build): each -D switch breaks one rule of the contract. */
#include "config.h"

#include "mail-plugin.h"

#ifndef TEST_ABI_MAJOR
#define TEST_ABI_MAJOR MAIL_PLUGIN_ABI_MAJOR
#endif
#ifndef TEST_ABI_MINOR
#define TEST_ABI_MINOR MAIL_PLUGIN_ABI_MINOR
#endif

MAIL_PLUGIN_EXPORT extern const MailPluginAbi mail_plugin_abi;
const MailPluginAbi mail_plugin_abi = { TEST_ABI_MAJOR, TEST_ABI_MINOR };

/* Counts calls so the ABI tests can prove no plug-in code ran before the check. */
MAIL_PLUGIN_EXPORT extern int test_plugin_query_calls;
int test_plugin_query_calls = 0;

const MailPluginInfo *
mail_plugin_query (void)
{
  static const char *const provides[] = { NULL };
  static const MailPluginInfo info = {
    { TEST_ABI_MAJOR, TEST_ABI_MINOR },
    TEST_PLUGIN_ID, "Test plug-in", "A plug-in built by the tests", "1.0", "CC0-1.0", provides,
  };

  test_plugin_query_calls++;
  return &info;
}

gboolean
mail_plugin_load (MailPlugin *plugin, GError **error)
{
#ifdef TEST_LOAD_FAILS
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "deliberate failure");
  return FALSE;
#else
  return TRUE;
#endif
}

#ifndef TEST_OMIT_UNLOAD
void
mail_plugin_unload (MailPlugin *plugin)
{
}
#endif
