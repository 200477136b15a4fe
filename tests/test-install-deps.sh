#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# .ci/install-deps as a newcomer's first run meets it, under /bin/sh, with stand-ins for apt-get,
# dpkg-query, debconf-set-selections, locale, locale-gen and id on PATH, and the policy-rc.d path
# pointed into a scratch directory. Each case checks the exit code, what apt-get was asked, the
# policy-rc.d file apt-get saw, and the file afterwards. TAP output.
set -u
script=${1:?usage: test-install-deps.sh PATH/TO/install-deps}
work=$(mktemp -d "${TMPDIR:-/tmp}/install-deps-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
bin=$work/bin
mkdir -p "$bin"

# dpkg-query -W -f=... PKG: installed unless PKG is listed in $STANDIN_MISSING.
cat > "$bin/dpkg-query" <<'EOF'
#!/bin/sh
for pkg; do :; done
case " $STANDIN_MISSING " in
  *" $pkg "*) echo "dpkg-query: no packages found matching $pkg" >&2; exit 1 ;;
esac
printf 'install ok installed'
EOF
# apt-get: records its arguments and the policy-rc.d it found; fails the step in $STANDIN_APT_FAIL.
cat > "$bin/apt-get" <<'EOF'
#!/bin/sh
echo "$*" >> "$STANDIN_LOG/apt-get"
if [ -e "$O365_POLICY_RC_D" ]; then
  { cat "$O365_POLICY_RC_D"; stat -c 'mode %a' "$O365_POLICY_RC_D"; } > "$STANDIN_LOG/policy-during-$1"
fi
[ "$1" = "${STANDIN_APT_FAIL:-}" ] && { echo "E: stand-in failure" >&2; exit 100; }
exit 0
EOF
cat > "$bin/debconf-set-selections" <<'EOF'
#!/bin/sh
cat >> "$STANDIN_LOG/debconf"
EOF
cat > "$bin/locale" <<'EOF'
#!/bin/sh
printf 'C\nC.utf8\nPOSIX\nde_DE.utf8\nfr_FR.utf8\n'
EOF
cat > "$bin/locale-gen" <<'EOF'
#!/bin/sh
echo called >> "$STANDIN_LOG/locale-gen"
EOF
cat > "$bin/id" <<'EOF'
#!/bin/sh
echo "${STANDIN_UID:-0}"
EOF
chmod 755 "$bin"/*

count=0
failures=0
check() { # DESCRIPTION CONDITION...
  description=$1
  shift
  count=$((count + 1))
  if "$@"; then
    echo "ok $count - $description"
  else
    echo "not ok $count - $description"
    failures=$((failures + 1))
    for f in "$case_dir"/log/* "$case_dir"/stderr; do
      [ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"
    done
  fi
}

# run_case NAME POLICY(present|absent) MISSING APT_FAIL UID: runs the script; sets $rc, $case_dir.
run_case() {
  case_dir=$work/$1
  mkdir -p "$case_dir/log" "$case_dir/sbin"
  policy=$case_dir/sbin/policy-rc.d
  if [ "$2" = present ]; then
    printf '#!/bin/sh\n# the image'"'"'s own\nexit 101\n' > "$policy"
    chmod 700 "$policy"
    touch -d '2025-05-20 00:00:00' "$policy"
    stat -c '%a %Y %i' "$policy" > "$case_dir/policy-before"
    md5sum < "$policy" >> "$case_dir/policy-before"
  fi
  rc=0
  env PATH="$bin:$PATH" O365_POLICY_RC_D="$policy" STANDIN_LOG="$case_dir/log" \
    STANDIN_MISSING="$3" STANDIN_APT_FAIL="$4" STANDIN_UID="$5" \
    /bin/sh "$script" > "$case_dir/stdout" 2> "$case_dir/stderr" < /dev/null || rc=$?
}
policy_as_before() {
  [ -f "$policy" ] || return 1
  { stat -c '%a %Y %i' "$policy"; md5sum < "$policy"; } | cmp -s - "$case_dir/policy-before"
}
policy_absent() { [ ! -e "$policy" ] && [ ! -e "$policy.o365-install-deps" ]; }
no_leftovers() { [ -z "$(ls "$case_dir/sbin" | grep -v '^policy-rc.d$')" ]; }
apt_asked() { printf '%s\n' "$@" | cmp -s - "$case_dir/log/apt-get"; }
apt_not_asked() { [ ! -e "$case_dir/log/apt-get" ]; }
# During the install apt-get saw a policy-rc.d that refuses every start (exit 101), executable.
apt_saw_our_policy() {
  printf '#!/bin/sh\nexit 101\nmode 755\n' | cmp -s - "$case_dir/log/policy-during-install"
}
# apt-get's own messages may precede it; install-deps itself says one line, naming the step.
one_line_naming() {
  [ "$(grep -c '^install-deps:' "$case_dir/stderr")" -eq 1 ] && grep -q "^install-deps: .*$1" "$case_dir/stderr"
}
quiet_stderr() { [ ! -s "$case_dir/stderr" ]; }
eq() { [ "$1" = "$2" ]; }

echo "1..26"

run_case nothing-missing present "" "" 0
check "nothing missing: exit 0" eq "$rc" 0
check "nothing missing: apt-get not called" apt_not_asked
check "nothing missing: policy-rc.d untouched" policy_as_before
check "nothing missing: nothing on stderr" quiet_stderr

run_case missing-policy-present present "meson ninja-build" "" 0
check "missing, policy-rc.d present: exit 0" eq "$rc" 0
check "missing, policy-rc.d present: apt-get update, then install of exactly the missing ones" \
  apt_asked "update -q" "install -y -q --no-install-recommends meson ninja-build"
check "missing, policy-rc.d present: apt-get ran with a policy that starts no daemon" apt_saw_our_policy
check "missing, policy-rc.d present: the original is back, same content, mode, time and inode" \
  policy_as_before
check "missing, policy-rc.d present: no file left beside it" no_leftovers
check "missing, policy-rc.d present: Postfix preseeded to No configuration" \
  grep -q "postfix/main_mailer_type select No configuration" "$case_dir/log/debconf"
check "missing, policy-rc.d present: nothing on stderr" quiet_stderr

run_case missing-policy-absent absent "postfix" "" 0
check "missing, no policy-rc.d: exit 0" eq "$rc" 0
check "missing, no policy-rc.d: apt-get update, then install postfix" \
  apt_asked "update -q" "install -y -q --no-install-recommends postfix"
check "missing, no policy-rc.d: apt-get ran with a policy that starts no daemon" apt_saw_our_policy
check "missing, no policy-rc.d: none afterwards" policy_absent
check "missing, no policy-rc.d: no file left behind" no_leftovers

run_case apt-install-fails present "msmtp" install 0
check "apt-get install fails: non-zero exit" test "$rc" -ne 0
check "apt-get install fails: one line naming the step" one_line_naming "apt-get install failed"
check "apt-get install fails: policy-rc.d restored" policy_as_before

run_case apt-update-fails absent "msmtp" update 0
check "apt-get update fails: non-zero exit" test "$rc" -ne 0
check "apt-get update fails: one line naming the step, no install tried" \
  sh -c "grep -q 'apt-get update failed' '$case_dir/stderr' && ! grep -q '^install' '$case_dir/log/apt-get'"
check "apt-get update fails: no policy-rc.d left" policy_absent

run_case not-root present "meson" "" 1000
check "not root: exit 1" eq "$rc" 1
check "not root: apt-get not called" apt_not_asked
check "not root: the message names the missing package and says to run as root" \
  one_line_naming "missing packages: meson; run this script as root"
check "not root: policy-rc.d untouched" policy_as_before

[ "$count" -eq 26 ] || echo "# planned 26 checks, ran $count"
exit 0
