#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-core-dumps.py — the programs that hold passwords and tokens leave no core file: each is
# killed with SIGABRT while it waits on its input (a password, a message), core files allowed,
# and the kernel must report no core dumped; the agent, which holds tokens between sends, the same
# while it waits on a private session bus. A control (sleep) shows that this system does write core
# files under the same conditions; if it does not, the checks are skipped.
#   test-core-dumps.py O365_ACCOUNT O365_SEND O365_ACCOUNT_AGENT SOURCE_ROOT
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

account, send, agent, source_root = sys.argv[1:5]
results = []


def report(ok, description, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {description}")
    for line in detail.splitlines():
        print(f"# {line}")


def core_dumped(argv, workdir, env=None):
    """Starts @argv with core files allowed and its stdin open but silent, aborts it once it
    waits, and returns whether the kernel dumped its core (None if it ended by itself)."""
    def allow_cores():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    process = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, preexec_fn=allow_cores, env=env)
    time.sleep(1.0)
    if process.poll() is not None:
        print(f"# {argv[0]} ended by itself: {process.stderr.read().decode(errors='replace')}")
        return None
    os.kill(process.pid, signal.SIGABRT)
    _, status = os.waitpid(process.pid, 0)
    process.returncode = 0
    process.stdin.close()
    process.stderr.close()
    return os.WIFSIGNALED(status) and os.WCOREDUMP(status)


def private_bus(workdir):
    """A session bus of our own (the agent owns a name on it), and its address."""
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
                            f"--address=unix:dir={workdir}"], stdout=subprocess.PIPE, text=True)
    return bus, bus.stdout.readline().strip()


with tempfile.TemporaryDirectory() as workdir:
    control = core_dumped(["sleep", "30"], workdir)
    bus, address = private_bus(workdir)
    agent_env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, HOME=workdir, XDG_RUNTIME_DIR=workdir)
    programs = [
        ("o365-account add (at the password)",
         [account, "add", "nobody@contoso.test", "--password-stdin"], None),
        ("o365-send (reading the message)", [send, "-t"], None),
        ("o365-account-agent (waiting on its bus)", [agent, "--idle-exit", "0"], agent_env),
    ]
    for description, argv, env in programs:
        if not control:
            results.append(True)
            print(f"ok {len(results)} - {description} leaves no core file # SKIP this system writes no core files")
            continue
        dumped = core_dumped(argv, workdir, env)
        report(dumped is False, f"{description} leaves no core file",
               "it dumped its core" if dumped is True else "it ended by itself" if dumped is None else "")
    bus.terminate()
    bus.wait()

# And o365-account-setup, which needs a display: its main() protects itself first, as the two
# others' do (a supplement to the checks above, which cannot start it here).
for name in ["tools/o365-account-setup.c", "tools/o365-account-cli.c", "tools/o365-send.c",
             "agent/o365-account-agent.c"]:
    with open(os.path.join(source_root, name), encoding="utf-8") as f:
        text = f.read()
    main = text[text.find("\nmain (int argc, char **argv)\n"):]
    protect, setlocale = main.find("  host_protect_secrets ();\n"), main.find("  setlocale (LC_ALL")
    report(0 <= protect < setlocale, f"{name}: main() calls host_protect_secrets () first")

print(f"1..{len(results)}")
sys.exit(0 if all(results) else 1)
