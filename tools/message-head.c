/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* message-head.c — the header block of an outgoing message, handled byte-exactly. */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "mail-address.h"
#include "message-head.h"

/* The length of the field name that @line (of @length bytes) starts with, up to its colon, or
 * -1 when the line is not a header field. A name is one or more printable US-ASCII characters
 * other than the colon (RFC 5322 §2.2); the obsolete syntax allows blanks before the colon. */
static gssize
field_name_length (const char *line, gsize length)
{
  gsize name = 0;
  gsize colon;

  while (name < length && line[name] > ' ' && line[name] < 127 && line[name] != ':')
    name++;
  colon = name;
  while (colon < length && (line[colon] == ' ' || line[colon] == '\t'))
    colon++;
  return name > 0 && colon < length && line[colon] == ':' ? (gssize) name : -1;
}

gboolean
message_head_find_end (const char *data, gsize length, gboolean complete, gsize *head_end, gsize *body_start)
{
  gsize line = 0;

  while (line < length)
    {
      const char *newline = memchr (data + line, '\n', length - line);
      gsize end = newline != NULL ? (gsize) (newline - data) + 1 : length;

      if (newline == NULL && !complete)
        return FALSE;
      if (data[line] == '\n' || (data[line] == '\r' && end == line + 2 && newline != NULL))
        {
          *head_end = line;
          *body_start = end;
          return TRUE;
        }
      /* The first line that is neither a field nor (after one) its continuation starts the
       * body, as in sendmail and Postfix. */
      if ((line == 0 || (data[line] != ' ' && data[line] != '\t'))
          && field_name_length (data + line, end - line) < 0)
        break;
      line = end;
    }
  if (line == length && !complete)
    return FALSE;
  *head_end = *body_start = line;
  return TRUE;
}

gboolean
message_head_has_bare_cr (GBytes *head)
{
  gsize length;
  const char *data = g_bytes_get_data (head, &length);

  for (const char *cr = length > 0 ? memchr (data, '\r', length) : NULL; cr != NULL;
       cr = memchr (cr + 1, '\r', length - (cr + 1 - data)))
    if (cr + 1 == data + length || cr[1] != '\n')
      return TRUE;
  return FALSE;
}

/* The next field of @data from *@offset: the line that starts it and its folded continuation
 * lines, [*@start, *@end) with their line ends. FALSE at the empty line that ends the block
 * (*@offset is then where it starts) or at the end of @data. The one splitter of this file:
 * what is removed as a Bcc field is exactly what is read as one. */
static gboolean
next_field (const char *data, gsize length, gsize *offset, gsize *start, gsize *end)
{
  gsize line = *offset;

  if (line >= length || data[line] == '\n' || (data[line] == '\r' && line + 1 < length && data[line + 1] == '\n'))
    return FALSE;
  *start = line;
  do
    {
      const char *newline = memchr (data + line, '\n', length - line);

      line = newline != NULL ? (gsize) (newline - data) + 1 : length;
    }
  while (line < length && (data[line] == ' ' || data[line] == '\t'));
  *end = *offset = line;
  return TRUE;
}

/* Whether the field starting at @line (of @length bytes, its line end included) is named Bcc
 * or Resent-Bcc: blind recipients, of the message or of its resending. */
static gboolean
is_bcc_field (const char *line, gsize length)
{
  gssize name = field_name_length (line, length);

  return (name == 3 && g_ascii_strncasecmp (line, "bcc", 3) == 0) ||
         (name == 10 && g_ascii_strncasecmp (line, "resent-bcc", 10) == 0);
}

GBytes *
message_head_remove_bcc (GBytes *head)
{
  gsize length;
  const char *data = g_bytes_get_data (head, &length);
  GByteArray *kept = g_byte_array_sized_new (length);
  gsize offset = 0, start, end;

  while (next_field (data, length, &offset, &start, &end))
    if (!is_bcc_field (data + start, end - start))
      g_byte_array_append (kept, (const guint8 *) data + start, end - start);
  /* The empty line and the body after it, untouched. */
  if (offset < length)
    g_byte_array_append (kept, (const guint8 *) data + offset, length - offset);
  return g_byte_array_free_to_bytes (kept);
}

/* One field of the head as the address functions read it: its name as written, and its value
 * unfolded (RFC 5322 §2.2.3) and stripped. A value holding a NUL, which no C string carries
 * whole, is no list of addresses; its NULs are shown as "^@". */
typedef struct
{
  char *name;
  char *value;
  gboolean has_nul;
} HeadField;

static void
head_field_clear (HeadField *field)
{
  g_free (field->name);
  g_free (field->value);
}

/* The fields of @head, in order; the head is split here rather than by GMime's message parser,
 * which parses every address field it knows while it builds a message, and GMime 3.2.13 leaks
 * on some malformed ones (see has_unterminated_comment()). */
static GArray *
split_head (GBytes *head)
{
  gsize length;
  const char *data = g_bytes_get_data (head, &length);
  GArray *fields = g_array_new (FALSE, TRUE, sizeof (HeadField));
  gsize offset = 0, start, end;

  g_array_set_clear_func (fields, (GDestroyNotify) head_field_clear);
  while (next_field (data, length, &offset, &start, &end))
    {
      gssize name = field_name_length (data + start, end - start);
      g_autoptr (GString) raw = NULL;
      const char *value;
      HeadField field;

      if (name < 0)
        continue;
      value = (const char *) memchr (data + start, ':', end - start) + 1;
      field.name = g_strndup (data + start, name);
      field.has_nul = FALSE;
      raw = g_string_sized_new (data + end - value);
      for (const char *c = value; c < data + end; c++)
        if (*c == '\0')
          {
            field.has_nul = TRUE;
            g_string_append (raw, "^@");
          }
        else
          g_string_append_c (raw, *c);
      field.value = g_strstrip (g_mime_utils_header_unfold (raw->str));
      g_array_append_val (fields, field);
    }
  return fields;
}

/* Whether @value has a '(' whose comment never closes. GMime 3.2.13's
 * internet_address_list_parse() leaks what it built for an address followed by such a comment
 * ("e@[192.0.2.1] (x", fuzz-message-head; upstream: jstedfast/gmime#159), so a field with one is
 * no list of addresses and never reaches it. GMime skips a comment counting parentheses and
 * escapes only, and where its parser starts one need not be where a reader of the grammar would
 * (a '"' inside a domain literal is no quote to it): so quotes are not looked at here either. A
 * quoted name with a lone '(' ("\"Smith (Sales\" <s@example.com>") is refused with the rest. */
static gboolean
has_unterminated_comment (const char *value)
{
  gsize depth = 0;

  for (const char *c = value; *c != '\0'; c++)
    if (*c == '\\' && c[1] != '\0' && depth > 0)
      c++;
    else if (*c == '(')
      depth++;
    else if (*c == ')' && depth > 0)
      depth--;
  return depth > 0;
}

static gboolean
name_is_one_of (const char *name, const char *const *names)
{
  for (gsize i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Adds the addresses of @list not yet in @seen to @addresses; one that is not an envelope
 * address (mail_address_check()) is left out, and the first such sets @invalid. */
static void
add_mailboxes (GPtrArray *addresses, GHashTable *seen, InternetAddressList *list, GError **invalid)
{
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_GROUP (address))
        add_mailboxes (addresses, seen,
                       internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)), invalid);
      else if (INTERNET_ADDRESS_IS_MAILBOX (address))
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
          g_autoptr (GError) error = NULL;
          g_autofree char *key = NULL;

          if (addr == NULL || *addr == '\0')
            continue;
          /* GMime hands back what it could not parse as it was (an unterminated quoted string,
           * the raw octets of a domain literal): that is no recipient. */
          if (!mail_address_check (addr, &error))
            {
              if (invalid != NULL && *invalid == NULL)
                g_propagate_error (invalid, g_steal_pointer (&error));
              continue;
            }
          key = g_ascii_strdown (addr, -1);
          if (g_hash_table_add (seen, g_steal_pointer (&key)))
            g_ptr_array_add (addresses, g_strdup (addr));
        }
    }
}

/* The mailboxes of every field of @fields named @names[i], in header order. Each field is
 * parsed on its own, so a message with two To fields (which RFC 5322 forbids, and clients still
 * write) loses none of them. */
static char **
collect_addresses (GArray *fields, const char *const *names, gboolean first_only, char **unparsable,
                   GError **invalid)
{
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_mime_init ();
  for (guint i = 0; i < fields->len; i++)
    {
      const HeadField *field = &g_array_index (fields, HeadField, i);
      InternetAddressList *list = NULL;

      if (!name_is_one_of (field->name, names))
        continue;
      if (!field->has_nul && !has_unterminated_comment (field->value))
        list = internet_address_list_parse (NULL, field->value);
      /* GMime drops a field it cannot parse ("bob@"); the caller refuses it instead. */
      if (list == NULL && unparsable != NULL && *unparsable == NULL && *field->value != '\0')
        *unparsable = g_strdup_printf ("%s: %s", field->name, field->value);
      add_mailboxes (addresses, seen, list, invalid);
      g_clear_object (&list);
      if (first_only && addresses->len > 0)
        break;
    }
  g_ptr_array_add (addresses, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&addresses), FALSE);
}

static const char *const recipient_fields[] = { "To", "Cc", "Bcc", NULL };
static const char *const resent_recipient_fields[] = { "Resent-To", "Resent-Cc", "Resent-Bcc", NULL };
static const char *const from_field[] = { "From", NULL };

/* The fields sendmail's -t reads: a resent message's Resent-To, Resent-Cc and Resent-Bcc when
 * it has any (its original recipients already got it), else To, Cc and Bcc. */
static const char *const *
pick_recipient_fields (GArray *fields)
{
  for (guint i = 0; i < fields->len; i++)
    if (name_is_one_of (g_array_index (fields, HeadField, i).name, resent_recipient_fields))
      return resent_recipient_fields;
  return recipient_fields;
}

char **
message_head_dup_recipients (GBytes *head)
{
  g_autoptr (GArray) fields = split_head (head);

  return collect_addresses (fields, pick_recipient_fields (fields), FALSE, NULL, NULL);
}

char *
message_head_dup_from (GBytes *head)
{
  g_autoptr (GArray) fields = split_head (head);
  g_auto (GStrv) addresses = collect_addresses (fields, from_field, TRUE, NULL, NULL);

  return addresses[0] != NULL ? g_strdup (addresses[0]) : NULL;
}

char *
message_head_dup_unparsable_field (GBytes *head, gboolean from, gboolean recipients)
{
  g_autoptr (GArray) fields = split_head (head);
  g_autofree char *unparsable = NULL;

  if (from)
    g_strfreev (collect_addresses (fields, from_field, FALSE, &unparsable, NULL));
  if (recipients && unparsable == NULL)
    g_strfreev (collect_addresses (fields, pick_recipient_fields (fields), FALSE, &unparsable, NULL));
  return g_steal_pointer (&unparsable);
}

gboolean
message_head_check_addresses (GBytes *head, gboolean from, gboolean recipients, GError **error)
{
  g_autoptr (GArray) fields = split_head (head);
  g_autoptr (GError) invalid = NULL;

  if (from)
    g_strfreev (collect_addresses (fields, from_field, FALSE, NULL, &invalid));
  if (recipients && invalid == NULL)
    g_strfreev (collect_addresses (fields, pick_recipient_fields (fields), FALSE, NULL, &invalid));
  if (invalid == NULL)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&invalid));
  return FALSE;
}

gboolean
message_has_8bit (const guint8 *data, gsize length)
{
  for (gsize i = 0; i < length; i++)
    if (data[i] > 127)
      return TRUE;
  return FALSE;
}
