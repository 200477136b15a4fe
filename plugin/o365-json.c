/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-json.c — exactly one JSON object, nothing a C string would cut.
 *
 * json-glib 1.6 takes "{…}{…}" as valid, keeps the last object and leaks the others (found by
 * fuzz-sasl), so a server could make every answer cost memory, or have a second object override
 * the first; it also reads comments and single-quoted strings, which could hide a second object
 * from a count of braces. So outside double-quoted strings only what JSON itself uses there is
 * allowed. json-glib hands strings out NUL-terminated: a "\u0000" inside a token would silently
 * cut it, so such a string is refused here. json-glib still parses the object.
 */
#include "config.h"

#include <string.h>

#include "o365-json.h"

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether the escape at @json[@i] (just after the backslash) is \u0000. */
static gboolean
is_nul_escape (const char *json, gsize length, gsize i)
{
  return length - i >= 5 && (json[i] == 'u' || json[i] == 'U') && memcmp (json + i + 1, "0000", 4) == 0;
}

gboolean
o365_json_is_single_object (const char *json, gsize length)
{
  gsize i = 0;
  guint depth = 0;
  gboolean in_string = FALSE;

  g_return_val_if_fail (json != NULL || length == 0, FALSE);

  while (i < length && is_json_space (json[i]))
    i++;
  if (i == length || json[i] != '{')
    return FALSE;
  for (; i < length; i++)
    {
      char c = json[i];

      if (c == '\0')
        return FALSE;
      if (in_string)
        {
          if (c == '\\')
            {
              if (++i == length || json[i] == '\0' || is_nul_escape (json, length, i))
                return FALSE;
            }
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        {
          if (--depth == 0)
            break;
        }
      else if (!is_json_space (c) && !g_ascii_isalnum (c) && memchr (":,-+.", c, 5) == NULL)
        return FALSE;
    }
  /* Not closed (depth is 0 only after the break). */
  if (depth != 0)
    return FALSE;
  for (i++; i < length; i++)
    if (!is_json_space (json[i]))
      return FALSE;
  return TRUE;
}
