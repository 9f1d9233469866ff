# SPDX-License-Identifier: GPL-2.0-only
"""The "Device cost" section of a report (doc/device-cost.md): wire bytes per delivered message
by cause, energy per message and battery life per device group, with their plots.

Used by report.py; section(res, out) returns (Markdown lines, plot file names).
"""
import math
import os

import matplotlib.pyplot as plt
import numpy as np

from mqttresults import BYTE_CAUSES, device_cost

CAUSE_COLORS = dict(zip(BYTE_CAUSES, plt.get_cmap("tab20").colors))


def _save(fig, out, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out, name), dpi=110)
    plt.close(fig)
    return name


def by_group(devices):
    groups = {}
    for d in devices:
        groups.setdefault(d["group"], []).append(d)
    return groups


def bytes_per_message(devs):
    """{cause: wire bytes of the group per message the group got through}."""
    delivered = sum(d["delivered"] for d in devs)
    out = {}
    for cause in BYTE_CAUSES:
        b = sum(v for d in devs for (c, _, _), v in d["bytes"].items() if c == cause)
        out[cause] = b / delivered if delivered else math.nan
    return out


def _finite(values):
    return [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def table(groups):
    head = ["group", "devices", "delivered", "bytes/msg", "overhead x", "mJ/msg", "avg mA",
            "battery days p10", "p50", "p90"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for g, devs in sorted(groups.items()):
        delivered = sum(d["delivered"] for d in devs)
        wire = sum(d["wire"] for d in devs)
        payload = sum(d["payload"] for d in devs)
        joules = _finite(d["joules"] for d in devs)
        days = _finite(d["battery_days"] for d in devs)
        amps = _finite(d["avg_ma"] for d in devs)

        def f(v, fmt):
            return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) \
                else format(v, fmt)

        pct = (lambda q: float(np.percentile(days, q))) if days else (lambda q: None)
        lines.append("| " + " | ".join([
            g, str(len(devs)), str(delivered),
            f(wire / delivered if delivered else math.nan, ".0f"),
            f(wire / payload if payload else math.nan, ".1f"),
            f(1000 * sum(joules) / delivered if joules and delivered else math.nan, ".2f"),
            f(float(np.mean(amps)) if amps else math.nan, ".3f"),
            f(pct(10), ".0f"), f(pct(50), ".0f"), f(pct(90), ".0f")]) + " |")
    return lines


def stacked_bytes(ax, labels, per, title):
    """Bars of wire bytes per delivered message stacked by cause: one bar per label, @p per
    the {cause: bytes per message} of each (nan counts as 0). Shared with devicecompare.py."""
    bottom = np.zeros(len(labels))
    for cause in BYTE_CAUSES:
        v = np.array([p[cause] for p in per], dtype=float)
        v = np.where(np.isfinite(v), v, 0.0)
        if v.sum() == 0:
            continue
        ax.bar(range(len(labels)), v, bottom=bottom, color=CAUSE_COLORS[cause], label=cause)
        bottom += v
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8 if len(labels) < 6 else 7)
    ax.set_ylabel("wire bytes per delivered message")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    ax.grid(axis="y", alpha=0.3)


def plot_bytes(groups, out):
    names = sorted(groups)
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(names) + 3), 4.5))
    stacked_bytes(ax, names, [bytes_per_message(groups[g]) for g in names],
                  "What a delivered message costs on the wire, by cause (all layers)")
    return _save(fig, out, "device-bytes.png")


def plot_battery(groups, out):
    names = [g for g in sorted(groups) if _finite(d["battery_days"] for d in groups[g])]
    if not names:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    data = [_finite(d["battery_days"] for d in groups[g]) for g in names]
    left.boxplot(data, labels=names)
    left.set_ylabel("battery life (days)")
    left.set_title("Battery life per device")
    left.grid(axis="y", alpha=0.3)
    mj = [[1000 * d["joules_per_message"] for d in groups[g]
           if math.isfinite(d["joules_per_message"])] for g in names]
    right.boxplot([m if m else [math.nan] for m in mj], labels=names)
    right.set_ylabel("radio energy per delivered message (mJ)")
    right.set_title("Energy per message")
    right.grid(axis="y", alpha=0.3)
    return _save(fig, out, "battery-life.png")


def section(res, out):
    devices = device_cost(res)
    if not devices:
        return [], []
    groups = by_group(devices)
    lines = ["## Device cost", "",
             "Per device group: wire bytes (sent and received, every layer) per delivered "
             "message, their overhead over the payload, radio energy per delivered message, "
             "average current and battery life (where the group has an energy model; "
             "doc/device-cost.md).", ""]
    lines += table(groups) + [""]
    lines += ["| group | " + " | ".join(BYTE_CAUSES) + " |",
              "|---|" + "---:|" * len(BYTE_CAUSES)]
    for g, devs in sorted(groups.items()):
        per = bytes_per_message(devs)
        lines.append(f"| {g} | " + " | ".join(
            "-" if math.isnan(per[c]) else f"{per[c]:.0f}" for c in BYTE_CAUSES) + " |")
    lines += ["", "Bytes per delivered message by cause (all layers).", ""]
    plots = [plot_bytes(groups, out)]
    battery = plot_battery(groups, out)
    if battery:
        plots.append(battery)
    return lines, plots
