/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-json.c — exactly one JSON object, nothing a C string would cut.
 *
 * json-glib 1.6 takes "{…}{…}" as valid, keeps the last object and leaks the others (found by
 * fuzz-sasl), so a server could make every answer cost memory, or have a second object override
 * the first; it also reads comments and single-quoted strings, which could hide a second object
 * from a count of braces. So outside double-quoted strings only what JSON itself uses there is
 * allowed. json-glib hands strings out NUL-terminated: a "\u0000" inside a token would silently
 * cut it, so such a string is refused here. json-glib 1.6.6's scanner also leaks on a broken
 * \u escape (found by fuzz-sasl, one leak per hostile AUTH attempt), so every escape must be
 * one JSON has (RFC 8259 §7), and a UTF-16 surrogate must come in a pair. json-glib still
 * parses the object.
 */
#include "config.h"

#include <string.h>

#include "o365-json.h"

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The code unit of the \uXXXX escape at @json[@i] (at the 'u'), or -1 if it is not one. */
static int
unicode_escape_at (const char *json, gsize length, gsize i)
{
  int unit = 0;

  if (length - i < 5 || json[i] != 'u')
    return -1;
  for (gsize k = i + 1; k < i + 5; k++)
    {
      int digit = g_ascii_xdigit_value (json[k]);

      if (digit < 0)
        return -1;
      unit = unit * 16 + digit;
    }
  return unit;
}

/* Checks the escape at @json[*@i] (just after the backslash) and moves *@i to its last octet:
 * one of JSON's own, \u0000 refused, surrogates only as a high + low pair. */
static gboolean
is_valid_escape (const char *json, gsize length, gsize *i)
{
  int unit;

  if (memchr ("\"\\/bfnrt", json[*i], 8) != NULL && json[*i] != '\0')
    return TRUE;
  unit = unicode_escape_at (json, length, *i);
  if (unit <= 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
    return FALSE;
  *i += 4;
  if (unit >= 0xD800 && unit <= 0xDBFF)
    {
      int low;

      if (length - *i < 3 || json[*i + 1] != '\\')
        return FALSE;
      low = unicode_escape_at (json, length, *i + 2);
      if (low < 0xDC00 || low > 0xDFFF)
        return FALSE;
      *i += 6;
    }
  return TRUE;
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
              if (++i == length || !is_valid_escape (json, length, &i))
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
