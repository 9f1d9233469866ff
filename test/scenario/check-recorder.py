#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Reads files written by test/scenario/mqtt-hdf5-recorder-test.cc with h5py and pandas.

    check-recorder.py sample FILE              the sample file: schema, values, attributes
    check-recorder.py count FILE NAME=ROWS...  row counts of datasets

Exits 0 when every check holds; prints what differs otherwise.
"""
import sys

import h5py
import numpy as np

FAILURES = []


def expect(cond, what):
    if not cond:
        FAILURES.append(what)


def check_sample(path):
    import pandas as pd

    with h5py.File(path, "r") as f:
        expected = ["account_quotas", "broker_service", "broker_stats", "clients",
                    "connection_setups", "connections", "deliveries", "device_battery", "device_bytes", "device_energy", "drops",
                    "link_stats", "links", "publishes", "subscriptions", "tls_handshakes", "topics"]
        expect(sorted(f.keys()) == expected, f"datasets {sorted(f.keys())}")
        # Attributes: strings come back as str, numbers as numbers.
        expect(f.attrs["scenario"] == "name: sample\nduration: 10s\n", "scenario attribute")
        expect(int(f.attrs["seed"]) == 42 and int(f.attrs["run"]) == 3, "seed and run")
        expect(float(f.attrs["duration"]) == 10.0, "duration attribute")
        expect(int(f.attrs["schema_version"]) == 1, "schema_version")
        expect(str(f.attrs["hdf5_version"]).startswith("1."), "hdf5_version")

        pub = f["publishes"]
        expect(pub.shape == (1000,), f"publishes shape {pub.shape}")
        expect(pub.compression == "gzip" and pub.shuffle, "publishes compressed")
        expect(pub.chunks == (64,), f"publishes chunks {pub.chunks}")
        expect(pub.maxshape == (None,), "publishes extendable")
        expect(list(pub.dtype.names) == ["time", "client", "sequence", "topic", "qos",
                                         "retain", "payload"], f"publishes fields {pub.dtype}")
        expect(pub.dtype["retain"] == np.bool_, "retain is bool")
        p = pub[:]
        expect(np.array_equal(p["sequence"], np.arange(1000)), "publish sequences")
        expect(np.allclose(p["time"], np.arange(1000) * 0.01), "publish times")
        expect((p["qos"] == 1).all() and (p["payload"] == 64).all(), "publish qos, payload")

        d = f["deliveries"][:]
        expect(len(d) == 900, f"deliveries {len(d)}")
        expect(d.dtype["duplicate"] == np.bool_, "duplicate is bool")
        expect(int(d["duplicate"].sum()) == 10, "duplicates")
        expect(not np.isin(np.arange(9, 1000, 10), d["sequence"]).any(), "lost ones absent")
        expect(np.allclose(d["latency"], d["time"] - d["sent"]), "latency = time - sent")
        expect((d["latency"] >= 0.005 - 1e-12).all(), "latency floor")

        clients = f["clients"][:]
        expect(clients["name"][0] == b"sensor-0" and clients["group"][1] == b"cloud",
               "client names")
        expect(clients["publishes"].tolist() == [True, False, False], "publishes flags")
        # Cut at a UTF-8 boundary: the 2-byte character does not fit after 63 bytes.
        expect(clients["name"][2] == b"x" * 63, f"cut name {clients['name'][2]!r}")
        topics = f["topics"][:]
        expect([t.decode() for t in topics["name"]] == ["sensors/0/telemetry", "other"],
               "topics")
        link = f["links"][0]
        expect(link["name"] == b"n0--n1" and link["rate_bps"] == 100000000
               and abs(link["delay"] - 0.002) < 1e-15, "links row")

        sub = f["subscriptions"][0]
        expect(sub["filter"] == b"sensors/#" and sub["granted"] == 1, "subscriptions row")
        c = f["connections"][0]
        expect(c["event"] == b"closed" and c["reason"] == b"KeepAliveTimeout"
               and c["side"] == b"client", "connections row")
        dr = f["drops"][0]
        expect(dr["reason"] == b"QueueFull" and dr["sequence"] == 9, "drops row")
        b = f["broker_stats"][0]
        expect(b["connections"] == 2 and b["retransmissions"] == 9 and b["drops"] == 10,
               "broker_stats row")
        ls = f["link_stats"][0]
        expect(ls["lost_packets"] == 15 and ls["queue_depth"] == 17 and not ls["up"],
               "link_stats row")

        # pandas takes every dataset as it is: fixed-size fields, no object columns needed.
        for name in expected:
            frame = pd.DataFrame(f[name][:])
            expect(len(frame) == f[name].shape[0], f"pandas rows of {name}")
        frame = pd.DataFrame(f["deliveries"][:])
        expect(frame.groupby("qos")["latency"].count().to_dict() == {1: 900}, "pandas groupby")
        expect(frame["duplicate"].dtype == bool, "pandas bool column")


def check_count(path, specs):
    with h5py.File(path, "r") as f:
        for spec in specs:
            name, rows = spec.split("=")
            expect(f[name].shape == (int(rows),), f"{name}: {f[name].shape} rows, want {rows}")


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what == "sample":
        check_sample(path)
    elif what == "count":
        check_count(path, sys.argv[3:])
    else:
        FAILURES.append(f"unknown check {what}")
    for failure in FAILURES:
        print(f"check-recorder.py {what} {path}: {failure}", file=sys.stderr)
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
