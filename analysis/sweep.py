#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A parameter sweep's figures: mean and 95 % confidence interval across seeds.

    /usr/bin/python3 analysis/sweep.py results/sweep-loss [--x loss] [--panels profile] [--out DIR]

Reads the sweep directory that mqtt-sweep wrote (sweep.json: the axes and run ids;
index.jsonl: one row per run) and the results file of every run that succeeded (schema:
doc/results.md; figures per run as analysis/mqttresults.py computes them: a delivery is a
(message, matching subscriber) pair received at least once, latencies over first receptions).
For each grid point and QoS it takes, over the seeds, the mean of each figure and its 95 %
confidence interval, mean +- t(0.975, n-1) s / sqrt(n) (Student t, s the sample standard
deviation; none when n = 1).

Writes into DIR (default SWEEP_DIR/analysis):
  sweep-summary.csv     one row per grid point, publish QoS and figure (ratio, p50, p99 in s,
                        battery_days):
                        n, mean, sd, ci95_low, ci95_high
  sweep.md              the same as a table, the failed runs, the plots
  delivery-ratio.png    delivery ratio against the x axis, a line per QoS and other axes
  latency-p99.png       99th percentile latency likewise (also latency-p50.png)
  battery-days.png      battery life of the median device (groups with an energy model)
The x axis (--x, a grid name) defaults to the first grid key whose values are all numbers.
--panels NAME draws one panel per value of that grid key (e.g. per broker profile).
"""
import argparse
import csv
import itertools
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mqttresults import Results, device_cost  # noqa: E402

QOS_COLORS = {0: "#4c72b0", 1: "#dd8452", 2: "#55a868"}
METRICS = [  # (key, label, scale for plots, unit)
    ("ratio", "delivery ratio", 1.0, ""),
    ("p50", "p50 latency", 1000.0, "ms"),
    ("p99", "p99 latency", 1000.0, "ms"),
    ("battery_days", "battery life, median device", 1.0, "days"),
]

_T_CACHE = {}


def t_quantile(p, df):
    """Quantile p (0.5 < p < 1) of Student's t with df degrees of freedom.

    The density is integrated from 0 with Simpson's rule (it is smooth, so 4000 intervals give
    about 12 correct digits) and the quantile found by bisection.
    """
    key = (p, df)
    if key in _T_CACHE:
        return _T_CACHE[key]
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def mass(x):  # P(0 < T < x)
        n = 4000
        xs = np.linspace(0.0, x, n + 1)
        f = c * (1 + xs * xs / df) ** (-(df + 1) / 2)
        return (x / n) / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())

    target = p - 0.5
    hi = 1.0
    while mass(hi) < target:
        hi *= 2
    lo = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if mass(mid) < target:
            lo = mid
        else:
            hi = mid
    _T_CACHE[key] = (lo + hi) / 2
    return _T_CACHE[key]


def mean_ci(values):
    """(n, mean, sd, low, high) of the finite values; the interval is nan below two values."""
    v = np.array([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    n = len(v)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(v.mean())
    if n < 2:
        return n, mean, math.nan, math.nan, math.nan
    sd = float(v.std(ddof=1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


def per_qos(res):
    """{qos: {ratio, p50, p99, battery_days, expected, delivered}} of one run, over all
    publisher groups; battery_days: the median device's battery life (nan without an energy
    model, doc/device-cost.md)."""
    pooled = {}
    for r in res.summary():
        q = pooled.setdefault(r["qos"], {"expected": 0, "delivered": 0, "lat": []})
        q["expected"] += r["expected"]
        q["delivered"] += r["delivered"]
        q["lat"].append(r["latencies"])
    out = {}
    for qos, q in pooled.items():
        lat = np.concatenate(q["lat"]) if q["lat"] else np.array([])
        out[qos] = {
            "expected": q["expected"],
            "delivered": q["delivered"],
            "ratio": q["delivered"] / q["expected"] if q["expected"] else math.nan,
            "p50": float(np.percentile(lat, 50)) if len(lat) else math.nan,
            "p99": float(np.percentile(lat, 99)) if len(lat) else math.nan,
            "battery_days": math.nan,
        }
    days = {}
    for d in device_cost(res):
        if math.isfinite(d["battery_days"]):
            days.setdefault(int(res.clients["qos"][d["client"]]), []).append(d["battery_days"])
    for qos, v in days.items():
        if qos in out:
            out[qos]["battery_days"] = float(np.median(v))
    return out


def load(sweep_dir):
    with open(os.path.join(sweep_dir, "sweep.json")) as f:
        plan = json.load(f)
    rows = {}
    index = os.path.join(sweep_dir, "index.jsonl")
    if os.path.exists(index):
        with open(index) as f:
            for line in f:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a torn last line of a killed sweep
                rows[row["id"]] = row
    return plan, rows


def as_number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def label_of(names, values):
    return ", ".join(f"{n}={v}" for n, v in zip(names, values))


def plot(metric, cells, axes, x_axis, panel_axis, qoss, out):
    key, label, scale, unit = metric
    names = [a["name"] for a in axes]
    xi = names.index(x_axis)
    x_values = axes[xi]["values"]
    numeric = all(as_number(v) is not None for v in x_values)
    xs = [as_number(v) for v in x_values] if numeric else list(range(len(x_values)))
    pi = names.index(panel_axis) if panel_axis else None
    panels = axes[pi]["values"] if pi is not None else [None]
    others = [i for i in range(len(axes)) if i != xi and i != pi]
    fig, axs = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.5), squeeze=False)
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D", "v", "P"]
    for p, panel in enumerate(panels):
        ax = axs[0][p]
        combos = list(itertools.product(*[axes[i]["values"] for i in others]))
        for c, combo in enumerate(combos):
            for qos in qoss:
                ys, lo, hi = [], [], []
                for xv in x_values:
                    point = [None] * len(axes)
                    point[xi] = xv
                    if pi is not None:
                        point[pi] = panel
                    for i, v in zip(others, combo):
                        point[i] = v
                    s = cells.get((tuple(point), qos, key))
                    n, mean, _, low, high = s if s else (0, math.nan, 0, math.nan, math.nan)
                    ys.append(mean * scale)
                    lo.append(low * scale)
                    hi.append(high * scale)
                if all(math.isnan(y) for y in ys):
                    continue
                name = f"QoS {qos}" + (f", {label_of([names[i] for i in others], combo)}"
                                       if others else "")
                color = QOS_COLORS.get(qos, "grey")
                ax.plot(xs, ys, linestyle=styles[c % len(styles)],
                        marker=markers[c % len(markers)], color=color, label=name)
                ax.fill_between(xs, lo, hi, color=color, alpha=0.15, linewidth=0)
        ax.set_xlabel(f"{x_axis} ({axes[xi]['key']})")
        ax.set_ylabel(f"{label}" + (f" ({unit})" if unit else ""))
        if key == "ratio":
            ax.set_ylim(0, 1.05)
        else:
            ax.set_yscale("log")  # milliseconds on a clean link, tens of seconds on a lossy one
        if not numeric:
            ax.set_xticks(xs)
            ax.set_xticklabels(x_values)
        ax.set_title(f"{label}, mean and 95 % CI" + (f"\n{panel_axis}={panel}" if panel else ""))
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    fig.tight_layout()
    name = {"ratio": "delivery-ratio.png", "p50": "latency-p50.png",
            "p99": "latency-p99.png", "battery_days": "battery-days.png"}[key]
    fig.savefig(os.path.join(out, name), dpi=110)
    plt.close(fig)
    return name


def fmt(v, scale=1.0, digits=4):
    return "-" if v is None or math.isnan(v) else f"{v * scale:.{digits}g}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir", help="the sweep directory (mqtt-sweep --out)")
    ap.add_argument("--x", help="grid name on the x axis")
    ap.add_argument("--panels", help="grid name with one panel per value")
    ap.add_argument("--out", help="output directory (default SWEEP_DIR/analysis)")
    args = ap.parse_args(argv)
    plan, rows = load(args.sweep_dir)
    axes = plan["axes"]
    names = [a["name"] for a in axes]
    for opt in ("x", "panels"):
        v = getattr(args, opt)
        if v is not None and v not in names:
            print(f"sweep.py: --{opt} {v}: not a grid name (grid: {', '.join(names)})",
                  file=sys.stderr)
            return 2
    out = args.out or os.path.join(args.sweep_dir, "analysis")
    os.makedirs(out, exist_ok=True)

    # Figures of every run that succeeded, by (grid point, QoS).
    samples = {}
    failed, missing = [], []
    for rid in plan["runs"]:
        row = rows.get(rid)
        if row is None:
            missing.append(rid)
            continue
        path = os.path.join(args.sweep_dir, row["results"])
        if any(a["key"] not in row["params"] for a in axes):
            missing.append(rid)  # a row of an older plan: the sweep has not run this one
            continue
        if row["status"] != "ok" or not os.path.exists(path):
            failed.append(row)
            continue
        point = tuple(row["params"][a["key"]] for a in axes)
        for qos, figures in per_qos(Results(path)).items():
            for key, _, _, _ in METRICS:
                samples.setdefault((point, qos, key), []).append(figures[key])
    cells = {k: mean_ci(v) for k, v in samples.items()}
    qoss = sorted({k[1] for k in cells})

    with open(os.path.join(out, "sweep-summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + ["publish_qos", "figure", "n", "mean", "sd", "ci95_low", "ci95_high"])
        for (point, qos, key), (n, mean, sd, low, high) in sorted(cells.items()):
            w.writerow(list(point) + [qos, key, n] + [repr(x) for x in (mean, sd, low, high)])

    x_axis = args.x
    if x_axis is None and axes:
        numeric = [a["name"] for a in axes if all(as_number(v) is not None for v in a["values"])]
        x_axis = numeric[0] if numeric else names[0]
    if x_axis is not None and x_axis == args.panels:
        print("sweep.py: --x and --panels name the same grid key", file=sys.stderr)
        return 2
    # Battery life only where runs had an energy model.
    shown = [m for m in METRICS if m[0] != "battery_days"
             or any(k[2] == m[0] and not math.isnan(v[1]) for k, v in cells.items())]
    plots = [plot(m, cells, axes, x_axis, args.panels, qoss, out) for m in shown] if axes else []

    md = [f"# Sweep {plan['name']}", "",
          f"Scenario `{plan['scenario']}`, {len(plan['runs'])} runs: "
          f"{len(plan['runs']) - len(failed) - len(missing)} with results, {len(failed)} failed, "
          f"{len(missing)} not run. Seeds (ns-3 run numbers): {plan['seeds']}, "
          f"ns-3 seed {plan['rng_seed']}.", "",
          "Mean over seeds, with the 95 % confidence interval (Student t).", "",
          "| " + " | ".join(names + ["publish QoS", "n", "delivery ratio", "p50 ms", "p99 ms",
                                     "battery days"]) + " |",
          "|" + "---|" * len(names) + "---:|---:|---:|---:|---:|---:|"]
    for point in sorted({k[0] for k in cells}):
        for qos in qoss:
            if (point, qos, "ratio") not in cells:
                continue
            parts = []
            for key, _, scale, _ in METRICS:
                n, mean, _, low, high = cells[(point, qos, key)]
                ci = "" if math.isnan(low) else f" [{fmt(low, scale)}, {fmt(high, scale)}]"
                parts.append(fmt(mean, scale) + ci)
            n = cells[(point, qos, "ratio")][0]
            md.append("| " + " | ".join(list(point) + [str(qos), str(n)] + parts) + " |")
    if failed:
        md += ["", "Failed runs (not in the figures):", ""]
        md += [f"- `{r['id']}`: {r['reason']} (log `{r['log']}`)" for r in failed]
    md += [""] + [f"![{p}]({p})" for p in plots] + [""]
    with open(os.path.join(out, "sweep.md"), "w") as f:
        f.write("\n".join(md))
    done = len(plan["runs"]) - len(failed) - len(missing)
    print(f"sweep.py: {os.path.join(out, 'sweep.md')} ({done} runs with results, "
          f"{len(failed)} failed, {len(missing)} not run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
