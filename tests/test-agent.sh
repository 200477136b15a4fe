#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-agent.sh — issue 12's acceptance list for the per-user submission agent
# (o365-account-agent on org.o365account.Agent): a private D-Bus session bus that activates the
# build tree's agent, a real gnome-keyring on it (tests/harness/keyring-harness), the tests'
# Office-365-like server on 127.0.0.1 (holding at a chosen stage for the kill -9 cases) and the
# tests' notification service (servers/notification-test-server.py). TAP.
#
#   test-agent.sh O365_SEND O365_ACCOUNT O365_TEST_SERVER KEYRING_HARNESS NOTIFICATION_SERVER SERVICE_DIR
#
# SERVICE_DIR holds org.o365account.Agent.service (build/data/dbus-1/services). Needs
# $O365_TEST_CERTS, $GSETTINGS_SCHEMA_DIR and $O365_ACCOUNT_PLUGIN_PATH (meson test sets them).
# Everything it starts it stops, every wait is bounded.
set -u

if [ $# -ne 6 ]; then
  echo "Bail out! usage: $0 O365_SEND O365_ACCOUNT O365_TEST_SERVER KEYRING_HARNESS NOTIFICATION_SERVER SERVICE_DIR"
  exit 1
fi
send=$1 account=$2 server=$3 harness=$4 notification_server=$5 service_dir=$6
user=alice@example.test
password=secret-pw-1234
agent_name=org.o365account.Agent
python3=/usr/bin/python3

for tool in dbus-daemon dbus-update-activation-environment gnome-keyring-daemon gdbus "$python3"; do
  command -v "$tool" >/dev/null || { echo "Bail out! $tool is missing (install dbus, gnome-keyring, libglib2.0-bin, python3-gi)"; exit 1; }
done

# Short: the keyring's sockets live under it (108 bytes at most).
work=$(mktemp -d /tmp/test-agent-XXXXXX)
bus_started='' server_pid='' notifier_pid=''

cleanup() {
  [ -n "$notifier_pid" ] && kill "$notifier_pid" 2>/dev/null && wait "$notifier_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  # The bus's session holds the keyring and every agent it activated: stop ends them all.
  [ -n "$bus_started" ] && "$harness" stop "$work/kr" >/dev/null 2>&1
  # TEST_AGENT_KEEP=1 keeps the logs, the outbox and the mail for a look afterwards.
  if [ -n "${TEST_AGENT_KEEP:-}" ]; then echo "# kept in $work"; else rm -rf "$work"; fi
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

now_ms() {
  echo $(($(date +%s%N) / 1000000))
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails after SECONDS.
wait_until() {
  local limit=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -ge "$limit" ] && return 1
    sleep 0.1
  done
}

# --- the bus, the keyring, a private home and settings ----------------------------------------

mkdir -p "$work/mail"
"$harness" start "$work/kr" --service-dir "$service_dir" >"$work/kr.env" 2>"$work/kr.err" ||
  bail "keyring-harness did not start: $(cat "$work/kr.err")"
bus_started=1
# The bus's address and the private HOME and XDG_* directories, which the harness also gave
# the agents the bus activates: they share the outbox with o365-send.
set -a
. "$work/kr.env"
set +a
# The settings in a keyfile in that home: they outlive each process.
export GSETTINGS_BACKEND=keyfile
# The agent's backoff: 1 s, doubling up to 4 s (default 30 s up to 30 min).
export O365_AGENT_RETRY=1/4
retry_bound=4
export O365_AGENT_LOG=$work/agent.log
# The rest of what the agent must share with o365-send (meson test's environment among it).
dbus-update-activation-environment GSETTINGS_BACKEND GSETTINGS_SCHEMA_DIR O365_ACCOUNT_PLUGIN_PATH \
  O365_ACCOUNT_SEND_RATE O365_ACCOUNT_LOCALEDIR O365_AGENT_RETRY O365_AGENT_LOG G_DEBUG LC_ALL LANGUAGE \
  GIO_USE_PROXY_RESOLVER || bail "dbus-update-activation-environment failed"
outbox=$XDG_DATA_HOME/o365-account/outbox

bus_method() {
  gdbus call --session --timeout 10 --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method "org.freedesktop.DBus.$1" "${@:2}" 2>/dev/null
}

name_has_owner() {
  bus_method NameHasOwner "$1" | grep -q true
}

agent_pid() {
  bus_method GetConnectionUnixProcessID "$agent_name" | sed -n 's/^(uint32 \([0-9]*\),)$/\1/p'
}

agent_gone() {
  ! name_has_owner "$agent_name"
}

# agent_call METHOD ARGS...: a method of the agent (activating it if need be), reply on stdout.
agent_call() {
  gdbus call --session --timeout 30 --dest "$agent_name" --object-path /org/o365account/Agent \
    --method "org.o365account.Agent1.$1" "${@:2}"
}

# kill_agent: kill -9 of the running agent; waits until the bus has seen it go.
kill_agent() {
  local pid
  pid=$(agent_pid)
  [ -n "$pid" ] || return 1
  kill -9 "$pid" && wait_until 10 agent_gone
}

# stop_agent: SIGTERM, so the next client activates an agent with the bus's current environment.
stop_agent() {
  local pid
  pid=$(agent_pid)
  [ -z "$pid" ] || { kill "$pid" && wait_until 10 agent_gone; }
}

# set_agent_env NAME=VALUE...: the environment the next activated agent gets.
set_agent_env() {
  local pair dict=''
  for pair in "$@"; do
    dict+="${dict:+, }'${pair%%=*}': '${pair#*=}'"
  done
  bus_method UpdateActivationEnvironment "{$dict}" >/dev/null
}

# --- the servers ------------------------------------------------------------------------------

printf '%s\n' "$password" >"$work/password"
port=0 server_log=''

# start_server NAME [SERVER_OPTION...]: the server on $port (0 the first time, the same port
# after), logging to $work/NAME.log.
start_server() {
  server_log=$work/$1.log
  shift
  rm -f "$work/ready"
  "$server" --port "$port" --cert-dir "$O365_TEST_CERTS" --user "$user" --password-file "$work/password" \
    --mail-dir "$work/mail" --ready-fd 3 "$@" 3>"$work/ready" 2>"$server_log" &
  server_pid=$!
  wait_until 10 grep -q '^PORT=' "$work/ready" || bail "the test server did not start: $(cat "$server_log")"
  port=$(sed -n 's/^PORT=//p' "$work/ready")
}

stop_server() {
  kill "$server_pid" && wait "$server_pid"
  server_pid=''
}

# most_open [LOG]: the most connections the server had open at once.
most_open() {
  awk '/\] connected from / { open++; if (open > most) most = open } /\] closed$/ { open-- }
       END { print most + 0 }' "${1:-$server_log}"
}

# arrivals [LOG]: when each message was accepted, in seconds of the day, in order.
arrivals() {
  awk '/\] message <.*> accepted/ { split($1, t, ":"); printf "%.3f\n", t[1] * 3600 + t[2] * 60 + t[3] }' \
    "${1:-$server_log}"
}

notifications=$work/notifications.jsonl
: >"$notifications"

start_notifier() {
  "$python3" "$notification_server" "$notifications" >"$work/notifier.out" 2>"$work/notifier.err" &
  notifier_pid=$!
  wait_until 10 grep -q '^READY' "$work/notifier.out" ||
    bail "the notification server did not start: $(cat "$work/notifier.err")"
}

stop_notifier() {
  kill "$notifier_pid" && wait "$notifier_pid"
  notifier_pid=''
}

notification_count() {
  wc -l <"$notifications"
}

notifications_at_least() {
  [ "$(notification_count)" -ge "$1" ]
}

# --- messages, the mail directory, the outbox --------------------------------------------------

# message ID [SUBJECT]: a small message with Message-ID <ID@example.test> on stdout.
message() {
  printf 'From: alice@example.test\nTo: bob@example.test\nSubject: %s\nMessage-ID: <%s@example.test>\n\nHello.\n' \
    "${2:-$1}" "$1"
}

# copies ID: how many messages with that Message-ID the server stored.
copies() {
  grep -l -F "Message-ID: <$1@example.test>" "$work/mail"/*.eml 2>/dev/null | wc -l
}

# all_delivered_once ID...: every one of them stored exactly once.
all_delivered_once() {
  local id
  for id in "$@"; do
    [ "$(copies "$id")" -eq 1 ] || return 1
  done
}

# check_once DESCRIPTION ID...: a test of all_delivered_once, saying how many copies there were.
check_once() {
  local description=$1 id counts=''
  shift
  if all_delivered_once "$@"; then
    ok "$description"
  else
    for id in "$@"; do counts+=" $id:$(copies "$id")"; done
    not_ok "$description" "copies stored:$counts"
  fi
}

queued_count() {
  find "$outbox" -maxdepth 1 -name '*.meta' 2>/dev/null | wc -l
}

outbox_empty() {
  [ "$(queued_count)" -eq 0 ]
}

# send_bg NAME ID [O365_SEND_OPTION...]: o365-send --debug -t of message ID in the background
# (bounded to 60 s), output in $work/NAME.out/.err, status in $work/NAME.status.
send_bg() {
  local name=$1 id=$2
  shift 2
  message "$id" | timeout 60 "$send" --debug -t "$@" >"$work/$name.out" 2>"$work/$name.err"
  echo $? >"$work/$name.status"
}

status_of() {
  cat "$work/$1.status" 2>/dev/null || echo none
}

# run NAME ARGS... < input: o365-send in the foreground, status in $status.
run() {
  local name=$1
  shift
  timeout 60 "$send" "$@" >"$work/$name.out" 2>"$work/$name.err"
  status=$?
}

expect_status() {
  local description=$1 name=$2 expected=$3
  if [ "$status" -eq "$expected" ]; then
    ok "$description"
  else
    not_ok "$description" "exit status $status, expected $expected" "$(cat "$work/$name.err")"
  fi
}

# --- the account --------------------------------------------------------------------------------

start_server setup
printf '%s' "$password" | "$account" add "$user" --password-stdin --server localhost --port "$port" \
  --ca-file "$O365_TEST_CERTS/ca.pem" >"$work/add.out" 2>"$work/add.err"
status=$?
expect_status "o365-account add stores the account and its password" add 0
[ "$status" -eq 0 ] || bail "without the account nothing else can run"
stop_server

check "the build tree's agent is activatable (its .service file in $service_dir)" \
  test -r "$service_dir/$agent_name.service"

# --- with no session bus, or the agent refused, o365-send sends directly ------------------------

start_server direct
# No bus means no keyring either: the message stays queued (as today), but the path is direct.
message no-bus | env -u DBUS_SESSION_BUS_ADDRESS timeout 60 "$send" --debug -t >"$work/no-bus.out" 2>"$work/no-bus.err"
status=$?
check "no session bus: --debug says the message is sent directly" grep -q 'sending directly' "$work/no-bus.err"
check "no session bus: not through the agent" bash -c "! grep -q 'through the agent' '$work/no-bus.err'"
expect_status "no session bus: EX_TEMPFAIL (75), the keyring is out of reach too" no-bus 75
message no-bus-2 | DBUS_SESSION_BUS_ADDRESS=unix:path=$work/no-such-bus timeout 60 "$send" --debug -t \
  >"$work/bad-bus.out" 2>"$work/bad-bus.err"
check "an unreachable session bus: sent directly, and --debug says so" grep -q 'sending directly' "$work/bad-bus.err"
check "no session bus: no agent was started" agent_gone
message direct | O365_SEND_NO_AGENT=1 timeout 60 "$send" --debug -t >"$work/no-agent.out" 2>"$work/no-agent.err"
status=$?
expect_status "O365_SEND_NO_AGENT=1: exit 0" no-agent 0
check "O365_SEND_NO_AGENT=1: sent directly, and --debug says so" \
  bash -c "grep -q 'sending directly' '$work/no-agent.err' && test \$(grep -l -F 'Message-ID: <direct@example.test>' '$work/mail'/*.eml | wc -l) -eq 1"
stop_server
# The two messages queued without a keyring are not the subject of what follows.
rm -f "$outbox"/*.meta "$outbox"/*.eml

# --- through the agent, o365-send never loads the plug-in: the agent finds the account -----------

start_server find-account
# A plug-in path with no plug-in: only the agent (activated with the right one) can know the account.
message no-plugin | O365_ACCOUNT_PLUGIN_PATH=$work/no-plugins timeout 60 "$send" --debug -t \
  >"$work/no-plugin.out" 2>"$work/no-plugin.err"
status=$?
expect_status "through the agent, o365-send needs no plug-in of its own: exit 0" no-plugin 0
check "... and the message went through the agent" grep -q 'through the agent' "$work/no-plugin.err"
message unknown-account | timeout 60 "$send" --account nobody@example.test -t \
  >"$work/unknown-account.out" 2>"$work/unknown-account.err"
status=$?
expect_status "an unknown --account, answered by the agent: EX_NOUSER (67)" unknown-account 67
check "... saying which account is missing, and nothing is queued" \
  bash -c "grep -q 'nobody@example.test' '$work/unknown-account.err' && test \$(ls '$outbox' | grep -c '[.]meta\$') -eq 0"
stop_server

# --- concurrent o365-send: one connection at a time, each message once --------------------------

for n in 2 8; do
  start_server "concurrent-$n"
  ids=() jobs=()
  for i in $(seq "$n"); do
    ids+=("concurrent-$n-$i")
    send_bg "concurrent-$n-$i" "concurrent-$n-$i" &
    jobs+=($!)
  done
  wait "${jobs[@]}"
  failed=''
  for i in $(seq "$n"); do
    [ "$(status_of "concurrent-$n-$i")" = 0 ] || failed+=" $i:$(status_of "concurrent-$n-$i")"
  done
  check "$n concurrent o365-send: every one exits 0" test -z "$failed"
  if [ -n "$failed" ]; then
    first=${failed# }
    first=${first%%:*}
    echo "# exit statuses (process:status):$failed; process $first said:"
    grep -v -e '^[CS]: ' -e '^\*' "$work/concurrent-$n-$first.err" | head -n 3 | sed 's/^/#   /'
  fi
  through=$(cat "$work"/concurrent-"$n"-*.err | grep -c 'through the agent')
  check "$n concurrent o365-send: every one went through the agent ($through of $n said so)" test "$through" -eq "$n"
  check_once "$n concurrent o365-send: every message stored exactly once (by Message-ID)" "${ids[@]}"
  check "$n concurrent o365-send: as many messages as processes reached the server" \
    test "$(grep -c '\] message <.*> accepted' "$server_log")" -eq "$n"
  most=$(most_open)
  echo "# $n concurrent: $(grep -c '\] connected from ' "$server_log") connection(s), at most $most open at once"
  check "$n concurrent o365-send: the server never had two connections open at once" test "$most" -eq 1
  check "$n concurrent o365-send: nothing left in the outbox" outbox_empty
  stop_server
done

# --- pacing across processes ----------------------------------------------------------------------

# 5 messages per 2 seconds for the agent (a new one, activated with that rate) and for o365-send.
stop_agent
set_agent_env O365_ACCOUNT_SEND_RATE=5/2
start_server paced
ids=() jobs=()
for p in 1 2 3 4 5; do
  (
    for i in 1 2; do
      O365_ACCOUNT_SEND_RATE=5/2 send_bg "paced-$p-$i" "paced-$p-$i"
    done
  ) &
  jobs+=($!)
  ids+=("paced-$p-1" "paced-$p-2")
done
wait "${jobs[@]}"
failed=''
for p in 1 2 3 4 5; do
  for i in 1 2; do
    [ "$(status_of "paced-$p-$i")" = 0 ] || failed+=" $p-$i:$(status_of "paced-$p-$i")"
  done
done
check "paced: 5 processes sending 2 each all exit 0" test -z "$failed"
check_once "paced: all 10 stored exactly once" "${ids[@]}"
arrivals >"$work/paced.times"
echo "# paced arrivals (s): $(tr '\n' ' ' <"$work/paced.times")"
# The pacer counts a message when it starts and the server logs its end: 50 ms of slack.
check "paced at 5/2 across processes: no 6 arrivals within 2 seconds, and 10 in all" \
  awk '{ t[NR] = $1 } END { for (i = 6; i <= NR; i++) if (t[i] - t[i - 5] < 1.95) exit 1; exit NR != 10 }' \
  "$work/paced.times"
stop_server
stop_agent
set_agent_env O365_ACCOUNT_SEND_RATE=1000/1

# --- server down: queued, then delivered by the agent alone; notifications ------------------------

start_notifier
# Refused connections on the account's port: nothing listens there now.
ids=(outage-1 outage-2 outage-3)
for id in "${ids[@]}"; do
  message "$id" | timeout 60 "$send" -t >"$work/$id.out" 2>"$work/$id.err"
  status=$?
  expect_status "server down: $id exits EX_TEMPFAIL (75)" "$id" 75
done
check "server down: three messages queued" test "$(queued_count)" -eq 3
before_notes=$(notification_count)
t0=$(now_ms)
start_server outage-back
# Within the backoff bound, plus one attempt's time and the jitter.
wait_until $((retry_bound * 2 + 5)) all_delivered_once "${ids[@]}"
elapsed=$(($(now_ms) - t0))
echo "# server back: delivered after $elapsed ms (backoff bound ${retry_bound} s)"
check_once "server back: the agent delivered all three with no command, each exactly once" "${ids[@]}"
check "server back: within the backoff bound (${retry_bound} s, plus 5 s for the attempt)" \
  test "$elapsed" -le $(((retry_bound + 5) * 1000))
check "server back: the outbox is empty" wait_until 5 outbox_empty
wait_until 5 notifications_at_least $((before_notes + 3))
sed -n "$((before_notes + 1)),\$p" "$notifications" | sed 's/^/# notification: /'
check "a notification for each deferred message finally sent (3)" test "$(notification_count)" -eq $((before_notes + 3))
stop_server

# A permanent failure of a queued message: the server, back, refuses its recipient for good.
message refused | timeout 60 "$send" -- nobody@example.test >"$work/refused.out" 2>"$work/refused.err"
status=$?
expect_status "server down: a message to nobody@example.test exits EX_TEMPFAIL (75)" refused 75
before_notes=$(notification_count)
start_server refusing --refuse-recipient nobody@example.test
check "server back, refusing the recipient for good: the message goes to failed/" \
  wait_until $((retry_bound * 2 + 5)) bash -c "ls '$outbox/failed'/*.meta >/dev/null 2>&1 && test \$(find '$outbox' -maxdepth 1 -name '*.meta' | wc -l) -eq 0"
wait_until 5 notifications_at_least $((before_notes + 1))
sed -n "$((before_notes + 1)),\$p" "$notifications" | sed 's/^/# notification: /'
check "a notification for the permanent failure" test "$(notification_count)" -eq $((before_notes + 1))
check "the failure's notification names the refused recipient or the server's reason" \
  bash -c "tail -n 1 '$notifications' | grep -q -e 'nobody@example.test' -e '5.1.10' -e 'RecipientNotFound'"
stop_server
stop_notifier

# No notification service on the bus: the deferred message still goes, and nothing complains.
log_lines=$(cat "$O365_AGENT_LOG" 2>/dev/null | wc -l)
before_notes=$(notification_count)
message quiet | timeout 60 "$send" -t >"$work/quiet.out" 2>"$work/quiet.err"
status=$?
expect_status "server down, no notification service: EX_TEMPFAIL (75)" quiet 75
# The agent keeps it queued: it is the one to deliver it, and must still be there after.
pid_before=$(agent_pid)
start_server quiet
wait_until $((retry_bound * 2 + 5)) all_delivered_once quiet
check_once "no notification service: the agent delivers the deferred message all the same" quiet
pid_after=$(agent_pid)
sleep 1
tail -n +"$((log_lines + 1))" "$O365_AGENT_LOG" >"$work/quiet-agent.log" 2>/dev/null
check "no notification service: no notification recorded" test "$(notification_count)" -eq "$before_notes"
# GLib's warnings and criticals, fatal in the tests (G_DEBUG), would have ended the agent.
check "no notification service: the agent logged no warning or error, and did not crash" \
  bash -c "! grep -q -E '(WARNING|CRITICAL|ERROR) \*\*' '$work/quiet-agent.log' && test -n '$pid_before' && test '$pid_after' = '$pid_before'"
sed 's/^/# agent log: /' "$work/quiet-agent.log"
stop_server
rm -rf "$outbox/failed"

# --- a flush by a person goes through the agent and its open connection ------------------------

# The agent keeps its connection open for a while after a message (30 s); a flush of its own
# would wait for that connection to close, so o365-send --flush and o365-account flush hand the
# queue to the agent. What such a flush sends and the agent would not send by itself: held
# messages (--include-unknown), here made by marking queued ones held-unknown, the state of a
# message whose final reply never came. The agent does not retry within the test.
stop_agent
set_agent_env O365_AGENT_RETRY=600/600
rm -f "$outbox"/*.meta "$outbox"/*.eml
for flusher in o365-send o365-account; do
  ids=("flush-$flusher-1" "flush-$flusher-2" "flush-$flusher-3")
  for id in "${ids[@]}"; do
    message "$id" | timeout 60 "$send" -t >"$work/$id.out" 2>"$work/$id.err"
  done
  check "$flusher flush: three messages queued while the server is down" test "$(queued_count)" -eq 3
  sed -i 's/^State=queued$/State=held-unknown/' "$outbox"/*.meta
  start_server "flush-$flusher"
  message "flush-$flusher-warm" | timeout 60 "$send" -t >"$work/flush-warm.out" 2>"$work/flush-warm.err"
  check "$flusher flush: the agent sent a message and keeps its connection; the held ones wait" \
    bash -c "test $(copies "flush-$flusher-warm") -eq 1 && test $(copies "flush-$flusher-1") -eq 0"
  t0=$(now_ms)
  if [ "$flusher" = o365-send ]; then
    run "flush-$flusher" --flush --include-unknown --debug
  else
    timeout 60 "$account" flush --include-unknown --debug >"$work/flush-$flusher.out" 2>"$work/flush-$flusher.err"
    status=$?
  fi
  elapsed=$(($(now_ms) - t0))
  connections=$(grep -c '\] connected from ' "$server_log")
  echo "# $flusher flush: $elapsed ms, $connections connection(s) in all"
  expect_status "$flusher flush --include-unknown, the agent's connection open: exit 0" "flush-$flusher" 0
  check "$flusher flush: through the agent, and --debug says so" grep -q 'flushed through the agent' "$work/flush-$flusher.err"
  check "$flusher flush: each of the three reported sent" test "$(grep -c '^Sent ' "$work/flush-$flusher.out")" -eq 3 ||
    echo "# said: $(head -c 600 "$work/flush-$flusher.out")"
  check_once "$flusher flush: the three and the agent's own stored once each" "${ids[@]}" "flush-$flusher-warm"
  check "$flusher flush: over the agent's open connection, without waiting for it to close (< 10 s)" \
    test "$connections" -eq 1 -a "$elapsed" -lt 10000
  check "$flusher flush: the outbox is empty" outbox_empty
  stop_server
done
stop_agent
set_agent_env O365_AGENT_RETRY=1/4

# --- kill -9 of the agent at every stage --------------------------------------------------------

# What an earlier case left queued (when it failed) would blur the outbox counts below.
rm -f "$outbox"/*.meta "$outbox"/*.eml

# Four messages, each caught at another stage; at the end every one is stored once, but for the
# one caught after the final dot (the server kept it, its reply never came): held, not resent.
message kill-queued | timeout 60 "$send" -t >"$work/kill-queued.out" 2>"$work/kill-queued.err"
status=$?
expect_status "kill -9 while queued: o365-send exits EX_TEMPFAIL (75) with the server down" kill-queued 75
check "kill -9 while queued: the agent is killed" kill_agent

# exited PID: the process is gone (a zombie counts: reaping may lag, see RECIPES).
exited() {
  [ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

exited_or_direct() {
  exited "$1" || grep -q 'sending directly' "$2"
}

# stage_kill STAGE ID MARKER [MESSAGE_COMMAND]: a server holding at STAGE, o365-send --debug -t
# of message ID (or of what MESSAGE_COMMAND prints), kill -9 of the agent once the server logs
# MARKER. Without an agent o365-send itself holds the connection: it is killed instead, so the
# case stays bounded (and still checks the outbox).
stage_kill() {
  local stage=$1 id=$2 marker=$3 make=${4:-message} send_pid send_status
  start_server "hold-$stage" --hold-at "$stage"
  "$make" "$id" | "$send" --debug -t >"$work/$id.out" 2>"$work/$id.err" &
  send_pid=$!
  if wait_until 30 grep -q "$marker" "$server_log"; then
    ok "kill -9 $stage: the server holds ($marker)"
  else
    not_ok "kill -9 $stage: the server holds ($marker)" "$(tail -n 5 "$server_log")"
  fi
  if kill_agent; then
    ok "kill -9 $stage: the agent is killed"
  else
    not_ok "kill -9 $stage: the agent is killed" "no agent on the bus: o365-send is killed instead"
    kill -9 "$send_pid"
  fi
  # Its agent gone without a reply, o365-send may send the message itself (the outbox's
  # in-flight mark keeps that safe), but the server still holds: it is killed too then.
  wait_until 30 exited_or_direct "$send_pid" "$work/$id.err"
  if ! exited "$send_pid"; then
    echo "# kill -9 $stage: o365-send $(grep -q 'sending directly' "$work/$id.err" && echo 'went on directly' || echo 'still waits after 30 s'): killed too"
    kill -9 "$send_pid"
  fi
  wait "$send_pid"
  send_status=$?
  echo "# kill -9 $stage: o365-send's exit status $send_status"
  check "kill -9 $stage: o365-send does not report success" test "$send_status" -ne 0
  stop_server
}

stage_kill greeting kill-connecting 'holding at the greeting'
# Larger than the socket buffers, so the agent is still writing when the server stops reading.
big_message() {
  message "$1" "kill during DATA"
  head -c 16000000 /dev/zero | tr '\0' 'x' | fold -w 76
}
stage_kill data kill-data 'holding during DATA' big_message
stage_kill after-dot kill-after-dot 'holding after the final dot'
check_once "kill -9 after the final dot: the server kept that message once" kill-after-dot

# Restart: a server without hold, the agent activated again by a D-Bus call.
start_server after-kills
agent_call Flush "''" >"$work/flush.out" 2>"$work/flush.err"
check "after the kills: Flush activates a new agent" test -n "$(agent_pid)"
wait_until $((retry_bound * 2 + 10)) all_delivered_once kill-queued kill-connecting kill-data
check_once "after the kills: the messages caught queued, connecting and during DATA are delivered, once each" \
  kill-queued kill-connecting kill-data
# Time for a wrong resend to happen: two backoff bounds.
sleep $((retry_bound * 2))
check_once "after the kills: nothing was sent twice (the post-dot message too)" \
  kill-queued kill-connecting kill-data kill-after-dot
check "after the kills: only the post-dot entry is left in the outbox" test "$(queued_count)" -eq 1
run queue --queue
check "o365-send --queue shows the post-dot entry held, status unknown" \
  bash -c "test \$(grep -c ' held-unknown$' '$work/queue.out') -eq 1 && test \$(grep -c -e ' queued$' -e ' in-flight$' '$work/queue.out') -eq 0"
sed 's/^/# --queue: /' "$work/queue.out"
check "after the kills: the server saw one connection at a time" test "$(most_open)" -le 1
stop_server

tap_end
