#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# libo365-mailhost's ABI: its soname, and exports that are exactly its public API. Three lists
# must agree: what the library exports (nm -D), what the public headers declare (the umbrella
# header through the C preprocessor, with the build tree's pkg-config flags), and what the GIR
# names (so the typelib finds every function it lists, and lists every one exported). Every
# exported symbol starts with mail_. TAP.
#
#   test-library-exports.py LIBRARY GIR HEADER UNINSTALLED_PC_DIR CC...
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import mailhost_test as t  # noqa: E402

# Declared in mail-plugin.h for plug-ins to define; the library must not.
PLUGIN_DEFINED = {"mail_plugin_abi", "mail_plugin_query", "mail_plugin_load", "mail_plugin_unload"}
SONAME = "libo365-mailhost.so.0"
GIR_CORE = "http://www.gtk.org/introspection/core/1.0"
GIR_C = "http://www.gtk.org/introspection/c/1.0"
GIR_GLIB = "http://www.gtk.org/introspection/glib/1.0"

if len(sys.argv) < 6:
    t.bail("usage: test-library-exports.py LIBRARY GIR HEADER UNINSTALLED_PC_DIR CC...")
library, gir, header, pc_dir = sys.argv[1:5]
cc = sys.argv[5:]
tap = t.Tap()


def listing(symbols):
    return "\n".join(sorted(symbols)) or "(none)"


status, out, err = t.run_quietly(["readelf", "-d", library])
soname = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
tap.equal(soname.group(1) if soname else None, SONAME, "the soname is versioned")

status, out, err = t.run_quietly(["nm", "-D", "--defined-only", library])
exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
tap.ok(status == 0 and exported, "nm lists the exports", err)
stray = {s for s in exported if not s.startswith("mail_")}
tap.ok(not stray, "every exported symbol starts with mail_", listing(stray))
tap.ok(not exported & PLUGIN_DEFINED, "the plug-in entry points are not the library's",
       listing(exported & PLUGIN_DEFINED))

env = dict(os.environ, PKG_CONFIG_PATH=pc_dir)
status, cflags, err = t.run_quietly(["pkg-config", "--cflags", "o365-mailhost-1"], env=env)
tap.ok(status == 0, "pkg-config knows the build tree's o365-mailhost-1", err)
status, preprocessed, err = t.run_quietly([*cc, "-E", "-P", *cflags.split(), header])
tap.ok(status == 0, "the umbrella header preprocesses", err)
# Declarations, and calls in the headers' inline functions (which name declared ones).
declared = set(re.findall(r"\b(mail_[a-z0-9_]+)\s*\(", preprocessed)) - PLUGIN_DEFINED
tap.ok(exported == declared, "the library exports exactly what the public headers declare",
       "exported, not declared:", listing(exported - declared),
       "declared, not exported:", listing(declared - exported))

root = ET.parse(gir).getroot()
named = set()
for tag in ("function", "method", "constructor"):
    for element in root.iter(f"{{{GIR_CORE}}}{tag}"):
        named.add(element.get(f"{{{GIR_C}}}identifier"))
for element in root.iter():
    if element.get(f"{{{GIR_GLIB}}}get-type"):
        named.add(element.get(f"{{{GIR_GLIB}}}get-type"))
tap.ok(exported == named, "the GIR names exactly what the library exports",
       "exported, not in the GIR:", listing(exported - named),
       "in the GIR, not exported:", listing(named - exported))
tap.note(f"{len(exported)} symbols")
tap.done()
