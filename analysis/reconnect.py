#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A reconnect storm's report: how long until the devices are back, and what was lost.

    /usr/bin/python3 analysis/reconnect.py SWEEP_DIR|RESULTS.h5 ... [--out DIR] [--drain 30s]

For every run (every results file given, or every run of a sweep directory, e.g. of
scenarios/sweeps/reconnect-storm.yaml) it takes the outage from the run's own scenario (the
link-down faults: from the earliest `at` to the latest `at + for`) and reports:
  - devices connected over time (a client is connected from its CONNACK 0 to its close);
  - the time from the end of the outage until 99 % (and 100 %) of the devices are connected;
  - CONNECT attempts (client-side connections opened) after the outage, closes and refusals
    with a Throttled* reason, and the account quota's own count (account_quotas) when the run has
    one;
  - per publish QoS: messages published before duration - drain, expected and delivered
    (message, subscriber) pairs, lost, delivery ratio (analysis/capacity_measure.figures).
Writes DIR/reconnect.md and DIR/reconnect.png (default DIR: the sweep directory's analysis/,
or the first file's directory) and prints one line per run:
  reconnect RUN: 99% after S s (100% after S s), lost qos0=N qos1=N, throttled N
Doc: doc/capacity.md, "Studies".
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
import yaml  # noqa: E402

from capacity_measure import figures  # noqa: E402
from capacity_search import ArgumentError, parse_duration  # noqa: E402
from mqttresults import Results, text  # noqa: E402
from sweep import load as load_sweep  # noqa: E402


def outage(res):
    """(start, end) of the run's link-down faults, s; None without one that ends."""
    scenario = yaml.safe_load(str(res.attrs.get("scenario", ""))) or {}
    spans = []
    for f in scenario.get("faults") or []:
        if f.get("action") == "link-down" and "for" in f:
            at = parse_duration(str(f["at"]), "faults.at")
            spans.append((at, at + parse_duration(str(f["for"]), "faults.for")))
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)


def connected_timeline(res):
    """(times, connected devices after each time) from the client-side connection events."""
    devices = {i for i, role in enumerate(res.clients["role"]) if text(role) == "device"}
    c = res["connections"]
    c = c[np.array([text(s) == "client" for s in c["side"]], dtype=bool)] if len(c) else c
    order = np.argsort(c["time"], kind="stable")
    state = {}
    times, counts, n = [0.0], [0], 0
    for i in order:
        client = int(c["client"][i])
        if client not in devices:
            continue
        event = text(c["event"][i])
        now = event == "session"
        if event not in ("session", "closed", "refused"):
            continue
        before = state.get(client, False)
        if now != before:
            n += 1 if now else -1
            state[client] = now
            times.append(float(c["time"][i]))
            counts.append(n)
    return np.array(times), np.array(counts), len(devices)


def time_to(times, counts, after, target):
    """First time >= after at which counts >= target (the state then holds), or nan."""
    # The count in force at `after` is the last change at or before it.
    idx = np.searchsorted(times, after, side="right") - 1
    if idx >= 0 and counts[idx] >= target:
        return after
    later = np.nonzero((times > after) & (counts >= target))[0]
    return float(times[later[0]]) if len(later) else math.nan


def throttled(res, after):
    c = res["connections"]
    reasons = [text(r) for r in c["reason"]]
    closes = sum(1 for r, t in zip(reasons, c["time"]) if r.startswith("Throttled") and t >= after)
    quota = None
    q = res.tables.get("account_quotas")
    if q is not None and len(q):
        for row in q:
            if text(row["name"]) == "account-connect-rate":
                quota = (int(row["throttled"]), float(row["limit"]), int(row["peak"]))
    return closes, quota


def analyse(path, drain):
    res = Results(path)
    span = outage(res)
    if span is None:
        raise ArgumentError(f"{path}: the run has no link-down fault with a `for`")
    times, counts, n_dev = connected_timeline(res)
    t99 = time_to(times, counts, span[1], math.ceil(0.99 * n_dev))
    t100 = time_to(times, counts, span[1], n_dev)
    c = res["connections"]
    opened = int(np.sum([(text(s) == "client" and text(e) == "opened" and t >= span[1])
                         for s, e, t in zip(c["side"], c["event"], c["time"])]))
    closes, quota = throttled(res, span[0])
    fig = figures(res, drain, by="qos")
    qos = sorted(g for g, m in fig if m == "expected" and g != "all")
    return {"path": path, "span": span, "devices": n_dev, "t99": t99 - span[1],
            "t100": t100 - span[1], "attempts": opened, "throttled_closes": closes,
            "quota": quota, "times": times, "counts": counts,
            "lost": {g: (fig[(g, "published")], fig[(g, "expected")], fig[(g, "delivered")],
                         fig[(g, "delivery")]) for g in qos}}


def runs_of(inputs):
    """[(label, results path)] of the inputs: sweep directories (their ok runs) or files."""
    out = []
    for item in inputs:
        if os.path.isdir(item):
            plan, rows = load_sweep(item)
            for rid in plan["runs"]:
                row = rows.get(rid)
                if row and row["status"] == "ok":
                    out.append((rid, os.path.join(item, row["results"])))
        else:
            out.append((os.path.basename(os.path.dirname(os.path.abspath(item))) or item, item))
    return out


def fmt_s(v):
    return "not within the run" if math.isnan(v) else f"{v:.1f} s"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+", help="sweep directories or results.h5 files")
    ap.add_argument("--out")
    ap.add_argument("--drain", default="30s",
                    help="messages published this close to the end are not counted")
    args = ap.parse_args(argv)
    try:
        drain = parse_duration(args.drain, f"--drain '{args.drain}'")
        runs = [(label, analyse(path, drain)) for label, path in runs_of(args.inputs)]
    except (ArgumentError, OSError) as e:
        print(f"reconnect.py: {e}", file=sys.stderr)
        return 2
    first = args.inputs[0]
    out = args.out or (os.path.join(first, "analysis") if os.path.isdir(first)
                       else os.path.dirname(os.path.abspath(first)))
    os.makedirs(out, exist_ok=True)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, r in runs:
        ax.step(r["times"], r["counts"], where="post", label=label)
    if runs:
        s, e = runs[0][1]["span"]
        ax.axvspan(s, e, color="grey", alpha=0.2, label="uplink down")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("devices connected")
    ax.set_title("Devices connected through the outage")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "reconnect.png"), dpi=110)
    plt.close(fig)

    md = ["# Reconnect storm", "",
          f"Time from the end of the outage until 99 % (100 %) of the devices are connected; "
          f"CONNECTs after it; closes with a Throttled* reason (both sides); messages "
          f"published before the last {args.drain} of each run, per publish QoS.", "",
          "| run | devices | outage s | 99 % after | 100 % after | CONNECT attempts | "
          "throttled closes | account-connect-rate throttled / limit / peak | QoS | published | "
          "expected | delivered | lost | delivery |",
          "|---|---:|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|"]
    for label, r in runs:
        quota = "-" if r["quota"] is None else "{} / {:g}/s / {}/s".format(*r["quota"])
        for i, (g, (pub, exp, dlv, ratio)) in enumerate(r["lost"].items()):
            head = [label, str(r["devices"]), f"{r['span'][0]:g}-{r['span'][1]:g}",
                    fmt_s(r["t99"]), fmt_s(r["t100"]), str(r["attempts"]),
                    str(r["throttled_closes"]), quota] if i == 0 else [""] * 8
            md.append("| " + " | ".join(head + [g, str(pub), str(exp), str(dlv), str(exp - dlv),
                                                f"{ratio:.4f}"]) + " |")
        lost = " ".join(f"{g}={e - d}" for g, (_, e, d, _) in r["lost"].items())
        print(f"reconnect {label}: 99% after {fmt_s(r['t99'])} (100% after {fmt_s(r['t100'])}), "
              f"lost {lost}, throttled {r['quota'][0] if r['quota'] else r['throttled_closes']}")
    md += ["", "![reconnect.png](reconnect.png)", ""]
    with open(os.path.join(out, "reconnect.md"), "w") as f:
        f.write("\n".join(md))
    print(f"reconnect.py: {os.path.join(out, 'reconnect.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
