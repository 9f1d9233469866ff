# SPDX-License-Identifier: GPL-2.0-only
"""A real broker as a child process on loopback: started, waited for, measured, stopped.

The broker's CPU time is read from /proc: the sum over the process, its threads and its
descendants of /proc/PID/task/TID/schedstat (nanoseconds on the CPU, user and kernel), or
utime+stime of /proc/PID/stat (10 ms ticks) where the kernel has no schedstat.
"""

import base64
import ctypes
import hashlib
import os
import pwd
import shlex
import signal
import socket
import subprocess
import tempfile
import time

# QoS 1/2 messages in flight to one subscriber: the load generator's largest window (4 x 800,
# the paced QoS 1 runs of the twin check), so the generator's window bounds what is on its way,
# not the broker's. With the standard 20 and one subscriber, a QoS 1 run went at 20 deliveries
# per round trip to the generator: the broker idled 60 % of a "saturated" run, and its CPU per
# message carried a round's overhead per 20 acknowledgements (doc/capacity.md, "The twin check").
MAX_INFLIGHT = 3200
# The calibration file's header line that says so (bench twin looks for it).
OPTIONS_NOTE = ("broker options: %d QoS 1/2 messages in flight per client, 100000 queued per "
                "session" % MAX_INFLIGHT)
# The one user of the broker's password file (anonymous clients are allowed too): the
# connect-auth workload's CONNECTs have their password checked against a $7$ hash (PBKDF2-HMAC-
# SHA512) of mosquitto_passwd's default iterations, so `auth` is the cost at that setting.
AUTH_USER = "calibrate"
AUTH_PASSWORD = b"calibrate-password"
AUTH_ITERATIONS = 101
AUTH_NOTE = ("auth: a password checked against a $7$ hash (PBKDF2-HMAC-SHA512) of %d iterations, "
             "mosquitto_passwd's default; it scales with the iterations" % AUTH_ITERATIONS)


def hand_to(user, paths):
    """Gives @p paths to @p user (a broker that drops root for it, as mosquitto does for
    `mosquitto`, reads them after it did); nothing when we are not root or it is unknown."""
    if os.geteuid() != 0:
        return
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def write_password_file(path):
    """A password file (doc/auth.md) with AUTH_USER's $7$ hash and allow_anonymous true."""
    salt = os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", AUTH_PASSWORD, salt, AUTH_ITERATIONS, 64)
    with open(path, "w") as f:
        f.write("allow_anonymous true\n%s:$7$%d$%s$%s\n" % (
            AUTH_USER, AUTH_ITERATIONS, base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode()))

MOSQUITTO_CONF = """# written by ./ns3-mqtt calibrate
listener {port} 127.0.0.1
allow_anonymous true
password_file {passwords}
persistence false
max_queued_messages 100000
max_inflight_messages {inflight}
log_dest stderr
log_type error
log_type warning
"""
# The TLS listener of tls-connect-storm (tls_material.py), after the plain one: mosquitto's
# certificate options (per_listener_settings false) apply to the listener before them.
MOSQUITTO_TLS_LISTENER = """listener {tls_port} 127.0.0.1
cafile {cafile}
certfile {certfile}
keyfile {keyfile}
require_certificate true
tls_version tlsv1.2
"""

_TICKS = os.sysconf("SC_CLK_TCK")


def _die_with_parent():
    """In the child: the kernel sends SIGTERM when the calibration dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def stop_on_signals():
    """SIGTERM and SIGINT end the calibration through its clean-up (brokers are stopped)."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def free_port(other_than=None):
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != other_than:
            return port


def _children(pid):
    """Direct children of @p pid (from /proc/PID/task/*/children)."""
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def _process_cpu_ns(pid):
    total = 0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) * 1_000_000_000 // _TICKS
            except (OSError, ValueError, IndexError):
                pass
    return total


def tree_pids(pid):
    """@p pid and its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += _children(p)
    return found


def tree_cpu_ns(pid):
    """CPU time (ns) of @p pid and its descendants so far."""
    return sum(_process_cpu_ns(p) for p in tree_pids(pid))


# What a broker command may contain for its TLS listener (the calibration fills them in).
COMMAND_TLS_FIELDS = ("{tls_port}", "{cafile}", "{certfile}", "{keyfile}")


def command_has_tls(command):
    return "{tls_port}" in command


class BrokerProcess:
    """Starts the broker command (with {port} replaced), waits for the port, stops it. With
    @p tls (a tls_material.Material) the broker also listens for MQTT over TLS on tls_port,
    with that material's certificates and client certificates required."""

    def __init__(self, kind, binary=None, command=None, extra_args=(), tls=None):
        self.kind = kind
        self.port = free_port()
        self.tls_port = None
        if tls is not None and (kind != "command" or command_has_tls(command)):
            self.tls_port = free_port(other_than=self.port)
        self.tmp = tempfile.TemporaryDirectory(prefix="mqtt-calibrate-")
        self.log_path = os.path.join(self.tmp.name, "broker.log")
        # Ours and mosquitto check passwords (anonymous clients still connect); a broker command
        # is as its user wrote it, and connect-auth is left out for it.
        self.passwords = os.path.join(self.tmp.name, "passwords")
        self.checks_passwords = kind in ("ours", "mosquitto")
        write_password_file(self.passwords)
        if kind == "ours":
            argv = [binary, "--listen", "127.0.0.1:%d" % self.port, "--quiet",
                    "--max-queued-messages", "100000", "--max-inflight", str(MAX_INFLIGHT),
                    "--passwords", self.passwords]
            if self.tls_port:
                argv += ["--tls-listen", "127.0.0.1:%d" % self.tls_port, "--cafile", tls.cafile,
                         "--certfile", tls.certfile, "--keyfile", tls.keyfile,
                         "--require-certificate", "--tls-version", "tlsv1.2"]
            argv += list(extra_args)
        elif kind == "mosquitto":
            conf = os.path.join(self.tmp.name, "mosquitto.conf")
            with open(conf, "w") as f:
                f.write(MOSQUITTO_CONF.format(port=self.port, inflight=MAX_INFLIGHT,
                                              passwords=self.passwords))
                # mosquitto reads its password file after it dropped root for its user.
                hand_to("mosquitto", [self.tmp.name, self.passwords])
                if self.tls_port:
                    tls.readable_by("mosquitto")  # its `user` when started as root
                    f.write(MOSQUITTO_TLS_LISTENER.format(
                        tls_port=self.tls_port, cafile=tls.cafile, certfile=tls.certfile,
                        keyfile=tls.keyfile))
            argv = ["mosquitto", "-c", conf]
        else:
            if "{port}" not in command:
                raise ValueError("--broker CMD must contain {port}: %s" % command)
            command = command.replace("{port}", str(self.port))
            if self.tls_port:
                for field, value in zip(COMMAND_TLS_FIELDS, (self.tls_port, tls.cafile,
                                                             tls.certfile, tls.keyfile)):
                    command = command.replace(field, str(value))
            argv = shlex.split(command)
        self.argv = argv
        self.proc = None

    def start(self, timeout=15.0):
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        for port in [self.port] + ([self.tls_port] if self.tls_port else []):
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError("the broker exited with status %d before listening: %s\n%s"
                                       % (self.proc.returncode, " ".join(self.argv), self.log()))
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError("the broker did not listen on 127.0.0.1:%d within "
                                           "%.0f s: %s" % (port, timeout, " ".join(self.argv)))
                    time.sleep(0.05)
        # Let the probe connections' close be handled before anything is measured.
        time.sleep(0.1)
        return self

    def cpu_ns(self):
        return tree_cpu_ns(self.proc.pid)

    def pids(self):
        """The broker process and its descendants (a command may start the broker in a child)."""
        return tree_pids(self.proc.pid)

    def settle(self, quiet_ns=50_000, period=0.03, limit=2.0):
        """Waits until the broker is idle (less than @p quiet_ns of CPU in @p period)."""
        deadline = time.monotonic() + limit
        last = self.cpu_ns()
        while time.monotonic() < deadline:
            time.sleep(period)
            now = self.cpu_ns()
            if now - last < quiet_ns:
                return now
            last = now
        return last

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.tmp.cleanup()


def version(kind, binary=None, command=None):
    """A human-readable version string of the broker."""
    if kind == "mosquitto":
        try:
            out = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True, timeout=5)
            first = (out.stdout or out.stderr).splitlines()[0]
            return first.strip()
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "mosquitto (unknown version)"
    if kind == "ours":
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        try:
            rev = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=5).stdout.strip()
        except OSError:
            rev = ""
        return "ns3-mqtt mqtt-broker" + (" (git %s)" % rev if rev else "")
    return command
