/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-failure-details.c — see o365-failure-details.h. The plug-in quotes the server's reply with
 * the format below (plugin/smtp/o365-smtp-explain.c); the same msgid here gives the same
 * translation, so the message is taken apart in every language. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "o365-failure-details.h"

gboolean
o365_failure_split (const char *message, char **explanation, char **reply)
{
  /* TRANSLATORS: the first %s is an explanation such as "SMTP AUTH is disabled…", the second the
   * server's reply such as "535 5.7.139 …" */
  const char *format = _("%s (The server said: %s)");
  g_auto (GStrv) parts = g_strsplit (format, "%s", -1);
  const char *start, *middle, *end;

  g_return_val_if_fail (message != NULL && explanation != NULL && reply != NULL, FALSE);

  *explanation = g_strdup (message);
  *reply = NULL;
  /* A format with other than two %s (a broken translation) is not taken apart. */
  if (g_strv_length (parts) != 3 || *parts[1] == '\0' || !g_str_has_prefix (message, parts[0]) ||
      !g_str_has_suffix (message, parts[2]))
    return FALSE;
  start = message + strlen (parts[0]);
  end = message + strlen (message) - strlen (parts[2]);
  middle = strstr (start, parts[1]);
  if (middle == NULL || middle == start || middle + strlen (parts[1]) >= end)
    return FALSE;
  g_free (*explanation);
  *explanation = g_strndup (start, middle - start);
  *reply = g_strndup (middle + strlen (parts[1]), end - (middle + strlen (parts[1])));
  return TRUE;
}

char *
o365_failure_find_link (const char *text)
{
  const char *start = strstr (text, "https://");
  gsize length;

  if (start == NULL)
    return NULL;
  length = strcspn (start, " \t\r\n<>\"");
  /* "Visit https://aka.ms/x." — the full stop ends the sentence, not the address. */
  while (length > strlen ("https://") && strchr (".,;:!?)'", start[length - 1]) != NULL)
    length--;
  if (length == strlen ("https://"))
    return NULL;
  return g_strndup (start, length);
}
