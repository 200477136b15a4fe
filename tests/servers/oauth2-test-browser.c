/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oauth2-test-browser.c — a page load that follows redirects, for tests. */
#include "config.h"

#include "oauth2-test-browser.h"

static void
on_page (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OAuth2TestBrowser *browser = user_data;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &browser->error);

  if (body != NULL)
    {
      browser->status = soup_message_get_status (browser->message);
      browser->page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    }
  browser->done = TRUE;
}

void
oauth2_test_browser_open (OAuth2TestBrowser *browser, const char *uri)
{
  if (browser->session == NULL)
    browser->session = soup_session_new ();
  if (browser->opened == NULL)
    browser->opened = g_strdup (uri);
  g_clear_object (&browser->message);
  g_clear_pointer (&browser->page, g_free);
  g_clear_error (&browser->error);
  browser->done = FALSE;
  browser->status = 0;
  browser->message = soup_message_new ("GET", uri);
  g_assert_nonnull (browser->message);
  /* GET redirects are followed by libsoup itself, on the same message. */
  soup_session_send_and_read_async (browser->session, browser->message, G_PRIORITY_DEFAULT, NULL, on_page, browser);
}

GUri *
oauth2_test_browser_get_uri (OAuth2TestBrowser *browser)
{
  return soup_message_get_uri (browser->message);
}

void
oauth2_test_browser_clear (OAuth2TestBrowser *browser)
{
  g_clear_object (&browser->session);
  g_clear_object (&browser->message);
  g_clear_pointer (&browser->page, g_free);
  g_clear_pointer (&browser->opened, g_free);
  g_clear_error (&browser->error);
}
