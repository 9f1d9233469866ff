#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "end-to-end-window": closed-loop publishers (a group's end-to-end-window,
doc/scenarios.md) through ns3-mqtt-run on test/scenario/data/end-to-end-window.yaml.

    test-end-to-end-window.py PATH/TO/ns3-mqtt-run WORKDIR

From the publishes and deliveries of results.h5, per publisher:
- "pubs" (window 3, two subscribers each): right after each publish at most 3 of its messages
  have not reached both subscribers, and 3 is reached (the window binds); the same scenario with
  a window of 65535 has more than 3 outstanding (the check can fail).
- "lonely" (publishes to nobody, window 1): never held; one publish every 10 ms exactly.
- "stalled" (its one subscriber's link down from 1 s to 4 s, window 2): its publishes stop
  while the link is down, resuming exactly 1 s after the window filled or after the last
  receipt, whichever is later (the write-off); end_to_end_written_off is 2 per write-off.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

from expectations import expect, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join(ROOT, "test", "scenario", "data", "end-to-end-window.yaml")


def run(runner, out, *sets):
    cmd = [runner, SCENARIO, "--out", out, "--progress", "none"]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if not expect(p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr}"):
        return None
    with h5py.File(os.path.join(out, "results.h5"), "r") as f:
        groups = [g.decode() for g in f["clients"]["group"]]
        return (groups, f["publishes"][:], f["deliveries"][:],
                int(f.attrs.get("end_to_end_written_off", -1)))


def completions(deliveries, client, recipients):
    """Times at which each message of @p client had reached @p recipients subscribers."""
    mine = deliveries[(deliveries["publisher"] == client) & (deliveries["duplicate"] == 0)]
    times = {}
    for row in mine[np.argsort(mine["time"], kind="stable")]:
        times.setdefault(int(row["sequence"]), []).append(float(row["time"]))
    return np.sort([t[recipients - 1] for t in times.values() if len(t) >= recipients])


def outstanding_after_each_publish(publishes, deliveries, client, recipients):
    sent = np.sort(publishes[publishes["client"] == client]["time"])
    done = completions(deliveries, client, recipients)
    # A receipt and the publish it lets go happen at the same simulated time: receipts first.
    return np.arange(1, len(sent) + 1) - np.searchsorted(done, sent, side="right")


def check_pubs(result, window):
    groups, publishes, deliveries, _ = result
    peaks = []
    for client in [i for i, g in enumerate(groups) if g == "pubs"]:
        counts = outstanding_after_each_publish(publishes, deliveries, client, 2)
        expect(len(counts) > 100, f"pubs client {client}: only {len(counts)} publishes")
        peaks.append(int(counts.max()) if len(counts) else 0)
    return peaks


def check_lonely(result):
    groups, publishes, _, _ = result
    client = groups.index("lonely")
    sent = np.sort(publishes[publishes["client"] == client]["time"])
    expect(len(sent) >= 480, f"lonely: {len(sent)} publishes")
    gaps = np.diff(sent)
    expect(np.allclose(gaps, 0.010, atol=1e-9, rtol=0),
           f"lonely: held (gaps from {gaps.min():.6f} to {gaps.max():.6f} s)")


def check_stalled(result):
    groups, publishes, deliveries, written_off = result
    client = groups.index("stalled")
    sent = np.sort(publishes[publishes["client"] == client]["time"])
    received = np.sort(deliveries[(deliveries["publisher"] == client)]["time"])
    gaps = np.flatnonzero(np.diff(sent) > 0.5)
    expect(len(gaps) >= 2, f"stalled: {len(gaps)} write-offs while the link was down")
    for g in gaps:
        filled, resumed = sent[g], sent[g + 1]
        before = received[received <= resumed]
        last = max(filled, before[-1] if len(before) else 0.0)
        expect(abs(resumed - (last + 1.0)) < 1e-9,
               f"stalled: resumed at {resumed:.9f} s, the write-off was due at {last + 1.0:.9f} s")
        # Messages sent in the last milliseconds before the outage (some 10 ms end to end)
        # are caught by it too.
        expect(filled > 1.0 - 0.02 and resumed < 4.0 + 1.0 + 1e-9,
               f"stalled: a write-off outside the outage ({filled:.6f} to {resumed:.6f} s)")
    expect(written_off == 2 * len(gaps),
           f"stalled: end_to_end_written_off {written_off}, {len(gaps)} write-offs of 2")


def main(runner, work):
    closed = run(runner, os.path.join(work, "closed"))
    if closed:
        peaks = check_pubs(closed, 3)
        expect(peaks == [3, 3], f"pubs: most outstanding after a publish {peaks}, want 3 each")
        check_lonely(closed)
        check_stalled(closed)
    wide = run(runner, os.path.join(work, "wide"), "devices.pubs.end-to-end-window=65535")
    if wide:
        peaks = check_pubs(wide, 65535)
        expect(min(peaks) > 3, f"pubs with a window of 65535: most outstanding {peaks}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    finish("end-to-end-window")
