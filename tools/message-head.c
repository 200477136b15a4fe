/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* message-head.c — the header block of an outgoing message, handled byte-exactly. */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "mail-address.h"
#include "message-head.h"

/* GMime 3.2 defines no autoptr cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

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
  gboolean dropping = FALSE;
  gsize line = 0;

  while (line < length)
    {
      const char *newline = memchr (data + line, '\n', length - line);
      gsize end = newline != NULL ? (gsize) (newline - data) + 1 : length;
      gboolean continuation = data[line] == ' ' || data[line] == '\t';

      if (data[line] == '\n' || (data[line] == '\r' && end == line + 2))
        {
          /* The empty line: the body follows, untouched. */
          g_byte_array_append (kept, (const guint8 *) data + line, length - line);
          break;
        }
      if (!continuation)
        dropping = is_bcc_field (data + line, end - line);
      if (!dropping)
        g_byte_array_append (kept, (const guint8 *) data + line, end - line);
      line = end;
    }
  return g_byte_array_free_to_bytes (kept);
}

static GMimeMessage *
parse_head (GBytes *head)
{
  gsize length;
  const char *data = g_bytes_get_data (head, &length);
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;

  /* An empty block has no fields, and GMime's memory stream refuses an empty GBytes' NULL data. */
  if (length == 0)
    return NULL;
  g_mime_init ();
  stream = g_mime_stream_mem_new_with_buffer (data, length);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  return message;
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
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

/* The mailboxes of every field of @message (which may be NULL: no fields) named @names[i], in
 * header order. Each field is parsed on its own, so a message with two To fields (which
 * RFC 5322 forbids, and clients still write) loses none of them. */
static char **
collect_addresses (GMimeMessage *message, const char *const *names, gboolean first_only, char **unparsable,
                   GError **invalid)
{
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (message != NULL)
    {
      GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));

      for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
        {
          GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
          const char *raw = g_mime_header_get_raw_value (header);
          g_autofree char *value = NULL;
          InternetAddressList *list;

          if (raw == NULL || !name_is_one_of (g_mime_header_get_name (header), names))
            continue;
          /* The raw value keeps its folding, which GMime leaves inside a quoted string. */
          value = g_mime_utils_header_unfold (raw);
          list = internet_address_list_parse (NULL, value);
          /* GMime drops a field it cannot parse ("bob@"); the caller refuses it instead. */
          if (list == NULL && unparsable != NULL && *unparsable == NULL && !is_blank (value))
            {
              g_autofree char *shown = g_strstrip (g_strdup (value));

              *unparsable = g_strdup_printf ("%s: %s", g_mime_header_get_name (header), shown);
            }
          add_mailboxes (addresses, seen, list, invalid);
          g_clear_object (&list);
          if (first_only && addresses->len > 0)
            break;
        }
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
pick_recipient_fields (GMimeMessage *message)
{
  GMimeHeaderList *headers;

  if (message == NULL)
    return recipient_fields;
  headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
    if (name_is_one_of (g_mime_header_get_name (g_mime_header_list_get_header_at (headers, i)),
                        resent_recipient_fields))
      return resent_recipient_fields;
  return recipient_fields;
}

char **
message_head_dup_recipients (GBytes *head)
{
  g_autoptr (GMimeMessage) message = parse_head (head);

  return collect_addresses (message, pick_recipient_fields (message), FALSE, NULL, NULL);
}

char *
message_head_dup_from (GBytes *head)
{
  g_autoptr (GMimeMessage) message = parse_head (head);
  g_auto (GStrv) addresses = collect_addresses (message, from_field, TRUE, NULL, NULL);

  return addresses[0] != NULL ? g_strdup (addresses[0]) : NULL;
}

char *
message_head_dup_unparsable_field (GBytes *head, gboolean from, gboolean recipients)
{
  g_autoptr (GMimeMessage) message = parse_head (head);
  g_autofree char *unparsable = NULL;

  if (from)
    g_strfreev (collect_addresses (message, from_field, FALSE, &unparsable, NULL));
  if (recipients && unparsable == NULL)
    g_strfreev (collect_addresses (message, pick_recipient_fields (message), FALSE, &unparsable, NULL));
  return g_steal_pointer (&unparsable);
}

gboolean
message_head_check_addresses (GBytes *head, gboolean from, gboolean recipients, GError **error)
{
  g_autoptr (GMimeMessage) message = parse_head (head);
  g_autoptr (GError) invalid = NULL;

  if (from)
    g_strfreev (collect_addresses (message, from_field, FALSE, NULL, &invalid));
  if (recipients && invalid == NULL)
    g_strfreev (collect_addresses (message, pick_recipient_fields (message), FALSE, NULL, &invalid));
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
