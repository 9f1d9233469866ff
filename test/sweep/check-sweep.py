#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "sweep-*": whole sweeps with the fake runner (test/sweep/fake-runner.py).

    check-sweep.py --sweep build/mqtt-sweep --mpirun /usr/bin/mpiexec --work DIR MODE

MODE local:    -j 2 without MPI: index rows, per-run logs, a failing and a crashing run
               reported while the others complete, resumption (finished runs skipped, failed
               ones redone, half-written runs redone), timeout, dry run, bad sweep file,
               interrupt (no runner outlives the sweep), exit codes.
MODE mpi:      the same sweep under mpirun -np 2: runs spread over both ranks, one index,
               the failing run reported, resumption, mpirun's exit status.
MODE analysis: a sweep writing HDF5 results, then analysis/sweep.py: every mean and 95 %
               confidence interval of its table recomputed here from the files.
MODE real:     the real runner (--runner build/ns3-mqtt-run) on a shrunk lossy star, resumed,
               then analysis/sweep.py on its results.
"""
import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FAKE = os.path.join(HERE, "fake-runner.py")
FAILURES = []


def expect(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def expect_eq(got, want, what):
    expect(got == want, f"{what}: got {got!r}, want {want!r}")


class Sweep:
    """A sweep directory with its sweep file, scenario, control file and call log."""

    def __init__(self, work, name, grid, seeds, extra="", fmt="text", timeout=None, sleep=0):
        self.dir = os.path.join(work, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.out = os.path.join(self.dir, "out")
        self.control = os.path.join(self.dir, "control.txt")
        self.calls = os.path.join(self.dir, "calls.txt")
        with open(os.path.join(self.dir, "base.yaml"), "w") as f:
            f.write("name: base\n")
        lines = [f"name: {name}", "scenario: base.yaml", "grid:"]
        lines += [f"  {k}: {v}" for k, v in grid]
        lines += ["set:", f"  fake.format: {fmt}", f"  fake.control: {self.control}",
                  f"  fake.calls: {self.calls}", f"  fake.sleep: {sleep}", f"seeds: {seeds}"]
        if timeout:
            lines.append(f"timeout: {timeout}")
        self.file = os.path.join(self.dir, "sweep.yaml")
        with open(self.file, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        self.set_control({})

    def set_control(self, actions):
        with open(self.control, "w") as f:
            f.write("".join(f"{k} {v}\n" for k, v in actions.items()))

    def calls_made(self):
        if not os.path.exists(self.calls):
            return []
        with open(self.calls) as f:
            return [line.split()[0] for line in f if line.strip()]

    def index(self):
        with open(os.path.join(self.out, "index.jsonl")) as f:
            return [json.loads(line) for line in f if line.strip()]


def run_sweep(args, sweep, *extra, mpi=False, np=2):
    cmd = [args.sweep, sweep.file, "--out", sweep.out, "--runner", FAKE, *extra]
    if mpi:
        cmd = [args.mpirun, "-np", str(np), "--oversubscribe", "--allow-run-as-root",
               "--mca", "btl", "self,tcp"] + cmd
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - start


IDS = ["v=1_run=1", "v=1_run=2", "v=2_run=1", "v=2_run=2", "v=3_run=1", "v=3_run=2"]


def check_first_pass(sweep, code, out, mpi):
    expect_eq(code, 1, "exit status with failed runs")
    rows = sweep.index()
    expect_eq([r["id"] for r in rows], IDS, "index rows in plan order")
    by = {r["id"]: r for r in rows}
    for rid in IDS:
        r = by[rid]
        v = rid.split("_")[0].split("=")[1]
        expect_eq(r["params"], {"x.value": v}, f"{rid} params")
        expect_eq((r["seed"], r["run"]), (1, int(rid[-1])), f"{rid} seed and run")
        expect_eq(r["path"], f"runs/{rid}", f"{rid} path")
        expect_eq(r["results"], f"runs/{rid}/results.h5", f"{rid} results")
        expect_eq(r["log"], f"logs/{rid}.log", f"{rid} log")
        expect(r["wall_time"] > 0, f"{rid} wall time")
        with open(os.path.join(sweep.out, r["log"])) as f:
            log = f.read()
        expect(log.startswith("$ " + FAKE + " " + os.path.join(sweep.dir, "base.yaml")
                              + " --out " + os.path.join(sweep.out, "runs", rid)),
               f"{rid} log starts with the command: {log[:200]!r}")
        expect(f"fake-runner: {rid}:" in log, f"{rid} log has the runner's output")
    for rid in ["v=1_run=1", "v=1_run=2", "v=3_run=2"]:
        expect_eq((by[rid]["status"], by[rid]["exit_code"], by[rid]["reason"]), ("ok", 0, ""),
                  f"{rid} ok")
        with open(os.path.join(sweep.out, by[rid]["results"])) as f:
            expect("x.value=" in f.read(), f"{rid} results written by the runner")
    expect_eq((by["v=2_run=2"]["status"], by["v=2_run=2"]["exit_code"],
               by["v=2_run=2"]["reason"]), ("failed", 3, "exit 3"), "failing run")
    expect_eq((by["v=3_run=1"]["status"], by["v=3_run=1"]["exit_code"],
               by["v=3_run=1"]["signal"], by["v=3_run=1"]["reason"]),
              ("failed", -1, 11, "killed by signal 11 (Segmentation fault)"), "crashing run")
    expect_eq((by["v=2_run=1"]["status"], by["v=2_run=1"]["reason"]),
              ("failed", "exit 0 but no results file "
               + os.path.join(sweep.out, "runs", "v=2_run=1", "results.h5")),
              "run without results")
    expect_eq(sorted(sweep.calls_made()), sorted(IDS), "each run invoked once")
    expect("sweep mech: 6 runs: 3 ok (3 now, 0 earlier), 3 failed" in out,
           f"summary line: {out}")
    expect("  failed v=3_run=1: killed by signal 11 (Segmentation fault) (log: "
           + os.path.join(sweep.out, "logs", "v=3_run=1.log") + ")" in out,
           "summary lists the failed run with its log")
    with open(os.path.join(sweep.out, "summary.txt")) as f:
        expect("3 failed" in f.read(), "summary.txt written")
    with open(os.path.join(sweep.out, "sweep.json")) as f:
        plan = json.load(f)
    expect_eq(plan["runs"], IDS, "sweep.json run ids")
    expect_eq(plan["axes"], [{"key": "x.value", "name": "v", "values": ["1", "2", "3"]}],
              "sweep.json axes")
    if mpi:
        expect_eq(sorted({r["rank"] for r in rows}), [0, 1], "runs spread over both ranks")


def check_resume(args, sweep, mpi):
    # Second pass, same failures: the three finished runs are skipped, the others redone.
    before = len(sweep.calls_made())
    code, out, _ = run_sweep(args, sweep, "-j", "2", mpi=mpi)
    expect_eq(code, 1, "second pass still fails")
    expect_eq(sorted(sweep.calls_made()[before:]), ["v=2_run=1", "v=2_run=2", "v=3_run=1"],
              "second pass runs only the unfinished runs")
    expect("6 runs, 3 finished earlier, 3 to run" in out, f"second pass plan line: {out}")

    # The failures are fixed: only they run, and now everything is ok.
    sweep.set_control({})
    before = len(sweep.calls_made())
    code, out, _ = run_sweep(args, sweep, "-j", "2", mpi=mpi)
    expect_eq(code, 0, f"all ok now: {out}")
    expect_eq(sorted(sweep.calls_made()[before:]), ["v=2_run=1", "v=2_run=2", "v=3_run=1"],
              "third pass redoes the failed runs")
    rows = sweep.index()
    expect_eq([r["status"] for r in rows], ["ok"] * 6, "every row ok")
    expect("6 runs: 6 ok (3 now, 3 earlier), 0 failed" in out, f"third pass summary: {out}")

    # Nothing left: nothing runs.
    before = len(sweep.calls_made())
    code, out, _ = run_sweep(args, sweep, "-j", "2", mpi=mpi)
    expect_eq((code, len(sweep.calls_made()) - before), (0, 0), "a finished sweep runs nothing")

    # A results file that went away, and a run killed half-way (its row missing, a torn row
    # after it, junk in its directory): both are redone, the junk removed.
    os.remove(os.path.join(sweep.out, "runs", "v=1_run=1", "results.h5"))
    rows = sweep.index()
    with open(os.path.join(sweep.out, "index.jsonl"), "w") as f:
        for r in rows:
            if r["id"] != "v=3_run=2":
                f.write(json.dumps(r) + "\n")
        f.write('{"id": "v=3_run=2", "params": {"x.va')
    with open(os.path.join(sweep.out, "runs", "v=3_run=2", "junk"), "w") as f:
        f.write("half")
    before = len(sweep.calls_made())
    code, out, _ = run_sweep(args, sweep, "-j", "2", mpi=mpi)
    expect_eq(code, 0, "redo pass ok")
    expect_eq(sorted(sweep.calls_made()[before:]), ["v=1_run=1", "v=3_run=2"],
              "missing results and a killed run are redone")
    expect(not os.path.exists(os.path.join(sweep.out, "runs", "v=3_run=2", "junk")),
           "half-written output removed")
    expect("skipped 1 unreadable line(s)" in out, "torn line reported")
    expect_eq([r["id"] for r in sweep.index()], IDS, "compacted index: one row per run")


def mechanics_sweep(work, name="mech", sleep=0):
    s = Sweep(work, name, [("x.value", "{name: v, values: [1, 2, 3]}")], 2, sleep=sleep)
    s.set_control({"v=2_run=2": "fail", "v=3_run=1": "crash", "v=2_run=1": "noresults"})
    return s


def mode_local(args):
    sweep = mechanics_sweep(args.work)
    code, out, secs = run_sweep(args, sweep, "-j", "2")
    print(out)
    check_first_pass(sweep, code, out, mpi=False)
    check_resume(args, sweep, mpi=False)

    # Dry run: lists runs, runs nothing.
    before = len(sweep.calls_made())
    code, out, _ = run_sweep(args, sweep, "--dry-run")
    expect_eq(code, 0, "dry run exit")
    expect("finished v=1_run=1" in out and "6 runs, 0 to run" in out, f"dry run: {out}")
    expect_eq(len(sweep.calls_made()), before, "dry run runs nothing")

    # --where: the directory a sweep uses (results/NAME by default, from the current directory).
    p = subprocess.run([args.sweep, sweep.file, "--where"], capture_output=True, text=True,
                       cwd=sweep.dir)
    expect_eq((p.returncode, p.stdout), (0, os.path.join(sweep.dir, "results", "mech") + "\n"),
              "--where without --out")
    p = subprocess.run([args.sweep, sweep.file, "--where", "--out", sweep.out + "/"],
                       capture_output=True, text=True)
    expect_eq(p.stdout, sweep.out + "\n", "--where with --out")

    # A changed sweep (another fixed --set) makes every run stale: all are redone.
    with open(sweep.file, "a") as f:
        f.write("rng-seed: 5\n")
    code, out, _ = run_sweep(args, sweep, "--dry-run")
    expect("6 runs, 6 to run" in out, f"changed sweep reruns all: {out}")

    # Timeout: a hanging run is ended and reported; the sweep goes on.
    t = Sweep(args.work, "timeout", [("x.value", "{name: v, values: [1, 2]}")], 1,
              timeout="500ms")
    t.set_control({"v=1_run=1": "hang"})
    code, out, secs = run_sweep(args, t, "-j", "2")
    by = {r["id"]: r for r in t.index()}
    expect_eq(code, 1, "timeout exit status")
    expect_eq((by["v=1_run=1"]["status"], by["v=1_run=1"]["reason"],
               by["v=1_run=1"]["signal"]), ("failed", "timeout after 0.5 s", 15), "timed-out run")
    expect_eq(by["v=2_run=1"]["status"], "ok", "the other run of the timeout sweep")
    expect(secs < 10, f"timeout sweep took {secs:.1f} s")

    # Interrupt: SIGINT ends the sweep and every runner it started, at once.
    i = Sweep(args.work, "interrupt", [("x.value", "{name: v, values: [1, 2]}")], 1)
    i.set_control({"v=1_run=1": "hang", "v=2_run=1": "hang"})
    p = subprocess.Popen([args.sweep, i.file, "--out", i.out, "--runner", FAKE, "-j", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while len(i.calls_made()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Meanwhile a second sweep into the same directory is refused.
    code, out, _ = run_sweep(args, i)
    expect_eq(code, 2, "second sweep into a busy directory")
    expect(f"another sweep is running in {i.out}" in out, f"lock message: {out}")
    p.send_signal(signal.SIGINT)
    try:
        out, _ = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        out = ""
    expect_eq(p.returncode, 130, "interrupted exit status")
    expect("interrupted: run the same command again to resume" in out, f"interrupt: {out}")
    with open(i.calls) as f:
        pids = [int(line.split()[1]) for line in f if line.strip()]
    expect_eq(len(pids), 2, "both runners started")
    for pid in pids:
        expect(not os.path.exists(f"/proc/{pid}"), f"runner {pid} outlived the sweep")
    expect(not os.path.exists(os.path.join(i.out, "index.jsonl"))
           or all(r["status"] == "ok" for r in i.index()), "interrupted runs are not rows")

    # A bad sweep file: exit 2, the message names file, line and field.
    bad = os.path.join(args.work, "bad.yaml")
    with open(bad, "w") as f:
        f.write("scenario: x.yaml\nseeds: 2\ngrid:\n  a.b: {name: q, value: [1]}\n")
    p = subprocess.run([args.sweep, bad, "--runner", FAKE], capture_output=True, text=True)
    expect_eq(p.returncode, 2, "bad sweep file exit")
    expect(f"{bad}:4: grid.a.b.value: unknown key (expected name, values)" in p.stderr,
           f"bad sweep file message: {p.stderr}")
    p = subprocess.run([args.sweep, bad, "-j", "0", "--runner", FAKE], capture_output=True,
                       text=True)
    expect_eq(p.returncode, 2, "bad -j exit")


def mode_mpi(args):
    # Runs of 0.2 s, so both ranks surely get work.
    sweep = mechanics_sweep(args.work, "mech", sleep=0.2)
    code, out, secs = run_sweep(args, sweep, mpi=True)
    print(out)
    check_first_pass(sweep, code, out, mpi=True)
    check_resume(args, sweep, mpi=True)


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def run_figures(path):
    """{publish QoS: (ratio, p50, p99)} of one fake run, computed straight from the datasets:
    the fake's one subscriber matches every topic, so each publish is expected once."""
    import h5py
    import numpy as np

    with h5py.File(path, "r") as f:
        pubs, dels = f["publishes"][:], f["deliveries"][:]
    out = {}
    for q in sorted(set(int(x) for x in pubs["qos"])):
        first = dels[(dels["publish_qos"] == q) & ~dels["duplicate"]]
        lat = first["latency"]
        out[q] = (len(first) / int((pubs["qos"] == q).sum()),
                  float(np.percentile(lat, 50)), float(np.percentile(lat, 99)))
    return out


def mode_analysis(args):
    import csv

    import numpy as np

    sys.path.insert(0, os.path.join(ROOT, "analysis"))
    import sweep as analysis  # analysis/sweep.py

    # Student t quantiles against printed tables.
    for df, t in [(1, 12.706204736174698), (2, 4.302652729911275), (4, 2.7764451051977987),
                  (10, 2.2281388519649385), (30, 2.0422724563012373)]:
        expect(abs(analysis.t_quantile(0.975, df) - t) < 1e-9, f"t(0.975, {df})")

    s = Sweep(args.work, "loss", [("links.access.loss.rate", "{name: loss, values: [0, 0.3]}"),
                                  ("devices.qos1.qos", "{name: qos, values: [1, 2]}")], 3,
              fmt="h5")
    s.set_control({"loss=0.3_qos=2_run=3": "fail"})
    code, out, _ = run_sweep(args, s, "-j", "2")
    expect_eq(code, 1, f"analysis sweep exit: {out}")
    plot_dir = os.path.join(args.work, "plots")
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "analysis", "sweep.py"), s.out,
                        "--out", plot_dir], capture_output=True, text=True)
    expect_eq(p.returncode, 0, f"sweep.py exit: {p.stderr}")
    expect("11 runs with results, 1 failed, 0 not run" in p.stdout, f"sweep.py: {p.stdout}")
    for png in ["delivery-ratio.png", "latency-p99.png", "latency-p50.png"]:
        expect(is_png(os.path.join(plot_dir, png)), f"{png} written")
    with open(os.path.join(plot_dir, "sweep.md")) as f:
        md = f.read()
    expect("`loss=0.3_qos=2_run=3`: exit 3" in md, "sweep.md lists the failed run")

    # Every cell recomputed here: per-run figures from the files, then mean and interval.
    with open(os.path.join(plot_dir, "sweep-summary.csv")) as f:
        table = list(csv.DictReader(f))
    t_of = {2: 12.706204736174698, 3: 4.302652729911275}
    checked = 0
    for loss in ["0", "0.3"]:
        for qaxis in ["1", "2"]:
            runs = [f"loss={loss}_qos={qaxis}_run={k}" for k in (1, 2, 3)]
            runs = [r for r in runs if r != "loss=0.3_qos=2_run=3"]
            figs = [run_figures(os.path.join(s.out, "runs", r, "results.h5")) for r in runs]
            for pq in sorted(figs[0]):
                for i, name in enumerate(["ratio", "p50", "p99"]):
                    v = np.array([f[pq][i] for f in figs])
                    row = [r for r in table if r["loss"] == loss and r["qos"] == qaxis
                           and r["figure"] == name and r["publish_qos"] == str(pq)]
                    expect_eq(len(row), 1, f"one row for {loss} {qaxis} QoS {pq} {name}")
                    if not row:
                        continue
                    r = row[0]
                    n = len(v)
                    half = t_of[n] * v.std(ddof=1) / math.sqrt(n)
                    expect_eq(int(r["n"]), n, f"n of {loss} {qaxis} {pq} {name}")
                    for col, want in [("mean", v.mean()), ("sd", v.std(ddof=1)),
                                      ("ci95_low", v.mean() - half),
                                      ("ci95_high", v.mean() + half)]:
                        got = float(r[col])
                        expect(abs(got - want) <= 1e-9 * max(1.0, abs(want)),
                               f"{col} of {loss} {qaxis} QoS {pq} {name}: {got} != {want}")
                    checked += 1
    expect_eq(checked, 4 * 2 * 3, "cells checked")
    # Loss hurts QoS 0 delivery; QoS 1 and 2 deliver everything.
    ratio = {(r["loss"], r["qos"], r["publish_qos"]): float(r["mean"])
             for r in table if r["figure"] == "ratio"}
    expect(ratio[("0.3", "1", "0")] < 0.85 and ratio[("0", "1", "0")] == 1.0,
           f"QoS 0 delivery falls with loss: {ratio}")
    expect(ratio[("0.3", "2", "2")] == 1.0, "QoS 2 delivers everything")


def mode_real(args):
    """The real runner over scenarios/lossy-star.yaml, shrunk to seconds; then the analysis."""
    import csv

    sweep_file = os.path.join(args.work, "real.yaml")
    with open(sweep_file, "w") as f:
        f.write(f"""name: real
scenario: {os.path.join(ROOT, "scenarios", "lossy-star.yaml")}
grid:
  links.access.loss.rate: {{name: loss, values: [0, 0.3]}}
  devices.qos1.qos: {{name: qos, values: [1, 2]}}
set:
  duration: 20s
  devices.qos0.count: 4
  devices.qos1.count: 4
  backends.sink.subscribe.0.qos: 2
seeds: 2
timeout: 2m
""")
    out = os.path.join(args.work, "out")
    cmd = [args.sweep, sweep_file, "--out", out, "--runner", args.runner, "-j", "2"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    print(p.stdout + p.stderr)
    expect_eq(p.returncode, 0, "real sweep exit")
    with open(os.path.join(out, "index.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    expect_eq(len(rows), 8, "real sweep rows")
    for r in rows:
        expect(r["status"] == "ok" and os.path.getsize(os.path.join(out, r["results"])) > 0,
               f"real run {r['id']}: {r['reason']}")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    expect("8 runs, 8 finished earlier, 0 to run" in p.stdout, f"real sweep resumes: {p.stdout}")
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "analysis", "sweep.py"), out],
                       capture_output=True, text=True)
    expect_eq(p.returncode, 0, f"sweep.py on real results: {p.stderr}")
    with open(os.path.join(out, "analysis", "sweep-summary.csv")) as f:
        table = list(csv.DictReader(f))
    ratio = {(r["loss"], r["qos"], r["publish_qos"]): r for r in table if r["figure"] == "ratio"}
    expect_eq(sorted(ratio), [(lo, q, pq) for lo in ("0", "0.3") for q in ("1", "2")
                              for pq in ("0", q)], "a cell per loss, QoS axis and publish QoS")
    for key, r in ratio.items():
        expect_eq(r["n"], "2", f"seeds in {key}")
    expect(float(ratio[("0.3", "1", "0")]["mean"]) < float(ratio[("0", "1", "0")]["mean"]),
           "QoS 0 delivers less at 30 % loss")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", required=True)
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--runner", help="the real runner (mode real)")
    ap.add_argument("--work", required=True)
    ap.add_argument("mode", choices=["local", "mpi", "analysis", "real"])
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    {"local": mode_local, "mpi": mode_mpi, "analysis": mode_analysis,
     "real": mode_real}[args.mode](args)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
