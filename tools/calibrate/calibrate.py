#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""./ns3-mqtt calibrate: measures a real broker on loopback and writes its calibration file.

For each repetition a fresh broker is started on a free port, every workload of workloads.py
runs against it while its CPU time is read from /proc, and the broker is stopped. The median
CPU time per workload over the repetitions is fitted to the operation counts
(calibration_fit.py) and written with the fit's residuals (format: doc/capacity.md).
"""

import argparse
import datetime
import os
import platform
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import broker_process  # noqa: E402
import calibration_fit  # noqa: E402
import mqtt_load  # noqa: E402
import syscall_count  # noqa: E402
import tls_material  # noqa: E402
import workloads  # noqa: E402

FIT_KEYS = mqtt_load.COST_KEYS


def machine_description():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %s, %d cores, kernel %s" % (socket.gethostname(), model, os.cpu_count() or 0,
                                            platform.release())


def syscall_note(ops):
    """What a workload's comment says of the broker's system calls: counts and batching."""
    waits = ops["wait"]
    note = "%d reads, %d writes, %d waits, %d wakeups" % (ops["read"], ops["write"], waits,
                                                          ops.get("wakeup", 0))
    per_read, per_write = syscall_count.batching(ops)
    if ops["read"] > 0:
        note += " (%.1f packets per read, %.1f reads per wait" % (
            per_read, ops["read"] / max(waits, 1))
        note += ", %.1f deliveries per write)" % per_write if ops["delivery"] else ")"
    return note


def fit_ops(ops, read_per):
    """The operations a workload's row of the fit has: @p ops, with the `read` column the packets
    read when the broker reads a packet per read (read-per packet: the model charges a `read` per
    packet read, so that is what the cost is fitted to), else its read system calls."""
    row = mqtt_load.Ops()
    row.update(ops)
    if read_per == "packet":
        row["read"] = syscall_count.packets_read(ops)
    return row


def handshake_syscalls_note(ops_of, costs):
    """What the TLS handshake's own system calls are: tls-connect-storm's reads, writes and
    waits per connection over connect-storm's, and their CPU time at the fitted costs. The
    simulated broker charges none of them (its TLS runs before the service model), so this is
    what it charges a TLS connection less than the real broker spent. None without the two."""
    tls, plain = ops_of.get("tls-connect-storm"), ops_of.get("connect-storm")
    if not tls or not plain or not tls["accept"] or not plain["accept"]:
        return None
    # The per-call costs this calibration fits (wakeup too where it is one).
    extra = {k: tls[k] / tls["accept"] - plain[k] / plain["accept"]
             for k in ("read", "write", "wait", "wakeup") if k in costs and k in tls}
    cpu = sum(extra[k] * costs[k] for k in extra)
    return ("the handshake's own system calls, over connect-storm's: %s per connection, %s at "
            "these costs (not charged in simulation)"
            % (", ".join("%+.1f %ss" % (v, k) for k, v in extra.items()),
               ("-" if cpu < 0 else "") + calibration_fit.format_duration(abs(cpu))))


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def wait_for_quiet(max_load, wait_s):
    """The 1-minute load average once it is at most @p max_load, waiting up to @p wait_s."""
    deadline = time.monotonic() + wait_s
    load = load_average()
    while load > max_load and time.monotonic() < deadline:
        time.sleep(10)
        load = load_average()
    return load


def parse_args(argv):
    p = argparse.ArgumentParser(prog="./ns3-mqtt calibrate", description=__doc__.split("\n")[0])
    p.add_argument("--broker", default="ours",
                   help="ours (the standalone broker), mosquitto, or a command line starting a "
                        "broker on 127.0.0.1:{port} (default ours); a command with {tls_port} "
                        "also listens for MQTT over TLS there, with the certificates {cafile}, "
                        "{certfile} and {keyfile} (tls-connect-storm)")
    p.add_argument("--out", help="calibration file (default calibrations/BROKER.yaml for ours "
                                 "and mosquitto; required for a command)")
    p.add_argument("--binary", help="the standalone broker's executable (--broker ours)")
    p.add_argument("--repeat", type=int, default=3, help="repetitions; the median counts (3)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="workload size factor (1: 20 to 500 ms of our broker's CPU each)")
    p.add_argument("--cores", type=int, default=1,
                   help="cores the broker uses, written to the file (1)")
    p.add_argument("--max-load", type=float, default=max(1.0, (os.cpu_count() or 2) / 2),
                   help="refuse to measure above this 1-minute load average (default half "
                        "the cores, at least 1)")
    p.add_argument("--wait-quiet", type=float, default=0,
                   help="seconds to wait for the load to fall below --max-load (0)")
    p.add_argument("--busy-ok", action="store_true",
                   help="measure even above --max-load (the load is written to the file)")
    p.add_argument("--only", help="comma-separated workloads (default all)")
    p.add_argument("--no-syscalls", action="store_true",
                   help="do not count the broker's read and write system calls (perf): the "
                        "read and write costs stay 0 and the others absorb them")
    p.add_argument("--unweighted", action="store_true",
                   help="weigh every workload alike (default: by its spread over the "
                        "repetitions, so a noisy workload pulls the costs less)")
    p.add_argument("--loadgen",
                   help="the compiled load generator (../shared/bench/mqtt-loadgen, built by "
                        "./ns3-mqtt calibrate): it drives the QoS 0/1 fan-in and fan-out "
                        "workloads, as it drives bench twin's real side, and the paced ones; "
                        "without it the Python generator drives all and the paced workloads "
                        "are left out")
    p.add_argument("--read-per", choices=("turn", "packet"),
                   help="what one of the broker's reads takes, written to the file as read-per "
                        "(the service model's service-read-per): a connection's bytes per loop "
                        "turn (turn: ours; the fit's read column is the read system calls) or "
                        "one packet (packet: mosquitto; the read column is the packets read); "
                        "default packet for mosquitto, else turn")
    p.add_argument("--write-per", choices=("turn", "packet"),
                   help="what the broker's write system call carries, written to the file as "
                        "write-per (the service model's service-write-per): a connection's "
                        "output per loop turn (turn: ours) or one packet (packet: mosquitto); "
                        "default packet for mosquitto, else turn")
    p.add_argument("--command-line", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.repeat < 1 or a.scale <= 0:
        p.error("--repeat must be at least 1 and --scale positive")
    if a.write_per is None:
        a.write_per = "packet" if a.broker == "mosquitto" else "turn"
    if a.read_per is None:
        a.read_per = "packet" if a.broker == "mosquitto" else "turn"
    a.argv = argv
    return a


def main(argv, between=None):
    """The command; @p between(rep), when given, runs after each repetition (bench twin
    --calibrate puts its real runs there, so both see the machine of the same minutes)."""
    a = parse_args(argv)
    kind = a.broker if a.broker in ("ours", "mosquitto") else "command"
    if kind == "ours" and not a.binary:
        print("calibrate: --broker ours needs --binary (./ns3-mqtt calibrate passes it)",
              file=sys.stderr)
        return 2
    out = a.out
    if not out:
        if kind == "command":
            print("calibrate: give --out FILE for a broker command", file=sys.stderr)
            return 2
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        out = os.path.join(root, "calibrations", "%s.yaml" % a.broker)
    only = set(a.only.split(",")) if a.only else None
    if only and not only <= set(workloads.WORKLOAD_NAMES):
        print("calibrate: unknown workload(s) %s (known: %s)"
              % (", ".join(sorted(only - set(workloads.WORKLOAD_NAMES))),
                 ", ".join(workloads.WORKLOAD_NAMES)), file=sys.stderr)
        return 2

    count_syscalls = not a.no_syscalls
    if count_syscalls and not syscall_count.available():
        print("calibrate: cannot count the broker's system calls: perf (Debian linux-perf) "
              "must be installed and allowed to read syscall tracepoints (root). "
              "--no-syscalls fits without the read and write costs.", file=sys.stderr)
        return 2

    load = wait_for_quiet(a.max_load, a.wait_quiet)
    if load > a.max_load and not a.busy_ok:
        print("calibrate: the machine is busy (1-minute load %.2f > --max-load %.2f): CPU times "
              "would be disturbed. Wait, or --wait-quiet SECONDS, or --busy-ok to measure anyway "
              "(the load is written to the file)." % (load, a.max_load), file=sys.stderr)
        return 3
    # tls-connect-storm's throwaway certificates, made now and deleted when the run ends.
    tls = None
    if ((only is None or "tls-connect-storm" in only)
            and (kind != "command" or broker_process.command_has_tls(a.broker))):
        tls = tls_material.Material()
    try:
        return measure_and_write(a, kind, out, only, count_syscalls, load, tls, between)
    finally:
        if tls:
            tls.close()


# The columns perf counts (and the voluntary context switches counted with them).
CALL_KEYS = ("read", "write", "wait", "wakeup")
# What a run's size is measured in when its counted calls are scaled to a timed run.
SIZE_KEYS = syscall_count.PACKET_OPS + ("delivery", "accept", "disconnect")


def scaled_calls(counted, timed):
    """The broker's system calls of a timed run of a workload whose operations are @p timed (a
    mean over the timed repetitions), from the counting run's operations @p counted: its calls
    times the ratio of the two runs' sizes (a saturated run does as much as the machine lets it
    in its second; the calls per operation are the broker's batching, which does not change)."""
    size = sum(counted.get(k, 0) for k in SIZE_KEYS)
    scale = sum(timed.get(k, 0) for k in SIZE_KEYS) / size if size else 1.0
    return {k: counted.get(k, 0) * scale for k in CALL_KEYS}


def measure_and_write(a, kind, out, only, count_syscalls, load, tls, between=None):
    loads = [load]
    started = datetime.datetime.now(datetime.timezone.utc)
    per_rep = []
    counted = None  # the counting repetition's {workload: operations with the calls}
    # perf's syscall tracepoints cost CPU per system call (a fifth of mosquitto's, which makes
    # about four per message), so the calls are counted in a repetition of their own, first,
    # whose CPU times are not used; the timed repetitions run without perf.
    runs = ([True] if count_syscalls else []) + [False] * a.repeat
    for counting in runs:
        rep = len(per_rep)
        broker = broker_process.BrokerProcess(
            "command" if kind == "command" else kind, binary=a.binary, command=a.broker, tls=tls)
        with broker:
            loop = mqtt_load.Loop("127.0.0.1", broker.port, tls=(
                (broker.tls_port, tls.client_context()) if broker.tls_port else None))
            # Client ids differ between repetitions: the counting one is numbered after them.
            ctx = workloads.Context(loop, broker, a.scale, a.repeat if counting else rep)
            ctx.only = only
            ctx.count_syscalls = counting
            ctx.loadgen = a.loadgen
            try:
                results = workloads.run_all(ctx)
            finally:
                loop.close_all()
            if not broker.alive():
                print("calibrate: the broker died during the run:\n%s" % broker.log(),
                      file=sys.stderr)
                return 1
        loads.append(load_average())
        if counting:
            counted = {name: ops for name, ops, _cpu in results}
            print("calibrate: the broker's system calls counted (perf; not timed): %d workloads "
                  "in %.1f s (load %.2f)" % (len(results), ctx.wall, loads[-1]), file=sys.stderr)
            continue
        per_rep.append(results)
        print("calibrate: repetition %d of %d: %d workloads in %.1f s (load %.2f)"
              % (rep + 1, a.repeat, len(results), ctx.wall, loads[-1]), file=sys.stderr)
        if between:
            between(rep)

    rows, comments, spreads = [], {}, []
    for i, (name, _ops, _cpu) in enumerate(per_rep[0]):
        cpus = [results[i][2] for results in per_rep]
        ops = mqtt_load.Ops()
        for k in FIT_KEYS:
            ops[k] = statistics.mean(results[i][1][k] for results in per_rep)
        if counted is not None:
            ops.update(scaled_calls(counted[name], ops))
        median = statistics.median(cpus)
        rows.append((name, ops, median))
        spread = (max(cpus) - min(cpus)) / median if median > 0 else 0.0
        spreads.append(spread)
        comments[name] = "spread %.1f %% over %d runs" % (100 * spread, len(cpus))
        if count_syscalls:
            comments[name] += "; " + syscall_note(ops)
        if a.read_per == "packet":
            ops = fit_ops(ops, a.read_per)
            rows[-1] = (name, ops, median)
            comments[name] += "; read column: %d packets read" % ops["read"]
        if ops["tls-handshake"]:
            comments[name] += "; %d TLS handshakes" % ops["tls-handshake"]
    weights = None if a.unweighted else calibration_fit.spread_weights(spreads)
    costs, predicted, r2, unidentified = calibration_fit.fit(rows, FIT_KEYS, weights)
    if count_syscalls:
        note = handshake_syscalls_note({name: ops for name, ops, _cpu in rows}, costs)
        if note:
            comments["tls-connect-storm"] += "; " + note

    header = [
        "Calibration of broker '%s', written by ./ns3-mqtt calibrate (doc/capacity.md)." % a.broker,
        "command: %s" % (a.command_line or "calibrate.py " + " ".join(a.argv)),
        "%d repetitions of %d workloads (scale %g), a fresh broker each; measured-cpu is the "
        "median," % (a.repeat, len(rows), a.scale),
        "the broker process's CPU time (user + kernel, /proc/PID/task/*/schedstat).",
        ("read, write and wait: the broker's read/recv, write/send and epoll_wait system calls "
         "in each window (perf stat, syscall tracepoints); a wait is a turn of its loop. "
         "wakeup: its voluntary context switches (/proc), a sleep each: the turns that follow "
         "idleness. Counted in one more repetition, first, whose CPU times are not used (perf "
         "costs CPU per system call), and scaled to each workload's operations in the timed "
         "ones."
         if count_syscalls else "read, write, wait and wakeup not measured (--no-syscalls): 0."),
        ("fit weighted by each workload's spread over the repetitions (1 / max(spread, %g))."
         % calibration_fit.SPREAD_FLOOR if weights is not None else "fit unweighted."),
        "1-minute load average: %s (start, then after %seach repetition)."
        % (", ".join("%.2f" % x for x in loads),
           "the counting one and " if counted is not None else ""),
        ("generator: the compiled load generator (%s) for %s (one whole run each, as bench "
         "twin's real side); the Python one for the rest."
         % (os.path.basename(a.loadgen), ", ".join(
             n for n in workloads.LOADGEN_WORKLOADS + list(workloads.PACED_WORKLOADS)
             if only is None or n in only))
         if a.loadgen else "generator: the Python one (tools/calibrate/mqtt_load.py) for all."),
        "read-per %s: a read is %s." % (a.read_per, "one inbound packet read (the fit's read "
                                         "column: packets read, not read system calls)"
                                         if a.read_per == "packet" else
                                         "a read system call of a connection per loop turn"),
        "write-per %s: a write is %s." % (a.write_per, "one outbound packet"
                                           if a.write_per == "packet" else
                                           "a connection's output per loop turn"),
    ]
    if kind != "command":
        header.append(broker_process.OPTIONS_NOTE + ".")
        header.append(broker_process.AUTH_NOTE + ".")
    if "tls-connect-storm" in comments:
        header.append("tls-connect-storm: %s; the broker's TLS listener %s." % (
            tls_material.DESCRIPTION, {
                "ours": "--tls-listen with --require-certificate --tls-version tlsv1.2",
                "mosquitto": "a second listener with require_certificate true, tls_version "
                             "tlsv1.2"}.get(kind, "{tls_port} of the command")))
    if load > a.max_load:
        header.append("WARNING: measured on a busy machine (load above --max-load %.2f)."
                      % a.max_load)
    if unidentified:
        header.append("not identified by these workloads (cost 0): %s" % ", ".join(unidentified))
    measured = {"date": started.strftime("%Y-%m-%d"), "machine": machine_description(),
                "load": load}
    version = broker_process.version(kind, a.binary, a.broker)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    calibration_fit.write_calibration(
        out, header, a.broker, version, a.cores, a.write_per, measured, costs, FIT_KEYS,
        [(name, meas, pred, comments[name]) for (name, _o, meas), pred in zip(rows, predicted)],
        r2, read_per=a.read_per)
    print("calibrate: %s: r2 %.4f; costs: %s" % (out, r2, ", ".join(
        "%s %s" % (k, calibration_fit.format_duration(costs[k])) for k in FIT_KEYS)))
    return 0


if __name__ == "__main__":
    broker_process.stop_on_signals()
    try:
        sys.exit(main(sys.argv[1:]))
    except (ValueError, RuntimeError, TimeoutError, OSError) as e:
        print("calibrate: %s" % e, file=sys.stderr)
        sys.exit(1)
