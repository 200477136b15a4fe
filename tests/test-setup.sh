#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-setup.sh — “o365-account setup [ADDRESS]” as a person runs it, under Xvfb (run through
# harness/xvfb-run-test, which also provides the keyring): it opens the settings window for a new
# account and for an existing one, and without a display it says so instead of crashing. TAP.
#
#   test-setup.sh O365_ACCOUNT O365_ACCOUNT_SETUP
set -u

if [ $# -ne 2 ]; then
  echo "Bail out! usage: $0 O365_ACCOUNT O365_ACCOUNT_SETUP"
  exit 1
fi
account=$1
export O365_ACCOUNT_LIBEXECDIR=$(dirname "$2")
command -v xwininfo > /dev/null || { echo "Bail out! xwininfo is missing (install x11-utils)"; exit 1; }
[ -n "${DISPLAY:-}" ] || { echo "Bail out! no DISPLAY: run through harness/xvfb-run-test"; exit 1; }

work=$(mktemp -d /tmp/test-setup-XXXXXX)
# Settings outlive each process (the keyfile backend in a private directory).
export GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME=$work/config
setup_pid=''

cleanup() {
  if [ -n "$setup_pid" ]; then
    kill "$setup_pid" 2> /dev/null
    wait "$setup_pid" 2> /dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "$0")/tap.sh"

# window_shown TITLE: a window with exactly that title appears within 15 s.
window_shown() {
  for _ in $(seq 150); do
    xwininfo -root -tree 2> /dev/null | grep -qF "\"$1\": (\"o365-account-setup\"" && return 0
    kill -0 "$setup_pid" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}

# opens_window DESCRIPTION TITLE ARGS...: setup ARGS shows TITLE; then it is closed.
opens_window() {
  local description=$1 title=$2
  shift 2
  "$account" setup "$@" > "$work/out" 2> "$work/err" &
  setup_pid=$!
  if window_shown "$title"; then ok "$description"; else not_ok "$description" "$(cat "$work/err")"; fi
  kill "$setup_pid" 2> /dev/null
  wait "$setup_pid" 2> /dev/null
  setup_pid=''
}

env -u DISPLAY -u WAYLAND_DISPLAY "$account" setup > "$work/out" 2> "$work/err"
status=$?
if [ "$status" -eq 69 ] && grep -q 'no display' "$work/err"; then
  ok "without a display: EX_UNAVAILABLE (69) and a message"
else
  not_ok "without a display: EX_UNAVAILABLE (69) and a message" "exit $status" "$(cat "$work/err")"
fi

"$account" setup one@example.test two@example.test > "$work/out" 2> "$work/err"
status=$?
if [ "$status" -eq 64 ]; then ok "two addresses: EX_USAGE (64)"; else not_ok "two addresses: EX_USAGE (64)" "exit $status"; fi

opens_window "setup ADDRESS opens the dialog for a new account" \
  "New Microsoft 365 / Office 365 Account" new@example.test

printf 'secret-pw' | "$account" add alice@example.test --password-stdin --server localhost --port 2525 \
  > "$work/out" 2> "$work/err" || not_ok "o365-account add (for the next test)" "$(cat "$work/err")"
opens_window "setup ADDRESS opens an existing account" \
  "alice@example.test — Microsoft 365 / Office 365" alice@example.test
opens_window "setup without an address opens a new account" "New Microsoft 365 / Office 365 Account"

tap_end
