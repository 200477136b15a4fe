#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration (TAP): tests/harness/postfix-harness starts a real Postfix + Dovecot SASL
# instance on 127.0.0.1 that behaves as the other tests rely on: STARTTLS before AUTH,
# byte-exact Maildir delivery, bare LF refused, connection counting, and a stop (also after a
# crash) that leaves no process behind. Needs root, like Postfix itself.
set -u

srcdir=${O365_TEST_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
harness=$srcdir/harness/postfix-harness
certs=${O365_TEST_CERTS:-}

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status.
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

[ "$(id -u)" = 0 ] || bail "must run as root: Postfix's master and Dovecot need it"
for tool in postfix dovecot curl; do
  command -v "$tool" > /dev/null || bail "$tool is not installed; run .ci/install-deps"
done

work=$(mktemp -d /tmp/o365-postfix-test.XXXXXX)
# Postfix's and Dovecot's unprivileged processes must reach the instance inside.
chmod 0755 "$work"
inst=$work/pf
cleanup() {
  "$harness" stop "$inst" > /dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

certs_args=()
[ -n "$certs" ] && certs_args=(--certs "$certs")

# in_sessions SID...: live processes in these sessions. leftovers: those in $SIDS, plus any
# with our work directory in its command line or working directory. Checked here with bash
# builtins, independently of the harness's own bookkeeping.
scan() {
  local p line fields args cwd
  for p in /proc/[0-9]*; do
    { IFS= read -r line < "$p/stat"; } 2> /dev/null || continue
    # shellcheck disable=SC2206
    fields=(${line##*) })
    case ${fields[0]} in Z | X | x) continue ;; esac
    args=()
    { mapfile -d '' args < "$p/cmdline"; } 2> /dev/null
    cwd=$(readlink "$p/cwd" 2> /dev/null)
    if [[ " $1 " == *" ${fields[3]} "* ]] ||
      { [ "$2" = all ] && [[ "${args[*]}" == *"$work"* || $cwd == "$work"* ]]; }; then
      echo "${p#/proc/} ${args[*]}"
    fi
  done
}
in_sessions() { scan "$*" sessions; }
leftovers() { scan "$SIDS" all; }

# port_closed PORT: nothing accepts connections on 127.0.0.1:PORT.
port_closed() { ! { : 3<> "/dev/tcp/127.0.0.1/$1"; } 2> /dev/null; }

# failed_with STATUS REGEX FILE: a client failed, and its output matches REGEX.
failed_with() { [ "$1" != 0 ] && grep -q -- "$2" "$3"; }

# received_says TEXT FILE BODY_LINE: the prepended headers (before BODY_LINE) contain TEXT.
received_says() { head -n $(($3 - 1)) "$2" | grep -qF -- "$1"; }

# facts FILE NAME: one fact from saved harness output.
fact() { sed -n "s/^$2=//p" "$1" | head -n 1; }

smtp_url() { echo "smtp://localhost:$PORT/client.example.test"; }
curl_smtp() {
  curl -sS --max-time 20 --resolve "localhost:$PORT:127.0.0.1" "$@"
}

# ---- start -------------------------------------------------------------------------------
start_ms=${EPOCHREALTIME/./}
if "$harness" start "$inst" "${certs_args[@]}" > "$work/facts" 2> "$work/start.err"; then
  ok "start succeeds ($(((${EPOCHREALTIME/./} - start_ms) / 1000)) ms)"
else
  not_ok "start succeeds"
  diag "$(cat "$work/start.err")"
  bail "cannot continue without a running instance"
fi
PORT=$(fact "$work/facts" PORT)
CA=$(fact "$work/facts" CA)
MAILDIR=$(fact "$work/facts" MAILDIR)
LOG=$(fact "$work/facts" LOG)
SMTP_USER=$(fact "$work/facts" SMTP_USER)
SMTP_PASSWORD=$(fact "$work/facts" SMTP_PASSWORD)
SIDS="$(fact "$work/facts" POSTFIX_PID) $(fact "$work/facts" DOVECOT_PID)"
check "facts: PORT, CA, MAILDIR, LOG, SMTP_USER, SMTP_PASSWORD, both pids" \
  test -n "$PORT" -a -r "$CA" -a -d "$MAILDIR/new" -a -r "$LOG" -a -n "$SMTP_USER" \
  -a -n "$SMTP_PASSWORD" -a "$(echo "$SIDS" | wc -w)" = 2
[ -n "$certs" ] && check "the certificates come from O365_TEST_CERTS" test "$CA" = "$(realpath "$certs/ca.pem")"
check "env repeats the facts" cmp -s "$work/facts" <("$harness" env "$inst" 2> /dev/null)
check "a second start is refused while running" refused_again
check "the instance survives the refused second start" cmp -s "$work/facts" <("$harness" env "$inst" 2> /dev/null)
connections=0

# ---- before STARTTLS: no AUTH --------------------------------------------------------------
pre_tls_session() {
  local line
  exec 3<> "/dev/tcp/127.0.0.1/$PORT" || return 1
  IFS= read -r -t 5 line <&3 && echo "$line"
  printf 'EHLO client.example.test\r\n' >&3
  while IFS= read -r -t 5 line <&3; do
    echo "$line"
    case $line in 250-*) ;; *) break ;; esac
  done
  # AUTH PLAIN for alice@example.test / anything: refused before any TLS.
  printf 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB4\r\n' >&3
  IFS= read -r -t 5 line <&3 && echo "AUTH-REPLY $line"
  printf 'QUIT\r\n' >&3
  IFS= read -r -t 5 line <&3 && echo "$line"
  exec 3<&-
}
pre_tls_session | tr -d '\r' > "$work/pre-tls.txt"
connections=$((connections + 1))
check "EHLO before TLS offers STARTTLS" grep -qx '250[ -]STARTTLS' "$work/pre-tls.txt"
check "EHLO before TLS does not offer AUTH" fails grep -q '^250[ -]AUTH' "$work/pre-tls.txt"
check "AUTH before TLS is refused with 503" grep -q '^AUTH-REPLY 503 ' "$work/pre-tls.txt" ||
  diag "$(cat "$work/pre-tls.txt")"

# ---- the message ---------------------------------------------------------------------------
long=$(printf 'x%.0s' $(seq 1 990))
printf '%s\r\n' \
  'From: Alice <alice@example.test>' \
  'To: Bob <bob@example.test>' \
  'Subject: harness byte-exact check' \
  'X-Folded: first' \
  $'\tsecond' \
  '' \
  'first body line' \
  '.leading dot (dot-stuffed on the wire)' \
  '..two dots' \
  '.' \
  $'trailing spaces and a tab   \t' \
  'UTF-8: grüße, 日本語' \
  '' \
  "$long" \
  'last line' > "$work/message.eml"
tr -d '\r' < "$work/message.eml" > "$work/expected.eml"

curl_smtp --cacert "$CA" "$(smtp_url)" --mail-from alice@example.test --mail-rcpt bob@example.test \
  -T "$work/message.eml" > "$work/plain.out" 2>&1
rc=$?
connections=$((connections + 1))
check "without TLS and AUTH, the recipient is refused (554 5.7.1)" \
  failed_with "$rc" '^curl: (55) RCPT failed: 554' "$work/plain.out" || diag "$(cat "$work/plain.out")"

curl_smtp --ssl-reqd --cacert "$CA" "$(smtp_url)" --user "$SMTP_USER:wrong-$SMTP_PASSWORD" \
  --mail-from alice@example.test --mail-rcpt bob@example.test -T "$work/message.eml" \
  > "$work/badpw.out" 2>&1
rc=$?
connections=$((connections + 1))
check "a wrong password is refused after STARTTLS (curl exit 67)" test "$rc" = 67 ||
  diag "curl exit $rc" "$(cat "$work/badpw.out")"

curl_smtp -v --ssl-reqd --cacert "$CA" "$(smtp_url)" --user "$SMTP_USER:$SMTP_PASSWORD" \
  --mail-from alice@example.test --mail-rcpt bob@example.test -T "$work/message.eml" \
  > "$work/good.out" 2>&1
rc=$?
connections=$((connections + 1))
check "curl submits over STARTTLS with AUTH" test "$rc" = 0 || diag "$(tail -n 20 "$work/good.out")"
check "the certificate was verified against the test CA for localhost" \
  grep -q 'subjectAltName: host "localhost" matched' "$work/good.out"

if "$harness" wait-mail "$inst" 1 10 > "$work/mail.list" 2> "$work/wait.err"; then
  ok "the message is delivered to the Maildir"
else
  not_ok "the message is delivered to the Maildir"
  diag "$(cat "$work/wait.err")"
fi
delivered=$(head -n 1 "$work/mail.list")

# body_start FILE: the line number after exactly the four headers Postfix prepends; fails if
# they are not exactly those.
body_start() {
  LC_ALL=C awk '
    NR == 1 { if ($0 != "Return-Path: <alice@example.test>") exit 1; next }
    NR == 2 { if ($0 != "X-Original-To: bob@example.test") exit 1; next }
    NR == 3 { if ($0 != "Delivered-To: bob@example.test") exit 1; next }
    NR == 4 { if ($0 !~ /^Received: from client\.example\.test /) exit 1; next }
    /^[ \t]/ { next }
    { print NR; found = 1; exit 0 }
    END { if (!found) exit 1 }' "$1"
}
if [ -n "$delivered" ] && start_line=$(body_start "$delivered"); then
  ok "Postfix prepended exactly Return-Path, X-Original-To, Delivered-To and one Received"
  check "the rest is the submitted message byte for byte (CRLF stored as LF)" \
    cmp "$work/expected.eml" <(tail -n +"$start_line" "$delivered")
  check "the Received header records ESMTPSA (TLS + AUTH)" \
    received_says "with ESMTPSA id" "$delivered" "$start_line"
else
  not_ok "Postfix prepended exactly Return-Path, X-Original-To, Delivered-To and one Received"
  not_ok "the rest is the submitted message byte for byte (CRLF stored as LF)"
  not_ok "the Received header records ESMTPSA (TLS + AUTH)"
  [ -n "$delivered" ] && diag "$(head -n 8 "$delivered")"
fi

# ---- bare LF -------------------------------------------------------------------------------
printf 'From: <alice@example.test>\r\nTo: <bob@example.test>\r\nSubject: bare LF\r\n\r\nbare\nLF\r\n' \
  > "$work/bare-lf.eml"
curl_smtp -v --ssl-reqd --cacert "$CA" "$(smtp_url)" --user "$SMTP_USER:$SMTP_PASSWORD" \
  --mail-from alice@example.test --mail-rcpt bob@example.test -T "$work/bare-lf.eml" \
  > "$work/bare-lf.out" 2>&1
rc=$?
connections=$((connections + 1))
check "a bare LF in the body is refused: 550 5.5.2 ... bare <LF> received" \
  failed_with "$rc" '^< 550 5\.5\.2 .*bare <LF> received' "$work/bare-lf.out" ||
  diag "$(grep '^[<>]' "$work/bare-lf.out" | tail -n 6)"

# ---- connection count ----------------------------------------------------------------------
count=$("$harness" count-connections "$inst" 2> "$work/count.err")
check "count-connections counts the $connections client connections, not the harness's probe" \
  test "$count" = "$connections" || diag "counted: $count" "$(cat "$work/count.err")"
check "nothing else reached the Maildir" test "$(find "$MAILDIR/new" -type f | wc -l)" = 1

# ---- stop ----------------------------------------------------------------------------------
stop_ms=${EPOCHREALTIME/./}
if "$harness" stop "$inst" 2> "$work/stop.err"; then
  ok "stop succeeds ($(((${EPOCHREALTIME/./} - stop_ms) / 1000)) ms)"
else
  not_ok "stop succeeds"
  diag "$(cat "$work/stop.err")"
fi
left=$(leftovers)
check "no process of the instance is left" test -z "$left" || diag "$left"
check "nothing listens on port $PORT any more" port_closed "$PORT"
check "a second stop is harmless" "$harness" stop "$inst"
check "env fails once stopped" fails quiet "$harness" env "$inst"

# ---- restart and crashes -------------------------------------------------------------------
if "$harness" start "$inst" "${certs_args[@]}" > "$work/facts2" 2> "$work/start.err"; then
  ok "start again in the same DIR (a server restart)"
else
  not_ok "start again in the same DIR (a server restart)"
  diag "$(cat "$work/start.err")"
fi
check "the restart keeps the mail delivered before it" test "$(find "$MAILDIR/new" -type f | wc -l)" = 1
check "count-connections counts from the latest start" \
  test "$("$harness" count-connections "$inst" 2> /dev/null)" = 0
pf=$(fact "$work/facts2" POSTFIX_PID)
dc=$(fact "$work/facts2" DOVECOT_PID)
SIDS="$pf $dc"
kill -KILL "$pf" 2> /dev/null
if "$harness" start "$inst" "${certs_args[@]}" > "$work/facts3" 2> "$work/start.err"; then
  ok "start after a Postfix crash cleans up and starts afresh"
else
  not_ok "start after a Postfix crash cleans up and starts afresh"
  diag "$(cat "$work/start.err")"
fi
left=$(in_sessions "$pf" "$dc")
check "the crashed instance's processes are gone" test -z "$left" || diag "$left"
SIDS="$(fact "$work/facts3" POSTFIX_PID) $(fact "$work/facts3" DOVECOT_PID)"
kill -KILL "$(fact "$work/facts3" DOVECOT_PID)" 2> /dev/null
check "stop after a Dovecot crash succeeds" "$harness" stop "$inst"
left=$(leftovers)
check "no process is left after the crash and stop" test -z "$left" || diag "$left"

echo "1..$n"
