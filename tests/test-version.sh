#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-version.sh — --version (and o365-send's -V): the program and its version, the plug-in
# ABI, the libraries in use; exit 0 on stdout, with no session bus, keyring, plug-in or settings
# schema; and every --help lists it. TAP.
#
#   test-version.sh VERSION O365_SEND O365_ACCOUNT O365_ACCOUNT_SETUP MAIL_PLUGIN_H
set -u

if [ $# -ne 5 ]; then
  echo "Bail out! usage: $0 VERSION O365_SEND O365_ACCOUNT O365_ACCOUNT_SETUP MAIL_PLUGIN_H"
  exit 1
fi
version=$1 send=$2 account=$3 setup=$4 header=$5
work=$(mktemp -d /tmp/test-version-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/tap.sh"

abi_major=$(sed -n 's/^#define MAIL_PLUGIN_ABI_MAJOR \([0-9]*\)$/\1/p' "$header")
abi_minor=$(sed -n 's/^#define MAIL_PLUGIN_ABI_MINOR \([0-9]*\)$/\1/p' "$header")
[ -n "$abi_major" ] && [ -n "$abi_minor" ] || { echo "Bail out! no MAIL_PLUGIN_ABI_* in $header"; exit 1; }

# Nothing but the programs themselves: no session bus, no schema, no plug-in, an empty home.
mkdir -p "$work/empty" "$work/home"
isolated="env DBUS_SESSION_BUS_ADDRESS=unix:path=$work/no-bus GSETTINGS_SCHEMA_DIR=$work/empty
  XDG_DATA_DIRS=$work/empty GSETTINGS_BACKEND=dconf O365_ACCOUNT_PLUGIN_PATH=$work/empty HOME=$work/home
  XDG_CONFIG_HOME=$work/home XDG_DATA_HOME=$work/home XDG_RUNTIME_DIR=$work/home
  O365_ACCOUNT_LIBEXECDIR=$(dirname "$setup")"

# run NAME COMMAND...: COMMAND's status in $status, its output in $work/NAME.out and .err.
run() {
  name=$1
  shift
  # $isolated is split into words on purpose.
  $isolated "$@" > "$work/$name.out" 2> "$work/$name.err"
  status=$?
}

# check_version DESCRIPTION PROGRAM: the last run printed PROGRAM's version report, cleanly.
check_version() {
  description=$1 program=$2
  if [ "$status" -ne 0 ]; then
    not_ok "$description exits 0" "exit $status" "$(cat "$work/$name.err")"
    return
  fi
  problems=$(
    out=$work/$name.out
    [ -s "$work/$name.err" ] && echo "stderr: $(cat "$work/$name.err")"
    [ "$(wc -l < "$out")" -eq 6 ] || echo "not 6 lines"
    [ "$(sed -n 1p "$out")" = "$program $version" ] || echo "line 1 is not '$program $version'"
    [ "$(sed -n 2p "$out")" = "plug-in ABI $abi_major.$abi_minor" ] || echo "line 2 is not the ABI $abi_major.$abi_minor"
    sed -n 3p "$out" | grep -Eqx 'GLib [0-9]+\.[0-9]+\.[0-9]+' || echo "line 3 is not GLib's version"
    sed -n 4p "$out" | grep -Eqx 'GMime [0-9]+\.[0-9]+\.[0-9]+' || echo "line 4 is not GMime's version"
    sed -n 5p "$out" | grep -Eqx 'glib-networking ([0-9][^ ]*|unknown) \([A-Za-z]+\)' ||
      echo "line 5 is not glib-networking's version and backend"
    # The tests' TLS runs on glib-networking's GnuTLS backend: its GnuTLS must be found.
    if sed -n 5p "$out" | grep -q '(GTlsBackendGnutls)$'; then
      sed -n 6p "$out" | grep -Eqx 'GnuTLS [0-9]+\.[0-9]+\.[0-9]+' || echo "line 6 is not GnuTLS's version"
    else
      sed -n 6p "$out" | grep -Eqx 'GnuTLS ([0-9.]+|unknown)' || echo "line 6 is not GnuTLS's"
    fi
  )
  if [ -n "$problems" ]; then
    not_ok "$description: $program's version report" "$problems" "$(cat "$work/$name.out")"
  else
    ok "$description: $program's version report, exit 0"
  fi
}

# same_libraries DESCRIPTION: the last run's report but for its first line is o365-send's.
same_libraries() {
  if tail -n +2 "$work/$name.out" | cmp -s - "$work/send-libraries"; then
    ok "$1 names the same ABI and libraries as o365-send --version"
  else
    not_ok "$1 names the same ABI and libraries as o365-send --version" "$(cat "$work/$name.out")"
  fi
}

run send "$send" --version
check_version "o365-send --version" o365-send
tail -n +2 "$work/send.out" > "$work/send-libraries"
run send-V "$send" -V < /dev/null
check_version "o365-send -V" o365-send
run account "$account" --version
check_version "o365-account --version" o365-account
same_libraries "o365-account --version"
for command in list-types add sign-in list show remove test flush; do
  run "account-$command" "$account" "$command" --version
  check_version "o365-account $command --version" o365-account
done
run setup "$account" setup --version
check_version "o365-account setup --version" o365-account-setup
same_libraries "o365-account setup --version"

# Every --help lists --version, on stdout, exit 0.
help_lists() {
  description=$1 pattern=$2
  shift 2
  run help "$@"
  if [ "$status" -ne 0 ]; then
    not_ok "$description" "exit $status" "$(cat "$work/help.err")"
  elif grep -Eq -- "$pattern" "$work/help.out"; then
    ok "$description"
  else
    not_ok "$description" "no $pattern in:" "$(cat "$work/help.out")"
  fi
}
help_lists "o365-send --help lists --version and -V" '^ +--version, -V ' "$send" --help
help_lists "o365-account --help lists --version" '^ +--version ' "$account" --help
for command in list-types add sign-in list show remove test flush setup; do
  help_lists "o365-account $command --help lists --version" '^ +--version ' "$account" "$command" --help
done

tap_end
