#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "topology-export": every shipped scenario's built network, exported as
topology.graphml by `ns3-mqtt-run --dry-run`, opens in NetworkX with the roles, groups and
link attributes it should have.

    test-topology-export.py PATH/TO/ns3-mqtt-run WORKDIR
"""
import glob
import os
import subprocess
import sys

import networkx as nx
import yaml

from affordable import affordable, front_ends
from expectations import expect, finish  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    runner, work = sys.argv[1], sys.argv[2]
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml"))):
        name = os.path.basename(path)[:-5]
        out = os.path.join(work, name)
        scenario = yaml.safe_load(open(path))
        if "grid" in scenario:
            continue  # a sweep (tls-lossy-cellular.yaml): its base scenario is exported itself
        sets = [a for s in affordable(scenario) for a in ("--set", s)]
        fes = front_ends(scenario)
        p = subprocess.run([runner, path, "--dry-run", "--out", out] + sets, capture_output=True,
                           text=True, cwd=ROOT)
        expect(p.returncode == 0, f"{name}: exit {p.returncode}: {p.stderr}")
        if p.returncode != 0:
            continue
        expect(p.stdout.strip().splitlines()[-1] == out, f"{name}: last stdout line is the dir")
        g = nx.read_graphml(os.path.join(out, "topology.graphml"))
        roles = nx.get_node_attributes(g, "role")
        groups = nx.get_node_attributes(g, "group")
        names = nx.get_node_attributes(g, "name")
        expect(nx.is_connected(g), f"{name}: connected")
        # The broker vertex, and its front ends (VERTEX.feN) if it has several.
        brokers = sorted(names[n] for n, r in roles.items() if r == "broker")
        expect(len(brokers) == (1 if fes == 1 else 1 + fes), f"{name}: brokers {brokers}")
        expect(fes == 1 or all(b.startswith(brokers[0] + ".fe") for b in brokers[1:]),
               f"{name}: front ends {brokers}")
        expect(len(set(names.values())) == g.number_of_nodes(), f"{name}: unique names")
        for group, spec in (scenario.get("devices") or {}).items():
            members = [n for n, grp in groups.items() if grp == group and roles[n] == "device"]
            if spec.get("link"):
                expect(len(members) == spec["count"],
                       f"{name}: {group}: {len(members)} device vertices, want {spec['count']}")
                for n in members:
                    expect(g.degree(n) >= 1, f"{name}: {names[n]} attached")
        for a, b, data in g.edges(data=True):
            expect(data.get("link") in scenario["links"],
                   f"{name}: edge {data.get('name')} has link class {data.get('link')!r}")
    finish("test-topology-export.py")


if __name__ == "__main__":
    main()
