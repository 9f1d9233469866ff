# SPDX-License-Identifier: GPL-2.0-only
"""The scale studies at a size a test can afford: shared by the scenario test scripts."""

MAX_CLIENTS = 1000
MAX_FRONT_ENDS = 10


def affordable(scenario):
    """--set overrides (PATH=VALUE) that cap every group at MAX_CLIENTS clients and the broker at
    MAX_FRONT_ENDS front ends; @p scenario (the parsed YAML) is changed to match."""
    sets = []
    for section in ("devices", "backends"):
        for group, spec in (scenario.get(section) or {}).items():
            if int(spec.get("count", 1)) > MAX_CLIENTS:
                spec["count"] = MAX_CLIENTS
                sets.append(f"{section}.{group}.count={MAX_CLIENTS}")
    broker = scenario.get("broker") or {}
    fe = broker.get("front-ends", 1)
    if int(fe["count"] if isinstance(fe, dict) else fe) > MAX_FRONT_ENDS:
        if isinstance(fe, dict):
            fe["count"] = MAX_FRONT_ENDS
            sets.append(f"broker.front-ends.count={MAX_FRONT_ENDS}")
        else:
            broker["front-ends"] = MAX_FRONT_ENDS
            sets.append(f"broker.front-ends={MAX_FRONT_ENDS}")
    return sets


def front_ends(scenario):
    """The broker's front-end count (1: the broker vertex alone)."""
    fe = (scenario.get("broker") or {}).get("front-ends", 1)
    return int(fe["count"] if isinstance(fe, dict) else fe)
