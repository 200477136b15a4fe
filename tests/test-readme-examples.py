#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# README.md's "Writing a host" cannot drift from the code: its example blocks (the fenced block
# after each `<!-- example: NAME -->`) are taken from README.md as they stand and run. The Python
# one through the build tree's typelib, the C one compiled with the build tree's
# `pkg-config --cflags --libs o365-mailhost-1` (meson-uninstalled/). Both send a message file
# through the first configured account: one made here through the typelib, saved in a keyfile
# both examples read, its password in a private keyring; the tests' Office-365-like server
# takes the mail. TAP.
#
#   test-readme-examples.py README O365_TEST_SERVER UNINSTALLED_PC_DIR CC...
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import mailhost_test as t  # noqa: E402

t.run_sanitized()
t.require_env("O365_TEST_SRCDIR", "O365_TEST_CERTS", "O365_ACCOUNT_PLUGIN_PATH",
              "GI_TYPELIB_PATH")
if len(sys.argv) < 5:
    t.bail("usage: test-readme-examples.py README O365_TEST_SERVER UNINSTALLED_PC_DIR CC...")
readme, server_program, pc_dir = sys.argv[1:4]
cc = t.compiler(sys.argv[4:])
USER = "readme@contoso.test"
RECIPIENT = "friend@example.test"
MESSAGE = ("From: README <readme@contoso.test>\n"
           "To: Friend <friend@example.test>\n"
           "Subject: {}\n"
           "\n"
           "Sent by README.md's {} example.\n")

tap = t.Tap()
with open(readme) as f:
    examples = dict(re.findall(r"<!-- example: ([\w-]+) -->\n```\w*\n(.*?)\n```", f.read(), re.S))
tap.ok({"python-host", "c-host"} <= set(examples), "README.md has both examples",
       sorted(examples))

work = t.work_dir("readme")
t.Keyring(work)
# Settings in the keyring directory's XDG_CONFIG_HOME, so the examples' processes see the account.
os.environ["GSETTINGS_BACKEND"] = "keyfile"
server = t.TestServer(server_program, work, USER)
loader = t.load_plugins()
t.create_account(loader, "readme", server, os.path.join(t.CERTS, "ca.pem"))
from gi.repository import Gio  # noqa: E402

Gio.Settings.sync()


def run_example(name, argv, env=None):
    message = os.path.join(work, f"{name}.eml")
    with open(message, "w") as f:
        f.write(MESSAGE.format(name, name))
    before = len(server.messages())
    status, out, err = t.run_quietly([*argv, message, RECIPIENT], env=env)
    tap.ok(status == 0 and re.match(r"sent: 250 2\.0\.0 OK <", out) is not None,
           f"the {name} example sends and prints the final reply", f"exit status {status}",
           out, err)
    tap.note(out.strip())
    stored = server.messages()[before:]
    tap.ok(len(stored) == 1 and f"Sent by README.md's {name} example.".encode() in stored[0],
           f"the server got the {name} example's message")


if "python-host" in examples:
    script = os.path.join(work, "send.py")
    with open(script, "w") as f:
        f.write(examples["python-host"] + "\n")
    run_example("python-host", [sys.executable, script])

if "c-host" in examples:
    source = os.path.join(work, "send.c")
    with open(source, "w") as f:
        f.write(examples["c-host"] + "\n")
    status, flags, err = t.run_quietly(["pkg-config", "--cflags", "--libs", "o365-mailhost-1"],
                                       env=dict(os.environ, PKG_CONFIG_PATH=pc_dir))
    program = os.path.join(work, "send")
    status, out, err = t.run_quietly([*cc, "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter",
                                      "-Werror", source, "-o", program, *flags.split()])
    tap.ok(status == 0, "the c-host example compiles with the build tree's pkg-config (-Werror)",
           err)
    if status == 0:
        run_example("c-host", [program], env=t.instrumented_env(dict(os.environ)))
tap.done()
