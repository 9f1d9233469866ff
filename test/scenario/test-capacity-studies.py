#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "capacity-studies": ./ns3-mqtt capacity's search with the real runner, end to end.

    test-capacity-studies.py PATH/TO/mqtt-sweep PATH/TO/ns3-mqtt-run WORKDIR [STUDY ...]

Studies (default: all):
  link    test/scenario/data/capacity-link.yaml: a 64 kb/s gateway uplink carries about 50
          devices sending a message a second; the knee is found there, the uplink's queue binds.
"""
import os
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


def study_link(sweep, runner, work):
    line, runs = capacity(sweep, runner, work, "link",
                          os.path.join(ROOT, "test", "scenario", "data", "capacity-link.yaml"),
                          "devices.sensors.count=5:200", "--drain", "5s")
    if line is None:
        return
    expect(line.startswith("capacity: devices.sensors.count=")
           and line.endswith("(binding: link queue (uplink))"), f"link: {line!r}")
    value = int(line.split("=")[1].split()[0])
    # About 1 kb/s per device on the wire: 64 kb/s carries some 50 devices.
    expect(40 <= value <= 60, f"link: capacity {value}, expected 40 to 60")
    fails = runs[~runs["passed"]]
    expect(len(fails) > 0 and all(b"link queue (uplink)" == x for x in fails["binding"]),
           f"link: bindings of the failing runs {fails['binding']}")
    expect(all(runs["p99"][runs["passed"]] < 0.5), "link: a passing run with p99 >= 500 ms")


STUDIES = {"link": study_link}


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
