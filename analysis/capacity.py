#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Capacity of a scenario: the largest value of one field that meets a service level.

    /usr/bin/python3 analysis/capacity.py SCENARIO --vary FIELD=START:END[:STEPS]
        [--slo 'p99<500ms,delivery>=0.999'] [--out DIR] [--mpi N | -j K] [--set K=V ...]
        [--seeds N] [--drain DURATION] [--warmup DURATION] [--resolution R]
        --sweep PATH/mqtt-sweep

`./ns3-mqtt capacity` builds and calls this (doc/capacity.md, "The capacity command"). Every run
goes through the sweep machinery (build/mqtt-sweep, doc/scaling.md): one sweep directory
DIR/sweep whose grid grows as the search goes, so finished runs are never redone and --mpi N
spreads each batch over mpirun's ranks. Writes DIR/capacity.csv, capacity.h5, capacity.md and
the plots, and ends with the line `capacity: FIELD=VALUE (binding: NAME)`.
Exit status: 0 found (or met at END), 1 some run failed, 2 bad arguments.
"""
import argparse
import csv
import math
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import h5py  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import capacity_search as cs  # noqa: E402
from capacity_measure import broker_utilisation, figures, indicators  # noqa: E402
from capacity_window import SATURATED, default_drain, warmup_of  # noqa: E402
from mqttresults import Results  # noqa: E402
from sweep import load as load_sweep  # noqa: E402

DEFAULT_SLO = "p99<500ms,delivery>=0.999"


def log(msg):
    print(f"[capacity] {msg}", file=sys.stderr, flush=True)


class SweepBatches:
    """Runs batches of values through mqtt-sweep: one sweep file DIR/sweep.yaml whose grid holds
    every value asked for so far; the sweep resumes, so only the new values run."""

    def __init__(self, args, vary, scenario):
        self.args, self.vary, self.scenario = args, vary, scenario
        self.dir = os.path.join(args.out, "sweep")
        self.file = os.path.join(args.out, "sweep.yaml")
        self.values = []
        self.wall = 0.0
        self.cpu = 0.0      # CPU seconds of the sweep and its runs (children's rusage)
        self.rounds = 0

    def sweep_text(self):
        lines = [f"# Written by ./ns3-mqtt capacity --vary {self.args.vary}",
                 f"name: capacity", f"scenario: {self.scenario}", "grid:",
                 f"  {self.vary.field}: {{name: value, values: "
                 f"[{', '.join(self.vary.text(v) for v in self.values)}]}}"]
        if self.args.set:
            lines.append("set:")
            lines += [f"  {k}: {v}" for k, v in (s.split("=", 1) for s in self.args.set)]
        lines.append(f"seeds: {self.args.seeds}")
        return "\n".join(lines) + "\n"

    def command(self):
        a = self.args
        if a.mpi:
            cmd = [a.mpirun, "-np", str(a.mpi)]
            if os.geteuid() == 0:
                cmd.append("--allow-run-as-root")
            if a.mpi > (os.cpu_count() or 1):
                cmd.append("--oversubscribe")
            cmd += a.mpirun_arg
            return cmd + [a.sweep, self.file, "-j", "1", "--out", self.dir]
        cmd = [a.sweep, self.file, "-j", str(a.jobs), "--out", self.dir]
        return cmd + (["--runner", a.runner] if a.runner else [])

    def run(self, batch):
        """{value: [Results of each seed]} for the batch; raises RuntimeError on failed runs."""
        self.values += [v for v in batch if v not in self.values]
        with open(self.file, "w") as f:
            f.write(self.sweep_text())
        start = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.wall += time.monotonic() - start
        self.cpu += (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        self.rounds += 1
        _, rows = load_sweep(self.dir)
        field = self.vary.field
        out, failed = {}, []
        for v in batch:
            key = self.vary.text(v)
            mine = [r for r in rows.values() if r["params"].get(field) == key]
            bad = [r for r in mine if r["status"] != "ok"]
            if bad or len(mine) < self.args.seeds:
                failed += bad or [{"id": f"value={key}", "reason": "no row in the index",
                                   "log": "-"}]
                continue
            out[v] = [(os.path.join(self.dir, r["results"]), float(r["wall_time"])) for r in mine]
        if failed or p.returncode not in (0, 1):
            why = "; ".join(f"{r['id']}: {r['reason']} (log {os.path.join(self.dir, r['log'])})"
                            for r in failed)
            raise RuntimeError(why or f"mqtt-sweep exit {p.returncode}: {p.stderr.strip()}")
        return out


class Study:
    """The measured runs and the verdict of each value."""

    def __init__(self, args, vary, terms, batches):
        self.args, self.vary, self.terms, self.batches = args, vary, terms, batches
        self.runs = []          # one dict per run (a row of the table)
        self.indicators = {}    # value -> {limit: (kind, magnitude)} merged over seeds
        self.utilisation = {}   # value -> the broker cores' utilisation (max over seeds)
        self.warmup_utilisation = {}  # value -> the same over the warm-up (nan without one)

    def predict(self, ok):
        """The knee predicted from the passing value ok (capacity_search.predict_knee): from the
        utilisation of the broker's cores over the measured window and over the warm-up."""
        return cs.predict_knee(self.vary, ok, self.utilisation.get(ok, math.nan),
                               self.warmup_utilisation.get(ok, math.nan), SATURATED)

    def measure(self, batch):
        verdicts = {}
        for value, paths in self.batches.run(batch).items():
            ok_all, merged = True, {}
            for path, wall in paths:
                res = Results(path)
                fig = figures(res, self.args.drain, warmup=self.args.warmup)
                missing = [t.text for t in self.terms
                           if t.group and (t.group, "expected") not in fig]
                if missing:
                    raise cs.ArgumentError(f"--slo: no publishing group named in "
                                           f"{', '.join(missing)} (groups: "
                                           f"{', '.join(sorted({g for g, _ in fig if g != 'all'}))})")
                ok, failed = cs.evaluate(self.terms, fig)
                failed = [t.text for t in failed]
                util = fig[("all", "utilisation")]
                if not math.isnan(util) and util >= SATURATED:
                    # Saturated cores cannot sustain the load: the backlog and the latency keep
                    # growing, so a longer window would miss the SLO whatever this one shows.
                    ok = False
                    failed.append(f"cores saturated ({util:.3f})")
                ind = indicators(res, self.args.drain, self.args.warmup)
                for k, (kind, mag) in ind.items():
                    if k not in merged or mag > merged[k][1]:
                        merged[k] = (kind, mag)
                ok_all &= ok
                warm = broker_utilisation(res, self.args.warmup) if self.args.warmup > 0 \
                    else math.nan
                self.runs.append({"value": value, "text": self.vary.text(value),
                                  "run": int(res.attrs.get("run", 0)), "passed": ok,
                                  "failed": ",".join(failed), "fig": fig,
                                  "warmup_utilisation": warm,
                                  "path": path, "wall": wall, "binding": ""})
            self.indicators[value] = merged
            mine = [r for r in self.runs if r["value"] == value]
            utils = [r["fig"][("all", "utilisation")] for r in mine]
            self.utilisation[value] = max(utils) if utils else math.nan
            warm = [r["warmup_utilisation"] for r in mine if not math.isnan(r["warmup_utilisation"])]
            self.warmup_utilisation[value] = max(warm) if warm else math.nan
            verdicts[value] = ok_all
            log(f"{self.vary.field}={self.vary.text(value)}: "
                f"{'meets' if ok_all else 'misses'} the SLO")
        return verdicts

    def binding_at(self, value, last_ok):
        name = cs.binding(self.indicators.get(value, {}),
                          self.indicators.get(last_ok) if last_ok is not None else None)
        if name:
            return name
        failed = sorted({t for r in self.runs if r["value"] == value for t in
                         r["failed"].split(",") if t})
        return f"none identified ({', '.join(failed)} missed)"


# --- outputs ------------------------------------------------------------------------------

COLUMNS = [  # (column, HDF5 type, figure key or run key)
    ("value", "f8"), ("value_text", "S32"), ("run", "u4"), ("passed", "?"),
    ("publish_rate", "f8"), ("offered", "f8"), ("delivered", "f8"), ("delivery", "f8"),
    ("p50", "f8"), ("p99", "f8"), ("max", "f8"), ("utilisation", "f8"),
    ("warmup_utilisation", "f8"),
    ("binding", "S64"), ("failed", "S128"), ("wall", "f8"),
]


def table_rows(study):
    rows = []
    for r in sorted(study.runs, key=lambda r: (r["value"], r["run"])):
        f = r["fig"]
        rows.append({"value": r["value"], "value_text": r["text"], "run": r["run"],
                     "passed": r["passed"], "publish_rate": f[("all", "publish_rate")],
                     "offered": f[("all", "offered_rate")],
                     "delivered": f[("all", "delivered_rate")],
                     "delivery": f[("all", "delivery")], "p50": f[("all", "p50")],
                     "p99": f[("all", "p99")], "max": f[("all", "max")],
                     "utilisation": f[("all", "utilisation")],
                     "warmup_utilisation": r["warmup_utilisation"], "binding": r["binding"],
                     "failed": r["failed"], "wall": r["wall"]})
    return rows


def write_table(rows, out, attrs):
    with open(os.path.join(out, "capacity.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([c for c, _ in COLUMNS])
        for r in rows:
            w.writerow([repr(r[c]) if isinstance(r[c], float) else r[c] for c, _ in COLUMNS])
    dtype = np.dtype([(c, t) for c, t in COLUMNS])
    data = np.array([tuple(r[c].encode()[:int(t[1:])] if t.startswith("S") else r[c]
                           for c, t in COLUMNS) for r in rows], dtype=dtype)
    with h5py.File(os.path.join(out, "capacity.h5"), "w") as f:
        f.create_dataset("runs", data=data)
        for k, v in attrs.items():
            f.attrs[k] = v


def plot(rows, vary, outcome, out):
    xs = np.array([r["value"] for r in rows])
    ok = np.array([r["passed"] for r in rows])
    unit = f" ({vary.unit})" if vary.unit else ""
    made = []

    def figure(name, ys_list, ylabel, log_y=False):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, ys, style in ys_list:
            ys = np.array(ys, dtype=float)
            order = np.argsort(xs)
            ax.plot(xs[order], ys[order], style, label=label)
            ax.scatter(xs[~ok], ys[~ok], marker="x", color="red", zorder=3)
        if outcome.capacity is not None:
            ax.axvline(outcome.capacity, color="green", linestyle="--",
                       label=f"capacity {vary.text(outcome.capacity)}")
        if outcome.first_fail is not None:
            ax.axvline(outcome.first_fail, color="red", linestyle=":",
                       label=f"first failure {vary.text(outcome.first_fail)}")
        if vary.log_spaced():
            ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(vary.field + unit)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        ax.set_title(f"{ylabel} against {vary.field} (x: missed the SLO)")
        fig.tight_layout()
        fig.savefig(os.path.join(out, name), dpi=110)
        plt.close(fig)
        made.append(name)

    figure("offered-delivered.png",
           [("offered (expected deliveries/s)", [r["offered"] for r in rows], "o-"),
            ("delivered (deliveries/s)", [r["delivered"] for r in rows], "s--")],
           "messages/s", log_y=vary.log_spaced())
    figure("latency-p99.png", [("p99 latency", [r["p99"] * 1000 for r in rows], "o-")],
           "p99 latency (ms)", log_y=True)
    util = [r["utilisation"] for r in rows]
    if not all(math.isnan(u) for u in util):
        figure("utilisation.png", [("broker cores", util, "o-")], "utilisation of the broker's cores")
    return made


def fmt(v, scale=1.0, digits=4):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v * scale:.{digits}g}"


def report(args, vary, terms, outcome, line, rows, plots, wall, out):
    md = [f"# Capacity: {vary.field}", "",
          f"Scenario `{args.scenario}`, {vary.field} from {vary.text(vary.start)} to "
          f"{vary.text(vary.end)}, SLO `{args.slo}` over messages published from "
          f"{fmt(args.warmup)} s (the warm-up left out) until the last {fmt(args.drain)} s of "
          f"each run, a run whose broker cores are at least {SATURATED:g} busy over that window "
          f"failing as saturated; {args.seeds} seed(s) per value; "
          f"{len(rows)} runs; this search took {wall:.0f} s of wall time in the sweep "
          f"(the runs' own wall times add up to {sum(r['wall'] for r in rows):.0f} s; runs "
          "of an earlier search into the same directory are reused).", "", f"**{line}**", ""]
    if outcome.capacity is None:
        md.append(f"The SLO is missed already at START ({vary.text(vary.start)}).")
    elif outcome.first_fail is None:
        md.append(f"The SLO holds at END ({vary.text(vary.end)}): the capacity lies beyond the "
                  "range.")
    else:
        md.append(f"Largest value meeting the SLO: {vary.text(outcome.capacity)}; the first "
                  f"failing value measured: {vary.text(outcome.first_fail)}.")
    if outcome.non_monotone:
        md += ["", "Non-monotone: these values met the SLO although a lighter value missed it "
               "(noise; they do not raise the capacity): "
               + ", ".join(vary.text(v) for v in outcome.non_monotone) + "."]
    md += ["", "| value | run | SLO | published/s | offered/s | delivered/s | delivery | "
           "p50 ms | p99 ms | max ms | cores util | warm-up util | binding | missed |",
           "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        md.append(f"| {r['value_text']} | {r['run']} | {'pass' if r['passed'] else 'FAIL'} | "
                  f"{fmt(r['publish_rate'])} | {fmt(r['offered'])} | {fmt(r['delivered'])} | "
                  f"{fmt(r['delivery'], digits=5)} | {fmt(r['p50'], 1000)} | "
                  f"{fmt(r['p99'], 1000)} | {fmt(r['max'], 1000)} | {fmt(r['utilisation'], digits=3)} | "
                  f"{fmt(r['warmup_utilisation'], digits=3)} | "
                  f"{r['binding']} | {r['failed']} |")
    md += ["", "Files: `capacity.csv`, `capacity.h5` (dataset `runs`), the sweep in `sweep/` "
           "(each run's results and log).", ""]
    md += [f"![{p}]({p})" for p in plots] + [""]
    with open(os.path.join(out, "capacity.md"), "w") as f:
        f.write("\n".join(md))


def precision_line(vary, outcome):
    """How closely the measurements pin the capacity down."""
    if outcome.capacity is None or outcome.first_fail is None:
        return "precision: the knee is outside the range"
    lo, hi = sorted((outcome.capacity, outcome.first_fail))
    return (f"precision: the knee lies between {vary.text(outcome.capacity)} (last pass) and "
            f"{vary.text(outcome.first_fail)} (first failure), {100 * (hi - lo) / lo:.1f} % apart")


def capacity_line(vary, outcome, binding):
    if outcome.capacity is None:
        return f"capacity: {vary.field}<{vary.text(vary.start)} (binding: {binding})"
    if outcome.first_fail is None:
        op = ">=" if vary.ascending else "<="
        return f"capacity: {vary.field}{op}{vary.text(vary.end)} (binding: none within range)"
    return f"capacity: {vary.field}={vary.text(outcome.capacity)} (binding: {binding})"


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="capacity", description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--vary", required=True, help="FIELD=START:END[:STEPS]")
    ap.add_argument("--slo", default=DEFAULT_SLO)
    ap.add_argument("--out")
    ap.add_argument("--mpi", type=int, default=0, help="spread runs over N MPI processes")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("MQTT_JOBS") or
                                                           (os.cpu_count() or 1)))
    ap.add_argument("--set", action="append", default=[], help="KEY=VALUE for every run")
    ap.add_argument("--seeds", type=int, default=1, help="replications per value (all must pass)")
    ap.add_argument("--drain", help="messages published this close to the end are not counted "
                    "(default 4 x the SLO's largest latency bound, at least 1s)")
    ap.add_argument("--warmup", help="messages published before this are not counted (default: "
                    "the latest start of the scenario's groups)")
    ap.add_argument("--resolution", type=float, default=0.05,
                    help="stop when the last pass and the first failure are this close (relative)")
    ap.add_argument("--sweep", required=True, help="the mqtt-sweep binary")
    ap.add_argument("--runner", help="the scenario runner (default: mqtt-sweep's)")
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--mpirun-arg", action="append", default=[],
                    help="an extra mpirun argument (--mpirun-arg=--mca ...)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        vary = cs.parse_vary(args.vary)
        terms = cs.parse_slo(args.slo)
        args.drain = default_drain(terms) if args.drain is None else \
            cs.parse_duration(args.drain, f"--drain '{args.drain}'")
        for s in args.set:
            if "=" not in s:
                raise cs.ArgumentError(f"--set '{s}': expected KEY=VALUE")
            if s.split("=", 1)[0] == vary.field:
                raise cs.ArgumentError(f"--set '{s}': {vary.field} is the varied field")
        if args.seeds < 1:
            raise cs.ArgumentError(f"--seeds {args.seeds}: at least 1")
        if not 0 < args.resolution < 1:
            raise cs.ArgumentError(f"--resolution {args.resolution}: between 0 and 1")
        if not os.path.isfile(args.scenario):
            raise cs.ArgumentError(f"{args.scenario}: no such scenario file")
        if args.warmup is None:
            args.warmup, warmup_how = warmup_of(args.scenario, args.set)
        else:
            args.warmup = cs.parse_duration(args.warmup, f"--warmup '{args.warmup}'")
            warmup_how = "--warmup"
    except cs.ArgumentError as e:
        print(f"capacity: {e}", file=sys.stderr)
        return 2
    stem = os.path.splitext(os.path.basename(args.scenario))[0]
    args.out = os.path.abspath(args.out or os.path.join("results", "capacity",
                                                        f"{stem}-{vary.field}"))
    os.makedirs(args.out, exist_ok=True)
    slots = args.mpi or args.jobs
    batches = SweepBatches(args, vary, os.path.abspath(args.scenario))
    study = Study(args, vary, terms, batches)
    started, load_before = time.monotonic(), os.getloadavg()
    log(f"{vary.field} from {vary.text(vary.start)} to {vary.text(vary.end)}, SLO {args.slo}, "
        f"{slots} run(s) at a time; sweep in {batches.dir}")
    log(f"measured window: messages published from {args.warmup:g} s (warm-up: {warmup_how}) "
        f"until {args.drain:g} s before the end of each run; cores at least {SATURATED:g} busy "
        f"over it miss the SLO (saturated); precision: the search stops when the last pass and "
        f"the first failure are within {args.resolution:g} (relative) of each other")
    try:
        outcome = cs.search(vary, study.measure, slots, args.resolution, log, study.predict)
    except cs.ArgumentError as e:
        print(f"capacity: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:
        print(f"capacity: runs failed: {e}", file=sys.stderr)
        return 1
    binding = "none within range"
    if outcome.first_fail is not None:
        binding = study.binding_at(outcome.first_fail, outcome.capacity)
    for r in study.runs:
        if not r["passed"]:
            r["binding"] = study.binding_at(r["value"], outcome.capacity)
    line = capacity_line(vary, outcome, binding)
    rows = table_rows(study)
    write_table(rows, args.out, {"scenario": args.scenario, "field": vary.field,
                                 "slo": args.slo, "result": line})
    plots = plot(rows, vary, outcome, args.out)
    report(args, vary, terms, outcome, line, rows, plots, batches.wall, args.out)
    log(f"report {args.out}/capacity.md")
    print(precision_line(vary, outcome))
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"total: {time.monotonic() - started:.0f} s wall ({batches.wall:.0f} s in "
          f"{batches.rounds} sweep round(s)), {batches.cpu:.0f} s CPU in {len(rows)} runs "
          f"(sum over runs) + {own.ru_utime + own.ru_stime:.0f} s in this analysis, "
          f"{slots} run(s) at a time; load average {load_before[0]:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
