#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "capacity-study-STUDY": ./ns3-mqtt capacity's search with the real runner, end to end.

    test-capacity-studies.py PATH/TO/mqtt-sweep PATH/TO/ns3-mqtt-run WORKDIR [STUDY ...]

Studies (default: all):
  link    test/scenario/data/capacity-link.yaml: a 64 kb/s gateway uplink carries about 50
          devices sending a message a second; the knee is found there, the uplink's queue binds.
  broker  scenarios/capacity-broker.yaml shrunk (10 consumers, delivery costs x300): the knee
          near 600 devices, the broker's 2 cores bind.
  quota   test/scenario/data/capacity-link.yaml on AWS IoT Core with a fast uplink and an
          account allowing 20 inbound publishes a second: the knee at 20 devices sending one a
          second, the account quota binds.
  storm   scenarios/reconnect-storm.yaml shrunk (400 devices, connect quota 10/s), with and
          without jitter: analysis/reconnect.py's report; the quota throttles, QoS 1 loses
          nothing.
  resume  capacity-link.yaml naming a calibration file beside it, searched three times into one
          directory: the second search reuses every run; after the calibration's costs
          change, the third redoes every run (the sweep's resumption is keyed on the content
          of the files a scenario names, not only on the scenario).
"""
import math
import os
import re
import shutil
import subprocess
import sys

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILURES = []


def expect(cond, what):
    if not cond:
        FAILURES.append(what)
    return cond


def capacity(sweep, runner, work, name, scenario, vary, *extra):
    """Runs analysis/capacity.py; returns (last line, the runs table) or (None, None)."""
    out = os.path.join(work, name)
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "analysis", "capacity.py"), scenario,
           "--vary", vary, "--out", out, "-j", "2", "--sweep", sweep, "--runner", runner,
           *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if not expect(p.returncode == 0, f"{name}: exit {p.returncode}\n{p.stderr}"):
        return None, None
    for f in ("capacity.csv", "capacity.h5", "capacity.md", "offered-delivered.png",
              "latency-p99.png"):
        expect(os.path.exists(os.path.join(out, f)), f"{name}: {f} missing")
    with h5py.File(os.path.join(out, "capacity.h5"), "r") as f:
        runs = f["runs"][:]
    return p.stdout.strip().splitlines()[-1], runs


def expect_capacity(name, line, binding, low, high):
    """The result line names the field's value in [low, high] and the binding limit."""
    ok = expect(line.startswith("capacity: devices.sensors.count=")
                and line.endswith(f"(binding: {binding})"), f"{name}: {line!r}")
    if ok:
        value = int(line.split("=")[1].split()[0])
        expect(low <= value <= high, f"{name}: capacity {value}, expected {low} to {high}")


def study_link(sweep, runner, work):
    line, runs = capacity(sweep, runner, work, "link",
                          os.path.join(ROOT, "test", "scenario", "data", "capacity-link.yaml"),
                          "devices.sensors.count=5:200", "--drain", "5s")
    if line is None:
        return
    # About 1 kb/s per device on the wire: 64 kb/s carries some 50 devices.
    expect_capacity("link", line, "link queue (uplink)", 40, 60)
    fails = runs[~runs["passed"]]
    expect(len(fails) > 0 and all(b"link queue (uplink)" == x for x in fails["binding"]),
           f"link: bindings of the failing runs {fails['binding']}")
    expect(all(runs["p99"][runs["passed"]] < 0.5), "link: a passing run with p99 >= 500 ms")


def study_quota(sweep, runner, work):
    """capacity-link.yaml with its uplink widened (10 Mb/s: it no longer binds) on the
    aws-iot-core profile (its random deviations off) with account-publish-in-rate 20: 20
    devices at one QoS 1 message a second fit the account's bucket, more are throttled (the
    excess discarded, re-sent after the client's ack timeout: late)."""
    sets = ["links.uplink.rate=10Mbps", "broker.profile=aws-iot-core",
            "broker.overrides.account-publish-in-rate=20",
            "broker.overrides.qos0-duplicate-probability=0",
            "broker.overrides.resend-new-packet-id-probability=0",
            "broker.overrides.reorder-jitter=0s", "broker.overrides.subscription-delay=0s"]
    line, runs = capacity(sweep, runner, work, "quota",
                          os.path.join(ROOT, "test", "scenario", "data", "capacity-link.yaml"),
                          "devices.sensors.count=5:200", *[a for s in sets for a in ("--set", s)])
    if line is None:
        return
    expect_capacity("quota", line, "AWS quota account-publish-in-rate", 17, 20)
    fails = runs[~runs["passed"]]
    expect(len(fails) > 0 and all(b"AWS quota account-publish-in-rate" == x
                                  for x in fails["binding"]),
           f"quota: bindings of the failing runs {fails['binding']}")


# The delivery path's costs of calibrations/mosquitto.yaml times 300 (publish-qos1 9.33us,
# match 0.891us, delivery 4.47us, ack 4.66us): the knee falls at 1/300 of the deliveries a
# second, so a few hundred devices with 10 consumers show what 19,600 with 100 do.
SHRUNK_COSTS = {"publish-qos1": "2.8ms", "match": "267us", "delivery": "1.34ms", "ack": "1.4ms"}


def study_broker(sweep, runner, work):
    """capacity-broker, shrunk: 10 consumers, costs x300, 4 front ends, 8 gateways. Per message
    2.8ms + 10 x 3.0ms = 32.9 ms: 2 cores carry 2 / (0.1/s x 32.9 ms) = 608 devices."""
    sets = ["backends.consumers.count=10", "broker.front-ends.count=4", "topology.fanout=2",
            "topology.depth=3"]
    sets += [f"broker.service.costs.{k}={v}" for k, v in SHRUNK_COSTS.items()]
    line, runs = capacity(sweep, runner, work, "broker",
                          os.path.join(ROOT, "scenarios", "capacity-broker.yaml"),
                          "devices.sensors.count=50:2000", *[a for s in sets for a in ("--set", s)])
    if line is None:
        return
    expect_capacity("broker", line, "broker cores (2)", 500, 700)
    fails = runs[~runs["passed"]]
    expect(all(fails["utilisation"] > 0.9), f"broker: failing runs' utilisation {fails['utilisation']}")
    expect(all(runs["utilisation"][runs["passed"]] < 1.0), "broker: a passing run at 100 %")


def study_storm(sweep, runner, work):
    """reconnect-storm, shrunk to 400 devices on 4 gateways with the connect quota scaled alike
    (500/s for 20,000 devices: 10/s for 400), with and without jitter."""
    scenario = os.path.join(ROOT, "scenarios", "reconnect-storm.yaml")
    sets = ["devices.telemetry.count=300", "devices.status.count=100", "topology.nodes=5",
            "broker.front-ends.count=4", "broker.overrides.account-connect-rate=10"]
    files = []
    for jitter in (0, 1):
        out = os.path.join(work, f"storm-jitter{jitter}")
        shutil.rmtree(out, ignore_errors=True)
        cmd = [runner, scenario, "--out", out, "--progress", "none"]
        for s in sets + [f"devices.telemetry.reconnect.jitter={jitter}",
                         f"devices.status.reconnect.jitter={jitter}"]:
            cmd += ["--set", s]
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if not expect(p.returncode == 0, f"storm: {' '.join(cmd)}: exit {p.returncode}\n{p.stderr}"):
            return
        files.append(os.path.join(out, "results.h5"))
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "analysis", "reconnect.py"),
                        *files, "--out", os.path.join(work, "storm")],
                       capture_output=True, text=True)
    if not expect(p.returncode == 0, f"storm: reconnect.py exit {p.returncode}\n{p.stderr}"):
        return
    lines = [l for l in p.stdout.splitlines() if l.startswith("reconnect ")]
    expect(len(lines) == 2, f"storm: {p.stdout}")
    expect(os.path.exists(os.path.join(work, "storm", "reconnect.md")), "storm: no report")
    parsed = {}
    for line in lines:
        words = line.replace(",", "").split()
        t99 = words[words.index("99%") + 2]
        parsed[words[1].rstrip(":")] = {
            "t99": math.inf if t99 == "not" else float(t99),
            "throttled": int(words[words.index("throttled") + 1]),
            "lost0": int(line.split("qos0=")[1].split()[0]),
            "lost1": int(line.split("qos1=")[1].split(",")[0]), "line": line}
    if not expect(set(parsed) == {"storm-jitter0", "storm-jitter1"}, f"storm: runs {parsed}"):
        return
    for r in parsed.values():
        expect(r["throttled"] > 0, f"storm: the connect quota throttled nothing: {r['line']}")
    j0, j1 = parsed["storm-jitter0"], parsed["storm-jitter1"]
    # With jitter the throttled devices spread their retries and all come back: QoS 1 (persistent
    # sessions) loses nothing. Without, they retry in step and the quota turns most away again.
    expect(j1["t99"] < math.inf and j1["lost1"] == 0, f"storm: with jitter {j1['line']}")
    expect(j0["t99"] > j1["t99"], f"storm: jitter did not help: {j0['line']} / {j1['line']}")
    # The scenario's expected outcome: without jitter QoS 1 messages still wait in the devices
    # at the end (counted lost); QoS 0 loses what was published while cut off, either way.
    expect(j0["lost1"] > 0, f"storm: without jitter every QoS 1 message arrived: {j0['line']}")
    expect(j0["lost0"] > 0 and j1["lost0"] > 0, f"storm: QoS 0 lost nothing: {j0['line']} / "
           f"{j1['line']}")


def results_times(out):
    """{run id: modification time (ns) of its results file} of a capacity search's sweep."""
    runs = os.path.join(out, "sweep", "runs")
    return {r: os.stat(os.path.join(runs, r, "results.h5")).st_mtime_ns
            for r in sorted(os.listdir(runs))
            if os.path.exists(os.path.join(runs, r, "results.h5"))}


def study_resume(sweep, runner, work):
    """A finished run is reused only while the calibration its scenario names is unchanged."""
    inputs = os.path.join(work, "resume-inputs")
    shutil.rmtree(inputs, ignore_errors=True)
    os.makedirs(inputs)
    scenario = os.path.join(inputs, "scenario.yaml")
    calibration = os.path.join(inputs, "calibration.yaml")
    shutil.copy(os.path.join(ROOT, "test", "scenario", "data", "capacity-link.yaml"), scenario)
    shutil.copy(os.path.join(ROOT, "calibrations", "ours.yaml"), calibration)
    out = os.path.join(work, "resume")
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "analysis", "capacity.py"), scenario,
           "--vary", "devices.sensors.count=5:10:2", "--out", out, "-j", "2", "--sweep", sweep,
           "--runner", runner, "--set", "broker.service={calibration: ./calibration.yaml}",
           "--set", "duration=4s", "--drain", "1s", "--warmup", "1s"]

    def search(what):
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        expect(p.returncode == 0, f"resume: {what}: exit {p.returncode}\n{p.stderr}")
        return results_times(out)

    first = search("first search")
    if not expect(len(first) == 2, f"resume: {len(first)} runs, expected 2 (5 and 10)"):
        return
    second = search("second search, nothing changed")
    expect(second == first, f"resume: runs redone with nothing changed: {first} -> {second}")
    with open(calibration) as f:
        text = f.read()
    changed = re.sub(r"\bwrite: [0-9.]+[a-z]*s\b", "write: 123us", text, count=1)
    expect(changed != text, "resume: calibrations/ours.yaml has no write cost to change")
    with open(calibration, "w") as f:
        f.write(changed)
    third = search("third search, the calibration changed")
    expect(sorted(third) == sorted(first) and all(third[r] > first[r] for r in first),
           f"resume: after the calibration changed, not every run was redone: {first} -> {third}")


STUDIES = {"link": study_link, "broker": study_broker, "quota": study_quota,
           "storm": study_storm, "resume": study_resume}


def main():
    sweep, runner, work = sys.argv[1:4]
    names = sys.argv[4:] or list(STUDIES)
    os.makedirs(work, exist_ok=True)
    for name in names:
        STUDIES[name](sweep, runner, work)
    for f in FAILURES:
        print("FAIL:", f)
    print(f"test-capacity-studies: {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
