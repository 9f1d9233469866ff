# SPDX-License-Identifier: GPL-2.0-only
"""The measured window of `./ns3-mqtt capacity`'s runs (doc/capacity.md, "The search"): the
warm-up it leaves out, the drain at the end, and the utilisation at which the broker's cores
count as saturated.

A run is judged on the messages published from the end of its warm-up until duration - drain:
the warm-up (devices connecting and their first messages, the load still ramping up) is not the
steady state a capacity is about, and messages published in the drain may still be in flight
when the run ends.
"""
import re

import yaml

from capacity_search import ArgumentError, parse_duration

# Cores this busy over the measured window cannot keep up: the backlog grows for as long as the
# load lasts, so a run that shows them fails whatever its latency over a few seconds says.
SATURATED = 0.99
# Messages this many times the SLO's largest latency bound late count as lost; a run's last
# DRAIN_FACTOR x bound seconds are left out so that none is counted lost only for the run ending.
DRAIN_FACTOR = 4
MIN_DRAIN = 1.0


def default_drain(terms):
    """Seconds of drain for an SLO: DRAIN_FACTOR x its largest latency bound, at least
    MIN_DRAIN (delivery-only SLOs get MIN_DRAIN)."""
    bounds = [t.bound for t in terms if t.metric != "delivery"]
    return max(MIN_DRAIN, DRAIN_FACTOR * max(bounds, default=0.0))


def _latest(spec, where):
    """The latest time a random-time spec (doc/scenarios.md: DURATION, {uniform: [MIN, MAX]},
    {exponential: MEAN}) can give, in seconds; None for an unbounded one."""
    if isinstance(spec, (int, float)) and spec == 0:
        return 0.0
    if isinstance(spec, str):
        return parse_duration(spec, where)
    if isinstance(spec, dict) and "uniform" in spec and isinstance(spec["uniform"], list) \
            and len(spec["uniform"]) == 2:
        return parse_duration(str(spec["uniform"][1]), where)
    return None


def warmup_of(scenario_path, sets):
    """(seconds, how): the warm-up of a scenario, the latest time any device or backend group
    starts (its `start`, with --set KEY=VALUE applied), as `how` explains; 0 when no group has
    a bounded start. Raises ArgumentError naming the file and group for a start it cannot read."""
    with open(scenario_path) as f:
        doc = yaml.safe_load(f) or {}
    starts = {}
    for block in ("devices", "backends"):
        for name, group in (doc.get(block) or {}).items():
            if isinstance(group, dict) and "start" in group:
                starts[f"{block}.{name}.start"] = group["start"]
    for s in sets:
        key, value = s.split("=", 1)
        if re.fullmatch(r"(devices|backends)\.[^.]+\.start", key):
            starts[key] = yaml.safe_load(value)
    latest, which = 0.0, None
    for key, spec in sorted(starts.items()):
        t = _latest(spec, f"{scenario_path}: {key}")
        if t is None:
            raise ArgumentError(f"{scenario_path}: {key}: an unbounded start ({spec}) has no "
                                "end of warm-up: give --warmup DURATION")
        if t > latest:
            latest, which = t, key
    if which is None:
        return 0.0, "no group starts late"
    return latest, f"the latest start, {which}"
