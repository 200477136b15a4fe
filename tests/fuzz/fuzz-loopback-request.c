/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-loopback-request.c — libFuzzer target for the requests the browser-flow listener
 * (plugin/oauth2/o365-oauth2-pkce.c) takes on 127.0.0.1: any web page the browser shows can
 * make it send one. The listener is a SoupServer whose handler, on_request(), is static; its
 * request line and query are parsed by libsoup. So this target runs the same chain the server
 * runs on a request head — soup_headers_parse_request(), the request URI as libsoup builds it
 * (SOUP_HTTP_URI_FLAGS), soup_form_decode() of its query — then what on_request() does with an
 * answer it accepts: o365_oauth2_error_from_response() on the error parameters, and the page
 * text escaped as set_page() escapes it.
 *
 * Input: a request head (request line and header fields, without the empty line). Invariants:
 * no crash; a parsed request has a method, a path and a URI; the error from error= and
 * error_description= is an O365_OAUTH2_ERROR with a displayable message (it reaches the host's
 * window and the browser page), and escaped it holds no markup. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "fuzz-common.h"
#include "o365-oauth2-errors.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_answer (GHashTable *query)
{
  const char *error_code = g_hash_table_lookup (query, "error");
  const char *description = g_hash_table_lookup (query, "error_description");
  g_autoptr (GError) error = NULL;
  g_autofree char *escaped = NULL;

  if (error_code == NULL)
    return;
  error = o365_oauth2_error_from_response (error_code, description, NULL, 0, "client-id");
  FUZZ_CHECK (error != NULL && error->domain == O365_OAUTH2_ERROR, NULL);
  FUZZ_CHECK (error->message != NULL && *error->message != '\0', NULL);
  FUZZ_CHECK (fuzz_is_display_safe (error->message, strlen (error->message), FALSE), error->message);
  escaped = g_markup_escape_text (error->message, -1);
  FUZZ_CHECK (strpbrk (escaped, "<>\"") == NULL, escaped);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  /* A heap copy of exactly the input: ASan sees any read past its end. */
  g_autofree char *head = g_memdup2 (data, size);
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GHashTable) query = NULL;
  SoupHTTPVersion version;
  guint status;

  if (size == 0 || size > G_MAXINT)
    return 0;
  status = soup_headers_parse_request (head, (int) size, headers, &method, &path, &version);
  if (status != SOUP_STATUS_OK)
    {
      FUZZ_CHECK (SOUP_STATUS_IS_CLIENT_ERROR (status) || SOUP_STATUS_IS_SERVER_ERROR (status), NULL);
      return 0;
    }
  FUZZ_CHECK (method != NULL && path != NULL, NULL);

  /* What libsoup's server does with an origin-form target: the listener's own address in
   * front (an absolute-form one is parsed as it is). */
  url = path[0] == '/' ? g_strconcat ("http://127.0.0.1:40000", path, NULL) : g_strdup (path);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    return 0;
  FUZZ_CHECK (g_uri_get_path (uri) != NULL, NULL);
  if (g_uri_get_query (uri) == NULL)
    return 0;
  query = soup_form_decode (g_uri_get_query (uri));
  FUZZ_CHECK (query != NULL, NULL);
  check_answer (query);
  return 0;
}
