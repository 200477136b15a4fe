#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The contract as a host outside the tree gets it: `meson install --destdir` into this test's
# build directory, then installed-host/host.c compiled against the installed headers and library
# with nothing but `pkg-config --cflags --libs o365-mailhost-1`, run with the installed
# library, loading the installed plug-in from the .pc's plugindir, and sending through the tests'
# Office-365-like server with its password in a private keyring. The staged tree is removed at
# the end. TAP.
#
#   test-installed-host.py MESON BUILD_ROOT HOST_C O365_TEST_SERVER CC...
import atexit
import glob
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import mailhost_test as t  # noqa: E402

PUBLIC_HEADERS = ["mail-account-registry.h", "mail-account-type.h", "mail-account.h",
                  "mail-address.h", "mail-enum-types.h", "mail-i18n.h", "mail-outgoing.h",
                  "mail-plugin-loader.h", "mail-plugin.h", "mail-reply.h", "mail-sign-in.h",
                  "mail-submission.h", "mail-transport-error.h", "mail-transport.h",
                  "o365-mailhost.h"]
USER = "installed@contoso.test"
RECIPIENTS = ["bob@example.test", "carol@example.test"]
# The warnings the project builds with, so the installed headers stay clean under them.
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
          "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wshadow"]

t.require_env("O365_TEST_SRCDIR", "O365_TEST_BUILDDIR", "O365_TEST_CERTS")
if len(sys.argv) < 6:
    t.bail("usage: test-installed-host.py MESON BUILD_ROOT HOST_C O365_TEST_SERVER CC...")
meson, build_root, host_c, server_program = sys.argv[1:5]
cc = t.compiler(sys.argv[5:])
tap = t.Tap()

# --- the staged install ----------------------------------------------------------------------

dest = os.path.join(t.BUILDDIR, "installed-host", "root")
shutil.rmtree(dest, ignore_errors=True)
os.makedirs(dest)
atexit.register(shutil.rmtree, os.path.dirname(dest), True)
status, out, err = t.run_quietly([meson, "install", "-C", build_root, "--no-rebuild",
                                  "--destdir", dest])
if status != 0:
    t.bail(f"meson install --destdir failed: {err or out}")
installed = sorted(os.path.relpath(os.path.join(d, f), dest)
                   for d, _, files in os.walk(dest) for f in files)
tap.note("installed (documentation left out):\n" + "\n".join(
    "  /" + p for p in installed if "/doc/" not in p))


def one(pattern):
    found = glob.glob(os.path.join(dest, pattern), recursive=True)
    return found[0] if len(found) == 1 else None


# Found before the system's /usr is linked in below.
pc = one("**/pkgconfig/o365-mailhost-1.pc")
include_dir = one("**/include/o365-mailhost-1")
schema_dir = one("**/share/glib-2.0/schemas")
headers = sorted(os.listdir(include_dir)) if include_dir else []
tap.equal(headers, sorted(PUBLIC_HEADERS), "the public headers, and only those, are installed")
tap.ok(pc is not None, "o365-mailhost-1.pc is installed")
tap.ok(one("**/gir-1.0/O365Mailhost-1.gir") and one("**/girepository-1.0/O365Mailhost-1.typelib"),
       "the GIR and the typelib are installed")
soname_link = one("**/libo365-mailhost.so.0")
tap.ok(soname_link and os.path.islink(soname_link)
       and re.fullmatch(r"libo365-mailhost\.so\.0\.\d+\.\d+", os.readlink(soname_link)),
       "libo365-mailhost.so.0 links to the versioned file",
       soname_link and os.readlink(soname_link))

# An installed header includes GLib's headers and its siblings only: never config.h, never a
# private or uninstalled one.
strays = []
for name in headers:
    with open(os.path.join(include_dir, name)) as f:
        for included in re.findall(r'^\s*#\s*include\s*"([^"]+)"', f.read(), re.M):
            if included not in headers:
                strays.append(f"{name} includes {included}")
tap.ok(headers and not strays, "installed headers include only installed headers", *strays)

# --- pkg-config against the staged tree ------------------------------------------------------

# PKG_CONFIG_SYSROOT_DIR prefixes every package's paths, GLib's too: the staged tree becomes a
# sysroot by showing the system's /usr beside what was installed (symlinks), never inside the
# project's own directories (an older installed copy must not show through).
def overlay(staged, system):
    for name in os.listdir(system):
        target, source = os.path.join(staged, name), os.path.join(system, name)
        if not os.path.lexists(target):
            os.symlink(source, target)
        elif (os.path.isdir(target) and not os.path.islink(target) and os.path.isdir(source)
              and "o365" not in name):
            overlay(target, source)


overlay(os.path.join(dest, "usr"), "/usr")
pkg_env = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=dest, PKG_CONFIG_PATH=os.path.dirname(pc or ""))
pkg_env.pop("PKG_CONFIG_LIBDIR", None)


def pkg_config(*args):
    status, out, err = t.run_quietly(["pkg-config", *args, "o365-mailhost-1"], env=pkg_env)
    if status != 0:
        t.bail(f"pkg-config {' '.join(args)} o365-mailhost-1: {err.strip()}")
    return out.strip()


flags = pkg_config("--cflags", "--libs").split()
tap.note("pkg-config --cflags --libs o365-mailhost-1: " + " ".join(flags))
tap.ok(any(f.startswith("-I" + dest) and f.endswith("/o365-mailhost-1") for f in flags),
       "pkg-config's include directory is the staged one")


def staged(path):
    """A path from the .pc (pkgconf adds the sysroot to those; pkg-config may not)."""
    return path if path.startswith(dest + "/") else dest + path


plugindir = staged(pkg_config("--variable=plugindir"))
guidir = staged(pkg_config("--variable=guidir"))
libdir = staged(pkg_config("--variable=libdir"))
tap.ok(os.path.isfile(os.path.join(plugindir, "office365.so")),
       "the .pc's plugindir holds the installed plug-in", plugindir)
tap.ok(os.path.isfile(os.path.join(guidir, "office365-gui.so")),
       "the .pc's guidir holds the installed dialog module", guidir)

work = t.work_dir("installed-host")
alone = []
for name in headers:
    source = os.path.join(work, "alone.c")
    with open(source, "w") as f:
        f.write(f"#include <{name}>\n")
    status, out, err = t.run_quietly([*cc, *STRICT, "-fsyntax-only", source, *flags])
    if status != 0:
        alone.append(f"{name}: {err.strip()}")
tap.ok(headers and not alone, "each installed header compiles on its own (-Werror)", *alone)

host = os.path.join(work, "host")
status, out, err = t.run_quietly([*cc, *STRICT, host_c, "-o", host, *flags])
tap.ok(status == 0, "host.c compiles against the installed headers and links (-Werror)", err)
if status != 0:
    tap.done()

run_env = dict(os.environ, LD_LIBRARY_PATH=libdir, O365_ACCOUNT_PLUGIN_PATH=plugindir)
status, out, err = t.run_quietly(["ldd", host], env=run_env)
linked = re.search(r"libo365-mailhost\.so\.0 => (\S+)", out)
tap.ok(linked and linked.group(1).startswith(libdir + "/"),
       "the host runs with the installed libo365-mailhost.so.0", out)

# --- the host sends --------------------------------------------------------------------------

# The installed schema, compiled here (meson install leaves that to the packager under DESTDIR).
schemas = os.path.join(work, "schemas")
os.makedirs(schemas)
status, out, err = t.run_quietly(["glib-compile-schemas", "--strict", "--targetdir", schemas,
                                  schema_dir])
tap.ok(status == 0, "the installed GSettings schema compiles", err)
run_env["GSETTINGS_SCHEMA_DIR"] = schemas

t.Keyring(work)
run_env.update({n: os.environ[n] for n in t.Keyring.KEEP})
server = t.TestServer(server_program, work, USER)
with open(server.password_file) as password:
    status, out, err = t.run_quietly(
        [host, USER, "localhost", str(server.port), os.path.join(t.CERTS, "ca.pem"), *RECIPIENTS],
        env=run_env, stdin=password)
tap.note(out)
facts = [line.split(": ", 1) for line in out.splitlines() if ": " in line]
tap.ok(status == 0, "the host sent the message", f"exit status {status}", err)
tap.equal([v for k, v in facts if k == "plugin"], [os.path.join(plugindir, "office365.so")],
          "it loaded the installed plug-in, from the .pc's plugindir")
tap.ok(["account-type", "office365"] in facts, "it found the office365 account type")
tap.equal([v.split(": ")[0] for k, v in facts if k == "recipient"], RECIPIENTS,
          "every recipient has a reply")
tap.ok(all(v.split(": ")[1].startswith("250 ") for k, v in facts if k == "recipient"),
       "every recipient's reply is 250")
final = [v for k, v in facts if k == "final-reply"]
tap.ok(final and t.FINAL_REPLY_RE.match(final[0]), "the final reply is 250 2.0.0 OK <id> …",
       final)
tap.ok(len(server.messages()) == 1
       and b"Built with pkg-config o365-mailhost-1." in server.messages()[0],
       "the server stored the message")
tap.done()
