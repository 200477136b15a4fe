/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* graph-test-server.h — the tests' Microsoft Graph: a real HTTP server (SoupServer) on
 * 127.0.0.1 answering POST /v1.0/me/sendMail (MIME form: base64 of the message, Content-Type
 * text/plain) and GET /v1.0/me like graph.microsoft.com, with Graph's JSON error bodies
 * ({"error": {"code", "message"}}).
 *
 * It checks the bearer token against the one it was given, decodes the body and keeps every
 * accepted message exactly as received, and answers 202. Scripted answers replace the next
 * requests' outcome: 401 once, 403 ErrorAccessDenied, 429 with Retry-After, 413
 * ErrorMessageSizeExceeded, 500, or the connection dropped after the whole request was read.
 *
 * Messages over the request limit (4 MiB of base64) get 413. They go as Graph takes them: POST
 * /v1.0/me/messages (a draft from base64 MIME; its Bcc header becomes bccRecipients and leaves
 * the MIME), POST …/{id}/attachments/createUploadSession (an uploadUrl on this server), PUT
 * uploadUrl chunks (no Authorization; Content-Range contiguous from 0, the total the session's
 * size, chunks multiples of 320 KiB but the last, else 416; 200 with nextExpectedRanges, the
 * last 201), POST …/{id}/send (202: the draft is sent) and DELETE …/{id}. Attachments are kept
 * as their size and SHA-256 only, so the test process holds no copy of them.
 *
 * Runs on the thread-default main context of graph_test_server_start(). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  GRAPH_TEST_ANSWER_ACCEPT,       /* 202 (the default once the script is used up) */
  GRAPH_TEST_ANSWER_UNAUTHORIZED, /* 401 InvalidAuthenticationToken, whatever the token */
  GRAPH_TEST_ANSWER_FORBIDDEN,    /* 403 ErrorAccessDenied */
  GRAPH_TEST_ANSWER_THROTTLED,    /* 429 ApplicationThrottled with Retry-After */
  GRAPH_TEST_ANSWER_TOO_LARGE,    /* 413 ErrorMessageSizeExceeded */
  GRAPH_TEST_ANSWER_SERVER_ERROR, /* 500 */
  GRAPH_TEST_ANSWER_DROP,         /* the connection closed once the request was read */
} GraphTestAnswer;

/* Faults of the draft path. */
typedef enum
{
  GRAPH_TEST_FAULT_NONE,
  GRAPH_TEST_FAULT_CHUNK_RANGE, /* the second chunk of an upload answered 416 */
  GRAPH_TEST_FAULT_DROP_SEND,   /* the connection closed once …/send was read (after sending) */
  GRAPH_TEST_FAULT_UNAUTHORIZED_SESSION, /* the first createUploadSession answered 401 */
  GRAPH_TEST_FAULT_THROTTLED_DRAFT,      /* the draft refused with 429 and Retry-After */
} GraphTestFault;

typedef struct
{
  char *name;
  char *content_type;
  guint64 size;
  char *sha256; /* of the bytes reassembled in Content-Range order */
  guint n_chunks;
} GraphTestAttachment;

typedef struct
{
  char *id;
  GBytes *mime;    /* decoded, without the Bcc header */
  char **bcc;      /* bccRecipients, from the MIME's Bcc header */
  GPtrArray *attachments; /* GraphTestAttachment, complete uploads only */
} GraphTestDraft;

#define GRAPH_TEST_TYPE_SERVER (graph_test_server_get_type ())
G_DECLARE_FINAL_TYPE (GraphTestServer, graph_test_server, GRAPH_TEST, SERVER, GObject)

/* @token: the only bearer token accepted. */
GraphTestServer *graph_test_server_new (const char *token);
gboolean graph_test_server_start (GraphTestServer *self, GError **error);
/* "http://127.0.0.1:PORT", what the account takes as graph-endpoint. */
const char *graph_test_server_get_endpoint (GraphTestServer *self);

void graph_test_server_set_token (GraphTestServer *self, const char *token);
void graph_test_server_script (GraphTestServer *self, const GraphTestAnswer *answers, guint n_answers);
void graph_test_server_set_retry_after (GraphTestServer *self, guint seconds);

void graph_test_server_set_fault (GraphTestServer *self, GraphTestFault fault);

/* Results. */
GPtrArray *graph_test_server_get_sent_drafts (GraphTestServer *self); /* GraphTestDraft, in order */
guint graph_test_server_get_n_drafts (GraphTestServer *self);         /* created, not sent, not deleted */
guint graph_test_server_get_n_deleted (GraphTestServer *self);
GPtrArray *graph_test_server_get_messages (GraphTestServer *self); /* GBytes, decoded, in order */
guint graph_test_server_get_n_requests (GraphTestServer *self);    /* every request, any answer */
/* The first request that broke the rules ("sendMail: Content-Type application/json"), or NULL. */
const char *graph_test_server_get_violation (GraphTestServer *self);

G_END_DECLS
