#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""What TLS costs per delivered message across a sweep (doc/tls-sim.md).

    /usr/bin/python3 analysis/tls.py results/tls-lossy-cellular [--out DIR]

For each grid point of the sweep (scenarios/tls-lossy-cellular.yaml: plain MQTT, TLS 1.2 and
1.3 with and without resumption, loss rates), over the seeds: mean and 95 % confidence interval
of the devices' connection set-up time (opening the connection to its CONNACK, with or without
TLS: connection_setups), of the set-up bytes (stream bytes both ways until the CONNACK) per
delivered message, of the TLS set-up time (TCP connected to TLS open), of the handshake bytes
per delivered message, of the resumed share of the handshakes and of the delivery ratio. Plain
runs show no handshake (0 bytes). Writes DIR/tls.md and DIR/tls.csv (default
SWEEP_DIR/analysis).
"""
import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttresults import Results, connection_setup, tls_setup  # noqa: E402
from sweep import load, mean_ci, per_qos  # noqa: E402

FIGURES = (("connect_ms", "set-up ms"), ("connect_bytes", "set-up B / delivered"),
           ("setup_ms", "TLS set-up ms"), ("bytes_per_delivered", "handshake B / delivered"),
           ("resumed_share", "resumed share"), ("ratio", "delivery ratio"))


def figures(res):
    t = tls_setup(res)
    c = connection_setup(res)
    expected = sum(q["expected"] for q in per_qos(res).values())
    delivered = sum(q["delivered"] for q in per_qos(res).values())
    return {
        "connect_ms": 1000 * c["setup_mean"],
        "connect_bytes": c["bytes_per_delivered"],
        "setup_ms": 1000 * t["setup_mean"] if t["handshakes"] else math.nan,
        "bytes_per_delivered": t["bytes_per_delivered"] if t["handshakes"] else 0.0,
        "resumed_share": t["resumed"] / t["handshakes"] if t["handshakes"] else math.nan,
        "ratio": delivered / expected if expected else math.nan,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    plan, rows = load(args.sweep_dir)
    axes = plan["axes"]
    names = [a["name"] for a in axes]
    samples = {}
    for rid in plan["runs"]:
        row = rows.get(rid)
        if row is None or row["status"] != "ok":
            continue
        path = os.path.join(args.sweep_dir, row["results"])
        if not os.path.exists(path):
            continue
        point = tuple(str(row["params"][a["key"]]) for a in axes)
        for key, value in figures(Results(path)).items():
            samples.setdefault((point, key), []).append(value)
    out = args.out or os.path.join(args.sweep_dir, "analysis")
    os.makedirs(out, exist_ok=True)
    cells = {k: mean_ci(v) for k, v in samples.items()}
    with open(os.path.join(out, "tls.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + ["figure", "n", "mean", "sd", "ci95_low", "ci95_high"])
        for (point, key), (n, mean, sd, low, high) in sorted(cells.items()):
            w.writerow(list(point) + [key, n] + [repr(x) for x in (mean, sd, low, high)])
    md = [f"# TLS cost: {plan['name']}", "",
          "Mean over seeds [95 % confidence interval].", "",
          "| " + " | ".join(names + [label for _, label in FIGURES]) + " |",
          "|" + "---|" * len(names) + "---:|" * len(FIGURES)]
    for point in sorted({k[0] for k in cells}):
        parts = []
        for key, _ in FIGURES:
            n, mean, _, low, high = cells.get((point, key), (0, math.nan, 0, math.nan, math.nan))
            ci = "" if math.isnan(low) else f" [{low:.3g}, {high:.3g}]"
            parts.append(("-" if math.isnan(mean) else f"{mean:.4g}") + ci)
        md.append("| " + " | ".join(list(point) + parts) + " |")
    with open(os.path.join(out, "tls.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
