# SPDX-License-Identifier: GPL-2.0-only
"""Counts a broker's read, write and epoll_wait system calls during a measured window.

The service model charges a `read` per read of a connection's socket and a `write` per flush of
a connection's output (doc/capacity.md, "Service model"); the calibration fits their costs to
these counts. They come from the kernel's syscall tracepoints through `perf stat -p PID`, which
counts every system call of any broker (ours calls recv/send, mosquitto read/write).
/proc/PID/io (syscr/syscw) is no substitute: it counts read()/write() but not recv()/send().
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

# System calls by what the reactor does with them (the *mmsg and vectored forms included).
READ_CALLS = ("read", "readv", "recvfrom", "recvmsg", "recvmmsg")
WRITE_CALLS = ("write", "writev", "sendto", "sendmsg", "sendmmsg")
WAIT_CALLS = ("epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select",
              "pselect6")
KINDS = {"read": READ_CALLS, "write": WRITE_CALLS, "wait": WAIT_CALLS}
# perf prints counts every this many ms; the first line says the counters are attached.
INTERVAL_MS = 50
# The inbound packets a read carries (what "packets per read" counts; DISCONNECT left out).
PACKET_OPS = ("publish-qos0", "publish-qos1", "publish-qos2", "ack", "connect", "subscribe",
              "unsubscribe", "pingreq")
# Every inbound packet the broker reads: the above and the DISCONNECTs (every workload's
# connections end with one). With read-per packet, the `read` the fit prices is one of these.
READ_PACKET_OPS = PACKET_OPS + ("disconnect",)


def packets_read(ops):
    """The inbound packets of a run's operation counts (READ_PACKET_OPS): the `read` count of a
    broker that reads one packet per read (read-per packet, mosquitto)."""
    return sum(ops.get(k, 0) for k in READ_PACKET_OPS)


def batching(ops):
    """(inbound packets per read, deliveries per write) of a run's operation counts (the
    calibration's and the twin's Ops, or the simulated broker's service_ops_NAME totals); nan
    where there was no read or write."""
    packets = sum(ops.get(k, 0) for k in PACKET_OPS)
    reads, writes = ops.get("read", 0), ops.get("write", 0)
    return (packets / reads if reads else float("nan"),
            ops.get("delivery", 0) / writes if writes else float("nan"))


def available():
    """Whether perf can count syscall tracepoints here (root, or perf_event_paranoid <= 1)."""
    if shutil.which("perf") is None:
        return False
    return subprocess.run(["perf", "stat", "-x,", "-e", "syscalls:sys_enter_read", "--", "true"],
                          capture_output=True, timeout=30).returncode == 0


def _events():
    known = set()
    for base in ("/sys/kernel/tracing/events/syscalls", "/sys/kernel/debug/tracing/events/syscalls"):
        try:
            known = set(os.listdir(base))
            break
        except OSError:
            continue
    names = [c for calls in KINDS.values() for c in calls]
    return ["syscalls:sys_enter_%s" % c for c in names if not known or "sys_enter_" + c in known]


def voluntary_switches(pids):
    """The voluntary context switches of every thread of @p pids so far: each is a sleep (for a
    reactor, in epoll_wait with nothing to do), so the number of wakeups from idle follows."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for task in tasks:
            try:
                with open("/proc/%d/task/%s/status" % (pid, task)) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            total += int(line.split()[1])
            except (OSError, ValueError):
                continue
    return total


class SyscallCounter:
    """`with SyscallCounter(pids) as c: ...` counts; c.counts is {read, write, wait, wakeup}
    after (wakeup: the broker's voluntary context switches, its sleeps, from /proc)."""

    def __init__(self, pids, attach_timeout=10.0):
        self.pids = pids
        self.attach_timeout = attach_timeout
        self.counts = None
        self.switches = 0
        self.proc = None
        self.tmp = None

    def __enter__(self):
        self.tmp = tempfile.NamedTemporaryFile(prefix="mqtt-syscalls-", suffix=".csv",
                                               delete=False)
        self.tmp.close()
        argv = ["perf", "stat", "-x,", "-I", str(INTERVAL_MS), "-o", self.tmp.name,
                "-e", ",".join(_events()), "-p", ",".join(str(p) for p in self.pids)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        # Counting has started once perf printed its first interval.
        deadline = time.monotonic() + self.attach_timeout
        while not self._lines():
            if self.proc.poll() is not None:
                raise RuntimeError("perf stat failed: %s"
                                   % self.proc.stderr.read().decode(errors="replace").strip())
            if time.monotonic() > deadline:
                self._stop()
                raise RuntimeError("perf stat did not start counting within %.0f s"
                                   % self.attach_timeout)
            time.sleep(INTERVAL_MS / 1000 / 2)
        self.switches = voluntary_switches(self.pids)
        return self

    def __exit__(self, *exc):
        self._stop()
        totals = {}
        for line in self._lines():
            fields = line.split(",")
            try:
                value = int(fields[1])
            except (IndexError, ValueError):
                continue  # <not counted>, <not supported>
            call = fields[3].split("sys_enter_", 1)[-1]
            totals[call] = totals.get(call, 0) + value
        self.counts = {kind: sum(totals.get(c, 0) for c in calls) for kind, calls in KINDS.items()}
        self.counts["wakeup"] = max(0, voluntary_switches(self.pids) - self.switches)
        os.unlink(self.tmp.name)
        return False

    def _stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stderr.close()

    def _lines(self):
        try:
            with open(self.tmp.name) as f:
                return [line for line in f if line.strip() and not line.startswith("#")]
        except OSError:
            return []
