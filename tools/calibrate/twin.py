#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""./ns3-mqtt bench twin: the calibration's publishing workloads against the real standalone
broker on loopback and, in simulation, against the calibrated service model on an equivalent
fast link (bench/twin/twin.yaml through the scenario runner). Prints per workload

    twin NAME sim=RATE real=RATE ratio=R            saturated delivery rate (deliveries/s;
                                                    real: per second of the broker's CPU time)
    twin NAME p99@50%: sim=.. real=..               p99 latency at 50 % of that side's saturation
    twin NAME p99@90%: sim=.. real=..
    # NAME batching: sim P packets per read, D deliveries per write; real P', D' (...)

Both sides get the same load: each publisher closed loop on its share of the workload's
end-to-end window (the load generator's --flow e2e; the simulated publishers'
end-to-end-window), saturated as fast as the window allows, then paced at 50 % and 90 % of that
rate with 4 times the window. ratio = sim / real; the goal is 0.85 to 1.15 for every workload
(doc/capacity.md). With --calibrate FILE the calibration is made first, the real saturated runs
between its repetitions. The batching line compares how the two brokers spread their per-call
costs: the simulated broker's reads and writes (the service model's totals of the saturated
run, service_ops_read and _write) against the real broker's read and write system calls (perf)
in a whole run of the compiled load generator, the calibration's run of that workload.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import broker_process  # noqa: E402
import calibrate  # noqa: E402
import loadgen_side  # noqa: E402
import mqtt_load  # noqa: E402
import syscall_count  # noqa: E402
import workloads  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TWIN_WORKLOADS = ["qos0-fan-in", "qos0-fan-in-large", "fan-out", "qos1-fan-in"]
FRACTIONS = (0.5, 0.9)
# Simulated seconds before the measured window (connections, queues forming).
SIM_WARMUP_S = 0.05


def p99_ms(samples_ns):
    if not samples_ns:
        return float("nan")
    return float(np.percentile(np.concatenate([np.atleast_1d(s) for s in samples_ns]), 99)) / 1e6


# -- the real side ----------------------------------------------------------------------------
def real_side(kind, binary, name, messages, seconds):
    """Saturated delivery rate, broker CPU share, and p99 (ms) at each fraction of it."""
    spec = workloads.PUBLISH_SPECS[name]
    with broker_process.BrokerProcess(kind, binary=binary) as broker:
        loop = mqtt_load.Loop("127.0.0.1", broker.port, latency=True)
        try:
            ctx = workloads.Context(loop, broker, 1.0, 0)
            pubs, subs = workloads.publish_setup(ctx, name, spec)
            fanout = len(subs)
            total = max(spec.chunk * spec.pubs, int(messages * spec.share))
            workloads.drive(ctx, pubs, subs, fanout, total // 5, spec.chunk, spec.window)  # warm
            cpu0 = broker.cpu_ns()
            wall = workloads.drive(ctx, pubs, subs, fanout, total, spec.chunk, spec.window)
            busy = (broker.cpu_ns() - cpu0) / 1e9 / wall
            saturated = total / wall  # messages/s published (and delivered fanout times)
            p99 = {}
            paced_busy = {}  # fraction -> (broker, generator) CPU share of the paced run
            for fraction in FRACTIONS:
                rate = fraction * saturated
                loop.latency.clear()
                cpu0, gen0 = broker.cpu_ns(), time.process_time()
                paced = workloads.drive(ctx, pubs, subs, fanout,
                                        max(spec.pubs, int(rate * seconds)), spec.chunk,
                                        spec.window * 4, rate=rate)
                paced_busy[fraction] = ((broker.cpu_ns() - cpu0) / 1e9 / paced,
                                        (time.process_time() - gen0) / paced)
                p99[fraction] = p99_ms(loop.latency)
        finally:
            loop.close_all()
    return saturated * fanout, busy, p99, paced_busy


def cpu_times():
    """The machine's CPU time by kind (the first line of /proc/stat, in ticks)."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def steal_share(before, after):
    """The share of the machine's CPU time the host took (steal) between two cpu_times()."""
    delta = [b - a for a, b in zip(before, after)]
    return delta[7] / sum(delta) if len(delta) > 7 and sum(delta) > 0 else 0.0


def per_cpu_rate(run):
    """A saturated run's deliveries per second of broker CPU time: what the broker delivers on a
    core of its own. A VM's host takes its vCPUs at times (steal: 10 to 30 % of this VM's CPU
    time in session 10), and a broker that is runnable then neither runs nor delivers; its CPU
    time does not advance either, so this rate is the broker's, and the wall rate the host's."""
    return run["deliver_rate"] / max(run["broker_cpu_pct"] / 100, 1e-9)


def saturated_run(loadgen, kind, binary, name, seconds, label):
    """One closed-loop saturated run of workload @p name on a fresh broker: the RESULT fields,
    with "steal" the host's share of the machine's CPU time during it."""
    with broker_process.BrokerProcess(kind, binary=binary) as broker:
        before = cpu_times()
        result = loadgen_side.run(loadgen, workloads.PUBLISH_SPECS[name], broker.port,
                                  broker.proc.pid, seconds, label=label)
        result["steal"] = steal_share(before, cpu_times())
    return result


def median_run(runs, key):
    """The run at the median of @p key (the upper one of an even count)."""
    return sorted(runs, key=key)[len(runs) // 2]


def real_side_loadgen(loadgen, kind, binary, name, seconds, repeat, runs=None):
    """real_side's figures with the compiled load generator (loadgen_side.py) driving the real
    broker: @p repeat closed-loop saturated runs (the workload's window end to end), each on a
    fresh broker, the median counting; then open-loop runs paced at each fraction of that rate.
    The paced figures also carry the rate the generator reached and the messages it wrote off.
    Last, the broker's batching (packets per read, deliveries per write) in a whole closed-loop
    run with its system calls counted (perf; the calibration's run of the workload), or None
    without perf. Returns (the median run's deliveries per broker CPU-second, p99, paced
    figures, batching, the saturated runs). @p runs: the saturated runs, made already (bench
    twin --calibrate, between the calibration's repetitions)."""
    spec = workloads.PUBLISH_SPECS[name]
    fanout = max(1, spec.subs)
    if runs is None:
        # The same run varies by +-20 % from one broker process to the next on the 2-vCPU VM
        # (doc/capacity.md, "How far one real run is from the next"): one run is not a figure.
        runs = [saturated_run(loadgen, kind, binary, name, seconds, "%s-sat%d" % (name, i + 1))
                for i in range(repeat)]
    sat = median_run(runs, per_cpu_rate)
    # The paced runs offer fractions of what the machine delivered (its wall rate).
    deliveries = median_run(runs, lambda r: r["deliver_rate"])["deliver_rate"]
    with broker_process.BrokerProcess(kind, binary=binary) as broker:
        pid = broker.proc.pid
        p99, paced_busy = {}, {}
        for fraction in FRACTIONS:
            rate = fraction * deliveries / fanout
            r = loadgen_side.run(loadgen, spec, broker.port, pid, seconds, rate=rate,
                                 window_factor=4, label="%s-%d" % (name, round(fraction * 100)))
            p99[fraction] = r["p99_us"] / 1e3
            paced_busy[fraction] = (r["broker_cpu_pct"] / 100, r["client_cpu_pct"] / 100,
                                    r["pub_rate"] / rate, int(r["lost"]))
        batching = None
        if syscall_count.available():
            _r, ops, _c = loadgen_side.counted_run(loadgen, spec, broker, seconds,
                                                   label=name + "-counted")
            batching = syscall_count.batching(ops)
    return per_cpu_rate(sat), p99, paced_busy, batching, runs


# -- the simulated side -----------------------------------------------------------------------
def sim_run(runner, calibration, spec, duration_s, out, rate=None, window_factor=1):
    """Runs the twin scenario with the real side's flow (loadgen_side.arguments): each publisher
    closed loop on its share of the workload's end-to-end window (times @p window_factor), as
    fast as the window allows, or paced at @p rate PUBLISHes/s in total. Returns the delivery
    rate over the measured window, the p99 latency (ms) and the service model's operation
    totals of the run ({NAME: count} from the service_ops_NAME attributes)."""
    import h5py
    # Saturated: a publish every nanosecond while the window is open: the window alone paces.
    interval = "%.3fus" % (spec.pubs / rate * 1e6) if rate else "1ns"
    window = loadgen_side.inflight(spec, window_factor)
    sets = ["devices.pubs.count=%d" % spec.pubs, "devices.pubs.qos=%d" % spec.pub_qos,
            "devices.pubs.payload=%d" % spec.payload,
            "devices.pubs.interval=%s" % interval,
            "devices.pubs.end-to-end-window=%d" % window,
            "backends.subs.count=%d" % spec.subs,
            # The loadgen's --inflight is its QoS 1 window too: it bounds how many PUBLISHes
            # one read of a publisher's connection carries.
            "devices.pubs.max-inflight=%d" % window,
            "backends.subs.subscribe=[{filter: 'twin/#', qos: %d}]" % spec.sub_qos,
            # The default input limit (4 MiB): reads pause and resume as a saturated broker's
            # do (doc/capacity.md, "Resuming after a pause").
            "broker.service={calibration: %s}" % calibration,
            "duration=%dms" % int(duration_s * 1000)]
    argv = [runner, os.path.join(ROOT, "bench", "twin", "twin.yaml"), "--out", out,
            "--progress", "none"]
    for s in sets:
        argv += ["--set", s]
    run = subprocess.run(argv, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("the twin simulation failed (%s):\n%s" % (" ".join(argv),
                                                                     run.stderr[-2000:]))
    with h5py.File(os.path.join(out, "results.h5"), "r") as f:
        d = f["deliveries"][:]
        ops = {k[len("service_ops_"):]: int(v) for k, v in f.attrs.items()
               if k.startswith("service_ops_")}
    start = SIM_WARMUP_S  # the publishers start by 20 ms; measure once the queues have formed
    measured = d[d["time"] >= start]
    delivered = len(measured) / (duration_s - start)
    if delivered <= 0:
        raise RuntimeError("the twin simulation delivered nothing after %.0f ms (%s); see %s"
                           % (start * 1e3, " ".join(argv), out))
    latency = measured["latency"]
    p99 = float(np.percentile(latency, 99)) * 1e3 if len(latency) else float("nan")
    return delivered, p99, ops


def cpu_model(machine):
    """The CPU model of a calibration's `measured: machine` ("HOST, MODEL, N cores, kernel K")."""
    parts = [p.strip() for p in machine.split(",")]
    return ", ".join(parts[1:-2]) if len(parts) >= 4 else machine


def other_machine_note(calibration_text, here):
    """A comment line when the calibration was measured on another CPU model than @p here (this
    machine's description, calibrate.machine_description()), else None: its costs are that
    machine's, so the ratios then compare two machines, not the model and the broker."""
    import yaml
    measured = (yaml.safe_load(calibration_text) or {}).get("measured") or {}
    there = str(measured.get("machine", ""))
    if not there or cpu_model(there) == cpu_model(here):
        return None
    return ("# NOTE: the calibration was measured on %s, this machine is %s: the ratios compare "
            "the two machines as much as the model; --calibrate FILE measures both sides here, "
            "in the same minutes (doc/capacity.md)" % (cpu_model(there), cpu_model(here)))


def calibration_path(calibration):
    return (calibration if os.path.sep in calibration else
            os.path.join(ROOT, "calibrations", calibration + ".yaml"))


def sim_side(runner, calibration, name, duration_s):
    """The simulated side as the real one is driven (real_side_loadgen): saturated closed loop
    on the workload's window, then paced at each fraction of that rate with 4 times the
    window."""
    spec = workloads.PUBLISH_SPECS[name]
    with tempfile.TemporaryDirectory(prefix="mqtt-twin-") as tmp:
        deliveries, _, ops = sim_run(runner, calibration, spec, duration_s,
                                     os.path.join(tmp, "sat"))
        saturated = deliveries / max(1, spec.subs)
        p99 = {}
        for fraction in FRACTIONS:
            _, p99[fraction], _ = sim_run(runner, calibration, spec, duration_s,
                                          os.path.join(tmp, "f%d" % (fraction * 100)),
                                          rate=fraction * saturated, window_factor=4)
    return deliveries, p99, syscall_count.batching(ops)


def calibrate_interleaved(a, names, argv):
    """--calibrate: ./ns3-mqtt calibrate --repeat N into a.calibrate, one saturated real run of
    each workload after each repetition. Returns {workload: [RESULT fields]} or None when the
    calibration failed (it said why)."""
    runs = {name: [] for name in names}

    def between(rep):
        for name in names:
            runs[name].append(saturated_run(a.loadgen, a.broker, a.binary, name, a.seconds,
                                            "%s-sat%d" % (name, rep + 1)))

    scale = a.scale if a.scale is not None else (0.5 if a.broker == "mosquitto" else 1.0)
    cal_argv = ["--broker", a.broker, "--binary", a.binary, "--loadgen", a.loadgen,
                "--repeat", str(a.repeat), "--scale", "%g" % scale, "--out", a.calibrate,
                "--command-line", "./ns3-mqtt bench twin " + " ".join(argv)]
    if a.busy_ok:
        cal_argv.append("--busy-ok")
    if a.wait_quiet:
        cal_argv += ["--wait-quiet", "%g" % a.wait_quiet]
    if calibrate.main(cal_argv, between=between) != 0:
        return None
    return runs


def main(argv):
    p = argparse.ArgumentParser(prog="./ns3-mqtt bench twin", description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True, help="the standalone broker (real side)")
    p.add_argument("--broker", choices=("ours", "mosquitto"), default="ours",
                   help="the real broker: ours (--binary, default) or Debian's mosquitto, "
                        "with the calibration's options")
    p.add_argument("--runner", help="ns3-mqtt-run (simulated side); without it: real side only")
    p.add_argument("--loadgen", help="the compiled load generator (../shared/bench/mqtt-loadgen, "
                   "built by ./ns3-mqtt bench twin) driving the real side; without it the "
                   "Python generator does, whose p99 is its own queueing")
    p.add_argument("--calibration",
                   help="calibration of the simulated broker (name or path; default the "
                        "broker's: ours or mosquitto)")
    p.add_argument("--calibrate", metavar="FILE",
                   help="first calibrate the real broker into FILE (./ns3-mqtt calibrate "
                        "--repeat N) with each workload's saturated real run made after each "
                        "of its repetitions, then simulate on FILE: both sides measured in the "
                        "same minutes (the machine's speed drifts by tens of per cent over "
                        "minutes; doc/capacity.md). Needs the compiled load generator")
    p.add_argument("--scale", type=float,
                   help="with --calibrate: the calibration's workload size (its --scale; "
                        "default 1, 0.5 for mosquitto)")
    p.add_argument("--busy-ok", action="store_true",
                   help="with --calibrate: calibrate even on a busy machine")
    p.add_argument("--wait-quiet", type=float, default=0,
                   help="with --calibrate: seconds to wait for a quiet machine first (0)")
    p.add_argument("--workloads", default=",".join(TWIN_WORKLOADS),
                   help="comma-separated (default %s)" % ",".join(TWIN_WORKLOADS))
    p.add_argument("--messages", type=int, default=300_000,
                   help="PUBLISHes of the saturated real run (times the workload's share)")
    p.add_argument("--repeat", type=int, default=5,
                   help="saturated real runs per workload, each on a fresh broker; the median "
                        "counts (5; with the compiled load generator)")
    p.add_argument("--seconds", type=float, default=2.0,
                   help="length of each real latency run (2)")
    p.add_argument("--sim-seconds", type=float,
                   help="simulated time of each simulation run, the first 50 ms unmeasured "
                        "(default 0.15 for ours: a saturated run simulates about 10^5 "
                        "deliveries; 1.05 for mosquitto, whose costs make a saturated turn "
                        "(16 connections x 64 KiB) last some 100 ms, so 0.15 s would measure "
                        "one turn or none)")
    a = p.parse_args(argv)
    if a.repeat < 1:
        p.error("--repeat must be at least 1")
    a.calibration = a.calibration or a.broker
    if a.sim_seconds is None:
        a.sim_seconds = 1.05 if a.broker == "mosquitto" else 0.15
    names = a.workloads.split(",")
    unknown = [n for n in names if n not in workloads.PUBLISH_SPECS]
    if unknown:
        p.error("unknown workload(s) %s (known: %s)" % (", ".join(unknown),
                                                       ", ".join(workloads.PUBLISH_SPECS)))
    with open("/proc/loadavg") as f:
        print("# load average at start: %s" % " ".join(f.read().split()[:3]))
    interleaved = None
    if a.calibrate:
        if not a.loadgen:
            p.error("--calibrate needs the compiled load generator (--loadgen)")
        interleaved = calibrate_interleaved(a, names, argv)
        if interleaved is None:
            return 1
        a.calibration = a.calibrate
        print("# calibrated into %s, %d repetitions, each followed by one saturated real run "
              "of every workload" % (a.calibrate, a.repeat))
    if a.runner:
        with open(calibration_path(a.calibration)) as f:
            text = f.read()
        measured_alike = broker_process.OPTIONS_NOTE in text
        note = other_machine_note(text, calibrate.machine_description())
        if note:
            print(note)
        if not measured_alike:
            # The QoS 1/2 costs of a calibration made with the standard window of 20 carry a
            # round trip's overhead per 20 messages (doc/capacity.md, "The twin check").
            print("# WARNING: %s was not measured with the real side's broker options (its "
                  "header lacks \"%s\"): measure it again (./ns3-mqtt calibrate --repeat 5) "
                  "before judging qos1-fan-in" % (a.calibration, broker_process.OPTIONS_NOTE))
    print("# real side driven by %s" % (
        "the compiled load generator %s (one process, one core at most)" % a.loadgen
        if a.loadgen else "the Python generator (tools/calibrate/mqtt_load.py): its p99 under "
        "pacing is mostly its own queueing"))
    for name in names:
        real_batching = None
        if a.loadgen:
            real_rate, real_p99, paced_busy, real_batching, real_runs = real_side_loadgen(
                a.loadgen, a.broker, a.binary, name, a.seconds, a.repeat,
                interleaved and interleaved[name])
        else:
            wall_rate, busy, real_p99, paced_busy = real_side(a.broker, a.binary, name,
                                                              a.messages, a.seconds)
            real_rate = wall_rate / busy if busy > 0 else float("nan")
            real_runs = None
        if a.runner:
            sim_rate, sim_p99, sim_batching = sim_side(a.runner, a.calibration, name,
                                                       a.sim_seconds)
        else:
            sim_rate, sim_p99 = float("nan"), {f: float("nan") for f in FRACTIONS}
            sim_batching = (float("nan"), float("nan"))
        print("twin %s sim=%.0f real=%.0f ratio=%.3f" % (name, sim_rate, real_rate,
                                                         sim_rate / real_rate))
        for fraction in FRACTIONS:
            print("twin %s p99@%d%%: sim=%.3fms real=%.3fms"
                  % (name, round(fraction * 100), sim_p99[fraction], real_p99[fraction]))
        if real_runs:
            walls = [r["deliver_rate"] for r in real_runs]
            wall = median_run(real_runs, lambda r: r["deliver_rate"])["deliver_rate"]
            print("# %s real saturated runs, deliveries per broker CPU-second: %s (the median "
                  "counts; spread %.0f %%); per wall second: %s (median %.0f, sim / that = %.3f)"
                  % (name, ", ".join("%.0f" % per_cpu_rate(r) for r in real_runs),
                     100 * (max(map(per_cpu_rate, real_runs)) - min(map(per_cpu_rate, real_runs)))
                     / real_rate, ", ".join("%.0f" % w for w in walls), wall, sim_rate / wall))
            print("# %s: real broker busy %s %% of the runs' wall time, the load generator %s %%, "
                  "the host's steal %s %% of the machine's CPU time"
                  % (name, ", ".join("%.0f" % r["broker_cpu_pct"] for r in real_runs),
                     ", ".join("%.0f" % r["client_cpu_pct"] for r in real_runs),
                     ", ".join("%.0f" % (100 * r["steal"]) for r in real_runs)))
        else:
            print("# %s: real broker busy %.0f %% of the saturated run's wall time; %.0f "
                  "deliveries per wall second (sim / that = %.3f)"
                  % (name, 100 * busy, wall_rate, sim_rate / wall_rate))
        # A paced run whose generator is busy most of the time measures the generator's
        # queueing in its p99, not the broker's (doc/capacity.md, "The twin check").
        print("# %s paced: %s" % (name, "; ".join(
            "at %d %% broker busy %.0f %%, load generator busy %.0f %%%s"
            % (round(f * 100), 100 * paced_busy[f][0], 100 * paced_busy[f][1],
               "" if len(paced_busy[f]) < 4 else ", rate reached %.1f %%, lost %d"
               % (100 * paced_busy[f][2], paced_busy[f][3]))
            for f in FRACTIONS)))
        print("# %s batching: sim %.1f packets per read, %.1f deliveries per write; real %s"
              % (name, sim_batching[0], sim_batching[1],
                 "%.1f, %.1f (a whole closed-loop run of the load generator, the calibration's; "
                 "perf)" % real_batching if real_batching else
                 "not counted (%s)" % ("perf cannot count system calls here" if a.loadgen else
                                       "needs the compiled load generator")))
        sys.stdout.flush()
    with open("/proc/loadavg") as f:
        print("# load average at end: %s" % " ".join(f.read().split()[:3]))
    return 0


if __name__ == "__main__":
    broker_process.stop_on_signals()
    try:
        sys.exit(main(sys.argv[1:]))
    except (RuntimeError, TimeoutError, OSError) as e:
        print("twin: %s" % e, file=sys.stderr)
        sys.exit(1)
