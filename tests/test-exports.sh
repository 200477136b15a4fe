#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A module must export exactly its entry points (hidden visibility + version script): by default
# the plug-in's; the symbols given after MODULE otherwise. TAP output.
set -u
module=${1:?usage: test-exports.sh MODULE [SYMBOL...]}
shift
if [ $# -gt 0 ]; then
  expected=$(printf '%s\n' "$@" | sort)
else
  expected="mail_plugin_abi
mail_plugin_load
mail_plugin_query
mail_plugin_unload"
fi
actual=$(nm -D --defined-only "$module" | awk '{print $3}' | sort)
echo "1..1"
if [ "$actual" = "$expected" ]; then
  echo "ok 1 - $module exports only the entry points"
else
  echo "not ok 1 - $module exports something else"
  echo "$actual" | sed 's/^/# exported: /'
fi
