# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2154
# Shared by postfix-harness and keyring-harness (sourced, bash). The caller sets $prog; helpers
# that touch the instance use $dir (set by resolve_dir).
#
# Processes are tracked by session: every daemon we start leads its own session (it calls
# setsid() itself, or we start it under setsid), so its session holds exactly what it started,
# and a session id cannot be reused while any member is alive.

# Everything we print must be safe unquoted in a shell assignment, so the facts can be both
# sourced and split on the first '='.
safe_re='^[A-Za-z0-9_./@%+=,:-]+$'

die() {
  echo "$prog: $*" >&2
  exit 1
}

now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}

# tail_log FILE: the last lines of FILE on stderr, to explain a failure.
tail_log() {
  if [ -s "$1" ]; then
    echo "---- last lines of $1 ----" >&2
    tail -n 25 "$1" >&2
    echo >&2
    echo "----" >&2
  fi
}

# proc_field PID: sets proc_state and proc_sid (both empty when PID does not exist). Parses
# after the last ')' because comm may contain spaces and parentheses.
proc_field() {
  local line
  proc_state='' proc_sid=''
  { IFS= read -r line < "/proc/$1/stat"; } 2> /dev/null || return 0
  [[ ${line##*) } =~ ^([A-Za-z])\ -?[0-9]+\ -?[0-9]+\ (-?[0-9]+) ]] || return 0
  proc_state=${BASH_REMATCH[1]} proc_sid=${BASH_REMATCH[2]}
}

# alive PID: the process exists and is not a zombie (kill -0 succeeds on zombies, and reaping
# can lag by seconds here).
alive() {
  proc_field "$1"
  case $proc_state in '' | Z | X | x) return 1 ;; esac
  return 0
}

# leads_session PID: PID is alive and is its own session leader.
leads_session() {
  alive "$1" && [ "$proc_sid" = "$1" ]
}

# session_members SID...: live processes in any of these sessions.
session_members() {
  local p s
  [ $# -gt 0 ] || return 0
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    proc_field "$p"
    case $proc_state in '' | Z | X | x) continue ;; esac
    for s in "$@"; do
      if [ "$proc_sid" = "$s" ]; then
        echo "$p"
        break
      fi
    done
  done
}

# wait_gone_ms TIMEOUT_MS SID...: wait until no process is left in these sessions.
wait_gone_ms() {
  local limit=$(($(now_ms) + $1))
  shift
  while [ -n "$(session_members "$@")" ]; do
    [ "$(now_ms)" -lt "$limit" ] || return 1
    sleep 0.05
  done
}

# terminate_sessions TIMEOUT_S SID...: SIGTERM every process in these sessions at once (a
# Dovecot master told alone lingers a second waiting for its children), SIGKILL whatever is
# left after TIMEOUT_S. Fails only if something survives SIGKILL.
terminate_sessions() {
  local timeout=$1 left
  shift
  [ $# -gt 0 ] || return 0
  # shellcheck disable=SC2046
  kill -TERM $(session_members "$@") 2> /dev/null || true
  if ! wait_gone_ms $((timeout * 1000)) "$@"; then
    left=$(session_members "$@" | tr '\n' ' ')
    echo "$prog: still running ${timeout}s after SIGTERM, sending SIGKILL: $left" >&2
    # shellcheck disable=SC2086
    kill -KILL $left 2> /dev/null || true
    wait_gone_ms $((timeout * 1000)) "$@" ||
      die "processes survive SIGKILL: $(session_members "$@" | tr '\n' ' ')"
  fi
}

# live_sessions SID...: those of the given session ids that still have live members.
live_sessions() {
  local s out='' live
  live=" $(session_members "$@" | while read -r p; do proc_field "$p"; echo "$proc_sid"; done | tr '\n' ' ') "
  for s in "$@"; do
    case " $out " in *" $s "*) continue ;; esac
    case $live in *" $s "*) out="$out $s" ;; esac
  done
  echo "$out"
}

# read_pid FILE: the first number in FILE, or nothing.
read_pid() {
  local p=''
  if [ -r "$1" ]; then
    read -r p < "$1" 2> /dev/null || true
  fi
  echo "${p//[!0-9]/}"
}

# cmdline_has PID STRING / environ_has PID NAME=VALUE: identify a process beyond its pid.
cmdline_has() {
  tr '\0' '\n' < "/proc/$1/cmdline" 2> /dev/null | grep -qF -- "$2"
}

environ_has() {
  tr '\0' '\n' < "/proc/$1/environ" 2> /dev/null | grep -qxF -- "$2"
}

# ---- per-instance state: $dir/harness.state, NAME=VALUE lines ----

state_get() {
  [ -r "$dir/harness.state" ] || return 0
  sed -n "s/^$1=//p" "$dir/harness.state" | head -n 1
}

state_set() {
  touch "$dir/harness.state"
  sed -i "/^$1=/d" "$dir/harness.state"
  echo "$1=$2" >> "$dir/harness.state"
}

# lock_dir: one harness command at a time per DIR. Daemons must be started with 9>&- so they
# do not inherit the lock.
lock_dir() {
  exec 9> "$dir/harness.lock"
  flock -w 60 9 || die "another $prog command has held $dir/harness.lock for over 60 s"
}

# resolve_dir ARG create|existing MAXLEN: sets dir to the absolute, validated path. MAXLEN
# keeps unix socket paths under DIR within their 108-byte limit.
resolve_dir() {
  [ -n "$1" ] || usage
  if [ "$2" = create ]; then
    mkdir -p -- "$1" || die "cannot create $1"
  fi
  [ -d "$1" ] || die "$1: no such directory"
  dir=$(cd -- "$1" && pwd -P)
  [[ $dir =~ $safe_re ]] ||
    die "DIR must consist of [A-Za-z0-9_./@%+=,:-] only (facts are printed unquoted): $dir"
  [ "$dir" != / ] || die "refusing to use / as DIR"
  [ ${#dir} -le "$3" ] ||
    die "DIR is too long for unix socket paths (${#dir} > $3 characters): $dir"
}
