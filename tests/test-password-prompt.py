#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-password-prompt.py — Ctrl-C at o365-account's "Password:" prompt ends the program and
# leaves the terminal as it found it, echo on. The program runs on a pseudo-terminal of its
# own (its controlling terminal, so the ^C and ^\ typed there are a real SIGINT and SIGQUIT);
# SIGTERM and SIGHUP likewise; a SIGHUP its caller ignores (nohup) stays ignored.
#   test-password-prompt.py O365_ACCOUNT
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time

account = sys.argv[1]
results = []


def report(ok, description, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {description}")
    for line in detail.splitlines():
        print(f"# {line}")


def read_until(master, text, seconds=10):
    seen = b""
    deadline = time.monotonic() + seconds
    while text not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    return seen


def interrupt_at_prompt(stop, how, expected_signal, ignored=()):
    master, slave = os.openpty()

    def own_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        # The program leaves a signal its caller ignores ignored (as under nohup, or a
        # non-interactive shell's background job: SIGHUP, SIGINT, SIGQUIT): start it with
        # the default action for each, whoever runs this test, unless the case says otherwise.
        for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN if number in ignored else signal.SIG_DFL)

    process = subprocess.Popen([account, "add", "nobody@contoso.test"], stdin=slave, stdout=slave,
                               stderr=slave, preexec_fn=own_terminal)
    seen = read_until(master, b"assword")
    time.sleep(0.3)
    echo_at_prompt = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    stop(master, process)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    echo_after = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    detail = f"output: {seen!r}\nexit status: {process.returncode}"
    report(b"assword" in seen and not echo_at_prompt, f"{how}: the prompt turns the echo off", detail)
    report(process.returncode == -expected_signal, f"{how}: the program ends of the signal", detail)
    report(echo_after, f"{how}: the terminal has its echo back", detail)
    os.close(master)
    os.close(slave)


interrupt_at_prompt(lambda master, process: os.write(master, b"\x03"), "Ctrl-C", signal.SIGINT)
interrupt_at_prompt(lambda master, process: os.write(master, b"\x1c"), "Ctrl-\\", signal.SIGQUIT)
interrupt_at_prompt(lambda master, process: process.send_signal(signal.SIGTERM), "SIGTERM", signal.SIGTERM)
interrupt_at_prompt(lambda master, process: process.send_signal(signal.SIGHUP), "SIGHUP", signal.SIGHUP)


def hangup_then_terminate(master, process):
    process.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    report(process.poll() is None, "under nohup: SIGHUP stays ignored at the prompt")
    process.send_signal(signal.SIGTERM)


interrupt_at_prompt(hangup_then_terminate, "under nohup, then SIGTERM", signal.SIGTERM, ignored=(signal.SIGHUP,))

print(f"1..{len(results)}")
sys.exit(0 if all(results) else 1)
