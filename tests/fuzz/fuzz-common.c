/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-common.c — helpers shared by the libFuzzer targets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

void
fuzz_fail (const char *file, int line, const char *condition, const char *detail)
{
  fprintf (stderr, "%s:%d: invariant violated: %s%s%s\n", file, line, condition,
           detail != NULL ? ": " : "", detail != NULL ? detail : "");
  abort ();
}

/* GLib ends a fatal message with a breakpoint (SIGTRAP), which libFuzzer does not catch: the
 * input that did it would be lost. Aborting first has it kept. */
static void
on_fatal_log (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  if (level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    fuzz_fail (domain != NULL ? domain : "(no domain)", 0, "a fatal log message", message);
  g_log_default_handler (domain, level, message, user_data);
}

void
fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_default_handler (on_fatal_log, NULL);
}

gboolean
fuzz_is_display_safe (const char *text, gsize length, gboolean allow_newline)
{
  const char *end = text + length;

  if (!g_utf8_validate_len (text, length, NULL))
    return FALSE;
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' && allow_newline)
        continue;
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
        return FALSE;
      /* The bidirectional controls: they make text read differently from what it says
       * (CVE-2021-42574), so the product removes them too (plugin/o365-text.h). */
      if (c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        return FALSE;
    }
  return TRUE;
}
