#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "analysis-devicecompare": analysis/devicecompare.py on two runs written by the real
recorder (mqtt-results-sample), each given device_bytes and device_battery tables here, checked
against figures computed here from the datasets directly; then `./ns3-mqtt compare` on the two
run directories writes the same tables.

    test-devicecompare.py PATH/TO/mqtt-results-sample WORKDIR
"""
import os
import shutil
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
from expectations import expect, finish, run  # noqa: E402
from mqttresults import BYTE_CAUSES  # noqa: E402

BATTERY_MAH = 2600.0
VOLTS = 3.6


def add_device_tables(path, publish_bytes, keepalive_bytes, joules):
    """Gives every device of @p path (not the backend) device_bytes rows (publish/mqtt/tx,
    keepalive/link/rx) and meters a device_battery row; returns {client: (group, wire, joules)}."""
    with h5py.File(path, "a") as f:
        clients = f["clients"][:]
        duration = float(f.attrs["duration"])
        bytes_rows, battery_rows, truth = [], [], {}
        for c, row in enumerate(clients):
            group = row["group"].decode()
            if row["role"].decode() != "device":
                continue
            bytes_rows.append((c, b"publish", b"mqtt", b"tx", publish_bytes, 10))
            bytes_rows.append((c, b"keepalive", b"link", b"rx", keepalive_bytes, 2))
            j = joules if group == "meters" else None
            if j is not None:
                battery_rows.append((c, b"cellular", j, j, BATTERY_MAH, VOLTS, 3))
            truth[c] = (group, publish_bytes + keepalive_bytes, j)
        bt = np.dtype([("client", "<u4"), ("cause", "S16"), ("layer", "S16"),
                       ("direction", "S16"), ("bytes", "<u8"), ("frames", "<u8")])
        et = np.dtype([("client", "<u4"), ("radio", "S16"), ("joules", "<f8"),
                       ("framework_joules", "<f8"), ("battery_mah", "<f8"), ("volts", "<f8"),
                       ("setups", "<u4")])
        for name, dtype, rows in [("device_bytes", bt, bytes_rows),
                                  ("device_battery", et, battery_rows)]:
            if name in f:  # the sample's own tables are empty: no accounting, no energy model
                del f[name]
            f.create_dataset(name, data=np.array(rows, dtype=dtype))
        dels = f["deliveries"][:]
    delivered = {}
    for d in dels:
        delivered.setdefault(int(d["publisher"]), set()).add(int(d["sequence"]))
    return truth, {c: len(s) for c, s in delivered.items()}, duration


def expected_rows(truth, delivered, duration):
    """{group: (delivered, bytes/msg, mJ/msg, median battery days)} computed by hand."""
    out = {}
    for group in sorted({g for g, _, _ in truth.values()}):
        members = [c for c, (g, _, _) in truth.items() if g == group]
        n = sum(delivered.get(c, 0) for c in members)
        wire = sum(truth[c][1] for c in members)
        joules = [truth[c][2] for c in members if truth[c][2] is not None]
        days = [BATTERY_MAH * 3.6 * VOLTS / (j / duration) / 86400 for j in joules]
        out[group] = (n, wire / n, 1000 * sum(joules) / n if joules else None,
                      float(np.median(days)) if days else None)
    return out


def main():
    sample, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    runs = []
    for loss, publish_bytes, keepalive_bytes, joules in [("0", 1200, 300, 40.0),
                                                         ("0.2", 1500, 900, 90.0)]:
        path = os.path.join(work, f"loss-{loss}", "results.h5")
        os.makedirs(os.path.dirname(path))
        run(sample, path, loss, "5")
        runs.append((loss, path, add_device_tables(path, publish_bytes, keepalive_bytes, joules)))

    out = os.path.join(work, "compare")
    run("/usr/bin/python3", os.path.join(ROOT, "analysis", "devicecompare.py"),
        *[p for _, p, _ in runs], "--out", out)
    for png in ["device-compare-bytes.png", "device-compare-battery.png"]:
        p = os.path.join(out, png)
        expect(os.path.exists(p) and os.path.getsize(p) > 5000, f"{png} missing or empty")
    lines = open(os.path.join(out, "device-compare.md")).read().splitlines()
    cells = [[c.strip() for c in line.split("|")[1:-1]] for line in lines
             if line.startswith("| ")]
    summary = {(c[0], c[1]): c for c in cells if len(c) == 10 and c[0] != "run"}
    by_cause = {(c[0], c[1]): c for c in cells
                if len(c) == 2 + len(BYTE_CAUSES) and c[0] != "run"}
    for loss, _, (truth, delivered, duration) in runs:
        label = f"links.access.loss.rate={loss}"
        for group, (n, per_msg, mj, days) in expected_rows(truth, delivered, duration).items():
            row = summary.get((label, group))
            if not expect(row is not None, f"no summary row for {label} / {group}"):
                continue
            expect(row[3] == str(n), f"{label} {group}: delivered {row[3]} != {n}")
            expect(row[4] == f"{per_msg:.1f}", f"{label} {group}: bytes/msg {row[4]} != "
                   f"{per_msg:.1f}")
            want_mj = "-" if mj is None else f"{mj:.2f}"
            expect(row[5] == want_mj, f"{label} {group}: mJ/msg {row[5]} != {want_mj}")
            want_days = "-" if days is None else f"{days:.1f}"
            expect(row[8] == want_days, f"{label} {group}: battery p50 {row[8]} != {want_days}")
            causes = by_cause.get((label, group))
            if expect(causes is not None, f"no by-cause row for {label} / {group}"):
                members = [c for c, (g, _, _) in truth.items() if g == group]
                wire = sum(truth[c][1] for c in members)  # publish + keepalive bytes
                expect(abs(float(causes[2]) + float(causes[4]) - wire / n) < 0.15,
                       f"{label} {group}: publish + keepalive per message != bytes/msg")
    # The more lossy run pays more per message (its rows are larger by construction).
    meters = [float(summary[(f"links.access.loss.rate={loss}", "meters")][4])
              for loss, _, _ in runs if (f"links.access.loss.rate={loss}", "meters") in summary]
    expect(len(meters) == 2 and meters[1] > meters[0], f"bytes/msg per run: {meters}")

    # Bad input: a labels list of the wrong length is refused, with no traceback.
    p = __import__("subprocess").run(
        ["/usr/bin/python3", os.path.join(ROOT, "analysis", "devicecompare.py"), runs[0][1],
         "--out", out, "--labels", "a,b"], capture_output=True, text=True)
    expect(p.returncode == 2 and "Traceback" not in p.stderr, f"--labels mismatch: {p.stderr}")

    # The subcommand: run directories instead of files, the same tables.
    via = os.path.join(work, "compare-subcommand")
    run(os.path.join(ROOT, "ns3-mqtt"), "compare", *[os.path.dirname(p) for _, p, _ in runs],
        "--out", via)
    direct = open(os.path.join(out, "device-compare.md")).read()
    mine = open(os.path.join(via, "device-compare.md")).read()
    expect(mine == direct, "ns3-mqtt compare: tables differ from devicecompare.py's")
    p = __import__("subprocess").run(
        [os.path.join(ROOT, "ns3-mqtt"), "compare", os.path.join(work, "no-such-run")],
        capture_output=True, text=True)
    expect(p.returncode == 2 and "no-such-run" in p.stderr and "Traceback" not in p.stderr,
           f"compare of a missing run: {p.returncode} {p.stderr}")
    finish("test-devicecompare.py")


if __name__ == "__main__":
    main()
