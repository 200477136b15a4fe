#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-man-pages.sh — the manual pages render cleanly and document every option the programs'
# --help prints. TAP.
#
#   test-man-pages.sh O365_ACCOUNT O365_SEND O365_ACCOUNT_PAGE O365_SEND_PAGE AGENT AGENT_PAGE
#
# Each page: `man -l` and `groff -ww` without a warning, lexgrog finds its NAME (so mandb and
# whatis will), and it has the sections a reader looks for. Then every option in the option
# column of `o365-send --help`, `o365-account --help` and `o365-account COMMAND --help` (for each
# command that --help lists) must appear in the rendered page: o365-send's under OPTIONS, a
# command's in its subsection under COMMANDS (or under OPTIONS, for those all commands share).
# The options come from --help, not from a list here, so a new option fails this test until the
# page has it. The `setup` command runs o365-account-setup from $O365_ACCOUNT_LIBEXECDIR.
set -u

if [ $# -ne 6 ]; then
  echo "Bail out! usage: $0 O365_ACCOUNT O365_SEND O365_ACCOUNT_PAGE O365_SEND_PAGE AGENT AGENT_PAGE"
  exit 1
fi
account=$1 send=$2 account_page=$3 send_page=$4 agent=$5 agent_page=$6
for tool in man groff lexgrog; do
  if ! command -v "$tool" > /dev/null; then
    echo "Bail out! $tool is not installed (packages man-db, groff-base)"
    exit 1
  fi
done
work=$(mktemp -d /tmp/test-man-pages-XXXXXX)
trap 'rm -rf "$work"' EXIT
tests=0 failures=0

# English help and pages whatever the caller's locale; a fixed width, so that a warning about
# a line that cannot be broken is the same everywhere.
export LC_ALL=C.UTF-8 LANGUAGE='' MANWIDTH=80
unset MANOPT MANROFFOPT MAN_KEEP_FORMATTING

ok() { tests=$((tests + 1)); echo "ok $tests - $1"; }
not_ok() {
  tests=$((tests + 1)) failures=$((failures + 1))
  echo "not ok $tests - $1"
  shift
  [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/# /'
}

# render PAGE OUT: the page as man shows it, as plain text (no overstrikes; any hyphen or
# minus sign as "-", so that an option matches however the page wrote its dashes).
render() {
  man -l "$1" > "$work/raw" 2> "$work/man.err"
  status=$?
  sed -e 's/.\x08//g' -e 's/‐/-/g' -e 's/−/-/g' "$work/raw" > "$2"
  return $status
}

# section TEXT HEADING [SUBHEADING]: the lines of a section (headings start in column 0), or
# of one subsection in it (headings indented 3, named by their first word). mawk has no
# interval expressions ({1,3}), hence RLENGTH.
section() {
  awk -v heading="$2" -v subheading="${3-}" '
    /^[^ ]/ { in_section = ($0 == heading); in_sub = 0; next }
    !in_section { next }
    subheading == "" { print; next }
    /^ +[^ ]/ && match($0, /^ +/) && RLENGTH <= 3 { in_sub = ($1 == subheading); next }
    in_sub { print }
  ' "$1"
}

# options HELP: the options in the option column of a --help text, one a line, each followed
# by " prefix" when the help writes it with "…" (-oQ…: -oQ and whatever follows).
options() {
  awk '
    /^ +-/ {
      line = $0
      sub(/^ +/, "", line)
      gap = index(line, "  ")
      column = gap > 0 ? substr(line, 1, gap - 1) : line
      n = split(column, tokens, ", ")
      for (i = 1; i <= n; i++) {
        token = tokens[i]
        sub(/[ =[].*/, "", token)
        prefix = sub(/…$/, "", token)
        if (token ~ /^--?[A-Za-z0-9][-A-Za-z0-9]*$/)
          print token (prefix ? " prefix" : "")
      }
    }
  ' "$1"
}

# mentions TEXT OPTION [prefix]: TEXT has OPTION as a word of its own (or, for a prefix, at
# the start of one).
mentions() {
  pattern="(^|[^-A-Za-z0-9])$2"
  [ "${3-}" = prefix ] || pattern="$pattern([^-A-Za-z0-9]|\$)"
  grep -Eq -- "$pattern" "$1"
}

# The sections both pages need ("_" for a space).
headings='NAME SYNOPSIS DESCRIPTION OPTIONS EXIT_STATUS ENVIRONMENT FILES EXAMPLES SEE_ALSO'

# check_page PAGE NAME: it renders, groff has nothing to say, lexgrog reads its NAME.
check_page() {
  page=$1 name=$2
  if render "$page" "$work/$name.txt" && [ ! -s "$work/man.err" ] && [ -s "$work/$name.txt" ]; then
    ok "$name(1): man -l renders it without a warning"
  else
    not_ok "$name(1): man -l renders it without a warning" "$(cat "$work/man.err")"
  fi
  if groff -ww -z -man "$page" > "$work/groff.err" 2>&1 && [ ! -s "$work/groff.err" ]; then
    ok "$name(1): groff -ww -z -man finds nothing to warn about"
  else
    not_ok "$name(1): groff -ww -z -man finds nothing to warn about" "$(cat "$work/groff.err")"
  fi
  if lexgrog "$page" > "$work/lexgrog.out" 2>&1 \
    && grep -q "^$page: \"$name - ." "$work/lexgrog.out"; then
    ok "$name(1): lexgrog finds its NAME: $(sed "s|^$page: ||" "$work/lexgrog.out")"
  else
    not_ok "$name(1): lexgrog finds its NAME (\"$name - ...\")" "$(cat "$work/lexgrog.out")"
  fi
  missing=''
  for heading in $headings; do
    heading=$(echo "$heading" | tr _ ' ')
    grep -qx "$heading" "$work/$name.txt" || missing="$missing $heading,"
  done
  if [ -z "$missing" ]; then
    ok "$name(1) has the sections $headings"
  else
    not_ok "$name(1) has the sections $headings" "missing:${missing%,}"
  fi
}

# check_options WHAT HELP PAGE_NAME WHERE TEXT...: each option of HELP is in one of the TEXT
# files (WHERE says which part of the page they are, for the message).
check_options() {
  what=$1 help=$2 name=$3 where=$4
  shift 4
  options "$help" > "$work/options"
  if [ ! -s "$work/options" ]; then
    not_ok "$what --help lists options that this test can read" "$(cat "$help")"
    return
  fi
  while read -r option kind; do
    found=no
    for text in "$@"; do
      if mentions "$text" "$option" "$kind"; then
        found=yes
        break
      fi
    done
    if [ $found = yes ]; then
      ok "$what: $option is documented in $name(1)"
    else
      not_ok "$what: $option is missing from $name(1) ($where)"
    fi
  done < "$work/options"
}

check_page "$send_page" o365-send
check_page "$account_page" o365-account
check_page "$agent_page" o365-account-agent

# o365-account-agent: one --help (GOption's), one OPTIONS section.
if "$agent" --help > "$work/agent.help" 2>&1; then
  section "$work/o365-account-agent.txt" OPTIONS > "$work/agent.options"
  check_options "o365-account-agent" "$work/agent.help" o365-account-agent "OPTIONS" "$work/agent.options"
else
  not_ok "o365-account-agent --help exits 0" "$(cat "$work/agent.help")"
fi

# o365-send: one --help, one OPTIONS section.
if "$send" --help > "$work/send.help" 2>&1; then
  section "$work/o365-send.txt" OPTIONS > "$work/send.options"
  check_options "o365-send" "$work/send.help" o365-send "OPTIONS" "$work/send.options"
else
  not_ok "o365-send --help exits 0" "$(cat "$work/send.help")"
fi

# o365-account: the commands --help lists, each command's own --help. The top-level help is
# on standard error (it is also what a usage error prints).
section "$work/o365-account.txt" OPTIONS > "$work/account.options"
section "$work/o365-account.txt" COMMANDS > "$work/account.commands"
if "$account" --help > "$work/account.help" 2>&1; then
  ok "o365-account --help exits 0"
else
  not_ok "o365-account --help exits 0" "$(cat "$work/account.help")"
fi
commands=$(awk '/^Commands:/ { listing = 1; next } listing && /^  [a-z]/ { print $1 }' \
  "$work/account.help")
if [ -z "$commands" ]; then
  not_ok "o365-account --help lists commands" "$(cat "$work/account.help")"
fi
# Options before the command, if --help lists any (--version, once there).
if [ -n "$(options "$work/account.help")" ]; then
  check_options "o365-account" "$work/account.help" o365-account "OPTIONS" "$work/account.options"
fi
for command in $commands; do
  section "$work/o365-account.txt" COMMANDS "$command" > "$work/command.text"
  if [ -s "$work/command.text" ]; then
    ok "o365-account(1) documents the command $command under COMMANDS"
  else
    not_ok "o365-account(1) documents the command $command under COMMANDS"
  fi
  if "$account" "$command" --help > "$work/command.help" 2>&1; then
    check_options "o365-account $command" "$work/command.help" o365-account \
      "COMMANDS, $command; or OPTIONS" "$work/command.text" "$work/account.options"
  else
    not_ok "o365-account $command --help exits 0" "$(cat "$work/command.help")"
  fi
done
# And the other way round: the page documents no command the program does not have.
extra=$(awk '/^ +[^ ]/ && match($0, /^ +/) && RLENGTH <= 3 { print $1 }' "$work/account.commands" |
  while read -r documented; do
    printf '%s\n' "$commands" | grep -qx -- "$documented" || echo "$documented"
  done)
if [ -z "$extra" ]; then
  ok "o365-account(1) documents only commands that o365-account --help lists"
else
  not_ok "o365-account(1) documents only commands that o365-account --help lists" \
    "not in --help:" "$extra"
fi

echo "1..$tests"
[ $failures -eq 0 ]
