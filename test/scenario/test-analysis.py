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


def check_late_subscriber(work):
    """A message published before its subscriber's first SUBACK had no subscription to reach:
    it is not expected there (unless delivered anyway). The shrunk tls-lossy-cellular sweep
    (doc/tls-sim.md) had plain devices publish before the backend subscribed and reported a
    delivery ratio of 0.4 for messages nobody could have received."""
    path = os.path.join(work, "late-subscriber.h5")

    def table(rows, fields):
        return np.array(rows, dtype=np.dtype(fields))

    with h5py.File(path, "w") as f:
        f.attrs["duration"] = 10.0
        f["clients"] = table([(b"sensor-0", b"sensors", b"device", 1, 1, 4),
                              (b"cloud-0", b"cloud", b"backend", 0, 1, 0)],
                             [("name", "S64"), ("group", "S64"), ("role", "S16"),
                              ("node", "u4"), ("qos", "u1"), ("publishes", "u8")])
        f["topics"] = table([(b"sensors/0",)], [("name", "S256")])
        f["links"] = table([], [("name", "S64"), ("class", "S16")])
        # Published at 1.0 (nobody subscribed), 2.9 (the SUBSCRIBE on its way, delivered
        # anyway), 5.0 (delivered) and 7.0 (lost after the resubscription at 6.0).
        f["publishes"] = table([(t, 0, i, 0, 1) for i, t in enumerate([1.0, 2.9, 5.0, 7.0])],
                               [("time", "f8"), ("client", "u4"), ("sequence", "u8"),
                                ("topic", "u4"), ("qos", "u1")])
        f["subscriptions"] = table([(3.0, 1, b"sensors/#", 1, 1), (6.0, 1, b"sensors/#", 1, 1)],
                                   [("time", "f8"), ("client", "u4"), ("filter", "S256"),
                                    ("qos", "u1"), ("granted", "u1")])
        f["deliveries"] = table([(3.05, 2.9, 0.15, 1, 0, 1, 0, 1, 1, False),
                                 (5.1, 5.0, 0.1, 1, 0, 2, 0, 1, 1, False)],
                                [("time", "f8"), ("sent", "f8"), ("latency", "f8"),
                                 ("subscriber", "u4"), ("publisher", "u4"), ("sequence", "u8"),
                                 ("topic", "u4"), ("qos", "u1"), ("publish_qos", "u1"),
                                 ("duplicate", "?")])
    res = Results(path)
    expect(res.expected() == {(1, 0, 1), (1, 0, 2), (1, 0, 3)},
           f"late subscriber: expected pairs {sorted(res.expected())}")
    rows = res.summary()
    expect([(r["sent"], r["expected"], r["delivered"]) for r in rows] == [(4, 3, 2)],
           f"late subscriber: summary {[(r['sent'], r['expected'], r['delivered']) for r in rows]}")
    from capacity_measure import figures
    fig = figures(res, drain=0.0)
    expect((fig[("all", "expected")], fig[("all", "delivered")]) == (3, 2),
           f"late subscriber: capacity figures {fig[('all', 'expected')]}, "
           f"{fig[('all', 'delivered')]}")


def main():
    sample, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    check_topic_matching()
    check_late_subscriber(work)

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
