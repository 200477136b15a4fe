#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench.py — the benchmarks behind bench/run (see bench/README.md).

Runs o365-send, msmtp and curl on identical work against the same local servers (the project's
real Postfix set-up and the Office-365-like test server), on plain loopback and through the
in-tree latency proxy, alternating the clients, and writes bench/RESULTS.md. Then the
constant-memory series, the body encoder on its own, a bare TLS pipe as the physical reference
and the main-loop stall probe.

Only the standard library: it runs with Debian's /usr/bin/python3 on a fresh machine.
Secrets never go on a command line: files (0600) and stdin only.
"""

import argparse
import base64
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ADDRESS = "bench@example.test"
RECIPIENT = "rcpt@example.test"
EHLO_NAME = "client.example.test"
DELAY_MS = 25

# What "identical work" is: exact sizes in bytes (MB = 10^6).
SMALL_SIZE = 10_000
BATCH_COUNT = 20
BIG_SIZE = 100_000_000
RSS_SIZES = [1_000_000, 10_000_000, 100_000_000]

# Through the per-user submission agent (issue 12): the client and the scenario it runs.
AGENT_CLIENTS = {"agent-each": "batch", "agent-warm": "small"}
AGENT_NAME = "org.o365account.Agent"
AGENT_IDLE = 30  # seconds the agent keeps a connection for reuse (O365_AGENT_IDLE, its default)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --- processes ---------------------------------------------------------------------------------

class Measured:
    """Wall time, CPU and peak RSS of one or more child processes."""

    def __init__(self):
        self.wall = 0.0
        self.cpu = 0.0
        self.maxrss_kb = 0
        self.statuses = []

    def add(self, wall, cpu, maxrss_kb, status):
        self.wall += wall
        self.cpu += cpu
        self.maxrss_kb = max(self.maxrss_kb, maxrss_kb)
        self.statuses.append(status)


BENCH_EXEC = None  # set by Bench: build/bench/bench-exec


def run_measured(argv, env, stdin_path=None, timeout=120, log_path=None, measured=None):
    """Runs argv to its end under bench-exec, which measures it with wait4(): wall clock from
    just before the fork to the reaping, user+sys CPU and peak RSS of the child (and of the
    children it reaped itself). bench-exec kills the child after @timeout seconds."""
    measured = measured if measured is not None else Measured()
    fd, report = tempfile.mkstemp(prefix="exec-", suffix=".txt")
    os.close(fd)
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        launcher = [BENCH_EXEC, report, "--timeout", str(timeout)]
        if stdin_path:
            launcher += ["--stdin", stdin_path]
        subprocess.run(launcher + ["--"] + argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                       stderr=out, close_fds=True, timeout=timeout + 30, check=True)
        with open(report) as f:
            facts = dict(item.split("=", 1) for item in f.read().split())
    finally:
        if log_path:
            out.close()
        os.unlink(report)
    measured.add(int(facts["wall_us"]) / 1e6, (int(facts["user_us"]) + int(facts["sys_us"])) / 1e6,
                 int(facts["maxrss_kb"]), int(facts["status"]))
    return measured


class Background:
    """A long-running helper we started; stopped (TERM, then KILL) by cleanup."""

    def __init__(self, argv, env=None, stdin=subprocess.DEVNULL, stdout=None, stderr=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, env=env, stdin=stdin, stdout=stdout, stderr=stderr,
                                     close_fds=True)

    def stop(self, timeout=10):
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout)


def read_port(path, proc, what, timeout=10):
    """Waits (bounded) for a PORT=N line that a helper writes once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                m = re.search(r"^PORT=(\d+)$", f.read(), re.M)
            if m:
                return int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    raise BenchError(f"{what} did not start (see {path})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def capture(argv, env=None, check=True, stdin_path=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        res = subprocess.run(argv, env=env, stdin=stdin, capture_output=True, text=True, timeout=120)
    finally:
        if stdin_path:
            stdin.close()
    if check and res.returncode != 0:
        raise BenchError(f"{' '.join(argv[:3])} failed ({res.returncode}): {res.stderr.strip()[-2000:]}")
    return res


def parse_facts(text):
    facts = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            facts[key] = value
    return facts


# --- messages ----------------------------------------------------------------------------------

def write_message(path, size, tag):
    """An RFC 5322 message of exactly `size` bytes, CRLF line ends (every client gets the same
    bytes; Postfix here refuses bare LF, and curl sends a file as it is), with a base64 body of
    76-character lines."""
    head = (f"From: Bench <{ADDRESS}>\r\nTo: <{RECIPIENT}>\r\nSubject: bench {tag}\r\n"
            f"Date: {email_date()}\r\nMessage-ID: <{tag}.{secrets.token_hex(6)}@example.test>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode()
    remaining = size - len(head)
    if remaining < 80:
        raise BenchError("message too small")
    with open(path, "wb") as f:
        f.write(head)
        # 57 random bytes make one 76-character line, 78 bytes with CRLF.
        while remaining > 0:
            lines = min(13000, remaining // 78)
            if lines == 0:
                # The last line: shorter, still base64 characters, still CRLF-terminated.
                f.write(base64.b64encode(os.urandom(57))[: remaining - 2] + b"\r\n")
                break
            block = base64.encodebytes(os.urandom(57 * lines)).replace(b"\n", b"\r\n")
            f.write(block)
            remaining -= len(block)
    if os.path.getsize(path) != size:
        raise BenchError(f"{path}: wrong size {os.path.getsize(path)}")


def email_date():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")


# --- the bench ---------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.build = os.path.abspath(args.build_dir or os.path.join(self.top, "build"))
        self.cleanups = []
        self.results = []        # one dict per client run
        self.extra = {}          # encoder, pipe, stall, rss series
        self.load_samples = []
        self.failures = []
        self.started = time.monotonic()
        self.started_at = datetime.datetime.now(datetime.timezone.utc)

    # -- set-up ---------------------------------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def setup(self):
        for tool in ("msmtp", "curl", "openssl", "gsettings"):
            if shutil.which(tool) is None:
                raise BenchError(f"{tool} is missing: run .ci/install-deps as root")
        for exe in ("tools/o365-send", "tools/o365-account", "tests/servers/o365-test-server",
                    "bench/latency-proxy", "bench/bench-encoder", "bench/bench-stall",
                    "bench/bench-tls-pipe", "bench/bench-exec"):
            if not os.access(os.path.join(self.build, exe), os.X_OK):
                raise BenchError(f"{self.build}/{exe} is missing: build first (.ci/build)")
        global BENCH_EXEC
        BENCH_EXEC = os.path.join(self.build, "bench", "bench-exec")
        self.certs = os.path.join(self.build, "tests", "certs")
        self.ca = os.path.join(self.certs, "ca.pem")

        # Short (Postfix's socket paths) and reachable by the users dovecot and mail.
        self.work = tempfile.mkdtemp(prefix="o365-bench-", dir="/tmp")
        os.chmod(self.work, 0o755)
        if not self.args.keep:
            self.cleanups.append(lambda: shutil.rmtree(self.work, ignore_errors=True))
        os.makedirs(self.path("logs"))
        os.makedirs(self.path("msg"))
        log(f"work directory {self.work}")

        self.password_file = self.path("password")
        self.password = secrets.token_urlsafe(18)
        self.write_private(self.password_file, self.password + "\n")

        self.sample_load("start")
        self.start_postfix()
        self.start_keyring()
        self.setup_ours()
        self.setup_peers()
        self.make_messages()

        # A port that refuses connections for as long as the bench runs: bound, never listening.
        self.dead = socket.socket()
        self.dead.bind(("127.0.0.1", 0))
        self.dead_port = self.dead.getsockname()[1]
        self.cleanups.append(self.dead.close)
        self.o365_port = free_port()
        self.setup_agent()

    def write_private(self, path, text):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)

    def start_postfix(self):
        harness = os.path.join(self.top, "tests", "harness", "postfix-harness")
        env = dict(os.environ, POSTFIX_HARNESS_PASSWORD=self.password)
        self.pf_dir = self.path("pf")
        log("starting Postfix + Dovecot (tests/harness/postfix-harness)")
        self.cleanups.append(lambda: subprocess.run([harness, "stop", self.pf_dir],
                                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        res = capture([harness, "start", self.pf_dir, "--user", ADDRESS, "--certs", self.certs], env=env)
        self.pf = parse_facts(res.stdout)
        self.pf_harness = harness
        self.pf_port = int(self.pf["PORT"])
        self.maildir_new = os.path.join(self.pf["MAILDIR"], "new")

    def start_keyring(self):
        harness = os.path.join(self.top, "tests", "harness", "keyring-harness")
        self.kr_dir = self.path("kr")
        log("starting a private gnome-keyring (tests/harness/keyring-harness)")
        self.cleanups.append(lambda: subprocess.run([harness, "stop", self.kr_dir],
                                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # Its bus can activate this build's agent, as a desktop's session bus the installed one.
        res = capture([harness, "start", self.kr_dir, "--service-dir", self.agent_service_dir()])
        self.keyring = parse_facts(res.stdout)

    def setup_ours(self):
        env = dict(os.environ)
        for key in ("DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                    "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
            env[key] = self.keyring[key]
        env.update(GSETTINGS_BACKEND="keyfile",
                   GSETTINGS_SCHEMA_DIR=os.path.join(self.build, "schemas"),
                   O365_ACCOUNT_PLUGIN_PATH=os.path.join(self.build, "plugin"),
                   LC_ALL="C.UTF-8")
        # The direct path's rows stay the direct path: the agent has rows of its own.
        env["O365_SEND_NO_AGENT"] = "1"
        # No pacing: its ledger is shared by every process of the account (the agent too), and
        # the bench sends far more than Office 365's 30 messages a minute, back to back.
        env["O365_ACCOUNT_SEND_RATE"] = "0/1"
        self.env_ours = env
        self.o365_send = os.path.join(self.build, "tools", "o365-send")
        account = os.path.join(self.build, "tools", "o365-account")
        capture([account, "add", ADDRESS, "--server", "localhost", "--port", str(self.pf_port),
                 "--ca-file", self.ca, "--display-name", "Bench", "--password-stdin"],
                env=env, stdin_path=self.password_file)
        shown = capture([account, "show", ADDRESS], env=env).stdout
        self.account_id = re.search(r"^id\s+(\S+)", shown, re.M).group(1)
        self.outbox = os.path.join(self.keyring["XDG_DATA_HOME"], "o365-account", "outbox")
        self.current_port = self.pf_port

    def set_port(self, port):
        """Points the account at @port (the keyfile o365-send reads at each start)."""
        if port == self.current_port:
            return
        capture(["gsettings", "set", f"org.o365account.office365:/org/o365account/accounts/{self.account_id}/",
                 "port", str(port)], env=self.env_ours)
        self.current_port = port

    def setup_peers(self):
        env = dict(os.environ, HOME=self.path("peer-home"), LC_ALL="C.UTF-8")
        os.makedirs(env["HOME"])
        self.env_peers = env
        self.msmtprc = self.path("msmtprc")
        self.write_private(self.msmtprc, "\n".join([
            "defaults",
            "tls on",
            "tls_starttls on",
            f"tls_trust_file {self.ca}",
            "auth on",
            f"user {ADDRESS}",
            f"passwordeval cat {self.password_file}",
            f"domain {EHLO_NAME}",
            "account bench",
            "host localhost",
            f"port {self.pf_port}",
            f"from {ADDRESS}",
            "account default : bench",
            ""]))
        self.netrc = self.path("netrc")
        self.write_private(self.netrc, f"machine localhost\nlogin {ADDRESS}\npassword {self.password}\n")

    def make_messages(self):
        log("writing the messages (10 KB, 20 × 10 KB, 1/10/100 MB)")
        self.small = self.path("msg", "small.eml")
        write_message(self.small, SMALL_SIZE, "small")
        self.batch = []
        for i in range(BATCH_COUNT):
            p = self.path("msg", f"batch-{i:02d}.eml")
            write_message(p, SMALL_SIZE, f"batch{i:02d}")
            self.batch.append(p)
        self.sized = {}
        for size in RSS_SIZES:
            if self.args.quick and size > 10_000_000:
                continue
            p = self.path("msg", f"{size // 1_000_000}mb.eml")
            write_message(p, size, f"{size // 1_000_000}mb")
            self.sized[size] = p
        self.big_size = BIG_SIZE if not self.args.quick else 10_000_000
        self.big = self.sized[self.big_size]

    def sample_load(self, label):
        with open("/proc/loadavg") as f:
            self.load_samples.append((label, f.read().split()[:3]))

    def cleanup(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # keep going: everything must be stopped
                log(f"cleanup: {e}")
        self.cleanups = []

    # -- servers and proxies ----------------------------------------------------------------------

    def start_o365_server(self, tag):
        """A fresh Office-365-like server for one run: its exit line counts that run's round
        trips (tests/servers/o365-test-server prints them when it stops)."""
        mail = self.path("o365-mail")
        shutil.rmtree(mail, ignore_errors=True)
        os.makedirs(mail)
        out = self.path("logs", f"o365-{tag}.port")
        err = self.path("logs", f"o365-{tag}.log")
        if os.path.exists(out):
            os.unlink(out)
        with open(out, "w") as o, open(err, "w") as e:
            server = Background([os.path.join(self.build, "tests", "servers", "o365-test-server"),
                                 "--port", str(self.o365_port), "--cert-dir", self.certs,
                                 "--user", ADDRESS, "--password-file", self.password_file,
                                 "--mail-dir", mail], stdout=o, stderr=e)
        self.cleanups.append(server.stop)
        read_port(out, server.proc, "o365-test-server")
        return server, err, mail

    def stop_o365_server(self, server, err, mail):
        server.stop()
        self.cleanups.remove(server.stop)
        with open(err) as f:
            text = f.read()
        m = re.search(r"stopping: (\d+) connection\(s\), (\d+) message\(s\), (\d+) round trip\(s\)", text)
        if not m:
            raise BenchError(f"o365-test-server gave no totals (see {err})")
        delivered = len([n for n in os.listdir(mail) if n.endswith(".eml")])
        shutil.rmtree(mail, ignore_errors=True)
        return {"connections": int(m.group(1)), "messages": int(m.group(2)),
                "server_round_trips": int(m.group(3)), "delivered": delivered}

    def start_proxy(self, target_port, tag):
        out = self.path("logs", f"proxy-{tag}.port")
        conn_log = self.path("logs", f"proxy-{tag}.conns")
        err = open(self.path("logs", f"proxy-{tag}.log"), "w")
        with open(out, "w") as o:
            proxy = Background([os.path.join(self.build, "bench", "latency-proxy"),
                                "--target-port", str(target_port), "--delay-ms", str(DELAY_MS),
                                "--idle-exit", "300", "--max-seconds", "1800", "--log", conn_log,
                                "--trace"],
                               stdout=o, stderr=err)
        err.close()
        self.cleanups.append(proxy.stop)
        port = read_port(out, proxy.proc, "latency-proxy")
        open(conn_log, "a").close()
        return proxy, port, conn_log

    def proxy_lines(self, conn_log, offset, expected, timeout=5):
        """The per-connection lines the proxy logged since @offset; waits (bounded) until
        @expected connections have ended."""
        deadline = time.monotonic() + timeout
        while True:
            with open(conn_log) as f:
                f.seek(offset)
                lines = [l for l in f.read().splitlines() if l.startswith("conn=")]
            if len(lines) >= expected or time.monotonic() > deadline:
                return lines
            time.sleep(0.01)

    # -- delivery checks ------------------------------------------------------------------------

    def postfix_delivered(self, expected, timeout):
        """Waits (bounded) until Postfix has delivered @expected new messages; then empties the
        Maildir so the next run starts from zero (and 100 MB files do not pile up)."""
        deadline = time.monotonic() + timeout
        count = 0
        while time.monotonic() < deadline:
            count = len(os.listdir(self.maildir_new))
            if count >= expected:
                break
            time.sleep(0.05)
        for name in os.listdir(self.maildir_new):
            os.unlink(os.path.join(self.maildir_new, name))
        return count

    def postfix_connections(self):
        res = capture([self.pf_harness, "count-connections", self.pf_dir], check=False)
        return int(res.stdout.strip() or 0)

    # -- the clients ----------------------------------------------------------------------------

    def run_client(self, client, scenario, port, log_path):
        """Runs one client on one scenario; returns (Measured, extra facts)."""
        if client in AGENT_CLIENTS:
            return self.run_agent_client(client, scenario, port, log_path)
        m = Measured()
        facts = {}
        small_timeout = 60
        big_timeout = 300
        if client == "ours":
            if scenario == "batch":
                # Queued while the server is unreachable (each exits 75), then one flush.
                self.set_port(self.dead_port)
                queued = Measured()
                for p in self.batch:
                    run_measured([self.o365_send, "-t"], self.env_ours, stdin_path=p,
                                 timeout=small_timeout, log_path=log_path, measured=queued)
                facts["queue_wall"] = queued.wall
                facts["queue_statuses"] = queued.statuses
                if any(s != 75 for s in queued.statuses):
                    raise BenchError(f"queueing: o365-send exited {queued.statuses} (see {log_path})")
                self.set_port(port)
                run_measured([self.o365_send, "--flush"], self.env_ours, timeout=small_timeout,
                             log_path=log_path, measured=m)
                # Sent means gone from the outbox: nothing may be left for a later flush.
                left = [n for n in os.listdir(self.outbox) if n.endswith(".meta")]
                if left:
                    raise BenchError(f"the flush left {len(left)} message(s) in the outbox")
            elif scenario == "batch-each":
                self.set_port(port)
                for p in self.batch:
                    run_measured([self.o365_send, "-t"], self.env_ours, stdin_path=p,
                                 timeout=small_timeout, log_path=log_path, measured=m)
            else:
                self.set_port(port)
                path = self.small if scenario == "small" else self.big
                run_measured([self.o365_send, "-t"], self.env_ours, stdin_path=path,
                             timeout=big_timeout if scenario == "big" else small_timeout,
                             log_path=log_path, measured=m)
        elif client == "msmtp":
            argv = ["msmtp", "-C", self.msmtprc, f"--port={port}", "-t"]
            paths = self.batch if scenario == "batch" else [self.small if scenario == "small" else self.big]
            for p in paths:
                run_measured(argv, self.env_peers, stdin_path=p,
                             timeout=big_timeout if scenario == "big" else small_timeout,
                             log_path=log_path, measured=m)
        elif client in ("curl", "curl-reuse"):
            url = f"smtp://localhost:{port}/{EHLO_NAME}"
            base = ["curl", "-q", "-sS", "--ssl-reqd", "--cacert", self.ca,
                    "--resolve", f"localhost:{port}:127.0.0.1", "--netrc-file", self.netrc,
                    "--mail-from", ADDRESS, "--mail-rcpt", RECIPIENT]
            if scenario == "batch" and client == "curl-reuse":
                # One invocation, one upload per URL: curl keeps the connection for the next.
                argv = list(base)
                for p in self.batch:
                    argv += ["-T", p, url]
                run_measured(argv, self.env_peers, timeout=small_timeout, log_path=log_path, measured=m)
            else:
                paths = self.batch if scenario == "batch" else [self.small if scenario == "small" else self.big]
                for p in paths:
                    run_measured(base + ["-T", p, url], self.env_peers,
                                 timeout=big_timeout if scenario == "big" else small_timeout,
                                 log_path=log_path, measured=m)
        else:
            raise BenchError(client)
        return m, facts

    def clients_for(self, scenario, server="postfix"):
        return self.direct_clients_for(scenario, server) + [c for c, s in AGENT_CLIENTS.items() if s == scenario]

    def direct_clients_for(self, scenario, server):
        if scenario == "batch":
            clients = ["ours", "msmtp", "curl", "curl-reuse"]
            if not self.args.quick and server == "postfix":
                clients.append("ours-each")
            return clients
        return ["ours", "msmtp", "curl"]

    def scenarios_for(self, server):
        # The test server reads TLS records one main-loop turn at a time: msmtp's one record per
        # line makes 100 MB take minutes there, which measures the test server, not the clients.
        if server == "o365" and not self.args.o365_big:
            return ("small", "batch")
        return ("small", "batch", "big")

    def one_run(self, server, mode, scenario, client, index, target_port, proxy):
        expected = (BATCH_COUNT if scenario in ("batch",) else 1) + (1 if client == "agent-warm" else 0)
        tag = f"{server}-{mode}-{scenario}-{client}-{index}"
        log_path = self.path("logs", f"{tag}.log")
        port = target_port
        offset = 0
        if proxy is not None:
            _, port, conn_log = proxy
            offset = os.path.getsize(conn_log)
        o365 = None
        if server == "o365":
            o365 = self.start_o365_server(tag)
        else:
            conns_before = self.postfix_connections()
        self.serving = server
        real_client = "ours" if client == "ours-each" else client
        real_scenario = "batch-each" if client == "ours-each" else scenario
        error = None
        try:
            m, facts = self.run_client(real_client, real_scenario, port, log_path)
        except BenchError as e:
            m, facts, error = Measured(), {}, str(e)
        row = {"server": server, "mode": mode, "scenario": scenario, "client": client, "run": index,
               "wall": m.wall, "cpu": m.cpu, "maxrss_kb": m.maxrss_kb, "statuses": m.statuses}
        row.update(facts)
        if o365 is not None:
            totals = self.stop_o365_server(*o365)
            row.update(totals)
        else:
            row["delivered"] = self.postfix_delivered(expected, 120 if scenario == "big" else 20)
            row["connections"] = self.postfix_connections() - conns_before
        if proxy is not None:
            expected_conns = 1 if client in ("ours", "curl-reuse", "agent-each") or scenario != "batch" else BATCH_COUNT
            lines = self.proxy_lines(proxy[2], offset, expected_conns)
            with open(proxy[2]) as f:
                f.seek(offset)
                trace = f.read()
            if self.args.trace:
                with open(self.path("logs", f"{tag}.trace"), "w") as t:
                    t.write(trace)
            row.update(think_times(trace))
            row["connected_ms"] = sum(int(re.search(r" client_ms=(\d+)", l).group(1)) for l in lines)
            turns = [int(re.search(r"client_turns=(\d+)", l).group(1)) for l in lines]
            row["proxy_connections"] = len(lines)
            row["client_turns"] = sum(turns)
            row["client_turns_each"] = turns
        ok = (error is None and all(s == 0 for s in m.statuses) and row["delivered"] == expected)
        agent_why = self.agent_run_problem(client, row, expected) if ok else None
        ok = ok and agent_why is None
        row["ok"] = ok
        if not ok:
            why = error or agent_why or f"exit statuses {m.statuses}, {row['delivered']} of {expected} delivered"
            row["error"] = why
            self.failures.append(f"{tag}: {why} (log: {log_path})")
            log(f"FAILED {tag}: {why}")
        self.results.append(row)
        turns = f", {row.get('client_turns')} turns" if proxy is not None else ""
        srt = f", server counted {row['server_round_trips']}" if "server_round_trips" in row else ""
        log(f"  {tag}: {m.wall * 1000:.0f} ms, cpu {m.cpu * 1000:.0f} ms, "
            f"rss {m.maxrss_kb / 1024:.1f} MB{turns}{srt}")

    def matrix(self):
        runs = {"small": self.args.runs_small, "batch": self.args.runs_batch, "big": self.args.runs_big}
        for server in self.args.servers:
            target = self.pf_port if server == "postfix" else self.o365_port
            for mode in ("loopback", "latency"):
                proxy = None
                if mode == "latency":
                    proxy = self.start_proxy(target, f"{server}")
                for scenario in self.scenarios_for(server):
                    n = runs[scenario]
                    clients = self.clients_for(scenario, server)
                    log(f"{server}, {mode}, {scenario}: {n} run(s) of {', '.join(clients)}")
                    self.sample_load(f"{server}-{mode}-{scenario}")
                    for i in range(n):
                        # Alternate: each run starts with a different client.
                        order = clients[i % len(clients):] + clients[:i % len(clients)]
                        for client in order:
                            self.one_run(server, mode, scenario, client, i, target, proxy)
                if proxy is not None:
                    proxy[0].stop()
                    self.cleanups.remove(proxy[0].stop)

    # -- through the submission agent (issue 12) ---------------------------------------------------

    def agent_service_dir(self):
        return os.path.join(self.build, "data", "dbus-1", "services")

    def setup_agent(self):
        """What the bus-activated agent needs to see: the same settings, plug-ins and home as
        o365-send (the harness gave it the home), and a log of its own. Then a probe: one message
        with `o365-send --debug`, which must say it went through the agent."""
        self.agent_exe = os.path.join(self.build, "agent", "o365-account-agent")
        if not os.access(self.agent_exe, os.X_OK):
            raise BenchError(f"{self.agent_exe} is missing: build first (.ci/build)")
        self.agent_log = self.path("logs", "agent.log")
        env = {k: v for k, v in self.env_ours.items() if k != "O365_SEND_NO_AGENT"}
        env.update(O365_AGENT_LOG=self.agent_log, O365_AGENT_IDLE=str(AGENT_IDLE))
        self.env_agent = env
        capture(["dbus-update-activation-environment", "GSETTINGS_BACKEND", "GSETTINGS_SCHEMA_DIR",
                 "O365_ACCOUNT_PLUGIN_PATH", "O365_ACCOUNT_SEND_RATE", "LC_ALL", "O365_AGENT_LOG", "O365_AGENT_IDLE"],
                env=env)
        self.cleanups.append(self.stop_agent)

        log("probing the agent path (o365-send --debug -t, Postfix, loopback)")
        self.set_port(self.pf_port)
        probe = self.path("msg", "probe.eml")
        write_message(probe, SMALL_SIZE, "probe")
        res = capture([self.o365_send, "--debug", "-t"], env=env, stdin_path=probe, check=False)
        handed = [l for l in res.stderr.splitlines() if "sent through the agent" in l
                  or l.startswith("o365-send: no agent")]
        delivered = self.postfix_delivered(1, 20)
        self.stop_agent()
        # Only the hand-off line is kept: --debug output is not written anywhere.
        self.extra["agent_probe"] = {"status": res.returncode, "line": handed[0] if handed else "",
                                     "delivered": delivered}
        if res.returncode != 0 or not handed or "sent through the agent" not in handed[0] or delivered != 1:
            raise BenchError(f"the agent path was not taken: exit {res.returncode}, "
                             f"{handed[0] if handed else 'no hand-off line'}, {delivered} delivered")
        self.prime = self.path("msg", "prime.eml")
        write_message(self.prime, SMALL_SIZE, "prime")

    def agent_pid(self):
        """The agent's process id, from the bus (None when it does not run)."""
        res = capture(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                       "--object-path", "/org/freedesktop/DBus",
                       "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", AGENT_NAME],
                      env=self.env_agent, check=False)
        m = re.search(r"uint32 (\d+)", res.stdout)
        if not m:
            return None
        pid = int(m.group(1))
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().split(b"\0")[0].decode() != self.agent_exe:
                    return None  # not the agent this bench's bus activated
        except OSError:
            return None
        return pid

    @staticmethod
    def process_cpu(pid):
        """On-CPU seconds of a process that is not our child: the sum of its threads'
        /proc/PID/task/TID/schedstat (nanoseconds; /proc/PID/stat counts in 10 ms ticks, too
        coarse for one message). A thread that ended is not counted."""
        total = 0
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                        total += int(f.read().split()[0])
                except OSError:
                    pass
        except OSError:
            return None
        return total / 1e9

    def stop_agent(self):
        """Stops the agent our bus activated (SIGTERM by its pid, bounded), which closes the
        connection it keeps, so that the server and the proxy can count it. Returns the CPU it
        used in all, or None when it was not running."""
        pid = self.agent_pid()
        if pid is None:
            return None
        cpu = self.process_cpu(pid)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        break  # gone; the bus reaps it
            except OSError:
                break
            time.sleep(0.01)
        else:
            os.kill(pid, signal.SIGKILL)
        return cpu

    def fsync_probe(self):
        """Milliseconds the disk takes right now for what the outbox does about twice per message
        through the agent (o365-send's entry, then the agent's in-flight record and removal): a
        small file written and fsync()ed, renamed into place, its directory fsync()ed. On the
        same file system as the outbox; the machine is shared, so this varies."""
        d = self.path("fsync-probe")
        os.makedirs(d, exist_ok=True)
        start = time.monotonic()
        fd = os.open(os.path.join(d, ".probe.tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"x" * 256)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(os.path.join(d, ".probe.tmp"), os.path.join(d, "probe"))
        dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        return (time.monotonic() - start) * 1000

    def agent_sent_since(self, offset):
        """Messages the agent's log says it sent since @offset (its outcome line per message)."""
        if not os.path.exists(self.agent_log):
            return 0
        with open(self.agent_log, errors="replace") as f:
            f.seek(offset)
            return len(re.findall(r"Message: [\d:.]+: \S+: sent$", f.read(), re.M))

    def run_agent_client(self, client, scenario, port, log_path):
        """o365-send handing its messages to the agent. agent-each: 20 processes, one per
        message, the first activating the agent. agent-warm: an untimed message first, which
        leaves the agent running with its connection open, then the timed one over it."""
        m = Measured()
        facts = {}
        self.set_port(port)
        self.stop_agent()  # every run starts from no agent
        offset = os.path.getsize(self.agent_log) if os.path.exists(self.agent_log) else 0
        cpu_before = 0.0
        probe_before = self.fsync_probe()
        try:
            if client == "agent-each":
                for p in self.batch:
                    run_measured([self.o365_send, "-t"], self.env_agent, stdin_path=p, timeout=60,
                                 log_path=log_path, measured=m)
            else:
                primed = run_measured([self.o365_send, "-t"], self.env_agent, stdin_path=self.prime,
                                      timeout=60, log_path=log_path)
                if primed.statuses != [0]:
                    raise BenchError(f"the priming message: o365-send exited {primed.statuses}")
                if self.serving == "postfix":
                    # Postfix's delivery of it is over before the timed message starts.
                    deadline = time.monotonic() + 20
                    while not os.listdir(self.maildir_new) and time.monotonic() < deadline:
                        time.sleep(0.01)
                pid = self.agent_pid()
                cpu_before = self.process_cpu(pid) if pid else None
                if cpu_before is None:
                    raise BenchError("the agent is not running after the priming message")
                run_measured([self.o365_send, "-t"], self.env_agent, stdin_path=self.small, timeout=60,
                             log_path=log_path, measured=m)
        finally:
            cpu_after = self.stop_agent()
        facts["agent_cpu"] = None if cpu_after is None else cpu_after - cpu_before
        facts["fsync_probe_ms"] = (probe_before + self.fsync_probe()) / 2
        facts["agent_sent"] = self.agent_sent_since(offset)
        return m, facts

    def agent_run_problem(self, client, row, expected):
        """Why a run through the agent does not count, or None: every message must have been
        sent by the agent, over one connection."""
        if client not in AGENT_CLIENTS:
            return None
        if row.get("agent_sent") != expected:
            return f"the agent's log shows {row.get('agent_sent')} of {expected} sent by it"
        conns = row.get("proxy_connections", row.get("connections"))
        if conns != 1:
            return f"{conns} connections, not the agent's one"
        return None

    # -- constant memory, encoder, raw TLS, stall ----------------------------------------------------

    def rss_series(self):
        log("RSS series: o365-send with 1, 10 and 100 MB (Postfix, loopback)")
        self.set_port(self.pf_port)
        series = {}
        for size, path in sorted(self.sized.items()):
            rows = []
            for i in range(self.args.runs_big):
                m = run_measured([self.o365_send, "-t"], self.env_ours, stdin_path=path, timeout=300,
                                 log_path=self.path("logs", f"rss-{size}.log"))
                delivered = self.postfix_delivered(1, 120)
                ok = m.statuses == [0] and delivered == 1
                if not ok:
                    self.failures.append(f"rss {size}: exit {m.statuses}, delivered {delivered}")
                rows.append({"wall": m.wall, "cpu": m.cpu, "maxrss_kb": m.maxrss_kb, "ok": ok})
                log(f"  {size // 1_000_000} MB: {m.wall:.2f} s, cpu {m.cpu:.2f} s, rss {m.maxrss_kb / 1024:.1f} MB")
            series[size] = rows
        self.extra["rss"] = series

    def encoder(self):
        log("body encoder on its own (bench-encoder)")
        mb = 100 if not self.args.quick else 20
        res = capture([os.path.join(self.build, "bench", "bench-encoder"), "--megabytes", str(mb),
                       "--passes", "5"])
        self.extra["encoder"] = parse_facts(res.stdout)
        self.extra["encoder"]["MEGABYTES"] = mb

    def tls_pipe(self):
        log("bare TLS pipes of the same bytes (bench-tls-pipe: GIO/GnuTLS; openssl s_client)")
        pipe = os.path.join(self.build, "bench", "bench-tls-pipe")
        rows = []
        for i in range(self.args.runs_big):
            out = self.path("logs", f"pipe-{i}.port")
            with open(out, "w") as o, open(self.path("logs", f"pipe-{i}.sink.log"), "w") as e:
                sink = Background([pipe, "sink", "--cert", os.path.join(self.certs, "server.pem"),
                                   "--key", os.path.join(self.certs, "server.key")], stdout=o, stderr=e)
            self.cleanups.append(sink.stop)
            try:
                port = read_port(out, sink.proc, "bench-tls-pipe sink")
                m = run_measured([pipe, "source", "--port", str(port), "--ca", self.ca, "--file", self.big],
                                 os.environ, timeout=300, log_path=self.path("logs", f"pipe-{i}.log"))
            finally:
                sink.stop()
                self.cleanups.remove(sink.stop)
            with open(self.path("logs", f"pipe-{i}.log")) as f:
                facts = parse_facts(f.read())
            ok = m.statuses == [0] and int(facts.get("PIPE_BYTES", 0)) == self.big_size
            if not ok:
                self.failures.append(f"tls pipe run {i}: exit {m.statuses}")
            rows.append({"wall": m.wall, "cpu": m.cpu, "maxrss_kb": m.maxrss_kb, "ok": ok,
                         "data_seconds": float(facts.get("PIPE_DATA_SECONDS", "nan")),
                         "cipher": facts.get("PIPE_CIPHER", "?")})
            log(f"  GIO pipe: {m.wall:.2f} s, cpu {m.cpu:.2f} s")
        self.extra["pipe_gio"] = rows

        rows = []
        for i in range(self.args.runs_big):
            port = free_port()
            sink_log = self.path("logs", f"openssl-{i}.sink.log")
            # s_server stops at the end of its stdin: it gets a pipe we keep open. What it receives
            # is counted here, so a short transfer cannot look fast.
            with open(sink_log, "w") as e:
                sink = Background(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "1",
                                   "-cert", os.path.join(self.certs, "server.pem"),
                                   "-key", os.path.join(self.certs, "server.key"), "-quiet"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=e)
            self.cleanups.append(sink.stop)
            received = [0]

            def count(stream=sink.proc.stdout, total=received):
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    total[0] += len(chunk)

            counter = threading.Thread(target=count, daemon=True)
            counter.start()
            try:
                self.wait_listening(port, sink.proc)
                start = time.monotonic()
                m = run_measured(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                                  "-servername", "localhost", "-verify_hostname", "localhost",
                                  "-CAfile", self.ca, "-verify_return_error", "-quiet", "-no_ign_eof",
                                  "-nocommands"],
                                 os.environ, stdin_path=self.big, timeout=300,
                                 log_path=self.path("logs", f"openssl-{i}.log"))
                counter.join(60)
                end = time.monotonic()
            finally:
                sink.stop()
                self.cleanups.remove(sink.stop)
            ok = m.statuses == [0] and received[0] == self.big_size
            if not ok:
                self.failures.append(f"openssl pipe run {i}: exit {m.statuses}, {received[0]} bytes received")
            # Until the sink has read the last byte, not just until s_client has written it.
            rows.append({"wall": end - start, "cpu": m.cpu, "maxrss_kb": m.maxrss_kb, "ok": ok})
            log(f"  openssl pipe: {end - start:.2f} s, cpu {m.cpu:.2f} s")
        self.extra["pipe_openssl"] = rows

    def wait_listening(self, port, proc, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError("openssl s_server exited")
            with open("/proc/net/tcp") as f:
                if any(l.split()[1].endswith(f":{port:04X}") and l.split()[3] == "0A" for l in f.readlines()[1:]):
                    return
            time.sleep(0.02)
        raise BenchError("openssl s_server did not listen")

    def stall(self):
        log("main-loop stall probe (bench-stall, Postfix, loopback), with a witness process")
        stall = os.path.join(self.build, "bench", "bench-stall")
        rows = []
        for i in range(self.args.runs_big):
            # The witness: the same 1 ms timer in a process of its own, doing nothing else. A gap
            # it sees at the same moment is the machine's (the whole VM paused), not the engine's.
            witness_out = self.path("logs", f"witness-{i}.txt")
            with open(witness_out, "w") as o:
                witness = Background([stall, "--witness", "300000"], stdout=o, stderr=subprocess.DEVNULL)
            self.cleanups.append(witness.stop)
            try:
                time.sleep(0.2)
                res = capture([stall, "--port", str(self.pf_port), "--ca", self.ca, "--user", ADDRESS,
                               "--password-file", self.password_file, "--message", self.big], check=False)
            finally:
                witness.stop()
                self.cleanups.remove(witness.stop)
            facts = parse_facts(res.stdout)
            with open(witness_out) as f:
                witness_gaps = [gap_fields(l) for l in f.read().splitlines() if l.startswith("WITNESS_GAP=")]
            gaps = [gap_fields(l) for l in res.stdout.splitlines() if l.startswith("STALL_GAP=")]
            for g in gaps:
                g["witness"] = witness_overlaps(g, witness_gaps)
                g["cause"] = classify_gap(g)
            facts["gaps"] = gaps
            facts["witness_gaps"] = len(witness_gaps)
            delivered = self.postfix_delivered(1, 120)
            ok = res.returncode == 0 and delivered == 1
            if not ok:
                self.failures.append(f"stall probe run {i}: {res.stderr.strip()[-500:]}")
            facts["ok"] = ok
            rows.append(facts)
            causes = ", ".join(f"{g['gap_ms']:.0f} ms {g['cause']}" for g in gaps if g["gap_ms"] > 10) or "none"
            log(f"  longest gap {facts.get('STALL_MAX_MS')} ms (idle baseline {facts.get('BASELINE_MAX_MS')} ms), "
                f"longest main-loop work {facts.get('STALL_MAX_BUSY_MS')} ms, send {facts.get('STALL_SEND_SECONDS')} s; "
                f"gaps over 10 ms: {causes}")
        self.extra["stall"] = rows

    # -- environment ----------------------------------------------------------------------------

    def versions(self):
        def first_line(argv, pattern=None):
            try:
                res = subprocess.run(argv, capture_output=True, text=True, timeout=20)
                text = (res.stdout + res.stderr).strip()
            except (OSError, subprocess.TimeoutExpired):
                return "?"
            if pattern:
                m = re.search(pattern, text, re.M)
                return m.group(1) if m else "?"
            return text.splitlines()[0] if text else "?"

        def deb(package):
            return first_line(["dpkg-query", "-W", "-f=${Version}", package])

        cpu = "?"
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            cpu = m.group(1) if m else cpu
        with open("/proc/meminfo") as f:
            mem_kb = int(re.search(r"^MemTotal:\s*(\d+)", f.read(), re.M).group(1))
        return {
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
            "kernel": platform.release(),
            "os": first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
            "msmtp": first_line(["msmtp", "--version"], r"^msmtp version (\S+)"),
            "curl": first_line(["curl", "--version"], r"^curl (\S+)"),
            "gnutls": deb("libgnutls30"),
            "openssl": first_line(["openssl", "version"], r"^OpenSSL (\S+)"),
            "postfix": first_line(["postconf", "-c", self.pf["CONFIG_DIR"], "-h", "mail_version"]),
            "dovecot": first_line(["dovecot", "--version"], r"^(\S+)"),
            "glib": deb("libglib2.0-0"),
            "glib-networking": deb("glib-networking"),
            "libsecret": deb("libsecret-1-0"),
            "gnome-keyring": deb("gnome-keyring"),
            "python": platform.python_version(),
        }


def think_times(trace):
    """From the proxy's trace: how long the client itself took to answer. For each client turn,
    the time between the server's data reaching the client (read by the proxy + DELAY_MS) and
    the client's next write. tls_setup_ms is the third turn's: from the 220 to STARTTLS to the
    ClientHello."""
    think = 0.0
    tls_setup = 0.0
    last_server = {}
    turns = {}
    for line in trace.splitlines():
        m = re.match(r"trace conn=(\d+) t=([\d.]+) (C>|S>) (\d+)( client-turn)?", line)
        if not m:
            continue
        conn, t = m.group(1), float(m.group(2))
        if m.group(3) == "S>":
            last_server[conn] = t
        elif m.group(5) and conn in last_server:
            wait = max(0.0, t - (last_server[conn] + DELAY_MS))
            think += wait
            turns[conn] = turns.get(conn, 0) + 1
            if turns[conn] == 3:
                tls_setup += wait
    return {"think_ms": think, "tls_setup_ms": tls_setup}


def gap_fields(line):
    """STALL_GAP=at_ms:1.0 end_ms:2.0 … → {"at_ms": 1.0, "end_ms": 2.0, …}"""
    return {k: float(v) for k, v in (item.split(":", 1) for item in line.split("=", 1)[1].split())}


def witness_overlaps(gap, witness_gaps):
    """Whether the witness process stalled for at least half of the same interval."""
    start, end = gap["end_ms"] - gap["gap_ms"], gap["end_ms"]
    return any(min(end, w["end_ms"]) - max(start, w["end_ms"] - w["gap_ms"]) >= 0.5 * gap["gap_ms"]
               for w in witness_gaps)


def classify_gap(gap):
    """Why a gap of the engine's main loop happened: its main thread worked through it, or waited
    for a CPU that other processes had, or neither — it slept past its deadline, and when the
    witness did the same at the same moment, the whole machine paused."""
    if gap["cpu_ms"] >= 0.5 * gap["gap_ms"]:
        return "engine (main thread busy)"
    if gap["waited_for_cpu_ms"] >= 0.5 * gap["gap_ms"]:
        return "machine busy (waiting for a CPU)"
    if gap.get("witness"):
        return "machine paused (the witness stalled too)"
    return "unexplained"


# --- statistics and the report ------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_ms(seconds):
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def fmt_s(seconds):
    return "–" if seconds is None else (f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s")


def fmt_ratio(a, b):
    if a is None or not b:
        return "–"
    return f"{a / b:.2f}"


def fmt_mb(kb):
    return "–" if kb is None else f"{kb / 1024:.1f} MB"


CLIENT_NAMES = {
    "ours": "o365-send",
    "ours-each": "o365-send × 20 (one process per message)",
    "msmtp": "msmtp",
    "curl": "curl",
    "curl-reuse": "curl (one process, 20 uploads, one connection)",
    "agent-each": "o365-send × 20 through the agent (one process per message)",
    "agent-warm": "o365-send through a warm agent",
}

SCENARIO_NAMES = {
    "small": "a. one 10 KB message",
    "batch": "b. 20 messages of 10 KB",
    "big": "c. one 100 MB message",
}


class Report:
    def __init__(self, bench, versions, elapsed):
        self.b = bench
        self.v = versions
        self.elapsed = elapsed
        self.lines = []

    def w(self, line=""):
        self.lines.append(line)

    def name(self, scenario):
        if scenario == "big":
            return f"c. one {self.b.big_size / 1e6:.0f} MB message"
        return SCENARIO_NAMES[scenario]

    def rows(self, server, mode, scenario, client):
        return [r for r in self.b.results if r["server"] == server and r["mode"] == mode
                and r["scenario"] == scenario and r["client"] == client and r["ok"]]

    def stat(self, server, mode, scenario, client, key):
        return median([r.get(key) for r in self.rows(server, mode, scenario, client)])

    def counted(self, server, mode, scenario, client):
        """Round trips of one run: the proxy's client turns, else the test server's count."""
        rows = self.rows(server, mode, scenario, client)
        if mode == "latency":
            return median([r.get("client_turns") for r in rows])
        return None

    def server_rt(self, server, mode, scenario, client):
        return median([r.get("server_round_trips") for r in self.rows(server, mode, scenario, client)])

    def build(self):
        b = self.b
        v = self.v
        quick = b.args.quick
        loads = ", ".join(f"{label}: {' '.join(avg)}" for label, avg in b.load_samples)
        busy = max(float(avg[0]) for _, avg in b.load_samples) > 0.5
        self.w("# Benchmarks: o365-send against msmtp and curl")
        self.w()
        self.w(f"Written by `bench/run` on {b.started_at.strftime('%Y-%m-%d %H:%M UTC')}; the whole run took "
               f"{self.elapsed / 60:.1f} minutes."
               + (" **Quick mode** (`--quick`): too few runs and a 10 MB \"big\" message — a smoke test, not results."
                  if quick else ""))
        self.w()
        self.w("| machine | |")
        self.w("|---|---|")
        self.w(f"| CPU | {v['cpu']}, {v['nproc']} cores (nproc) |")
        self.w(f"| memory | {v['memory']} |")
        self.w(f"| kernel / OS | {v['kernel']} / {v['os']} |")
        self.w(f"| load average (1, 5, 15 min) | {loads} |")
        self.w(f"| clients | msmtp {v['msmtp']}, curl {v['curl']}, o365-send (this tree) |")
        self.w(f"| servers | Postfix {v['postfix']} + Dovecot {v['dovecot']} (tests/harness/postfix-harness); "
               f"tests/servers/o365-test-server |")
        self.w(f"| libraries | GLib {v['glib']}, glib-networking {v['glib-networking']}, GnuTLS {v['gnutls']}, "
               f"OpenSSL {v['openssl']}, libsecret {v['libsecret']}, gnome-keyring {v['gnome-keyring']} |")
        self.w()
        if busy:
            self.w("**The machine was not idle** while this ran (other jobs were building and testing on its "
                   f"{v['nproc']} cores; see the load averages above). Absolute times are inflated and noisier "
                   "than on an idle machine; the clients were alternated run by run, so the ratios are the "
                   "figures to read.")
            self.w()
        if b.failures:
            self.w("## Failures")
            self.w()
            self.w("A failed run is left out of the medians (its client could otherwise look fast):")
            self.w()
            for f in b.failures:
                self.w(f"- {f}")
            self.w()

        self.method()
        self.agent_method()
        self.headline()
        self.agent_headline()
        for server in b.args.servers:
            self.server_tables(server)
        self.where_time_goes()
        self.floor()
        self.memory()
        self.encoder()
        self.raw_tls()
        self.stall()
        self.notes()
        self.appendix()
        return "\n".join(self.lines) + "\n"

    def method(self):
        b = self.b
        self.w("## What was run")
        self.w()
        self.w(f"- **Work**: a. one message of {SMALL_SIZE:,} bytes; b. {BATCH_COUNT} such messages; "
               f"c. one message of {b.big_size:,} bytes. Every message is RFC 5322 with CRLF line ends and a "
               "base64 body (76-character lines), generated once; every client sends the same files, one "
               "recipient each.")
        self.w(f"- **Runs**: a: {b.args.runs_small}, b: {b.args.runs_batch}, c: {b.args.runs_big} per client and "
               "path; the clients are alternated (run *i* starts with a different client), and every figure is "
               "the median of the runs."
               + ("" if b.args.o365_big else " c runs on Postfix only: the Office-365-like test server is a "
                  "functional test server that handles one TLS record per main-loop turn, and msmtp's one "
                  "record per line makes 100 MB take minutes there — a measure of the test server, not of "
                  "the clients."))
        self.w(f"- **Paths**: *loopback* — straight to the server on 127.0.0.1; *latency* — through "
               f"`bench/latency-proxy`, which delays every chunk {DELAY_MS} ms each way (RTT {2 * DELAY_MS} ms) "
               "and opens its upstream connection three one-way delays after the client connects (the TCP "
               "handshake), so the greeting arrives two round trips after `connect()` as on a real path.")
        self.w("- **Wall time** is fork to reaping of the client process(es); **CPU** is user+sys and **peak RSS** "
               "ru_maxrss, both from `wait4()` of each client process (children it reaped included, e.g. "
               "msmtp's `passwordeval`). Servers, the keyring daemon and the proxy are not counted.")
        self.w("- **Verification**: a run counts only if every process exited 0 and the server delivered every "
               "message (Postfix: files in the Maildir; the test server: its own count and the files it stored).")
        self.w("- **Round trips** are the proxy's *client turns*: a client write (or its end of stream) that "
               "follows server data — one wait for the server. The test server also counts reads that had "
               "to wait for the client (it does not see the TLS handshake).")
        self.w("- **How each client sends** (as its users would):")
        self.w("  - o365-send: `o365-send -t < message` with the account from `o365-account add` (password in a "
               "private gnome-keyring, settings in a private keyfile). It writes the message to its durable "
               "outbox (fsync) before sending and removes it after. For b, the 20 messages were queued while "
               "the server was unreachable (each `o365-send -t` exits 75), then **one `o365-send --flush`** "
               "sent them over one connection; only the flush is timed (the queueing is reported apart). "
               "`o365-send × 20` is the same work the way git send-email would run it: one process per message.")
        self.w("  - msmtp: `msmtp -C msmtprc -t < message` (tls on, tls_starttls on, tls_trust_file the test CA, "
               "auth on, `passwordeval cat FILE` on a 0600 file); one process per message (msmtp sends one "
               "message per connection).")
        self.w("  - curl: `curl --ssl-reqd --cacert CA --netrc-file FILE --mail-from … --mail-rcpt … -T message "
               "smtp://localhost:PORT/EHLO-NAME` (netrc 0600, `--resolve` to 127.0.0.1); one process per "
               "message. For b also **one curl process with 20 `-T FILE URL` pairs**: curl then keeps one "
               "connection for all 20 — its best case, and the fair match for our flush.")
        self.w()

    def agent_method(self):
        b = self.b
        self.w("### Through the submission agent (issue 12)")
        self.w()
        self.w("- **The agent**: the keyring's private session bus activates this build's `o365-account-agent` "
               "(`build/data/dbus-1/services`), given the same settings, plug-ins and home as o365-send "
               "(`dbus-update-activation-environment`) and a log of its own (`O365_AGENT_LOG`). It keeps its "
               f"connection for {AGENT_IDLE} s after a message (`O365_AGENT_IDLE`, the default) and checks it "
               "with NOOP before reusing it. Every other o365-send row of this report runs with "
               "`O365_SEND_NO_AGENT=1`: the direct path, as before the agent. o365-send and the agent run with "
               "`O365_ACCOUNT_SEND_RATE=0/1` (no pacing): the pacer's ledger is shared by every process of the "
               "account, and the bench sends far more than Office 365's 30 messages a minute, back to back.")
        self.w(f"- **o365-send × {BATCH_COUNT} through the agent** (b): {BATCH_COUNT} × `o365-send -t < message`, "
               "one process per message, one after another, as git send-email runs it. No agent runs before the "
               "first process, which activates it: the agent's start-up is in the time. The wall time and CPU "
               "are the o365-send processes'; the agent's own CPU is given apart.")
        self.w("- **o365-send through a warm agent** (a): the agent is already running with its connection kept "
               "open from a previous message — one untimed `o365-send -t` of another 10 KB message just before "
               "(activating the agent, signing in, sending; on Postfix its local delivery is over first) — then "
               "the timed `o365-send -t < message` goes over that open connection. The agent's CPU is that of "
               "the timed message only.")
        self.w("- **After every run through the agent** the agent is stopped (SIGTERM to its pid, asked of the "
               "bus), which closes its connection so that the server and the proxy can count it; the next run "
               "starts without an agent.")
        probe = b.extra.get("agent_probe", {})
        self.w("- **Verification, beyond the exit statuses and deliveries**: at set-up a probe "
               "`o365-send --debug -t` printed "
               + (f"`{probe['line'].strip()}`" if probe.get("line") else "(no probe recorded)")
               + "; each run counts only if the agent's log shows an outcome `sent` from the agent for every "
               "message of the run (the priming one included) and the server saw exactly **one** connection "
               "(Postfix's log, the test server's count, or the proxy's) — 20 processes, one connection; the "
               "warm message on the priming message's connection.")
        self.w()

    def agent_headline(self):
        b = self.b
        loads = "; ".join(f"{label}: {' '.join(avg)}" for label, avg in b.load_samples
                          if label.endswith(("-small", "-batch")))
        self.w("## Headline: through the submission agent (issue 12)")
        self.w()
        self.w("Wall-time medians; the targets are issue 12's. **The machine is shared** (2 cores, other "
               f"engineers' builds and tests): load averages (1, 5, 15 min) when these scenarios started: {loads}.")
        self.w()
        self.w("| server | path | work | o365-send through the agent | against | its wall | ratio | target | "
               "met | connections | round trips (proxy) | o365-send CPU | agent CPU | disk probe |")
        self.w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for server in b.args.servers:
            for client, against, target in (("agent-each", "msmtp", 0.25), ("agent-warm", "curl", 1.0)):
                scenario = AGENT_CLIENTS[client]
                for mode in ("loopback", "latency"):
                    ours = self.stat(server, mode, scenario, client, "wall")
                    theirs = self.stat(server, mode, scenario, against, "wall")
                    rows = self.rows(server, mode, scenario, client)
                    conns = median([r.get("proxy_connections", r.get("connections")) for r in rows])
                    goal = target if client == "agent-each" or mode == "loopback" else None
                    met = "–" if goal is None or ours is None or not theirs else \
                        ("yes" if ours / theirs <= goal else "**no**")
                    work = (f"{BATCH_COUNT} × 10 KB, one process each" if client == "agent-each"
                            else "one 10 KB message, warm agent")
                    self.w(f"| {server} | {mode} | {work} | {fmt_ms(ours)} | {CLIENT_NAMES[against]} "
                           f"({'20 processes' if client == 'agent-each' else 'one process'}) | {fmt_ms(theirs)} | "
                           f"{fmt_ratio(ours, theirs)} | {'–' if goal is None else f'≤ {goal:.2f}'} | {met} | "
                           f"{'–' if conns is None else f'{conns:.0f}'} | "
                           f"{self.fmt_count(self.counted(server, mode, scenario, client))} | "
                           f"{fmt_ms(median([r['cpu'] for r in rows]))} | "
                           f"{fmt_ms(median([r.get('agent_cpu') for r in rows]))} | "
                           f"{self.fmt_probe(median([r.get('fsync_probe_ms') for r in rows]))} |")
        self.w()
        self.w("*Agent CPU* is the on-CPU time of the agent's threads (`/proc/PID/task/*/schedstat`): for × 20 its "
               "start-up included, for the warm agent the timed message only. *Disk probe* is how long, just before "
               "and after the run (mean), a small file written and fsync()ed, renamed and its directory fsync()ed "
               "took on the outbox's file system: o365-send and the agent do about two of these per message, so "
               "it shows how much of a run the shared disk decided. Run by run, wall (disk probe):")
        self.w()
        for server in b.args.servers:
            for client in AGENT_CLIENTS:
                for mode in ("loopback", "latency"):
                    runs = [r for r in b.results if r["server"] == server and r["mode"] == mode
                            and r["client"] == client and r["ok"]]
                    if runs:
                        self.w(f"- {server}, {mode}, {CLIENT_NAMES[client]}: " + ", ".join(
                            f"{fmt_ms(r['wall'])} ({self.fmt_probe(r.get('fsync_probe_ms'))})" for r in runs))
        self.w()
        self.agent_time()

    def agent_time(self):
        """Through the proxy every wait for the server is one round trip, so the wall time splits
        into the waits (client turns × RTT) and everything local."""
        b = self.b
        rtt = 2 * DELAY_MS / 1000
        self.w(f"Where the time goes through the latency proxy (RTT {2 * DELAY_MS} ms; a client turn is one wait "
               "for the server, so *waiting for the network* is turns × RTT and *local* is the rest: processes "
               "starting, the outbox and its fsyncs, D-Bus, the agent, the server's own work):")
        self.w()
        self.w(f"| server | work | wall | round trips | waiting for the network | local | local per message | "
               "the target: 0.25 × msmtp's wall |")
        self.w("|---|---|---|---|---|---|---|---|")
        for server in b.args.servers:
            rows = self.rows(server, "latency", "batch", "agent-each")
            wall = median([r["wall"] for r in rows])
            turns = median([r.get("client_turns") for r in rows])
            theirs = self.stat(server, "latency", "batch", "msmtp", "wall")
            if wall is None or turns is None:
                continue
            local = wall - turns * rtt
            self.w(f"| {server} | {CLIENT_NAMES['agent-each']} | {fmt_ms(wall)} | {turns:.0f} | "
                   f"{fmt_ms(turns * rtt)} | {fmt_ms(local)} | {fmt_ms(local / BATCH_COUNT)} | "
                   f"{fmt_ms(None if theirs is None else 0.25 * theirs)} |")
        self.w()
        self.w("The agent's connection does not QUIT here (it is stopped after the run), so the round trips are "
               "the first message's session without its QUIT and then, per further message, the NOOP that checks "
               "the kept connection, the pipelined envelope and the body.")
        self.w()

    def headline(self):
        b = self.b
        self.w("## Headline: ratios ours/theirs (wall-time medians; below 1 means o365-send is faster)")
        self.w()
        for server in b.args.servers:
            self.w(f"**{'Postfix + Dovecot' if server == 'postfix' else 'Office-365-like test server'}**")
            self.w()
            self.w("| work | path | o365-send | msmtp | curl | ours/msmtp | ours/curl | "
                   "ours/curl (one process, reused connection) |")
            self.w("|---|---|---|---|---|---|---|---|")
            for scenario in b.scenarios_for(server):
                for mode in ("loopback", "latency"):
                    ours = self.stat(server, mode, scenario, "ours", "wall")
                    msmtp = self.stat(server, mode, scenario, "msmtp", "wall")
                    curl = self.stat(server, mode, scenario, "curl", "wall")
                    reuse = self.stat(server, mode, scenario, "curl-reuse", "wall") if scenario == "batch" else None
                    self.w(f"| {self.name(scenario)} | {mode} | {fmt_ms(ours)} | {fmt_ms(msmtp)} | "
                           f"{fmt_ms(curl)} | {fmt_ratio(ours, msmtp)} | {fmt_ratio(ours, curl)} | "
                           f"{fmt_ratio(ours, reuse) if scenario == 'batch' else ''} |")
            self.w()

    def server_tables(self, server):
        b = self.b
        title = "Postfix + Dovecot (real, AUTH PLAIN)" if server == "postfix" else \
            "Office-365-like test server (AUTH LOGIN, as smtp.office365.com)"
        self.w(f"## Details: {title}")
        self.w()
        for scenario in b.scenarios_for(server):
            self.w(f"### {self.name(scenario)}")
            self.w()
            self.w("| path | client | runs | wall (median) | wall (min–max) | CPU user+sys | peak RSS | "
                   "round trips (proxy) | server's count | connections | ours/this |")
            self.w("|---|---|---|---|---|---|---|---|---|---|---|")
            for mode in ("loopback", "latency"):
                ours = self.stat(server, mode, scenario, "ours", "wall")
                for client in b.clients_for(scenario, server):
                    rows = self.rows(server, mode, scenario, client)
                    allrows = [r for r in b.results if r["server"] == server and r["mode"] == mode
                               and r["scenario"] == scenario and r["client"] == client]
                    if not allrows:
                        continue
                    walls = [r["wall"] for r in rows]
                    span = f"{fmt_ms(min(walls))}–{fmt_ms(max(walls))}" if walls else "–"
                    wall = median(walls)
                    turns = self.counted(server, mode, scenario, client)
                    srt = self.server_rt(server, mode, scenario, client)
                    conns = median([r.get("proxy_connections", r.get("connections")) for r in rows])
                    self.w(f"| {mode} | {CLIENT_NAMES[client]} | {len(rows)}/{len(allrows)} | {fmt_ms(wall)} | "
                           f"{span} | {fmt_ms(median([r['cpu'] for r in rows]))} | "
                           f"{fmt_mb(median([r['maxrss_kb'] for r in rows]))} | "
                           f"{'–' if turns is None else f'{turns:.0f}'} | "
                           f"{'–' if srt is None else f'{srt:.0f}'} | "
                           f"{'–' if conns is None else f'{conns:.0f}'} | "
                           f"{'' if client == 'ours' else fmt_ratio(ours, wall)} |")
            if scenario == "batch":
                q = median([r.get("queue_wall") for r in b.results if r["server"] == server
                            and r["scenario"] == "batch" and r["client"] == "ours" and r["ok"]])
                self.w()
                self.w(f"Queueing the 20 messages while the server was unreachable (20 × `o365-send -t`, exit 75, "
                       f"not in the flush's time): {fmt_ms(q)} median.")
            if scenario == "big":
                self.w()
                for mode in ("loopback", "latency"):
                    parts = []
                    for client in ("ours", "msmtp", "curl"):
                        wall = self.stat(server, mode, scenario, client, "wall")
                        if wall:
                            parts.append(f"{CLIENT_NAMES[client]} {b.big_size / wall / 1e6:.0f} MB/s")
                    self.w(f"Throughput, {mode}: {', '.join(parts)}.")
                    self.w()
            self.w()

    def where_time_goes(self):
        b = self.b
        self.w("## Where the time goes (a. one 10 KB message, through the latency proxy)")
        self.w()
        self.w(f"From the proxy's trace: *before connecting* is the client's wall time less the time its "
               f"connection was open (process start-up, reading the configuration and the password, "
               f"o365-send's outbox); *waiting for the network* is the open connection's time less the client's "
               f"*own answer time* — for each of its turns, from the server's data reaching it to its next write. "
               f"*TLS set-up* is that answer time for the ClientHello (after the 220 to STARTTLS).")
        self.w()
        self.w("| server | client | wall | before connecting | waiting for the network | own answer time | "
               "of which TLS set-up | round trips |")
        self.w("|---|---|---|---|---|---|---|---|")
        for server in b.args.servers:
            for client in ("ours", "msmtp", "curl"):
                rows = self.rows(server, "latency", "small", client)
                if not rows:
                    continue
                wall = median([r["wall"] * 1000 for r in rows])
                conn = median([r.get("connected_ms") for r in rows])
                think = median([r.get("think_ms") for r in rows])
                tls = median([r.get("tls_setup_ms") for r in rows])
                turns = median([r.get("client_turns") for r in rows])
                before = wall - conn if wall is not None and conn is not None else None
                net = conn - think if conn is not None and think is not None else None
                self.w(f"| {server} | {CLIENT_NAMES[client]} | {wall:.0f} ms | "
                       f"{'–' if before is None else f'{before:.0f} ms'} | {'–' if net is None else f'{net:.0f} ms'} | "
                       f"{'–' if think is None else f'{think:.0f} ms'} | {'–' if tls is None else f'{tls:.0f} ms'} | "
                       f"{'–' if turns is None else f'{turns:.0f}'} |")
        self.w()

    def floor(self):
        b = self.b
        self.w("## Round trips against the floor")
        self.w()
        self.w("A STARTTLS submission cannot wait for the server fewer times than this (TLS 1.3, PIPELINING):")
        self.w()
        self.w("| # | the client waits for | because |")
        self.w("|---|---|---|")
        self.w("| 1 | the 220 greeting | the server speaks first (after the TCP handshake, one more RTT) |")
        self.w("| 2 | the EHLO reply | STARTTLS may only be sent once it is offered; EHLO ends a pipelined group (RFC 2920) |")
        self.w("| 3 | the 220 to STARTTLS | nothing may follow STARTTLS before its reply (RFC 3207; CVE-2020-14928) |")
        self.w("| 4 | the TLS 1.3 server flight | one round trip for the handshake (TLS 1.2: two); the client's "
               "Finished and the new EHLO then leave together |")
        self.w("| 5 | the EHLO reply after TLS | every capability learned before TLS is forgotten |")
        self.w("| 6 | the AUTH reply | AUTH ends a group; PLAIN with an initial response is one round trip "
               "(LOGIN: three — `AUTH LOGIN`, user name, password) |")
        self.w("| 7 | the MAIL/RCPT/DATA replies | one pipelined flight; the body may not start before the 354 |")
        self.w("| 8 | the reply to the final dot | the message's fate |")
        self.w("| 9 | the 221 to QUIT | RFC 5321 §4.1.1.10: the client SHOULD wait for it before closing |")
        self.w()
        self.w("So **9 waits for one message with AUTH PLAIN** (8 for the submission itself, plus the orderly "
               "QUIT), **11 with AUTH LOGIN** (Office 365 offers LOGIN and XOAUTH2 only), and every further "
               "message on the same connection adds exactly **2** (its envelope flight and its body). "
               f"20 messages: 9 + 19 × 2 = **47** with PLAIN, 49 with LOGIN. Counted by the proxy "
               "(client turns, median of the latency runs):")
        self.w()
        self.w("| server | work | floor | o365-send | msmtp | curl | curl (one process) | o365-send × 20 |")
        self.w("|---|---|---|---|---|---|---|---|")
        for server in b.args.servers:
            base = 9 if server == "postfix" else 11
            for scenario in ("small", "batch"):
                floor = base if scenario == "small" else base + (BATCH_COUNT - 1) * 2
                cells = []
                for client in ("ours", "msmtp", "curl", "curl-reuse", "ours-each"):
                    t = self.counted(server, "latency", scenario, client)
                    cells.append("–" if t is None else f"{t:.0f}")
                self.w(f"| {server} | {self.name(scenario)} | {floor} | " + " | ".join(cells) + " |")
        self.w()
        self.w("The test server's own count (reads that waited for the client and completed a command, an AUTH "
               "response or a body; the TLS handshake is below it) for o365-send, loopback: "
               + ", ".join(f"{self.name(s)} {self.fmt_count(self.server_rt('o365', 'loopback', s, 'ours'))}"
                           for s in ("small", "batch") if "o365" in b.args.servers)
               + " (floor on that count: 9 for one message — EHLO, STARTTLS, EHLO, 3 × AUTH LOGIN, the envelope, "
                 "the body, QUIT — and 2 per further message: 47 for 20).")
        self.w()

    @staticmethod
    def fmt_probe(ms):
        return "–" if ms is None else f"{ms:.1f} ms"

    @staticmethod
    def fmt_count(value):
        return "–" if value is None else f"{value:.0f}"

    def memory(self):
        b = self.b
        self.w("## Constant memory")
        self.w()
        self.w("o365-send on Postfix, loopback, median of the runs (the message is read from stdin into the "
               "outbox, then streamed from there in 64 KiB chunks):")
        self.w()
        self.w("| message | peak RSS | wall | CPU user+sys |")
        self.w("|---|---|---|---|")
        series = b.extra.get("rss", {})
        for size in sorted(series):
            rows = [r for r in series[size] if r["ok"]]
            self.w(f"| {size / 1e6:.0f} MB | {fmt_mb(median([r['maxrss_kb'] for r in rows]))} | "
                   f"{fmt_s(median([r['wall'] for r in rows]))} | {fmt_s(median([r['cpu'] for r in rows]))} |")
        if series:
            sizes = sorted(series)
            lo = median([r["maxrss_kb"] for r in series[sizes[0]] if r["ok"]])
            hi = median([r["maxrss_kb"] for r in series[sizes[-1]] if r["ok"]])
            if lo and hi:
                self.w()
                peers = ""
                if "postfix" in b.args.servers:
                    peers = (" For comparison, peak RSS on c (loopback, Postfix): " + ", ".join(
                        f"{CLIENT_NAMES[c]} {fmt_mb(self.stat('postfix', 'loopback', 'big', c, 'maxrss_kb'))}"
                        for c in ("msmtp", "curl")) + ".")
                self.w(f"Peak RSS with {sizes[-1] / 1e6:.0f} MB of message minus peak RSS with {sizes[0] / 1e6:.0f} MB: "
                       f"{(hi - lo) / 1024:+.1f} MB." + peers)
        self.w()

    def encoder(self):
        e = self.b.extra.get("encoder")
        if not e:
            return
        self.w("## The body encoder on its own")
        self.w()
        self.w(f"`bench/bench-encoder`: O365BodyEncoder (plugin/smtp/o365-smtp-body-encoder.h) over a {e['MEGABYTES']} MB "
               "message in memory, fed in 64 KiB chunks into a 128 KiB output buffer as the session does; median "
               "of 5 passes, MB/s of input:")
        self.w()
        self.w("| input line ends | MB/s | output bytes |")
        self.w("|---|---|---|")
        self.w(f"| LF (as from mutt or git) | {e.get('ENCODER_LF_MBPS')} | {e.get('ENCODER_LF_OUT_BYTES')} |")
        self.w(f"| CRLF | {e.get('ENCODER_CRLF_MBPS')} | {e.get('ENCODER_CRLF_OUT_BYTES')} |")
        self.w()

    def raw_tls(self):
        b = self.b
        gio = [r for r in b.extra.get("pipe_gio", []) if r["ok"]]
        ossl = [r for r in b.extra.get("pipe_openssl", []) if r["ok"]]
        stall = [r for r in b.extra.get("stall", []) if r.get("ok")]
        size = b.big_size
        self.w("## Against a bare TLS pipe (the physical reference)")
        self.w()
        self.w(f"The same {size / 1e6:.0f} MB file over the same loopback, median of the runs:")
        self.w()
        self.w("| what | wall | MB/s | CPU user+sys (sender) |")
        self.w("|---|---|---|---|")

        def row(name, wall, cpu):
            mbps = f"{size / wall / 1e6:.0f}" if wall else "–"
            self.w(f"| {name} | {fmt_s(wall)} | {mbps} | {fmt_s(cpu)} |")

        row("bare TLS pipe, GIO + GnuTLS (`bench-tls-pipe`, sink discards)",
            median([r["wall"] for r in gio]), median([r["cpu"] for r in gio]))
        row("bare TLS pipe, `openssl s_client` → `s_server`",
            median([r["wall"] for r in ossl]), median([r["cpu"] for r in ossl]))
        row("the engine in-process (`bench-stall`, to Postfix: SMTP, encoder, Postfix's queue file)",
            median([float(r["STALL_SEND_SECONDS"]) for r in stall if "STALL_SEND_SECONDS" in r]),
            median([float(r["STALL_CPU_SECONDS"]) for r in stall if "STALL_CPU_SECONDS" in r]))
        for client in ("ours", "msmtp", "curl") if "postfix" in b.args.servers else ():
            row(f"{CLIENT_NAMES[client]} to Postfix (c, loopback)",
                self.stat("postfix", "loopback", "big", client, "wall"),
                self.stat("postfix", "loopback", "big", client, "cpu"))
        if "o365" in b.args.servers and b.args.o365_big:
            row("o365-send to the test server (c, loopback)",
                self.stat("o365", "loopback", "big", "ours", "wall"),
                self.stat("o365", "loopback", "big", "ours", "cpu"))
        self.w()
        if gio:
            self.w(f"Cipher of the GIO pipe: {gio[0]['cipher']}. o365-send's wall time includes writing the message "
                   "into its durable outbox (and fsync) before connecting; Postfix's includes writing its own queue "
                   "file before it answers the final dot.")
            self.w()

    def stall(self):
        rows = [r for r in self.b.extra.get("stall", []) if r.get("ok")]
        self.w("## Main-loop stall probe")
        self.w()
        if not rows:
            self.w("No successful run.")
            self.w()
            return
        self.w(f"`bench/bench-stall`: one process, a 1 ms GLib timeout in the default main context while "
               f"O365Transport submits the {self.b.big_size / 1e6:.0f} MB message to Postfix on loopback; the "
               "gaps between ticks are how long a host's main loop could not run (the goal is under 10 ms). "
               "For every gap over 5 ms the probe records how much CPU its main thread used meanwhile (the "
               "engine working) and how long the kernel kept it runnable but off a CPU "
               "(`/proc/thread-self/schedstat`: the machine busy with other processes); a gap with neither is "
               "the thread sleeping past its deadline, and a *witness* — the same timer in a separate process "
               "that does nothing else — shows whether the whole machine paused at that moment. *Longest main-loop work* "
               "is the most CPU the main thread used between two ticks: the longest piece of work the engine "
               "ran without returning to the loop, whatever the machine did. The baseline is the same timer "
               "for 1 s before the send.")
        self.w()
        self.w("| run | longest gap | its cause | longest main-loop work | 99th / 99.9th percentile gap | "
               "gaps > 10 ms (causes) | baseline: longest gap | send |")
        self.w("|---|---|---|---|---|---|---|---|")
        for r in rows:
            for g in r.get("gaps", []):
                if "witness" not in g:  # figures saved before the witness flag was kept
                    g["witness"] = g.get("cause", "").startswith("machine-wide")
                g["cause"] = classify_gap(g)
        for i, r in enumerate(rows):
            gaps = r.get("gaps", [])
            longest = max(gaps, key=lambda g: g["gap_ms"]) if gaps else None
            counts = {}
            for g in gaps:
                if g["gap_ms"] > 10:
                    counts[g["cause"]] = counts.get(g["cause"], 0) + 1
            causes = "; ".join(f"{n} {c}" for c, n in counts.items()) or "none"
            cause = longest["cause"] if longest and abs(longest["gap_ms"] - float(r["STALL_MAX_MS"])) < 0.05 else "–"
            self.w(f"| {i + 1} | {r['STALL_MAX_MS']} ms | {cause} | {r.get('STALL_MAX_BUSY_MS', '?')} ms "
                   f"(at {int(r.get('STALL_MAX_BUSY_AT_BYTES', 0)) / 1e6:.1f} MB) | "
                   f"{r['STALL_P99_MS']} / {r['STALL_P999_MS']} ms | {r['STALL_OVER_10MS']}: {causes} | "
                   f"{r['BASELINE_MAX_MS']} ms | {r['STALL_SEND_SECONDS']} s |")
        self.w()
        all_gaps = [g for r in rows for g in r.get("gaps", []) if g["gap_ms"] > 10]
        busiest = max(float(r.get("STALL_MAX_BUSY_MS", 0)) for r in rows)
        engine = [g for g in all_gaps if g["cause"].startswith("engine")]
        self.w(f"**Summary**: the engine's longest piece of main-loop work was {busiest:.1f} ms "
               f"({'under' if busiest < 10 else 'over'} the 10 ms goal); of the {len(all_gaps)} gaps over 10 ms in "
               f"{len(rows)} runs, {len(engine)} had the main thread busy for most of the gap — the others are the "
               "machine's (see the causes).")
        self.w()
        self.w("<details><summary>every gap over 5 ms</summary>")
        self.w()
        self.w("| run | at (ms into the send) | gap | main thread's CPU | waited for a CPU | MB sent | cause |")
        self.w("|---|---|---|---|---|---|---|")
        for i, r in enumerate(rows):
            for g in r.get("gaps", []):
                self.w(f"| {i + 1} | {g['at_ms']:.0f} | {g['gap_ms']:.1f} ms | {g['cpu_ms']:.2f} ms | "
                       f"{g['waited_for_cpu_ms']:.2f} ms | {g['sent_mb']:.1f} | {g['cause']} |")
        self.w()
        self.w("</details>")
        self.w()

    def notes(self):
        self.w("## Notes")
        self.w()
        for note in self.b.args.notes:
            self.w(f"- {note}")
        self.w()

    def appendix(self):
        self.w("## Every run")
        self.w()
        self.w("<details><summary>per-run figures</summary>")
        self.w()
        self.w("| server | path | work | client | run | wall | CPU | peak RSS | turns | server's count | ok |")
        self.w("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in self.b.results:
            self.w(f"| {r['server']} | {r['mode']} | {r['scenario']} | {r['client']} | {r['run']} | "
                   f"{fmt_ms(r['wall'])} | {fmt_ms(r['cpu'])} | {fmt_mb(r['maxrss_kb'])} | "
                   f"{r.get('client_turns', '–')} | {r.get('server_round_trips', '–')} | "
                   f"{'yes' if r['ok'] else 'NO: ' + r.get('error', '')} |")
        self.w()
        self.w("</details>")


def main():
    parser = argparse.ArgumentParser(description="o365-send against msmtp and curl (see bench/README.md)")
    parser.add_argument("--build-dir", help="an existing build tree (default: ./build)")
    parser.add_argument("--output", help="where to write the report (default: bench/RESULTS.md)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: one run each, 10 MB instead of 100")
    parser.add_argument("--runs-small", type=int, default=7)
    parser.add_argument("--runs-batch", type=int, default=3)
    parser.add_argument("--runs-big", type=int, default=3)
    parser.add_argument("--o365-big", action="store_true",
                        help="also c (the big message) on the Office-365-like server (slow with msmtp)")
    parser.add_argument("--servers", default="postfix,o365", help="postfix,o365")
    parser.add_argument("--skip-extra", action="store_true", help="only the client matrix")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs) in /tmp")
    parser.add_argument("--trace", action="store_true", help="the proxy logs every chunk (with --keep)")
    parser.add_argument("--raw", help="also save the raw figures (JSON) here")
    parser.add_argument("--render", metavar="RAW",
                        help="only write the report again from saved raw figures (e.g. after editing notes.md)")
    parser.add_argument("--notes-file", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.servers = [s for s in args.servers.split(",") if s]
    if args.quick:
        args.runs_small = args.runs_batch = args.runs_big = 1
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    notes_path = args.notes_file or os.path.join(top, "bench", "notes.md")
    args.notes = []
    if os.path.exists(notes_path):
        with open(notes_path) as f:
            # One note per paragraph; the file explains what the figures mean.
            args.notes = [" ".join(p.split()) for p in f.read().split("\n\n") if p.strip()
                          and not p.lstrip().startswith("<!--")]
    output = args.output or os.path.join(top, "bench", "RESULTS.md")

    if args.render:
        with open(args.render) as f:
            raw = json.load(f)
        for key in ("servers", "quick", "o365_big", "runs_small", "runs_batch", "runs_big"):
            setattr(args, key, raw["args"][key])
        bench = Bench(args)
        bench.results, bench.extra = raw["results"], raw["extra"]
        bench.extra["rss"] = {int(k): v for k, v in bench.extra.get("rss", {}).items()}
        bench.load_samples, bench.failures = raw["load_samples"], raw["failures"]
        bench.started_at = datetime.datetime.fromisoformat(raw["started_at"])
        bench.big_size = raw["big_size"]
        with open(output, "w") as f:
            f.write(Report(bench, raw["versions"], raw["elapsed"]).build())
        log(f"wrote {output} from {args.render}")
        return 0

    if os.geteuid() != 0:
        print("bench: run as root (Postfix and Dovecot need it)", file=sys.stderr)
        return 1

    bench = Bench(args)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    status = 0
    try:
        bench.setup()
        versions = bench.versions()
        bench.matrix()
        if not args.skip_extra:
            bench.rss_series()
            bench.encoder()
            bench.tls_pipe()
            bench.stall()
        bench.sample_load("end")
        elapsed = time.monotonic() - bench.started
        report = Report(bench, versions, elapsed).build()
        with open(output, "w") as f:
            f.write(report)
        if args.raw:
            with open(args.raw, "w") as f:
                json.dump({"args": {k: getattr(args, k) for k in ("servers", "quick", "o365_big", "runs_small",
                                                                  "runs_batch", "runs_big")},
                           "results": bench.results, "extra": bench.extra, "load_samples": bench.load_samples,
                           "failures": bench.failures, "started_at": bench.started_at.isoformat(),
                           "big_size": bench.big_size, "versions": versions, "elapsed": elapsed}, f, indent=1)
        log(f"wrote {output} in {elapsed / 60:.1f} minutes")
        if bench.failures:
            log(f"{len(bench.failures)} failure(s): see {output}")
            status = 1
    except BenchError as e:
        log(f"error: {e}")
        status = 1
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        bench.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
