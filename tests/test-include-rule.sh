#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The dependency rule of README.md's "Architecture": each product folder includes only the
# headers of the folders it may depend on. Hosts (tools/) and the plug-in (plugin/, gui/) meet
# only in the contract library (mailhost/); the SMTP engine and OAuth2 do not know each other, nor do the
# SMTP engine and the Graph transport.
# Every quoted #include in a product file is resolved by name (no two files share one) and the
# folder it is in must be allowed. Generated headers (config.h, *-resources.h, *-enum-types.h)
# and the agent's generated D-Bus code (agent-dbus.h) are always allowed. TAP output, one line per folder.
set -u
top=${1:?usage: test-include-rule.sh SOURCE_ROOT}
cd "$top" || exit 1

# folder: the folders its headers may come from
rules="mailhost:mailhost
plugin:mailhost plugin plugin/smtp plugin/oauth2 plugin/graph plugin/gui-module
plugin/smtp:mailhost plugin plugin/smtp
plugin/graph:mailhost plugin plugin/graph plugin/oauth2
plugin/oauth2:mailhost plugin plugin/oauth2
plugin/gui-module:mailhost plugin/gui-module
gui:mailhost plugin/gui-module gui
tools:mailhost tools
agent:mailhost tools agent"

headers=$(find mailhost plugin gui tools agent -name '*.h' | sort)
echo "1..$(echo "$rules" | wc -l)"
n=0
echo "$rules" | while IFS=: read -r folder allowed; do
  n=$((n + 1))
  bad=""
  for file in $(find "$folder" -maxdepth 1 -name '*.[ch]' | sort); do
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file"); do
      case "$inc" in config.h|*-resources.h|*-enum-types.h|agent-dbus.h) continue ;; esac
      found=$(echo "$headers" | grep -E "(^|/)$(basename "$inc" | sed 's/[.]/[.]/g')\$")
      if [ -z "$found" ]; then
        bad="$bad
# $file includes $inc, which no product folder has"
        continue
      fi
      ok=no
      for a in $allowed; do
        [ "$(dirname "$found")" = "$a" ] && ok=yes
      done
      [ "$ok" = yes ] || bad="$bad
# $file includes $found: $folder/ may include only from $allowed"
    done
  done
  if [ -z "$bad" ]; then
    echo "ok $n - $folder/ includes only from: $allowed"
  else
    echo "not ok $n - $folder/ includes a header it must not depend on$bad"
  fi
done
