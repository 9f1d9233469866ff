#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "analysis-scripts": analysis/report.py and analysis/compare.py on files written by the
real recorder (mqtt-results-sample), checked against figures computed here independently.

    test-analysis.py PATH/TO/mqtt-results-sample WORKDIR
"""
import os
import shutil
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
from mqttresults import Results, topic_matches  # noqa: E402
from expectations import expect, finish, run  # noqa: E402


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 5000


def check_topic_matching():
    # Section 4.7 cases: wildcards, levels, and $ topics kept from leading wildcards.
    cases = [("sport/#", "sport", True), ("sport/#", "sport/tennis/x", True),
             ("#", "a/b", True), ("+/+", "/finance", True), ("+", "/finance", False),
             ("sport/+", "sport/", True), ("sport/+", "sport", False), ("#", "$SYS/x", False),
             ("+/monitor", "$SYS/monitor", False), ("$SYS/#", "$SYS/x", True),
             ("a/b", "a/b", True), ("a/b", "a/c", False)]
    for f, t, want in cases:
        expect(topic_matches(f, t) == want, f"topic_matches({f!r}, {t!r}) != {want}")


def main():
    sample, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    check_topic_matching()

    # One run, its report, and the figures recomputed directly from the datasets.
    path = os.path.join(work, "run", "results.h5")
    os.makedirs(os.path.dirname(path))
    run(sample, path, "0.1", "7")
    out = os.path.join(work, "report")
    run("/usr/bin/python3", os.path.join(ROOT, "analysis", "report.py"), path, "--out", out)
    for png in ["delivery-ratio.png", "latency-cdf.png", "timeline.png", "broker.png",
                "link-loss.png"]:
        expect(os.path.exists(os.path.join(out, png)) and is_png(os.path.join(out, png)),
               f"{png} missing or not a PNG")
    report = open(os.path.join(out, "report.md")).read()
    with h5py.File(path, "r") as f:
        pub, dels, clients = f["publishes"][:], f["deliveries"][:], f["clients"][:]
    groups = [g.decode() for g in clients["group"]]
    for qos, group in [(0, "trackers"), (1, "meters")]:
        sent = int(np.sum((pub["qos"] == qos)))
        first = dels[(dels["publish_qos"] == qos) & ~dels["duplicate"]]
        delivered = len({(int(d["publisher"]), int(d["sequence"])) for d in first})
        lat = np.sort(first["latency"])
        p95 = np.percentile(lat, 95) * 1000
        row = f"| {qos} | {group} | {sent} | {sent} | {delivered} | {delivered / sent:.4f} |"
        expect(row in report, f"report.md lacks the row starting {row!r}")
        expect(all(groups[int(p)] == group for p in first["publisher"]), "publisher groups")
        p95_text = f"{p95:.0f}" if p95 >= 100 else f"{p95:.1f}"
        expect(f" {p95_text} |" in report, f"p95 {p95_text} ms not in the report")
    expect("| broker | closed | KeepAliveTimeout | 25 |" in report, "connection events table")
    expect("broker: QosZeroOffline: 1" in report, "drops list")
    res = Results(path)
    expect(res.overrides() == {"links.access.loss.rate": "0.1"}, "overrides attribute")

    # Several runs against the loss rate: QoS 0 delivery falls as loss grows.
    files = []
    for loss in ["0.3", "0", "0.15"]:
        p = os.path.join(work, f"loss-{loss}", "results.h5")
        os.makedirs(os.path.dirname(p))
        run(sample, p, loss, "3")
        files.append(p)
    cmp_out = os.path.join(work, "compare")
    run("/usr/bin/python3", os.path.join(ROOT, "analysis", "compare.py"), *files,
        "--param", "links.access.loss.rate", "--out", cmp_out)
    for png in ["delivery-vs-links.access.loss.rate.png", "latency-vs-links.access.loss.rate.png"]:
        expect(is_png(os.path.join(cmp_out, png)), f"{png} missing")
    table = open(os.path.join(cmp_out, "compare.md")).read().splitlines()
    cells = [[c.strip() for c in line.split("|")[1:-1]] for line in table if line.startswith("| ")]
    qos0 = [c for c in cells[1:] if c[1] == "0"]
    values = [float(c[0]) for c in qos0]
    ratios = [float(c[5]) for c in qos0]
    expect(values == [0.0, 0.15, 0.3], f"runs in parameter order: {values}")
    expect(ratios[0] > ratios[1] > ratios[2], f"QoS 0 delivery falls with loss: {ratios}")

    finish("test-analysis.py")


if __name__ == "__main__":
    main()
