#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-cli-style.sh — o365-account and o365-send speak alike: every error is “PROGRAM: message”
# on stderr, the same cause gives the same exit status in both (an unknown account: EX_NOUSER,
# 67), -h is the help, every o365-account command's --help names the program and the
# command, says in one line what it does and gives an example, and a missing settings schema
# is a message and EX_CONFIG, not a crash. TAP.
#
#   test-cli-style.sh O365_ACCOUNT O365_SEND
set -u
account=$1 send=$2
. "$(dirname "$0")/tap.sh"
work=$(mktemp -d /tmp/test-cli-style-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
export HOME=$work/home XDG_CONFIG_HOME=$work/home XDG_DATA_HOME=$work/home XDG_CACHE_HOME=$work/home

# expect DESCRIPTION STATUS COMMAND...: COMMAND (stdin: a message) exits with STATUS.
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

# has DESCRIPTION FILE REGEX
has() {
  if grep -q -- "$3" "$2"; then ok "$1"; else not_ok "$1" "no line matching $3 in:" "$(cat "$2")"; fi
}

# Errors: PROGRAM: message, and nothing else on the first line.
expect "o365-account show of an unknown account: EX_NOUSER (67)" 67 "$account" show nobody@example.test
has "o365-account: the error is “o365-account: …”" "$work/err" '^o365-account: '
expect "o365-send --account of an unknown account: EX_NOUSER (67), as o365-account" 67 \
  "$send" --account nobody@example.test b@example.test
has "o365-send: the error is “o365-send: …”" "$work/err" '^o365-send: '
expect "o365-account add with a bad --auth: EX_USAGE" 64 "$account" add a@example.test --auth magic
has "o365-account add --auth magic: “o365-account: …”" "$work/err" '^o365-account: --auth must be'
expect "o365-account with an unknown option: EX_USAGE" 64 "$account" list --bogus
has "o365-account list --bogus: “o365-account: …”" "$work/err" '^o365-account: '
expect "o365-account with an unknown command: EX_USAGE" 64 "$account" frobnicate
has "o365-account frobnicate: “o365-account: …”" "$work/err" '^o365-account: unknown command'
if grep -q '^Error: ' "$work/err"; then not_ok "no “Error:” style left"; else ok "no “Error:” style left"; fi

# -h is the help.
expect "o365-send -h: the help (exit 0)" 0 "$send" -h
has "o365-send -h prints the usage" "$work/out" '^Usage: o365-send'

# Every command's --help.
for command in list-types add edit sign-in list show remove test flush; do
  expect "o365-account $command --help: exit 0" 0 "$account" "$command" --help
  has "o365-account $command --help names the program and the command" "$work/out" "o365-account $command \[OPTION"
  has "o365-account $command --help gives an example" "$work/out" "^  o365-account $command"
  summary=$("$account" --help | sed -n "s/^  $command  *\(ADDRESS\|\[ADDRESS\]\)\{0,1\}  *//p")
  has "o365-account $command --help says what it does ($summary)" "$work/out" "^$summary\$"
done

# Without the compiled settings schema: exit 78 with what to install or run, never a GLib
# abort (SIGTRAP, 133); --help and --version still work. No schema anywhere GLib looks: an
# empty schema directory, no system data directories.
mkdir -p "$work/schemas" "$work/data"
export XDG_DATA_DIRS=$work/data GSETTINGS_SCHEMA_DIR=$work/schemas GSETTINGS_BACKEND=memory
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
