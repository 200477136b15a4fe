/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oauth2-test-browser.h — what the tests use instead of a web browser: it loads an address
 * with a real HTTP client (SoupSession), follows redirects as a browser does (Microsoft's
 * redirect back to the loopback listener included) and keeps the page it ends on. Never a
 * real browser: tests only touch 127.0.0.1. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  SoupSession *session;
  SoupMessage *message;
  gboolean done;        /* the page (or the error) is there */
  guint status;
  char *page;
  char *opened;         /* the first address loaded */
  GError *error;
} OAuth2TestBrowser;

/* Loads @uri asynchronously on the thread-default main context; done turns TRUE at the end. */
void oauth2_test_browser_open (OAuth2TestBrowser *browser, const char *uri);
/* The address the browser ended up at after redirects. */
GUri *oauth2_test_browser_get_uri (OAuth2TestBrowser *browser);
void oauth2_test_browser_clear (OAuth2TestBrowser *browser);

G_END_DECLS
