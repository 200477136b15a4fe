/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-data.h — decoding a DATA body up to its CRLF.CRLF terminator, in chunks (no I/O). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int state;
  gboolean unstuff;
} SmtpTestDataDecoder;

/* @unstuff: remove the transparency dot (RFC 5321 §4.5.2) or keep the wire bytes as they came. */
void smtp_test_data_decoder_init (SmtpTestDataDecoder *decoder, gboolean unstuff);

/* Appends the body bytes found in @data to @out and returns how many bytes of @data belong to the
 * body (terminator included); *@done becomes TRUE once the terminator has been consumed, and the
 * bytes after it are the client's next command. The CRLF before the final dot is part of the body. */
gsize smtp_test_data_decoder_feed (SmtpTestDataDecoder *decoder,
                                   const guint8        *data,
                                   gsize                length,
                                   GByteArray          *out,
                                   gboolean            *done);

G_END_DECLS
