/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-common.h — what the libFuzzer targets share: a check that crashes (so the fuzzer keeps
 * the input) and the "safe to show" test every decoded server text must pass. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* libFuzzer's entry points; the targets define them. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

void fuzz_fail (const char *file, int line, const char *condition, const char *detail) G_GNUC_NORETURN;

/* An invariant of the code under test: when it does not hold, abort with where and why. */
#define FUZZ_CHECK(condition, detail)                                        \
  G_STMT_START                                                               \
  {                                                                          \
    if (G_UNLIKELY (!(condition)))                                           \
      fuzz_fail (__FILE__, __LINE__, #condition, (detail));                  \
  }                                                                          \
  G_STMT_END

/* Criticals and warnings from GLib or our g_return_if_fail() become crashes. */
void fuzz_init (void);

/* Valid UTF-8 with no control character (C0 incl. NUL, DEL, C1, U+2028, U+2029, the
 * bidirectional controls); '\n' is allowed only when @allow_newline. */
gboolean fuzz_is_display_safe (const char *text, gsize length, gboolean allow_newline);

G_END_DECLS
