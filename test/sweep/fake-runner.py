#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A stand-in for the scenario runner, for the sweep tests. Same command line:

    fake-runner.py SCENARIO --out DIR [--set KEY=VALUE ...]
    fake-runner.py SCENARIO --inputs [--set KEY=VALUE ...]

It checks the arguments like the runner would (the scenario file exists, --out given, every
--set is KEY=VALUE), prints a line, and writes DIR/results.h5. Knobs, all given with --set:

  fake.format=h5|text   h5 (default): a small results file in the schema of doc/results.md
                        (clients, topics, links, publishes, deliveries, subscriptions, ...)
                        whose figures follow the loss rate, QoS and seed; text: a text file
                        (no h5py import, for quick tests of the sweep mechanics)
  fake.control=FILE     lines "RUN-ID ACTION" (RUN-ID is the basename of --out): ACTION is
                        fail (exit 3, no results), crash (SIGSEGV after writing half a file),
                        hang (sleep until killed), noresults (exit 0 without results)
  fake.calls=FILE       append "RUN-ID PID" per invocation (the tests count invocations)
  fake.sleep=SECONDS    sleep this long first (default 0)
  fake.input=FILE       a file the scenario names: --inputs prints its content hash, as the
                        runner does for a calibration (mqtt-sweep reuses a run only while
                        the inputs are unchanged)

--inputs prints what decides the results, as the runner's --inputs does: the hash of the
scenario file with the sets, and of fake.input's file; it runs nothing and is not counted in
fake.calls.

Scenario keys it reads (defaults as in scenarios/lossy-star.yaml): links.access.loss.rate,
devices.qos0.qos, devices.qos1.qos, backends.sink.subscribe.0.qos, seed, run, duration.
"""
import os
import signal
import sys
import time


def parse(argv):
    if len(argv) < 1 or argv[0].startswith("-"):
        raise SystemExit("fake-runner: usage: fake-runner.py SCENARIO --out DIR [--set K=V ...]")
    scenario, out, sets = argv[0], None, {}
    i = 1
    while i < len(argv):
        if argv[i] == "--inputs":
            out = ""  # no results directory: print the inputs only
            i += 1
            continue
        if argv[i] == "--out" and i + 1 < len(argv):
            out = argv[i + 1]
        elif argv[i] == "--set" and i + 1 < len(argv):
            if "=" not in argv[i + 1]:
                raise SystemExit(f"fake-runner: --set {argv[i + 1]}: expected KEY=VALUE")
            key, value = argv[i + 1].split("=", 1)
            sets[key] = value
        else:
            raise SystemExit(f"fake-runner: unexpected argument {argv[i]}")
        i += 2
    if out is None:
        raise SystemExit("fake-runner: --out DIR is required")
    if not os.path.isfile(scenario):
        raise SystemExit(f"fake-runner: {scenario}: cannot open the scenario file")
    return scenario, out, sets


def write_h5(path, sets):
    import h5py
    import numpy as np

    loss = float(sets.get("links.access.loss.rate", "0.1"))
    qos = [int(sets.get("devices.qos0.qos", "0")), int(sets.get("devices.qos1.qos", "1"))]
    sub_qos = int(sets.get("backends.sink.subscribe.0.qos", "1"))
    seed, run = int(sets.get("seed", "1")), int(sets.get("run", "1"))
    rng = np.random.default_rng([seed, run, int(round(loss * 1e6)), qos[1], sub_qos])

    S = lambda n: f"S{n}"  # noqa: E731
    clients = np.array(
        [(b"qos0-0", b"qos0", b"device", b"qos0-0", qos[0], True),
         (b"qos0-1", b"qos0", b"device", b"qos0-1", qos[0], True),
         (b"qos1-0", b"qos1", b"device", b"qos1-0", qos[1], True),
         (b"qos1-1", b"qos1", b"device", b"qos1-1", qos[1], True),
         (b"sink-0", b"sink", b"backend", b"n0", 0, False)],
        dtype=[("name", S(64)), ("group", S(32)), ("role", S(16)), ("node", S(64)),
               ("qos", "u1"), ("publishes", "?")])
    topics = np.array([(f"star/qos{g}/{i}".encode(),) for g in (0, 1) for i in (0, 1)],
                      dtype=[("name", S(256))])
    links = np.array([(b"access-0", b"access", b"p2p", b"qos0-0", b"n1", 1000000, 0.02, loss)],
                     dtype=[("name", S(64)), ("class", S(32)), ("type", S(16)), ("a", S(64)),
                            ("b", S(64)), ("rate_bps", "u8"), ("delay", "f8"),
                            ("mean_loss", "f8")])
    pubs, dels = [], []
    for c in range(4):
        q = qos[c // 2]
        for seq in range(20):
            t = 1.0 + seq * 0.5 + c * 0.01
            pubs.append((t, c, seq, c, q, False, 64))
            dq = min(q, sub_qos)
            tries = 1
            if dq == 0:
                if rng.random() < loss:
                    continue
            else:
                while rng.random() < loss:
                    tries += 1
            latency = 0.045 + (tries - 1) * 1.0 + rng.exponential(0.005)
            dels.append((t + latency, t, latency, 4, c, seq, c, dq, q, False, False, False))
            if dq == 1 and tries > 1 and rng.random() < 0.5:
                dels.append((t + latency + 0.5, t, latency + 0.5, 4, c, seq, c, dq, q, True, True,
                             False))
    publishes = np.array(pubs, dtype=[("time", "f8"), ("client", "u4"), ("sequence", "u8"),
                                      ("topic", "u4"), ("qos", "u1"), ("retain", "?"),
                                      ("payload", "u4")])
    deliveries = np.array(dels, dtype=[("time", "f8"), ("sent", "f8"), ("latency", "f8"),
                                       ("subscriber", "u4"), ("publisher", "u4"),
                                       ("sequence", "u8"), ("topic", "u4"), ("qos", "u1"),
                                       ("publish_qos", "u1"), ("duplicate", "?"),
                                       ("dup_flag", "?"), ("retained", "?")])
    subscriptions = np.array([(0.5, 4, b"star/#", sub_qos, sub_qos)],
                             dtype=[("time", "f8"), ("client", "u4"), ("filter", S(256)),
                                    ("qos", "u1"), ("granted", "u1")])
    empty = {
        "connections": [("time", "f8"), ("client", "u4"), ("side", S(16)), ("event", S(16)),
                        ("reason", S(32)), ("session_present", "?"), ("code", "u1")],
        "drops": [("time", "f8"), ("client", "u4"), ("publisher", "u4"), ("sequence", "u8"),
                  ("qos", "u1"), ("where", S(16)), ("reason", S(32))],
        "broker_stats": [("time", "f8"), ("connections", "u4"), ("sessions", "u4"),
                         ("inflight", "u4"), ("queued", "u4"), ("bytes_in", "u8"),
                         ("bytes_out", "u8"), ("publishes_in", "u8"), ("publishes_out", "u8"),
                         ("retransmissions", "u8"), ("drops", "u8")],
        "link_stats": [("time", "f8"), ("link", "u4"), ("tx_packets", "u8"), ("rx_packets", "u8"),
                       ("tx_bytes", "u8"), ("rx_bytes", "u8"), ("lost_packets", "u8"),
                       ("queue_drops", "u8"), ("queue_depth", "u4"), ("up", "?")],
    }
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = np.uint64(1)
        f.attrs["name"] = "lossy-star"
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["run"] = np.uint64(run)
        f.attrs["duration"] = float(sets.get("duration", "90s").rstrip("s") or 0)
        f.attrs["overrides"] = "\n".join(f"{k}={v}" for k, v in sets.items())
        for name, table in [("clients", clients), ("topics", topics), ("links", links),
                            ("publishes", publishes), ("deliveries", deliveries),
                            ("subscriptions", subscriptions)]:
            f.create_dataset(name, data=table)
        for name, dtype in empty.items():
            f.create_dataset(name, data=np.zeros(0, dtype=dtype))


def print_inputs(scenario, sets):
    import hashlib
    with open(scenario, "rb") as f:
        text = f.read() + "".join(f"\0{k}={v}" for k, v in sorted(sets.items())).encode()
    print("scenario", hashlib.sha256(text).hexdigest())
    if "fake.input" in sets:
        path = sets["fake.input"]
        try:
            with open(path, "rb") as f:
                print("file", hashlib.sha256(f.read()).hexdigest(), path)
        except OSError:
            print("file unreadable", path)
    return 0


def main():
    scenario, out, sets = parse(sys.argv[1:])
    if out == "":
        return print_inputs(scenario, sets)
    run_id = os.path.basename(os.path.normpath(out))
    if "fake.calls" in sets:
        with open(sets["fake.calls"], "a") as f:
            f.write(f"{run_id} {os.getpid()}\n")
    action = "ok"
    control = sets.get("fake.control")
    if control and os.path.exists(control):
        with open(control) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] == run_id:
                    action = parts[1]
    print(f"fake-runner: {run_id}: {scenario} with {len(sets)} overrides, action {action}",
          flush=True)
    time.sleep(float(sets.get("fake.sleep", "0")))
    os.makedirs(out, exist_ok=True)
    results = os.path.join(out, "results.h5")
    if action == "fail":
        print("fake-runner: failing as told", file=sys.stderr)
        return 3
    if action == "hang":
        while True:
            time.sleep(1)
    if action == "noresults":
        return 0
    if action == "crash":
        with open(results, "w") as f:
            f.write("half a fi")
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGSEGV)
    if sets.get("fake.format", "h5") == "text":
        with open(results, "w") as f:
            f.write("".join(f"{k}={v}\n" for k, v in sorted(sets.items())))
    else:
        write_h5(results, sets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
