#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-missing-schema.sh — without the compiled settings schema, o365-account and o365-send say
# what to install or run and exit EX_CONFIG (78) instead of aborting in GLib; --help and
# --version still work. TAP.
#
#   test-missing-schema.sh O365_ACCOUNT O365_SEND
set -u
account=$1 send=$2
. "$(dirname "$0")/tap.sh"
work=$(mktemp -d /tmp/test-missing-schema-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/schemas" "$work/data"
# No schema anywhere GLib looks: an empty schema directory, no system data directories.
export HOME=$work/home XDG_CONFIG_HOME=$work/home XDG_DATA_HOME=$work/home XDG_DATA_DIRS=$work/data
export GSETTINGS_SCHEMA_DIR=$work/schemas GSETTINGS_BACKEND=memory

# expect DESCRIPTION STATUS COMMAND...: COMMAND exits with STATUS; its stderr in $work/err.
expect() {
  description=$1 expected=$2
  shift 2
  printf 'From: a@example.test\nTo: b@example.test\n\nhi\n' | "$@" >"$work/out" 2>"$work/err"
  status=$?
  if [ "$status" -eq "$expected" ]; then
    ok "$description"
  else
    not_ok "$description" "exit status $status, expected $expected" "$(cat "$work/err")"
  fi
}

for command in list "show a@example.test" "test a@example.test" "add a@example.test --password-stdin"; do
  # shellcheck disable=SC2086 # the command and its arguments
  expect "o365-account $command without the schema: exit 78" 78 "$account" $command
  if grep -q '^o365-account: .*org\.o365account.*glib-compile-schemas' "$work/err"; then
    ok "o365-account $command says what is missing and what to run"
  else
    not_ok "o365-account $command says what is missing and what to run" "$(cat "$work/err")"
  fi
done
expect "o365-send without the schema: exit 78" 78 "$send" -t
if grep -q '^o365-send: .*org\.o365account.*glib-compile-schemas' "$work/err"; then
  ok "o365-send says what is missing and what to run"
else
  not_ok "o365-send says what is missing and what to run" "$(cat "$work/err")"
fi
expect "o365-send --flush without the schema: exit 78" 78 "$send" --flush
expect "o365-account --help works without the schema" 0 "$account" --help
expect "o365-account --version works without the schema" 0 "$account" --version
expect "o365-send --help works without the schema" 0 "$send" --help
expect "o365-send --version works without the schema" 0 "$send" --version
tap_end
