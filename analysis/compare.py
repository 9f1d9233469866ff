#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Several ns3-mqtt runs against one parameter: delivery ratio and latency per QoS.

    /usr/bin/python3 analysis/compare.py results/star-*/results.h5 \\
        --param links.access.loss.rate --out results/star-compare

The parameter's value in each run is read from the run's effective scenario (the dotted path
of --set, e.g. links.access.loss.rate or broker.profile). Numeric values are plotted on a
numeric axis in order; others (profile names) as categories. Writes into DIR:
  compare.md                  the table: parameter, QoS, sent, delivered, ratio, latency
  delivery-vs-PARAM.png       delivery ratio per QoS against the parameter
  latency-vs-PARAM.png        latency p50 and p95 per QoS against the parameter
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mqttresults import Results, fmt_ms, fmt_ratio  # noqa: E402

QOS_COLORS = {0: "#4c72b0", 1: "#dd8452", 2: "#55a868"}


def param_value(res, path):
    """The value of dotted @p path in the run: its override, else its value in the scenario."""
    overrides = res.overrides()
    if path in overrides:
        return overrides[path]
    try:
        import yaml

        node = yaml.safe_load(res.attrs.get("scenario", "")) or {}
        for part in path.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return str(node)
    except Exception:  # noqa: BLE001 - a missing path is reported, not fatal
        return None


def as_number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def per_qos(res):
    """{qos: {sent, expected, delivered, ratio, p50, p95}} over all groups of the run."""
    out = {}
    for r in res.summary():
        q = out.setdefault(r["qos"], {"sent": 0, "expected": 0, "delivered": 0, "lat": []})
        q["sent"] += r["sent"]
        q["expected"] += r["expected"]
        q["delivered"] += r["delivered"]
        q["lat"].append(r["latencies"])
    for q in out.values():
        lat = np.concatenate(q.pop("lat")) if q["lat"] else np.array([])
        q["ratio"] = q["delivered"] / q["expected"] if q["expected"] else float("nan")
        q["p50"] = float(np.percentile(lat, 50)) if len(lat) else float("nan")
        q["p95"] = float(np.percentile(lat, 95)) if len(lat) else float("nan")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="+", help="results.h5 files of the runs")
    ap.add_argument("--param", required=True, help="dotted scenario path that differs")
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    runs = []
    for path in args.results:
        res = Results(path)
        value = param_value(res, args.param)
        if value is None:
            print(f"compare.py: {path}: no {args.param} in the run's scenario", file=sys.stderr)
            return 2
        runs.append((value, res, per_qos(res)))
    numeric = all(as_number(v) is not None for v, _, _ in runs)
    runs.sort(key=lambda r: (as_number(r[0]), r[0]) if numeric else r[0])
    xs = [as_number(v) for v, _, _ in runs] if numeric else list(range(len(runs)))
    labels = [v for v, _, _ in runs]
    qoss = sorted({q for _, _, s in runs for q in s})
    safe = args.param.replace("/", "_")

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for q in qoss:
        ax.plot(xs, [s.get(q, {}).get("ratio", np.nan) for _, _, s in runs], marker="o",
                color=QOS_COLORS.get(q, "grey"), label=f"QoS {q}")
    ax.set_xlabel(args.param)
    ax.set_ylabel("delivery ratio")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Delivery ratio against {args.param}")
    if not numeric:
        ax.set_xticks(xs)
        ax.set_xticklabels(labels)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, f"delivery-vs-{safe}.png"), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for q in qoss:
        c = QOS_COLORS.get(q, "grey")
        ax.plot(xs, [s.get(q, {}).get("p50", np.nan) * 1000 for _, _, s in runs], marker="o",
                color=c, label=f"QoS {q} p50")
        ax.plot(xs, [s.get(q, {}).get("p95", np.nan) * 1000 for _, _, s in runs], marker="^",
                linestyle="--", color=c, label=f"QoS {q} p95")
    ax.set_xlabel(args.param)
    ax.set_ylabel("end-to-end latency (ms)")
    ax.set_yscale("log")
    ax.set_title(f"Latency against {args.param}")
    if not numeric:
        ax.set_xticks(xs)
        ax.set_xticklabels(labels)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, f"latency-vs-{safe}.png"), dpi=110)
    plt.close(fig)

    lines = [f"# Comparison against {args.param}", "",
             f"| {args.param} | QoS | sent | expected | delivered | ratio | p50 ms | p95 ms | run |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for value, res, s in runs:
        for q in sorted(s):
            r = s[q]
            lines.append(f"| {value} | {q} | {r['sent']} | {r['expected']} | {r['delivered']} | "
                         f"{fmt_ratio(r['ratio'])} | {fmt_ms(r['p50'])} | {fmt_ms(r['p95'])} | "
                         f"{res.path} |")
    lines += ["", f"![delivery](delivery-vs-{safe}.png)", f"![latency](latency-vs-{safe}.png)", ""]
    with open(os.path.join(args.out, "compare.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"compare: {os.path.join(args.out, 'compare.md')} ({len(runs)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
