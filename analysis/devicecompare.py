#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Device cost of several ns3-mqtt runs side by side (doc/device-cost.md, "Comparing runs").

    /usr/bin/python3 analysis/devicecompare.py RUN1 RUN2 ... --out DIR [--labels NAME1,...]
    ./ns3-mqtt compare RUN1 RUN2 ... [--out DIR] [--labels NAME1,...]

A RUN is a run's output directory (holding results.h5) or its results.h5 file.

Per run and device group: devices, messages delivered, wire bytes per delivered message (all,
and by cause), energy per delivered message, average current and battery life (median and
10th/90th percentiles over the group's devices). Runs are labelled by their --set overrides
(or by --labels). Writes into DIR:
  device-compare.md           the tables
  device-compare-bytes.png    bytes per delivered message by cause, one bar per run and group
  device-compare-battery.png  battery life per run and group (groups with an energy model)
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from devicecost import by_group, bytes_per_message, stacked_bytes  # noqa: E402
from mqttresults import BYTE_CAUSES, Results, device_cost  # noqa: E402


def run_label(res, fallback):
    """A run's --set overrides ("k=v, ..."), else @p fallback (its path)."""
    overrides = res.overrides()
    return ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) or fallback


def finite(values):
    return [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def group_figures(devs):
    """The comparison's numbers for one group of one run."""
    delivered = sum(d["delivered"] for d in devs)
    wire = sum(d["wire"] for d in devs)
    joules = finite(d["joules"] for d in devs)
    days = finite(d["battery_days"] for d in devs)
    amps = finite(d["avg_ma"] for d in devs)
    nan = math.nan
    return {
        "devices": len(devs),
        "delivered": delivered,
        "bytes_per_message": wire / delivered if delivered else nan,
        "by_cause": bytes_per_message(devs),
        "mj_per_message": 1000 * sum(joules) / delivered if joules and delivered else nan,
        "avg_ma": float(np.mean(amps)) if amps else nan,
        "days_p10": float(np.percentile(days, 10)) if days else nan,
        "days_p50": float(np.percentile(days, 50)) if days else nan,
        "days_p90": float(np.percentile(days, 90)) if days else nan,
    }


def fmt(v, spec):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def tables(rows):
    """Markdown: the summary table and the bytes-by-cause table, one row per run and group."""
    head = ["run", "group", "devices", "delivered", "bytes/msg", "mJ/msg", "avg mA",
            "battery days p10", "p50", "p90"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for label, group, f in rows:
        lines.append("| " + " | ".join([
            label, group, str(f["devices"]), str(f["delivered"]),
            fmt(f["bytes_per_message"], ".1f"), fmt(f["mj_per_message"], ".2f"),
            fmt(f["avg_ma"], ".3f"), fmt(f["days_p10"], ".1f"), fmt(f["days_p50"], ".1f"),
            fmt(f["days_p90"], ".1f")]) + " |")
    lines += ["", "Wire bytes per delivered message by cause (sent and received, all layers):", "",
              "| run | group | " + " | ".join(BYTE_CAUSES) + " |",
              "|---|---|" + "---:|" * len(BYTE_CAUSES)]
    for label, group, f in rows:
        lines.append(f"| {label} | {group} | " + " | ".join(
            fmt(f["by_cause"][c], ".1f") for c in BYTE_CAUSES) + " |")
    return lines


def plot_bytes(rows, out):
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(rows) + 3), 4.8))
    stacked_bytes(ax, [f"{label}\n{group}" for label, group, _ in rows],
                  [f["by_cause"] for _, _, f in rows],
                  "Bytes per delivered message by cause, per run and group")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "device-compare-bytes.png"), dpi=110)
    plt.close(fig)
    return "device-compare-bytes.png"


def plot_battery(rows, out):
    kept = [(label, group, f) for label, group, f in rows if math.isfinite(f["days_p50"])]
    if not kept:
        return None
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(kept) + 3), 4.5))
    x = np.arange(len(kept))
    p50 = np.array([f["days_p50"] for _, _, f in kept])
    low = p50 - np.array([f["days_p10"] for _, _, f in kept])
    high = np.array([f["days_p90"] for _, _, f in kept]) - p50
    ax.bar(x, p50, yerr=[low, high], capsize=4, color="#4c72b0")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{label}\n{group}" for label, group, _ in kept], fontsize=7)
    ax.set_ylabel("battery life (days): median, p10-p90")
    ax.set_title("Battery life per run and group")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "device-compare-battery.png"), dpi=110)
    plt.close(fig)
    return "device-compare-battery.png"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="+", metavar="RUN",
                    help="run directories (holding results.h5) or results.h5 files")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--labels", help="comma-separated run names, one per results file")
    args = ap.parse_args(argv)
    labels = args.labels.split(",") if args.labels else None
    if labels is not None and len(labels) != len(args.results):
        print(f"devicecompare.py: --labels has {len(labels)} names for {len(args.results)} runs",
              file=sys.stderr)
        return 2
    for i, path in enumerate(args.results):
        inside = os.path.join(path, "results.h5")
        args.results[i] = inside if os.path.isdir(path) else path
        if not os.path.isfile(args.results[i]):
            print(f"devicecompare.py: {path}: neither a results file nor a run directory "
                  "holding results.h5", file=sys.stderr)
            return 2
    os.makedirs(args.out, exist_ok=True)

    rows = []
    for i, path in enumerate(args.results):
        res = Results(path)
        devices = device_cost(res)
        if not devices:
            print(f"devicecompare.py: {path}: no device_bytes table (output.record "
                  "device-bytes)", file=sys.stderr)
            return 2
        label = labels[i] if labels else run_label(res, path)
        for group, devs in sorted(by_group(devices).items()):
            rows.append((label, group, group_figures(devs)))

    lines = ["# Device cost of several runs", ""] + tables(rows) + [""]
    lines.append(f"![bytes]({plot_bytes(rows, args.out)})")
    battery = plot_battery(rows, args.out)
    if battery:
        lines.append(f"![battery]({battery})")
    lines += ["", "Runs: " + "; ".join(args.results), ""]
    with open(os.path.join(args.out, "device-compare.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"device-compare: {os.path.join(args.out, 'device-compare.md')} "
          f"({len(args.results)} runs, {len(rows)} groups)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
