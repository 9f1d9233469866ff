# SPDX-License-Identifier: GPL-2.0-only
"""The fit of per-operation CPU costs to measured workloads, and the calibration file.

Model: the broker's CPU time in a workload is the sum over operations of count x cost,
    cpu_w = sum_k ops[w][k] * cost[k],   cost[k] >= 0.
Costs are found by non-negative least squares (scipy.optimize.nnls, Lawson-Hanson) on the
relative error of each workload: every row is divided by its measured CPU time, so a workload of
50 ms counts as much as one of 2 s, and optionally weighted by how well it repeats (a workload
whose CPU time spread 20 % over the repetitions counts a tenth of one that spread 2 %), and every column is scaled to unit norm first, so per-byte
costs (fractions of a nanosecond over millions of bytes) and per-connection costs (microseconds
over hundreds of connections) are solved on the same footing. Non-negative because a negative
CPU cost has no meaning and would let two correlated operations cancel each other out.
"""

import math

import numpy as np
from scipy.optimize import nnls


# The smallest spread a weight assumes: a workload that happened to repeat exactly does not
# outweigh the rest without bound.
SPREAD_FLOOR = 0.02


def spread_weights(spreads):
    """Row weights from each workload's relative spread over the repetitions: 1 / spread, the
    spread at least SPREAD_FLOOR, normalised to a mean of 1."""
    w = np.array([1.0 / max(float(s), SPREAD_FLOOR) for s in spreads])
    return list(w / w.mean()) if len(w) else []


def fit(rows, keys, weights=None):
    """rows: [(name, {key: count}, cpu_seconds)]; weights: one per row (None: all 1), on top of
    the relative error. Returns (costs {key: seconds}, predicted [seconds per row], r2,
    unidentified [keys whose column is zero or dependent])."""
    names = [r[0] for r in rows]
    a = np.array([[float(r[1].get(k, 0)) for k in keys] for r in rows])
    b = np.array([float(r[2]) for r in rows])
    if len(names) == 0 or np.any(b <= 0):
        raise ValueError("every workload needs a positive measured CPU time: %s"
                         % ", ".join("%s=%g" % (n, v) for n, v in zip(names, b)))
    used = [j for j in range(len(keys)) if np.any(a[:, j] != 0)]
    w = np.ones(len(b)) if weights is None else np.array([float(x) for x in weights])
    weighted = a[:, used] * (w / b)[:, None]
    norms = np.linalg.norm(weighted, axis=0)
    scaled = weighted / norms
    solution, _ = nnls(scaled, w, maxiter=50 * len(used) + 100)
    x = np.zeros(len(keys))
    x[used] = solution / norms
    predicted = a @ x
    ss_res = float(np.sum((b - predicted) ** 2))
    ss_tot = float(np.sum((b - b.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    rank = np.linalg.matrix_rank(scaled)
    unidentified = [keys[j] for j in range(len(keys)) if j not in used]
    if rank < len(used):
        unidentified.append("(%d of %d costs depend on others)" % (len(used) - rank, len(used)))
    return {k: float(v) for k, v in zip(keys, x)}, [float(p) for p in predicted], r2, unidentified


def format_duration(seconds, digits=3):
    """A duration as the scenario loader reads it: 0s, 0.42ns, 9.1us, 12.3ms, 1.23s."""
    if seconds <= 0 or not math.isfinite(seconds):
        return "0s"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return "%s%s" % (_significant(seconds / scale, digits), unit)
    return "%sns" % _significant(seconds / 1e-9, digits)


def _significant(value, digits):
    text = "%.*g" % (digits, value)
    if "e" in text:  # below 1e-4 ns: no useful digits
        text = "%.6f" % value
    return text


def write_calibration(path, header_lines, broker, version, cores, write_per, measured, costs,
                      keys, workloads, r2, read_per="turn"):
    """Writes the calibration file of issue #13. workloads: [(name, measured s, predicted s,
    comment)]; measured: {date, machine, load}; read_per, write_per: turn or packet."""
    out = ["# " + line for line in header_lines]
    out.append("broker: %s" % _quote_if_needed(broker))
    out.append("broker-version: %s" % _quote(version))
    out.append("cores: %d" % cores)
    out.append("read-per: %s" % read_per)
    out.append("write-per: %s" % write_per)
    out.append("measured: {date: %s, machine: %s, load: %.2f}"
               % (_quote(measured["date"]), _quote(measured["machine"]), measured["load"]))
    items = ["%s: %s" % (k, format_duration(costs.get(k, 0.0))) for k in keys]
    lines = []
    line = "costs: {"
    for i, item in enumerate(items):
        piece = item + (", " if i + 1 < len(items) else "}")
        if len(line) + len(piece) > 99:
            lines.append(line.rstrip())
            line = "        "
        line += piece
    lines.append(line)
    out += lines
    out.append("fit:")
    out.append('  method: "non-negative least squares over workloads"')
    out.append("  workloads:")
    for name, meas, pred, comment in workloads:
        residual = (pred - meas) / meas if meas > 0 else float("nan")
        entry = "    %s: {measured-cpu: %s, predicted-cpu: %s, residual: %.3f}" % (
            name, format_duration(meas, 4), format_duration(pred, 4), residual)
        if comment:
            entry += "  # " + comment
        out.append(entry)
    out.append("  r2: %.4f" % r2)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def _quote(text):
    return '"%s"' % str(text).replace("\\", "\\\\").replace('"', '\\"')


def _quote_if_needed(text):
    return text if text.replace("-", "").isalnum() else _quote(text)
