#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-o365-send.sh — o365-send end to end, as mutt and git send-email run it: a real Secret
# Service (gnome-keyring-daemon on a private D-Bus session), settings in a private keyfile, the
# tests' Office-365-like server on 127.0.0.1, the durable outbox across a server outage. TAP.
#
#   test-o365-send.sh O365_SEND O365_ACCOUNT O365_TEST_SERVER POSTFIX_HARNESS
#
# Needs $O365_TEST_CERTS, $GSETTINGS_SCHEMA_DIR and $O365_ACCOUNT_PLUGIN_PATH (meson test sets them).
set -u

if [ -z "${O365_SEND_TEST_BUS:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon gdbus; do
    if ! command -v "$tool" >/dev/null; then
      echo "Bail out! $tool is missing (install dbus, gnome-keyring, libglib2.0-bin)"
      exit 1
    fi
  done
  # A private session bus for the keyring; it ends with this script.
  O365_SEND_TEST_BUS=1 exec dbus-run-session -- bash "$0" "$@"
fi

if [ $# -ne 4 ]; then
  echo "Bail out! usage: $0 O365_SEND O365_ACCOUNT O365_TEST_SERVER POSTFIX_HARNESS"
  exit 1
fi
send=$1 account=$2 server=$3 harness=$4
user=alice@example.test
password=secret-pw-1234

work=$(mktemp -d /tmp/test-o365-send-XXXXXX)
keyring_pid='' server_pid='' postfix_running=''

cleanup() {
  [ -n "$postfix_running" ] && "$harness" stop "$pf" >/dev/null 2>&1
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null && wait "$keyring_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "$0")/tap.sh"

# check DESCRIPTION COMMAND...: a test that passes when COMMAND succeeds.
check() {
  local description=$1
  shift
  if "$@"; then ok "$description"; else not_ok "$description" "failed: $*"; fi
}

bail() {
  echo "Bail out! $*"
  exit 1
}

# --- private home, settings and keyring -----------------------------------------------------

mkdir -p "$work"/{home,config,data,cache,runtime,mail} && chmod 700 "$work/runtime"
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache
export XDG_RUNTIME_DIR=$work/runtime
# The keyfile backend in the private XDG_CONFIG_HOME: settings outlive each process.
export GSETTINGS_BACKEND=keyfile
outbox=$XDG_DATA_HOME/o365-account/outbox

printf 'keyring-unlock' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
keyring_pid=$!
for _ in $(seq 100); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.1
done
gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true ||
  bail "gnome-keyring-daemon did not come up: $(cat "$work/keyring.log")"

# --- the server -----------------------------------------------------------------------------

printf '%s\n' "$password" >"$work/password"
printf 'wrong-password\n' >"$work/other-password"
port=0 server_log=''

# start_server NAME [PASSWORD_FILE [SERVER_OPTION...]]: the server on $port (0 the first time),
# logging to $work/NAME.log.
start_server() {
  local password_file=${2:-$work/password}
  server_log=$work/$1.log
  shift
  [ $# -gt 0 ] && shift
  rm -f "$work/ready"
  "$server" --port "$port" --cert-dir "$O365_TEST_CERTS" --user "$user" --password-file "$password_file" \
    --mail-dir "$work/mail" --ready-fd 3 "$@" 3>"$work/ready" 2>"$server_log" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q '^PORT=' "$work/ready" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^PORT=' "$work/ready" || bail "the test server did not start: $(cat "$server_log")"
  port=$(sed -n 's/^PORT=//p' "$work/ready")
}

stop_server() {
  kill "$server_pid" && wait "$server_pid"
  server_pid=''
}

connections() {
  grep -c 'connected from' "$server_log"
}

# --- helpers --------------------------------------------------------------------------------

# run ARGS... < input: o365-send with its status in $status, output in $work/out and $work/err.
run() {
  "$send" "$@" >"$work/out" 2>"$work/err"
  status=$?
}

# wait_both: waits for $first_pid and $second_pid, their statuses in $first_status and $second_status.
wait_both() {
  wait "$first_pid"
  first_status=$?
  wait "$second_pid"
  second_status=$?
}

# The messages the server stored, one file each.
stored_count() {
  find "$work/mail" -name '*.eml' | wc -l
}

newest_stored() {
  ls -t "$work/mail"/*.eml | head -n 1
}

queued_count() {
  find "$outbox" -maxdepth 1 -name '*.meta' 2>/dev/null | wc -l
}

# same_as_crlf FILE EXPECTED: FILE holds EXPECTED with every line end made CRLF.
same_as_crlf() {
  sed 's/\r$//; s/$/\r/' "$2" | cmp -s - "$1"
}

expect_status() {
  local description=$1 expected=$2
  if [ "$status" -eq "$expected" ]; then
    ok "$description"
  else
    not_ok "$description" "exit status $status, expected $expected" "$(cat "$work/err")"
  fi
}

# --- the tests ------------------------------------------------------------------------------

start_server first
printf '%s' "$password" | "$account" add "$user" --password-stdin --server localhost --port "$port" \
  --ca-file "$O365_TEST_CERTS/ca.pem" >"$work/out" 2>"$work/err"
status=$?
expect_status "o365-account add stores the account and its password" 0
[ "$status" -eq 0 ] || bail "without the account nothing else can run"

# A git send-email patch: -i -t, a folded Bcc, a lone "." line, LF line ends.
cat >"$work/patch.eml" <<'EOF'
From: Alice Example <alice@example.test>
To: Bob <bob@example.test>
Cc: carol@example.test
Bcc: dave@example.test,
 erin@example.test
Subject: [PATCH] outbox: fix the thing
Message-ID: <patch-1@example.test>

The fix.
.
..two dots
---
 outbox.c | 2 +-
--
2.39.5
EOF
grep -v -e '^Bcc:' -e '^ erin@' "$work/patch.eml" >"$work/patch-sent.eml"
before=$(stored_count)
run -i -t <"$work/patch.eml"
expect_status "o365-send -i -t sends a patch (exit 0)" 0
check "the server stored it" test "$(stored_count)" -eq $((before + 1))
check "it arrived byte for byte, Bcc removed, CRLF line ends" same_as_crlf "$(newest_stored)" "$work/patch-sent.eml"
for rcpt in bob carol dave erin; do
  check "-t: RCPT TO <$rcpt@example.test> (To, Cc and folded Bcc)" grep -q "C: RCPT TO:<$rcpt@example.test>" "$server_log"
done
check "sendmail is quiet on success" test ! -s "$work/out" -a ! -s "$work/err"
check "a delivered message leaves the outbox" test "$(queued_count)" -eq 0

# DSN as mutt asks for it (dsn_notify, dsn_return) and sendmail's -V ENVID: the server offers DSN.
printf 'From: alice@example.test\nTo: bob@example.test\nSubject: dsn\n\nDSN.\n' >"$work/dsn.eml"
run --debug -N success,failure -R hdrs -V "id+1 x" -- bob@example.test <"$work/dsn.eml"
expect_status "o365-send -N success,failure -R hdrs -V ENVID sends (exit 0)" 0
check "the test server advertises DSN, as Office 365 does" grep -q "^S: 250.DSN" "$work/err"
check "-R and -V: MAIL FROM carries RET=HDRS ENVID= (xtext)" \
  grep -q "C: MAIL FROM:<alice@example.test>.* RET=HDRS ENVID=id+2B1+20x" "$server_log"
check "-N: RCPT TO carries NOTIFY=SUCCESS,FAILURE" grep -q "C: RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE" "$server_log"
run -Nnever -- bob@example.test <"$work/dsn.eml"
expect_status "o365-send -Nnever sends (exit 0)" 0
check "-Nnever: NOTIFY=NEVER" grep -q "C: RCPT TO:<bob@example.test> NOTIFY=NEVER" "$server_log"
run -N sometimes -- bob@example.test <"$work/dsn.eml"
expect_status "o365-send -N sometimes is a usage error (64)" 64
run -V
expect_status "o365-send -V alone prints the version (exit 0)" 0
check "o365-send -V alone: the version on stdout" grep -q '^o365-send ' "$work/out"

# git send-email itself, with o365-send as its sendmail (it runs "o365-send -i RECIPIENT...").
cat >"$work/0001-outbox.patch" <<'EOF'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Alice Example <alice@example.test>
Date: Mon, 1 Jan 2024 00:00:00 +0000
Subject: [PATCH] outbox: send through git

Body of the patch.
---
 outbox.c | 1 +
EOF
git init -q "$work/repo"
git -C "$work/repo" config user.name 'Alice Example'
git -C "$work/repo" config user.email alice@example.test
before=$(stored_count)
(cd "$work/repo" && git send-email --smtp-server="$send" --from='Alice Example <alice@example.test>' \
  --to=bob@example.test --confirm=never --suppress-cc=all --no-validate --quiet "$work/0001-outbox.patch") \
  >"$work/out" 2>"$work/err"
status=$?
expect_status "git send-email --smtp-server=o365-send (exit 0)" 0
check "git send-email's message reached the server" test "$(stored_count)" -eq $((before + 1))
check "... with the patch in it" grep -q 'Subject: \[PATCH\] outbox: send through git' "$(newest_stored)"

# As mutt calls it: -oi -oem -f, "--", recipients as arguments, an 8-bit body with CRLF line ends.
printf 'From: alice@example.test\r\nTo: bob@example.test\r\nBcc: hidden@example.test\r\nSubject: caf\xc3\xa9\r\n\r\nCaf\xc3\xa9 au lait.\r\n' \
  >"$work/mutt.eml"
printf 'From: alice@example.test\r\nTo: bob@example.test\r\nSubject: caf\xc3\xa9\r\n\r\nCaf\xc3\xa9 au lait.\r\n' \
  >"$work/mutt-sent.eml"
lines_before=$(wc -l <"$server_log")
run -oi -oem -odi -f "$user" -- bob@example.test frank@example.test <"$work/mutt.eml"
expect_status "o365-send -oi -oem -odi -f ADDR -- RCPT... (exit 0)" 0
check "the 8-bit message arrived byte for byte, its Bcc removed" same_as_crlf "$(newest_stored)" "$work/mutt-sent.eml"
tail -n +"$((lines_before + 1))" "$server_log" >"$work/log-part"
check "MAIL FROM is -f, with BODY=8BITMIME and SMTPUTF8" grep -q "C: MAIL FROM:<$user> SIZE=[0-9]* BODY=8BITMIME SMTPUTF8" "$work/log-part"
check "without -t only the arguments are recipients" test "$(grep -c 'C: RCPT TO:' "$work/log-part")" -eq 2

# -v shows the final reply, which carries the id Office 365 gave the message.
printf 'From: alice@example.test\nTo: bob@example.test\nSubject: verbose\n\nHi\n' >"$work/plain.eml"
run -v -t <"$work/plain.eml"
expect_status "o365-send -v (exit 0)" 0
message_id=$(sed -n 's/.*250 2\.0\.0 OK <\([0-9A-F]*\)@.*/\1/p' "$work/out")
check "-v prints the final reply with the server's message id" test -n "$message_id" -a -f "$work/mail/$message_id.eml"
check "-v prints the message id parsed from the reply" grep -q "^Message id given by the server: $message_id@" "$work/out"

# On a terminal (script(1) gives it one) a send shows its progress on stderr; elsewhere (mutt,
# git: every run above) nothing.
head -c 3000000 /dev/zero | tr '\0' 'x' | fold -w 76 >"$work/big-body"
{ printf 'From: alice@example.test\nTo: bob@example.test\nSubject: big\n\n'; cat "$work/big-body"; } >"$work/big.eml"
script -qec "'$send' -t < '$work/big.eml'" /dev/null >"$work/tty-out" 2>&1
status=$?
expect_status "o365-send on a terminal (exit 0)" 0
check "on a terminal: the progress in percent and rate" grep -q 'o365-send: sending 100 % (.* of .*, .*/s)' "$work/tty-out"

run --debug -t <"$work/plain.eml"
expect_status "o365-send --debug (exit 0)" 0
check "--debug prints the transcript on stderr" grep -q 'AUTH LOGIN' "$work/err"
password_b64=$(printf '%s' "$password" | base64)
check "the transcript never shows the password" bash -c "! grep -q -e '$password' -e '$password_b64' '$work/err'"
user_b64=$(printf '%s' "$user" | base64)
check "no file under HOME or the XDG directories holds the password or its base64 form" \
  bash -c "! grep -rqa -e '$password' -e '$password_b64' '$HOME' '$XDG_CONFIG_HOME' '$XDG_DATA_HOME' '$XDG_CACHE_HOME' '$XDG_RUNTIME_DIR'"
check "no GSettings value holds it" bash -c "! gsettings list-recursively 2>/dev/null | grep -q -e '$password' -e '$password_b64'"
check "the LOGIN responses are not in the transcript" bash -c "! grep -q '$user_b64' '$work/err'"

# A bare CR would be a line end to the SMTP encoder (which writes it as CRLF) but not to the
# head parser, so a "Bcc:" after one would reach every recipient: such a head is refused.
# LF, CRLF and mixed line ends: -t makes the Bcc a recipient, and no stored byte shows it.
printf 'From: alice@example.test\nTo: bob@example.test\nBcc: secret-lf@example.test\nSubject: lf\n\nBody\n' \
  >"$work/ends-lf.eml"
printf 'From: alice@example.test\r\nTo: bob@example.test\r\nBcc: secret-crlf@example.test\r\nSubject: crlf\r\n\r\nBody\r\n' \
  >"$work/ends-crlf.eml"
printf 'From: alice@example.test\r\nTo: bob@example.test\nBcc: secret-mixed@example.test,\r\n other-mixed@example.test\nSubject: mixed\r\n\nBody\r\nmore\n' \
  >"$work/ends-mixed.eml"
for ends in lf crlf mixed; do
  lines_before=$(wc -l <"$server_log")
  before=$(stored_count)
  run -t <"$work/ends-$ends.eml"
  expect_status "$ends line ends, -t with a Bcc: exit 0" 0
  tail -n +"$((lines_before + 1))" "$server_log" >"$work/log-part"
  check "$ends line ends: the Bcc address is a recipient" grep -q "C: RCPT TO:<secret-$ends@example.test>" "$work/log-part"
  check "$ends line ends: stored, and no stored byte shows the Bcc" \
    bash -c "test $(stored_count) -eq $((before + 1)) && ! grep -q -i -e 'bcc' -e 'secret' -e 'other-mixed' '$(newest_stored)'"
done
# A bare CR inside a field, and a message with CR line ends only.
printf 'From: alice@example.test\nTo: bob@example.test\nX-Note: x\rBcc: secret-cr@example.test\nSubject: cr\n\nBody\n' \
  >"$work/ends-cr.eml"
printf 'From: alice@example.test\rTo: bob@example.test\rBcc: secret-cr@example.test\rSubject: cr\r\rBody\r' \
  >"$work/ends-cr-only.eml"
for ends in cr cr-only; do
  before=$(stored_count) connections_before=$(connections)
  run -t <"$work/ends-$ends.eml"
  expect_status "a bare CR in the head ($ends): EX_DATAERR (65)" 65
  check "a bare CR in the head ($ends): one line on stderr saying why" \
    bash -c "test \$(wc -l <'$work/err') -eq 1 && grep -q '^o365-send: .*CR' '$work/err'"
  check "a bare CR in the head ($ends): nothing sent, queued or connected" \
    test "$(stored_count)" -eq "$before" -a "$(queued_count)" -eq 0 -a "$(connections)" -eq "$connections_before"
done

# Empty input is never what a person meant to send: refused before anything is queued or any
# connection is made (the test environment makes GLib criticals fatal).
connections_before=$(connections)
run bob@example.test </dev/null
expect_status "empty input: EX_DATAERR (65)" 65
check "empty input: one line on stderr saying why" \
  bash -c "test \$(wc -l <'$work/err') -eq 1 && grep -q '^o365-send: .*empty' '$work/err'"
check "empty input: nothing queued, no connection" \
  test "$(queued_count)" -eq 0 -a "$(connections)" -eq "$connections_before"

# No empty line after the head: the first line that is not a header field starts the body, as
# in sendmail and Postfix; o365-send adds the empty line the receiver needs to see the same.
head_lines='From: alice@example.test\nTo: bob@example.test\nSubject: no empty line\n'
printf "${head_lines}This line starts the body.\nCc: carol-in-body@example.test\n" >"$work/no-blank.eml"
printf "${head_lines}\nThis line starts the body.\nCc: carol-in-body@example.test\n" >"$work/no-blank-sent.eml"
{ printf "${head_lines}Body of a big message.\n"; for _ in $(seq 15000); do printf '%076d\n' 0; done; } \
  >"$work/no-blank-big.eml"
{ printf "${head_lines}\nBody of a big message.\n"; for _ in $(seq 15000); do printf '%076d\n' 0; done; } \
  >"$work/no-blank-big-sent.eml"
for name in no-blank no-blank-big; do
  size=$([ "$name" = no-blank ] && echo small || echo big)
  lines_before=$(wc -l <"$server_log")
  before=$(stored_count)
  run -t <"$work/$name.eml"
  expect_status "no empty line after the head ($size, $(wc -c <"$work/$name.eml") bytes): exit 0" 0
  tail -n +"$((lines_before + 1))" "$server_log" >"$work/log-part"
  check "no empty line ($size): delivered, head then empty line then the whole body" \
    bash -c "test $(stored_count) -eq $((before + 1)) && sed 's/\r\$//; s/\$/\r/' '$work/$name-sent.eml' | cmp -s - '$(newest_stored)'"
  check "no empty line ($size): a header-like body line is no recipient" \
    bash -c "! grep -q 'RCPT TO:<carol-in-body' '$work/log-part'"
done

# A head of nothing but fields past 1 MiB is still refused, before anything is queued.
{ printf "${head_lines}"; for _ in $(seq 15000); do printf 'X-Pad: %069d\n' 0; done; printf '\nBody\n'; } \
  >"$work/big-head.eml"
run -t <"$work/big-head.eml"
expect_status "a head over 1 MiB: EX_DATAERR (65)" 65
check "a head over 1 MiB is not queued" test "$(queued_count)" -eq 0

# SIZE= is the size on the wire, where every line ends in CRLF: never less than what DATA carries.
printf 'Subject: s\n\nabcde\n' >"$work/size.eml"
lines_before=$(wc -l <"$server_log")
run bob@example.test <"$work/size.eml"
expect_status "an 18-byte message with LF line ends: exit 0" 0
tail -n +"$((lines_before + 1))" "$server_log" >"$work/log-part"
declared=$(sed -n 's/.*C: MAIL FROM:<[^>]*> SIZE=\([0-9]*\).*/\1/p' "$work/log-part")
received=$(stat -c %s "$(newest_stored)")
check "SIZE=${declared:-none} is at least the $received octets sent (18 bytes as given)" \
  test -n "$declared" -a "${declared:-0}" -ge "$received" -a "$received" -eq 21

# Usage and configuration errors: refused before anything is queued.
run <"$work/plain.eml"
expect_status "no recipients: EX_USAGE (64)" 64
run -X bob@example.test <"$work/plain.eml"
expect_status "an unknown option: EX_USAGE (64)" 64
run --account nobody@example.test bob@example.test <"$work/plain.eml"
expect_status "an unknown --account: EX_NOUSER (67), as o365-account says it" 67
check "nothing was queued by refused calls" test "$(queued_count)" -eq 0

# Envelope addresses are checked before anything is queued or any connection is made: bad ones
# on the command line are EX_USAGE (64), bad ones from the message EX_DATAERR (65). An encoded
# word is display text, never an address (RFC 2047 §5), so it is refused, not sent as one.
connections_before=$(connections)
printf 'From: alice@example.test\nTo: =?utf-8?q?hidden=40example.test?=\nSubject: e\n\nHi\n' >"$work/encoded-to.eml"
printf 'From: me@@contoso\nTo: bob@example.test\nSubject: f\n\nHi\n' >"$work/bad-from.eml"
for args in "bob@" "-f me@@contoso bob@example.test" "-f '' bob@example.test" \
  "-f \$'alice@example.test\\r\\nRSET' bob@example.test" "-- a@b" "not an address"; do
  eval "run $args" <"$work/plain.eml"
  expect_status "o365-send $args: EX_USAGE (64) before queueing" 64
done
run -t <"$work/encoded-to.eml"
expect_status "-t with To: =?utf-8?q?hidden=40example.test?=: EX_DATAERR (65)" 65
check "the encoded word is named in the error" grep -q 'encoded word' "$work/err"
printf 'From: alice@example.test\nTo: bob@\nSubject: g\n\nHi\n' >"$work/bad-to.eml"
run -t <"$work/bad-to.eml"
expect_status "-t with To: bob@ (GMime cannot parse it): EX_DATAERR (65), not silently dropped" 65
run <"$work/bad-from.eml" bob@example.test
expect_status "From: me@@contoso (the envelope sender): EX_DATAERR (65)" 65
# A comment never closed (which GMime 3.2.13 leaks on, tests/fuzz/RESULTS.md finding 8) is no
# address list either: refused, naming the field, not read by GMime.
printf 'From: alice@example.test\nTo: bob@example.test\nCc: carol@example.test (carol\nSubject: k\n\nHi\n' \
  >"$work/open-comment.eml"
run -t <"$work/open-comment.eml"
expect_status "-t with Cc: carol@example.test (carol: EX_DATAERR (65)" 65
check "the unclosed comment's field is named" grep -q -F 'Cc: carol@example.test (carol' "$work/err"
# What GMime reads from a malformed field need not be an address (fuzz findings 2 and 3,
# tests/fuzz/RESULTS.md): the raw octet of a domain literal, an unterminated quoted string. It is
# named in the one line of the refusal, and nothing is queued (the meta file of an entry with a
# non-UTF-8 recipient could not be read back).
printf 'From: alice@example.test\nTo: bob@example.test, e@[\304]\nSubject: h\n\nHi\n' >"$work/literal-to.eml"
printf 'From: alice@example.test\nTo: bob@example.test\nBcc: "A <b, C"\nSubject: i\n\nHi\n' >"$work/quote-bcc.eml"
printf 'From: e@[\304]\nTo: bob@example.test\nSubject: j\n\nHi\n' >"$work/literal-from.eml"
for name in literal-to quote-bcc literal-from; do
  run -t <"$work/$name.eml"
  expect_status "-t, $name: EX_DATAERR (65) before queueing" 65
  check "-t, $name: one line on stderr naming the address" \
    bash -c "test \$(wc -l <'$work/err') -eq 1 && grep -q -F -e 'e@[\\304]' -e 'A <b, C' '$work/err'"
done
# The account's address goes through the same check (the dialog validates through the account).
for address in a@b 'me@@contoso' 'bob@'; do
  printf '%s' "$password" | "$account" add "$address" --password-stdin --server localhost --port "$port" \
    --ca-file "$O365_TEST_CERTS/ca.pem" >"$work/out" 2>"$work/err"
  status=$?
  expect_status "o365-account add $address is refused: EX_DATAERR (65)" 65
done
check "refused envelopes: nothing queued, no connection" \
  test "$(queued_count)" -eq 0 -a "$(connections)" -eq "$connections_before"
check "no encoded word ever went out as an address" bash -c "! grep -q 'RCPT TO:<=?' '$server_log'"

# A fold inside a quoted local part is no part of the address (fuzz finding 1): the field is
# read unfolded, as RFC 5322 §2.2.3 says, and the address is the one without the line end.
printf 'From: alice@example.test\nTo: "folded\n name"@example.test\nSubject: k\n\nHi\n' >"$work/folded-to.eml"
lines_before=$(wc -l <"$server_log")
run -t <"$work/folded-to.eml"
expect_status "-t, a fold inside a quoted local part: exit 0" 0
tail -n +"$((lines_before + 1))" "$server_log" >"$work/log-part"
check "-t, a fold inside a quoted local part: the unfolded address is the recipient" \
  grep -q -F 'C: RCPT TO:<"folded name"@example.test>' "$work/log-part"

# A resent message with -t goes to its Resent-* recipients only (as sendmail's -t), and neither
# Resent-Bcc nor Bcc is transmitted.
printf 'Resent-From: alice@example.test\nResent-To: rto@example.test\nResent-Bcc: rbcc@example.test\nFrom: olga@example.test\nTo: oldto@example.test\nBcc: oldbcc@example.test\nSubject: resent\n\nHi\n' \
  >"$work/resent.eml"
grep -v -e '^Resent-Bcc:' -e '^Bcc:' "$work/resent.eml" >"$work/resent-sent.eml"
lines_before=$(wc -l <"$server_log")
run -t -f alice@example.test <"$work/resent.eml"
expect_status "-t with Resent-To and Resent-Bcc: exit 0" 0
tail -n +"$((lines_before + 1))" "$server_log" >"$work/log-part"
check "-t resent: RCPT TO the Resent-To and Resent-Bcc addresses" \
  bash -c "grep -q 'C: RCPT TO:<rto@example.test>' '$work/log-part' && grep -q 'C: RCPT TO:<rbcc@example.test>' '$work/log-part'"
check "-t resent: not again to the original To and Bcc" bash -c "! grep -q 'RCPT TO:<old' '$work/log-part'"
check "-t resent: stored without Resent-Bcc and Bcc" same_as_crlf "$(newest_stored)" "$work/resent-sent.eml"

# A line over 1000 octets is refused for good: EX_DATAERR, kept in failed/, not queued.
{ printf 'From: alice@example.test\nTo: bob@example.test\nSubject: long\n\n'; head -c 1200 /dev/zero | tr '\0' x; echo; } \
  >"$work/long.eml"
run -t <"$work/long.eml"
expect_status "a message the transport refuses: EX_DATAERR (65)" 65
check "it is kept in outbox/failed/ and said so" grep -q "$outbox/failed/.*\.eml" "$work/err"
check "a refused message is not queued" test "$(queued_count)" -eq 0

# The server goes away: queued (EX_TEMPFAIL), then one --flush sends both over one connection.
stop_server
before=$(stored_count)
run -t <"$work/patch.eml"
expect_status "server down: EX_TEMPFAIL (75)" 75
check "stderr says it is queued and how to send it" grep -q 'queued as .*--flush' "$work/err"
run -t <"$work/plain.eml"
expect_status "a second message while down: EX_TEMPFAIL (75)" 75
check "two messages are queued" test "$(queued_count)" -eq 2
check "the outbox directory is 0700" test "$(stat -c %a "$outbox")" = 700
check "queued files are 0600" test -z "$(find "$outbox" -maxdepth 1 -type f ! -perm 600)"
check "no secret in the outbox" bash -c "! grep -rq -e '$password' -e '$password_b64' '$outbox'"
run --queue
expect_status "o365-send --queue (exit 0)" 0
check "--queue lists both, queued, with the reason" \
  test "$(grep -c ' queued$' "$work/out")" -eq 2 -a "$(grep -c 'last error.*connect' "$work/out")" -eq 2
check "--queue shows recipients and attempts" grep -q 'to: *bob@example.test, carol@example.test, dave@example.test, erin@example.test' "$work/out"

start_server second
run --flush
expect_status "o365-send --flush (exit 0)" 0
check "--flush delivered both" test "$(stored_count)" -eq $((before + 2))
check "--flush used one connection" test "$(connections)" -eq 1
check "the queue is empty after the flush" test "$(queued_count)" -eq 0
run --queue
check "--queue lists nothing queued (only failed/: it is no longer called empty)" \
  bash -c "! grep -q ' queued$' '$work/out' && grep -q ' failed$' '$work/out'"

# The connection breaks right after the final dot: the message may have been delivered, so it
# is held, a plain flush leaves it, and only --include-unknown sends it again.
stop_server
start_server third "$work/password" --drop-after-data
before=$(stored_count)
run -t <"$work/plain.eml"
expect_status "connection cut after the final dot: EX_PROTOCOL (76)" 76
check "stderr says it may or may not have been accepted" grep -q 'may or may not' "$work/err"
check "the server did get it (the reply was what got lost)" test "$(stored_count)" -eq $((before + 1))
stop_server
start_server fourth
before=$(stored_count)
run --flush
expect_status "a flush with only a held message (exit 0)" 0
check "a held message is not resent by a plain flush" test "$(stored_count)" -eq "$before"
run --queue
check "--queue lists it as held-unknown" grep -q ' held-unknown$' "$work/out"
run --flush --include-unknown
expect_status "--flush --include-unknown (exit 0)" 0
check "--include-unknown sent the held message" test "$(stored_count)" -eq $((before + 1))

# o365-account flush runs the same code.
"$account" flush >"$work/out" 2>"$work/err"
status=$?
expect_status "o365-account flush with nothing queued (exit 0)" 0
stop_server
run -t <"$work/plain.eml"
start_server fourth
before=$(stored_count)
"$account" flush "$user" >"$work/out" 2>"$work/err"
status=$?
expect_status "o365-account flush ADDRESS (exit 0)" 0
check "o365-account flush delivered the queued message" test "$(stored_count)" -eq $((before + 1))

# Sign-in refused (the password changed on the server): EX_NOPERM, and the message waits as
# needs-sign-in (it used to go to failed/), with the command that stores the new password.
stop_server
start_server fifth "$work/other-password"
run -t <"$work/plain.eml"
expect_status "sign-in refused: EX_NOPERM (77)" 77
check "a refused password keeps the message, as needs-sign-in" \
  bash -c "test $(queued_count) -eq 1 && grep -qx 'State=needs-sign-in' '$outbox'/*.meta"
check "a refused password says how to store the right one, not to sign in with Microsoft" \
  bash -c "grep -q 'o365-account edit $user --password-stdin' '$work/err' && ! grep -qi 'sign in with Microsoft' '$work/err'"
stop_server
start_server fifth-fixed
before=$(stored_count)
run --flush
expect_status "once the password is right, --flush sends it (exit 0)" 0
check "the needs-sign-in message was delivered" test "$(stored_count)" -eq $((before + 1)) -a "$(queued_count)" -eq 0
stop_server

# A certificate refused before anything was sent: the reason named, what to check, and never
# "status unknown" (76), since the server cannot have the message.
start_server wrong-name "$work/password" --cert wrong-name
run -t <"$work/plain.eml"
expect_status "a certificate for another name: EX_UNAVAILABLE (69)" 69
check "a certificate for another name: the names it has, and to check the server name" \
  bash -c "grep -q 'wrong.example' '$work/err' && grep -q 'server name' '$work/err' && ! grep -q 'Unacceptable TLS certificate' '$work/err'"
stop_server
start_server other-ca "$work/password" --cert other-ca-leaf
run -t <"$work/plain.eml"
expect_status "a certificate from an unknown authority: EX_UNAVAILABLE (69)" 69
check "an unknown authority: its issuer, and --ca-file" \
  bash -c "grep -q 'unrelated CA' '$work/err' && grep -q -- '--ca-file' '$work/err'"
stop_server

# Not an SMTP server on the port (a web server's answer as its greeting): a protocol error
# before anything was sent is never "status unknown" (76) either.
/usr/bin/python3 -c '
import socket, sys
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
listener.settimeout(30)
for _ in range(2):
    connection, _ = listener.accept()
    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    connection.close()
' "$port" 2>"$work/not-smtp.log" &
not_smtp_pid=$!
for _ in $(seq 50); do
  /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()' \
    "$port" 2>/dev/null && break
  sleep 0.1
done
before_queued=$(queued_count)
run -t <"$work/plain.eml"
kill "$not_smtp_pid" 2>/dev/null
wait "$not_smtp_pid" 2>/dev/null
expect_status "not an SMTP server on the port: EX_UNAVAILABLE (69), not status unknown" 69
check "not an SMTP server: the message is not held as status unknown" \
  bash -c "! grep -qx 'State=held-unknown' '$outbox'/*.meta 2>/dev/null && ! grep -qi 'status unknown' '$work/err'"
check "not an SMTP server: nothing left queued to be sent again to it" test "$(queued_count)" -eq "$before_queued"

# The keyring cannot be reached (no session bus): temporary, the message stays queued, and the
# error says what to start.
start_server no-keyring
env -u DBUS_SESSION_BUS_ADDRESS "$send" -t <"$work/plain.eml" >"$work/out" 2>"$work/err"
status=$?
expect_status "no keyring: EX_TEMPFAIL (75)" 75
check "no keyring: the message stays queued" test "$(queued_count)" -eq 1
check "no keyring: nothing went to failed/" bash -c "! grep -q '$outbox/failed/' '$work/err'"
check "no keyring: the error says to start the keyring" grep -q 'gnome-keyring' "$work/err"
stop_server
rm -f "$outbox"/*.meta "$outbox"/*.eml

# failed/ is part of the outbox (issue 13.8): --queue shows it with attempts and reasons, and
# --requeue and --discard decide about one message.
run --queue
expect_status "--queue with only failed messages (exit 0)" 0
check "--queue lists the messages in failed/, with attempts and the reason" \
  bash -c "grep -q ' failed$' '$work/out' && grep -q 'attempts:  1' '$work/out' && grep -q 'last error' '$work/out'"
check "--queue does not call it empty" bash -c "! grep -q 'empty' '$work/out'"
failed_id=$(sed -n 's/^\([^ ]*\)  failed$/\1/p' "$work/out" | head -n 1)
failed_before=$(find "$outbox/failed" -name '*.meta' | wc -l)
run --requeue "$failed_id"
expect_status "--requeue ID (exit 0)" 0
check "--requeue moved it from failed/ back to the queue" \
  bash -c "test $(queued_count) -eq 1 && test $(find "$outbox/failed" -name '*.meta' | wc -l) -eq $((failed_before - 1)) && grep -qx 'State=queued' '$outbox/$failed_id.meta'"
run --discard "$failed_id"
expect_status "--discard ID (exit 0)" 0
check "--discard deleted it" bash -c "test $(queued_count) -eq 0 && ! ls '$outbox/$failed_id'.* >/dev/null 2>&1"
run --discard no-such-message
expect_status "--discard of an unknown id: EX_USAGE (64)" 64

# A sendmail caller reads 75 as "try again" and submits the same message again although it is
# queued (issue 16.3): it is recognised, never queued twice, and delivered once.
run -t <"$work/patch.eml"
expect_status "server down: EX_TEMPFAIL (75)" 75
run -t <"$work/patch.eml"
expect_status "the same message submitted again: EX_TEMPFAIL (75)" 75
check "the same message is not queued twice" test "$(queued_count)" -eq 1
start_server resubmitted
before=$(stored_count)
run -t <"$work/patch.eml"
expect_status "the same message again once the server is back: exit 0" 0
check "it was delivered once and nothing is left queued" \
  test "$(stored_count)" -eq $((before + 1)) -a "$(queued_count)" -eq 0
stop_server

# A flush reports a failed session per message, as o365-send does, but older messages stay
# queued: nobody is waiting for them, and they go once the server or the account is back.
failed_count() {
  find "$outbox/failed" -name '*.eml' | wc -l
}
run -t <"$work/plain.eml"
expect_status "server down: a message to flush later (EX_TEMPFAIL, 75)" 75
failed_before=$(failed_count)
run --flush
expect_status "--flush with the server down: EX_TEMPFAIL (75)" 75
check "--flush says of the message that it is still queued" grep -q 'queued as .*--flush' "$work/err"
check "--flush with the server down leaves it queued" test "$(queued_count)" -eq 1
start_server sixth "$work/other-password"
run --flush
expect_status "--flush with the sign-in refused: EX_NOPERM (77)" 77
check "--flush with the sign-in refused leaves it queued, not failed" \
  test "$(queued_count)" -eq 1 -a "$(failed_count)" -eq "$failed_before"
stop_server
start_server seventh
before=$(stored_count)
run --flush
expect_status "--flush once the account works again (exit 0)" 0
check "the queued message was delivered and the outbox is empty" \
  test "$(stored_count)" -eq $((before + 1)) -a "$(queued_count)" -eq 0
stop_server

# Recipients refused one by one while others accept (issue 16.1): the message goes to those
# who accepted, stays queued for the one refused for a while, and the one refused for good is
# reported with the server's words; the status says not everyone got it.
start_server recipients "$work/password" --defer-recipient later@example.test --refuse-recipient nobody@example.test
before=$(stored_count)
run -v -- bob@example.test later@example.test nobody@example.test <"$work/plain.eml"
expect_status "a recipient refused for good, one for now, one accepted: EX_NOUSER (67)" 67
check "it reached the accepted recipient" test "$(stored_count)" -eq $((before + 1))
check "the permanent refusal is reported with the server's reply" grep -q 'Not sent to nobody@example.test: .*550 5.1.10' "$work/err"
check "the permanent refusal is explained" grep -q 'Not sent to nobody@example.test: .*refused this recipient: check the address' "$work/err"
check "the temporary refusal is reported" grep -q 'Not sent to later@example.test yet: .*452 4.2.2' "$work/err"
check "the message stays queued for the deferred recipient only" \
  bash -c "test $(queued_count) -eq 1 && grep -qx 'Recipients=later@example.test;' '$outbox'/*.meta"
stop_server
start_server recipients-later
run --flush
expect_status "the flush once the mailbox has room (exit 0)" 0
check "the flush sent it to the deferred recipient only" \
  bash -c "test \$(grep -c 'C: RCPT TO:' '$server_log') -eq 1 && grep -q 'C: RCPT TO:<later@example.test>' '$server_log'"
check "the outbox is empty after it" test "$(queued_count)" -eq 0
stop_server
start_server recipients-deferred "$work/password" --defer-recipient later@example.test
run -- bob@example.test later@example.test <"$work/plain.eml"
expect_status "only a temporary refusal: EX_TEMPFAIL (75)" 75
check "queued for the deferred recipient" test "$(queued_count)" -eq 1
stop_server
rm -f "$outbox"/*.meta "$outbox"/*.eml
# Office 365 takes 1000 recipients per message: 1005 go as two transactions on one connection.
start_server many-recipients
before=$(stored_count)
run -v -- $(seq -f 'r%g@example.test' 1005) <"$work/plain.eml"
expect_status "1005 recipients: exit 0" 0
check "1005 recipients: no recipient refused as one too many (452 4.5.3)" bash -c "! grep -q '452 4.5.3' '$server_log'"
check "1005 recipients: every one accepted" test "$(grep -c 'S: 250 2.1.5' "$server_log")" -eq 1005
check "1005 recipients: two transactions over one connection" \
  test "$(grep -c 'C: MAIL FROM' "$server_log")" -eq 2 -a "$(connections)" -eq 1 -a "$(stored_count)" -eq $((before + 2))
check "1005 recipients: nothing left queued" test "$(queued_count)" -eq 0
stop_server

# The whole message is sent and the server never answers; o365-send is killed meanwhile (issue
# 16.2). The entry was marked in flight before the end of data, so nothing sends it again.
start_server hang "$work/password" --hang-after-data
"$send" -t <"$work/plain.eml" >"$work/out" 2>"$work/err" &
send_pid=$!
for _ in $(seq 100); do
  grep -q 'never replying' "$server_log" && break
  sleep 0.1
done
check "the server has the whole message and does not answer" grep -q 'never replying' "$server_log"
check "meanwhile the entry is marked in flight" grep -qx 'State=in-flight' "$outbox"/*.meta
kill -9 "$send_pid"
wait "$send_pid" 2>/dev/null
stop_server
start_server after-hang
before=$(stored_count)
run --queue
check "with its sender gone, --queue shows it held-unknown" grep -q ' held-unknown$' "$work/out"
run --flush
expect_status "a flush after the kill (exit 0)" 0
check "the flush does not send a second copy" test "$(stored_count)" -eq "$before"
run --queue
check "the message is still there, held" bash -c "test $(queued_count) -eq 1 && grep -q ' held-unknown$' '$work/out'"
stop_server
rm -f "$outbox"/*.meta "$outbox"/*.eml

# The outcome is known at the 250 after the final dot (issue 12.8): o365-send reports it and
# exits without waiting for the answer to QUIT. The server never answers it; waiting would take
# the whole QUIT timeout (5 s) before the exit.
start_server quiet-quit "$work/password" --hang-after-quit
before=$(stored_count)
started=$(date +%s%N)
run -t <"$work/plain.eml"
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_status "QUIT never answered: the message is sent (exit 0)" 0
check "QUIT never answered: the server has the message and got QUIT" \
  bash -c "test $(stored_count) -eq $((before + 1)) && grep -q 'not answering QUIT' '$server_log'"
check "QUIT never answered: the outbox forgot the message" test "$(queued_count)" -eq 0
check "QUIT never answered: o365-send exited in $elapsed_ms ms, well before the 5 s QUIT timeout" \
  test "$elapsed_ms" -lt 3000
stop_server

# Two o365-send processes for one account at once (issue 16.4): one connection at a time, the
# second waiting for the first's to end.
start_server concurrent
before=$(stored_count)
"$send" -t <"$work/no-blank-big.eml" >"$work/out-1" 2>"$work/err-1" &
first_pid=$!
"$send" -t <"$work/plain.eml" >"$work/out-2" 2>"$work/err-2" &
second_pid=$!
wait_both
check "two concurrent o365-send for one account: both exit 0 and both arrive" \
  test "$first_status" -eq 0 -a "$second_status" -eq 0 -a "$(stored_count)" -eq $((before + 2))
check "two concurrent o365-send: the server never had two connections open at once" \
  awk '/connected from/ { open++; if (open > most) most = open } / closed$/ { open-- } END { exit most != 1 }' "$server_log"
stop_server

# The pacer's window is shared by processes (issue 16.4): two streams of o365-send, 3 messages
# each, at 3 messages per 2 seconds: no 2-second span of the server's arrivals holds 4.
start_server paced
before=$(stored_count)
paced_send() {
  local i
  for i in 1 2 3; do
    printf 'From: alice@example.test\nTo: bob@example.test\nSubject: paced %s-%s\n\nHi\n' "$1" "$i" |
      O365_ACCOUNT_SEND_RATE=3/2 "$send" -t >>"$work/out-$1" 2>>"$work/err-$1" || return 1
  done
}
paced_send 1 &
first_pid=$!
paced_send 2 &
second_pid=$!
wait_both
check "paced: both streams exit 0 and all 6 messages arrive" \
  test "$first_status" -eq 0 -a "$second_status" -eq 0 -a "$(stored_count)" -eq $((before + 6))
check "paced across processes: no 4 arrivals within 2 seconds" bash -c "
  find '$work/mail' -name '*.eml' -newer '$work/ready' -printf '%T@\n' | sort -n |
    awk '{ t[NR] = \$1 } END { for (i = 4; i <= NR; i++) if (t[i] - t[i - 3] < 2) exit 1; exit NR != 6 }'"
stop_server

# --- the same against a real Postfix + Dovecot SASL --------------------------------------------

pf_user=carol@example.test
pf=$work/postfix
# Postfix's and Dovecot's unprivileged users must traverse the (otherwise private) work dir.
chmod 711 "$work"
"$harness" start "$pf" --user "$pf_user" --password "$password" >"$work/postfix.env" 2>"$work/postfix.err" ||
  bail "Postfix did not start: $(cat "$work/postfix.err")"
pf_port=$(sed -n 's/^PORT=//p' "$work/postfix.env")
pf_maildir=$(sed -n 's/^MAILDIR=//p' "$work/postfix.env")
postfix_running=1
printf '%s' "$password" | "$account" add "$pf_user" --password-stdin --server localhost --port "$pf_port" \
  --ca-file "$O365_TEST_CERTS/ca.pem" >"$work/out" 2>"$work/err"
status=$?
expect_status "o365-account add for the Postfix mailbox" 0

# delivered_without_trace FILE: the delivered file minus the headers Postfix prepends.
delivered_without_trace() {
  awk 'BEGIN { head = 1 }
       head && /^(Return-Path|X-Original-To|Delivered-To|Received):/ { trace = 1; next }
       head && trace && /^[ \t]/ { next }
       { head = 0; trace = 0; print }' "$1"
}

# delivered_copies MESSAGE-ID: how many delivered files carry that Message-ID.
delivered_copies() {
  grep -l "^Message-ID: <$1>" "$pf_maildir"/new/* 2>/dev/null | wc -l
}

first_delivered() {
  grep -l "^Message-ID: <$1>" "$pf_maildir"/new/* | head -n 1
}

# git send-email style: -i -t with a Bcc; every recipient gets a copy, none shows the Bcc.
sed -e 's/alice@example.test/carol@example.test/' -e 's/patch-1@example.test/postfix-patch@example.test/' \
  "$work/patch.eml" >"$work/pf-patch.eml"
grep -v -e '^Bcc:' -e '^ erin@' "$work/pf-patch.eml" >"$work/pf-patch-sent.eml"
run -i -t <"$work/pf-patch.eml"
expect_status "Postfix: o365-send -i -t (git send-email style) exit 0" 0
"$harness" wait-mail "$pf" 4 30 >/dev/null 2>&1
check "Postfix: one copy per To/Cc/Bcc recipient (4)" test "$(delivered_copies postfix-patch@example.test)" -eq 4
delivered_without_trace "$(first_delivered postfix-patch@example.test)" >"$work/pf-got.eml"
check "Postfix: delivered byte-identical but for Postfix's headers, Bcc absent" \
  cmp -s "$work/pf-got.eml" "$work/pf-patch-sent.eml"
check "Postfix: no delivered copy shows the Bcc header" bash -c "! grep -l '^Bcc:' '$pf_maildir'/new/* >/dev/null 2>&1"

# neomutt style: -oi -oem -f ADDR -- recipients.
printf '%s\n' 'From: Carol <carol@example.test>' 'To: frank@example.test' 'Bcc: grace@example.test' \
  'Subject: from neomutt' 'Message-ID: <postfix-mutt@example.test>' \
  'Content-Type: text/plain; charset=utf-8' 'Content-Transfer-Encoding: 8bit' '' \
  'Grüße, with a Bcc.' '.' >"$work/pf-mutt.eml"
grep -v '^Bcc:' "$work/pf-mutt.eml" >"$work/pf-mutt-sent.eml"
run -oi -oem -f "$pf_user" -- frank@example.test grace@example.test <"$work/pf-mutt.eml"
expect_status "Postfix: o365-send -oi -oem -f ADDR -- rcpt… (neomutt style) exit 0" 0
"$harness" wait-mail "$pf" 6 30 >/dev/null 2>&1
check "Postfix: both recipients got it" test "$(delivered_copies postfix-mutt@example.test)" -eq 2
delivered_without_trace "$(first_delivered postfix-mutt@example.test)" >"$work/pf-got.eml"
check "Postfix: neomutt message byte-identical but for Postfix's headers, Bcc absent" \
  cmp -s "$work/pf-got.eml" "$work/pf-mutt-sent.eml"

# The outbox across a Postfix outage: three sends queue, one flush delivers each exactly once
# over a single connection.
"$harness" stop "$pf" >/dev/null 2>&1
postfix_running=''
for n in 1 2 3; do
  printf 'From: carol@example.test\nTo: heidi@example.test\nSubject: queued %s\nMessage-ID: <queued-%s@example.test>\n\nQueued while Postfix was down.\n' \
    "$n" "$n" >"$work/pf-q.eml"
  run -t <"$work/pf-q.eml"
  expect_status "Postfix down: send $n exits EX_TEMPFAIL (75)" 75
done
check "Postfix down: three messages queued" test "$(queued_count)" -eq 3
"$harness" start "$pf" --port "$pf_port" --user "$pf_user" --password "$password" >/dev/null 2>"$work/postfix.err" ||
  bail "Postfix did not start again: $(cat "$work/postfix.err")"
postfix_running=1
run --flush --account "$pf_user"
expect_status "Postfix back: --flush exit 0" 0
"$harness" wait-mail "$pf" 9 30 >/dev/null 2>&1
for n in 1 2 3; do
  check "Postfix back: queued message $n delivered exactly once" test "$(delivered_copies "queued-$n@example.test")" -eq 1
done
pf_connections=$("$harness" count-connections "$pf")
echo "# Postfix log: $pf_connections connection(s) since the restart carried the flush"
check "Postfix back: the flush used one connection" test "$pf_connections" -eq 1
check "Postfix back: the outbox is empty" test "$(queued_count)" -eq 0

"$harness" stop "$pf" >/dev/null 2>&1
postfix_running=''

tap_end
