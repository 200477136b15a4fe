#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-setup.sh — “o365-account setup [ADDRESS]” as a person runs it, under Xvfb (run through
# harness/xvfb-run-test, which also provides the keyring and a private session bus): it opens the
# settings window for a new account and for an existing one, as one application
# (org.o365account.Setup) that a second “setup ADDRESS” asks to bring up the window it has for
# ADDRESS; without a display it says so instead of crashing. TAP.
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
command -v xprop > /dev/null || { echo "Bail out! xprop is missing (install x11-utils)"; exit 1; }
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

# windows_titled TITLE: how many of o365-account-setup's windows have that title.
windows_titled() {
  xwininfo -root -tree 2> /dev/null | grep -cF "\"$1\": (\"o365-account-setup\""
}

# One application: its id on the window, and a second invocation for the same address opens no
# second window (it asks the first process to bring its window up, and ends).
title="alice@example.test — Microsoft 365 / Office 365"
"$account" setup alice@example.test > "$work/out" 2> "$work/err" &
setup_pid=$!
if window_shown "$title"; then
  window=$(xwininfo -root -tree | grep -F "\"$title\": (\"o365-account-setup\"" | awk '{print $1}')
  if xprop -id "$window" _GTK_APPLICATION_ID 2> /dev/null | grep -qF '"org.o365account.Setup"'; then
    ok "the window belongs to the application org.o365account.Setup"
  else
    not_ok "the window belongs to the application org.o365account.Setup" "$(xprop -id "$window" 2>&1 | head -20)"
  fi
  timeout 15 "$account" setup ALICE@example.test > "$work/out2" 2> "$work/err2"
  status=$?
  sleep 0.5
  count=$(windows_titled "$title")
  if [ "$status" -eq 0 ] && [ "$count" -eq 1 ] && kill -0 "$setup_pid" 2> /dev/null; then
    ok "a second setup ADDRESS brings up the window open for ADDRESS, no second one"
  else
    not_ok "a second setup ADDRESS brings up the window open for ADDRESS, no second one" \
      "exit $status, $count window(s)" "$(cat "$work/err2")"
  fi
  # Another address: a window of its own, opened by the first process.
  timeout 15 "$account" setup other@example.test > "$work/out2" 2> "$work/err2"
  status=$?
  for _ in $(seq 150); do
    [ "$(windows_titled "New Microsoft 365 / Office 365 Account")" -ge 1 ] && break
    sleep 0.1
  done
  count=$(windows_titled "New Microsoft 365 / Office 365 Account")
  if [ "$status" -eq 0 ] && [ "$count" -eq 1 ] && [ "$(windows_titled "$title")" -eq 1 ]; then
    ok "setup for another address opens its window in the same application"
  else
    not_ok "setup for another address opens its window in the same application" "exit $status, $count window(s)" \
      "$(cat "$work/err2")"
  fi
else
  not_ok "the window belongs to the application org.o365account.Setup" "$(cat "$work/err")"
  not_ok "a second setup ADDRESS brings up the window open for ADDRESS, no second one" "no first window"
  not_ok "setup for another address opens its window in the same application" "no first window"
fi
kill "$setup_pid" 2> /dev/null
wait "$setup_pid" 2> /dev/null
setup_pid=''

tap_end
