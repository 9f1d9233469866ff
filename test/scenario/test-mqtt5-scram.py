#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "mqtt5-scram": test/scenario/data/mqtt5-scram.yaml through ns3-mqtt-run, its HDF5 checked.

    test-mqtt5-scram.py PATH/TO/ns3-mqtt-run WORKDIR

- The trusted devices and the collector authenticate with SCRAM-SHA-256 (doc/auth.md): one
  session each, no refusal, and their readings reach the collector.
- The impostors (a wrong password) are refused with CONNACK 0x87 (Not authorized): in
  connections one event refused each, code 135 and reason_code 135, then closed with reason
  AuthFailure; no session, nothing delivered from them (reconnect: false, so once).
"""
import os
import subprocess
import sys

import h5py

from expectations import expect, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOT_AUTHORIZED = 0x87


def main(runner, work):
    out = os.path.join(work, "mqtt5-scram")
    scenario = os.path.join(ROOT, "test", "scenario", "data", "mqtt5-scram.yaml")
    cmd = [runner, scenario, "--out", out, "--progress", "none"]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    expect(p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr}")
    if p.returncode != 0:
        return
    with h5py.File(os.path.join(out, "results.h5"), "r") as f:
        clients = f["clients"][:]
        connections = f["connections"][:]
        deliveries = f["deliveries"][:]
    groups = [g.decode() for g in clients["group"]]
    for i, group in enumerate(groups):
        mine = connections[(connections["client"] == i) & (connections["side"] == b"client")]
        events = [e.decode() for e in mine["event"]]
        if group in ("trusted", "collector"):
            expect(events.count("session") == 1 and "refused" not in events,
                   f"client {i} ({group}): events {events}")
        else:
            refused = mine[mine["event"] == b"refused"]
            expect(len(refused) == 1, f"client {i} ({group}): events {events}")
            expect(all(int(r["code"]) == NOT_AUTHORIZED and int(r["reason_code"]) == NOT_AUTHORIZED
                       for r in refused),
                   f"client {i} ({group}): refused {refused}")
            closed = [r["reason"].decode() for r in mine if r["event"] == b"closed"]
            expect(closed == ["AuthFailure"], f"client {i} ({group}): closed {closed}")
            expect("session" not in events, f"client {i} ({group}): a session")
            expect(int((deliveries["publisher"] == i).sum()) == 0,
                   f"client {i} ({group}): delivered")
    trusted = [i for i, g in enumerate(groups) if g == "trusted"]
    collector = groups.index("collector")
    for i in trusted:
        got = int(((deliveries["publisher"] == i) & (deliveries["subscriber"] == collector)).sum())
        expect(got > 0, f"trusted client {i}: nothing delivered to the collector")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    finish("mqtt5-scram")
