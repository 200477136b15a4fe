#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration (TAP): tests/harness/keyring-harness starts a private D-Bus session bus with the
# real gnome-keyring-daemon on it; secrets round-trip through its unlocked "login" collection
# with secret-tool, and stop (also after a crash) leaves no process behind.
set -u

srcdir=${O365_TEST_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
harness=$srcdir/harness/keyring-harness

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; return 1; fi
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
bail() { echo "Bail out! $*"; exit 1; }
fails() { ! "$@"; }
quiet() { "$@" > /dev/null 2>&1; }
# refused_again: a second start of the running instance fails and says why.
refused_again() {
  ! "$harness" start "$inst" > /dev/null 2> "$work/start2.err" &&
    grep -q "already running" "$work/start2.err"
}

for tool in dbus-daemon gnome-keyring-daemon secret-tool dbus-send; do
  command -v "$tool" > /dev/null || bail "$tool is not installed; run .ci/install-deps"
done

work=$(mktemp -d /tmp/o365-keyring-test.XXXXXX)
inst=$work/kr
cleanup() {
  "$harness" stop "$inst" > /dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

fact() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# scan SIDS MODE: live processes in these sessions, or (MODE all) with our work directory in
# their command line or environment. Bash builtins only, independent of the harness.
scan() {
  local p line fields args env
  for p in /proc/[0-9]*; do
    { IFS= read -r line < "$p/stat"; } 2> /dev/null || continue
    # shellcheck disable=SC2206
    fields=(${line##*) })
    case ${fields[0]} in Z | X | x) continue ;; esac
    args=() env=()
    { mapfile -d '' args < "$p/cmdline"; } 2> /dev/null
    { mapfile -d '' env < "$p/environ"; } 2> /dev/null
    if [[ " $1 " == *" ${fields[3]} "* ]] ||
      { [ "$2" = all ] && [[ "${args[*]}" == *"$work"* || "${env[*]}" == *"$work"* ]]; }; then
      echo "${p#/proc/} ${args[*]}"
    fi
  done
}

# with_keyring COMMAND...: run COMMAND with only the private session's environment, so nothing
# can reach a desktop session's bus or keyring by accident.
with_keyring() {
  env -i PATH="$PATH" LANG=C.UTF-8 \
    DBUS_SESSION_BUS_ADDRESS="$(fact "$work/facts" DBUS_SESSION_BUS_ADDRESS)" \
    HOME="$(fact "$work/facts" HOME)" XDG_RUNTIME_DIR="$(fact "$work/facts" XDG_RUNTIME_DIR)" \
    XDG_DATA_HOME="$(fact "$work/facts" XDG_DATA_HOME)" timeout 20 "$@"
}

# ---- start -------------------------------------------------------------------------------
start_ms=${EPOCHREALTIME/./}
if "$harness" start "$inst" > "$work/facts" 2> "$work/start.err"; then
  ok "start succeeds ($(((${EPOCHREALTIME/./} - start_ms) / 1000)) ms)"
else
  not_ok "start succeeds"
  diag "$(cat "$work/start.err")"
  bail "cannot continue without a running keyring"
fi
address=$(fact "$work/facts" DBUS_SESSION_BUS_ADDRESS)
SIDS="$(fact "$work/facts" DBUS_SESSION_BUS_PID) $(fact "$work/facts" GNOME_KEYRING_PID)"
check "the bus is private: a unix socket inside DIR" test "${address%%,*}" = "unix:path=$inst/bus"
# shellcheck disable=SC2016 # expanded by sh, which must source the facts itself
check "the facts source cleanly in sh" \
  sh -c 'set -a; . "$0"; [ "$DBUS_SESSION_BUS_ADDRESS" = "$1" ] && [ -d "$XDG_RUNTIME_DIR" ]' \
  "$work/facts" "$address"
check "env repeats the facts" cmp -s "$work/facts" <("$harness" env "$inst" 2> /dev/null)
with_keyring dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets > "$work/owner.out" 2>&1
check "org.freedesktop.secrets has an owner on the private bus" grep -q 'string ":' "$work/owner.out" ||
  diag "$(cat "$work/owner.out")"
with_keyring dbus-send --session --print-reply --dest=org.freedesktop.secrets \
  /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
  string:org.freedesktop.Secret.Collection string:Locked > "$work/locked.out" 2>&1
check "the login collection exists and is unlocked" grep -q 'boolean false' "$work/locked.out" ||
  diag "$(cat "$work/locked.out")"
check "a second start is refused while running" refused_again

# ---- secret-tool round trip ----------------------------------------------------------------
secret='pässwörd with spaces & symbols <>"'\'' 🔑'
printf '%s' "$secret" | with_keyring secret-tool store --label='o365-account harness test' \
  service o365-account-test user alice@example.test > "$work/store.out" 2>&1
check "secret-tool store succeeds" test $? = 0 || diag "$(cat "$work/store.out")"
got=$(with_keyring secret-tool lookup service o365-account-test user alice@example.test 2> "$work/lookup.err")
check "secret-tool lookup returns the secret exactly" test "$got" = "$secret" ||
  diag "got: $got" "$(cat "$work/lookup.err")"
with_keyring dbus-send --session --print-reply --dest=org.freedesktop.secrets \
  /org/freedesktop/secrets/collection/login org.freedesktop.Secret.Collection.SearchItems \
  dict:string:string:service,o365-account-test,user,alice@example.test > "$work/search.out" 2>&1
check "the item lives in the persistent login collection" \
  grep -q 'object path "/org/freedesktop/secrets/collection/login/' "$work/search.out" ||
  diag "$(cat "$work/search.out")"
with_keyring secret-tool clear service o365-account-test user alice@example.test > "$work/clear.out" 2>&1
check "secret-tool clear succeeds" test $? = 0 || diag "$(cat "$work/clear.out")"
got=$(with_keyring secret-tool lookup service o365-account-test user alice@example.test 2> /dev/null)
rc=$?
check "after clear, lookup finds nothing" test "$rc" != 0 -a -z "$got"

# ---- stop ----------------------------------------------------------------------------------
stop_ms=${EPOCHREALTIME/./}
if "$harness" stop "$inst" 2> "$work/stop.err"; then
  ok "stop succeeds ($(((${EPOCHREALTIME/./} - stop_ms) / 1000)) ms)"
else
  not_ok "stop succeeds"
  diag "$(cat "$work/stop.err")"
fi
left=$(scan "$SIDS" all)
check "no process of the instance is left" test -z "$left" || diag "$left"
check "a second stop is harmless" "$harness" stop "$inst"
check "env fails once stopped" fails quiet "$harness" env "$inst"

# ---- crashes -------------------------------------------------------------------------------
"$harness" start "$inst" > "$work/facts" 2> "$work/start.err" || diag "$(cat "$work/start.err")"
old="$(fact "$work/facts" DBUS_SESSION_BUS_PID) $(fact "$work/facts" GNOME_KEYRING_PID)"
kill -KILL "$(fact "$work/facts" GNOME_KEYRING_PID)" 2> /dev/null
if "$harness" start "$inst" > "$work/facts" 2> "$work/start.err"; then
  ok "start after a keyring crash cleans up and starts afresh"
else
  not_ok "start after a keyring crash cleans up and starts afresh"
  diag "$(cat "$work/start.err")"
fi
# shellcheck disable=SC2086
left=$(scan "$old" sessions)
check "the crashed instance's processes are gone" test -z "$left" || diag "$left"
SIDS="$(fact "$work/facts" DBUS_SESSION_BUS_PID) $(fact "$work/facts" GNOME_KEYRING_PID)"
kill -KILL "$(fact "$work/facts" DBUS_SESSION_BUS_PID)" 2> /dev/null
check "stop after a bus crash succeeds" "$harness" stop "$inst"
left=$(scan "$SIDS" all)
check "no process is left after the crash and stop" test -z "$left" || diag "$left"

# ---- a slow machine ---------------------------------------------------------------------
# Under load the daemon can be exec'd late: until then the started process is still setsid.
# A stand-in setsid that waits before becoming the real one: start must wait too, not report an
# exit. And a daemon that does exit at once is reported as such.
"$harness" stop "$inst" > /dev/null 2>&1
mkdir -p "$work/slow-bin" "$work/dead-bin"
real_setsid=$(command -v setsid)
printf '#!/bin/sh\nsleep 0.5\nexec %s "$@"\n' "$real_setsid" > "$work/slow-bin/setsid"
printf '#!/bin/sh\necho "stand-in: refusing to start" >&2\nexit 1\n' > "$work/dead-bin/gnome-keyring-daemon"
chmod +x "$work/slow-bin/setsid" "$work/dead-bin/gnome-keyring-daemon"
if PATH=$work/slow-bin:$PATH "$harness" start "$inst" > "$work/facts" 2> "$work/start.err"; then
  ok "start waits for a daemon exec'd late"
else
  not_ok "start waits for a daemon exec'd late"
  diag "$(cat "$work/start.err")"
fi
"$harness" stop "$inst" > /dev/null 2>&1
check "a daemon that exits at once: start fails" fails quiet env PATH="$work/dead-bin:$PATH" "$harness" start "$inst"
PATH=$work/dead-bin:$PATH "$harness" start "$inst" > /dev/null 2> "$work/start.err"
check "… saying it exited, with its log" \
  bash -c "grep -q 'exited during start' '$work/start.err' && grep -q 'refusing to start' '$work/start.err'" ||
  diag "$(cat "$work/start.err")"
"$harness" stop "$inst" > /dev/null 2>&1

echo "1..$n"
