# SPDX-License-Identifier: LGPL-2.1-or-later
# tap.sh — TAP for the test scripts, sourced by sh and bash ones alike:
#   . "$(dirname "$0")/tap.sh"
# then ok, not_ok and skip for each test, and tap_end last (the plan; its status is the script's).
tests=0 failures=0

# ok DESCRIPTION
ok() { tests=$((tests + 1)); echo "ok $tests - $1"; }

# not_ok DESCRIPTION [DETAIL...]: the details as TAP comments, a line each.
not_ok() {
  tests=$((tests + 1)) failures=$((failures + 1))
  echo "not ok $tests - $1"
  shift
  printf '%s\n' "$@" | sed 's/^/# /'
}

# skip DESCRIPTION REASON
skip() { tests=$((tests + 1)); echo "ok $tests - $1 # SKIP $2"; }

# tap_end: the plan; succeeds when every test passed.
tap_end() {
  echo "1..$tests"
  [ "$failures" -eq 0 ]
}
