#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "mqtt5-vs-311": scenarios/mqtt5-vs-311.yaml shrunk (3 devices a group, 660 s: two
wake-ups after the first) through ns3-mqtt-run, its HDF5 checked.

    test-mqtt5-vs-311.py PATH/TO/ns3-mqtt-run WORKDIR

- /clients says which protocol each client spoke.
- Bytes per reading (device_bytes, cause publish, layer mqtt, tx): a 3.1.1 QoS 1 PUBLISH of topic
  T and payload P is 6 + T + P bytes (fixed header 2, topic length 2, packet id 2); a 5.0 one
  10 + T + P with the topic and its alias (Property Length 1, Topic Alias 3; the first of a
  connection), 10 + P with the alias alone. With every reading delivered once to the historian
  (lossless links), each device's bytes are exactly those sums, and 5.0 is cheaper per reading.
- What a waking device receives: the 3.1.1 devices get the commands queued while they slept,
  some older than 120 s; the 5.0 devices none older than the Message Expiry Interval (120 s), and
  the broker drops the expired ones (drops: where broker, reason MessageExpired).
"""
import os
import subprocess
import sys

import h5py
import numpy as np

from expectations import expect, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOPIC = "factory/building-7/line-3/temperature/{client}"
PAYLOAD = 32
EXPIRY = 120.0


def main(runner, work):
    out = os.path.join(work, "mqtt5-vs-311")
    cmd = [runner, os.path.join(ROOT, "scenarios", "mqtt5-vs-311.yaml"), "--out", out,
           "--progress", "none", "--set", "duration=660s",
           "--set", "devices.sleepy-311.count=3", "--set", "devices.sleepy-5.count=3"]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    expect(p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr}")
    if p.returncode != 0:
        return
    with h5py.File(os.path.join(out, "results.h5"), "r") as f:
        t = {k: f[k][:] for k in f.keys()}
    clients = t["clients"]
    names = [n.decode() for n in clients["name"]]
    groups = [g.decode() for g in clients["group"]]
    index = {n: i for i, n in enumerate(names)}
    for i, g in enumerate(groups):
        want = 5 if g in ("sleepy-5", "commander-5") else 4
        expect(int(clients["protocol"][i]) == want, f"{names[i]}: protocol {clients['protocol'][i]}")

    historian = index["historian-0"]
    d = t["deliveries"]
    db = t["device_bytes"]
    per_reading = {}
    for group in ("sleepy-311", "sleepy-5"):
        total_bytes = total_readings = 0
        for i in [i for i, g in enumerate(groups) if g == group]:
            topic = len(TOPIC.format(client=names[i]))
            readings = int(((d["subscriber"] == historian) & (d["publisher"] == i)).sum())
            sel = (db["client"] == i) & (db["cause"] == b"publish") & (db["layer"] == b"mqtt") & \
                (db["direction"] == b"tx")
            sent = int(db["bytes"][sel].sum())
            wakes = int(((t["connections"]["client"] == i) & (t["connections"]["event"] == b"session")
                         & (t["connections"]["side"] == b"client")).sum())
            if group == "sleepy-311":
                want = readings * (6 + topic + PAYLOAD)
            else:
                want = wakes * (10 + topic + PAYLOAD) + (readings - wakes) * (10 + PAYLOAD)
            expect(readings >= 3 * wakes - 3 and wakes == 3,
                   f"{names[i]}: {readings} readings delivered over {wakes} wake-ups")
            expect(sent == want, f"{names[i]}: {sent} PUBLISH bytes sent, want {want} "
                   f"({readings} readings, {wakes} wake-ups)")
            total_bytes += sent
            total_readings += readings
        per_reading[group] = total_bytes / max(total_readings, 1)
    print(f"bytes per reading: 3.1.1 {per_reading['sleepy-311']:.1f}, "
          f"5.0 {per_reading['sleepy-5']:.1f}")
    expect(per_reading["sleepy-5"] < per_reading["sleepy-311"], f"per reading: {per_reading}")

    # Commands: their age when a device received them.
    for group, commander in (("sleepy-311", "commander-311"), ("sleepy-5", "commander-5")):
        members = [i for i, g in enumerate(groups) if g == group]
        sel = np.isin(d["subscriber"], members) & (d["publisher"] == index[commander + "-0"])
        ages = d["latency"][sel]
        expect(len(ages) > 0, f"{group}: no command received")
        print(f"{group}: {len(ages)} commands received, oldest {ages.max():.1f} s")
        if group == "sleepy-311":
            expect(ages.max() > EXPIRY, f"{group}: oldest command {ages.max():.1f} s")
        else:
            # Expired at the broker after 120 s; the last hop (40 ms plus queueing) comes on top.
            expect(ages.max() <= EXPIRY + 1, f"{group}: oldest command {ages.max():.1f} s")
    drops = t["drops"]
    expired = (drops["where"] == b"broker") & (drops["reason"] == b"MessageExpired")
    expect(expired.sum() > 0, "no command expired at the broker")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    sys.exit(finish("mqtt5-vs-311"))
