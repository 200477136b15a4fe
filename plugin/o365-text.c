/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-text.c — characters a server's text may not show a person. */
#include "config.h"

#include "o365-text.h"

gboolean
o365_text_is_unsafe_char (gunichar c)
{
  if (c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
    return TRUE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return TRUE;
    default:
      return FALSE;
    }
}
