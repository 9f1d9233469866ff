#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Monthly cost of a run's workload: AWS IoT Core (connectivity and metered messages) and a
self-hosted broker (an instance with the broker's cores), from the prices in pricing.yaml.

    /usr/bin/python3 analysis/cost.py results/default/results.h5 [--pricing FILE]

The simulated window is extrapolated to a 30-day month: connection-minutes and metered
messages are scaled by (30 days / window). doc/capacity.md "Account quotas and cost" has the
rules; the prices, their Region and date are in analysis/pricing.yaml.
"""
import argparse
import math
import os
import sys
from collections import defaultdict

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mqttresults import Results, text  # noqa: E402

MONTH_SECONDS = 30 * 24 * 3600
DEFAULT_PRICING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pricing.yaml")


def load_pricing(path=None):
    """The prices as a dict (pricing.yaml's layout)."""
    with open(path or DEFAULT_PRICING) as f:
        return yaml.safe_load(f)


def metered(size, increment):
    """Messages AWS meters for one MQTT message of `size` bytes: whole increments, at least 1."""
    return max(1, math.ceil(size / increment))


def tiered_cost(messages, tiers):
    """USD for `messages` metered messages in a month over the volume tiers (in order)."""
    cost, below = 0.0, 0
    for tier in tiers:
        top = tier["up-to"]
        in_tier = (messages if top is None else min(messages, top)) - below
        if in_tier <= 0:
            break
        cost += in_tier / 1e6 * tier["usd-per-million"]
        if top is None:
            break
        below = top
    return cost


def instance_for(cores, pricing):
    """The cheapest instance of pricing.yaml's self-hosted list with at least `cores` vCPUs."""
    fits = [i for i in pricing["self-hosted"]["instances"] if i["vcpus"] >= cores]
    if not fits:
        raise ValueError(f"no instance in the pricing file has {cores} vCPUs")
    return min(fits, key=lambda i: i["usd-per-hour"])


def window_seconds(res):
    """The simulated window: the run's duration, or the latest time recorded."""
    if res.duration > 0:
        return res.duration
    latest = 0.0
    for name in ("publishes", "deliveries", "connections"):
        rows = res.tables.get(name)
        if rows is not None and len(rows):
            latest = max(latest, float(rows["time"].max()))
    return latest


def connected_seconds(res, window):
    """Seconds clients were connected in the window, summed over clients: from a CONNACK 0
    ("session") to the next "closed" of that client (or the end of the window). Both sides'
    rows are read as one timeline per client (the first of them starts or ends a connection),
    so a file with only one side's rows of some events still counts."""
    c = res.tables.get("connections")
    if c is None or len(c) == 0:
        return 0.0
    since = {}
    total = 0.0
    for i in sorted(range(len(c)), key=lambda i: float(c["time"][i])):
        client, event, t = int(c["client"][i]), text(c["event"][i]), float(c["time"][i])
        if event == "session" and client not in since:
            since[client] = t
        elif event == "closed" and client in since:
            total += t - since.pop(client)
    return total + sum(window - t for t in since.values())


def metered_messages(res, increment):
    """Metered messages in the window by kind, as AWS counts them (pricing.yaml): PUBLISH in and
    out (payload + topic bytes), PUBACK from subscribers (QoS 1 deliveries; one message each in
    MQTT 3.1.1), CONNECT (one each: the run's CONNECTs are far below 5 KB), SUBSCRIBE (topic
    filter bytes per SUBSCRIBE, rebuilt from filters granted at the same time to one client)."""
    topics = res.topics
    pub = res.tables.get("publishes")
    units = {}
    counts = defaultdict(int)
    if pub is not None:
        for p in pub:
            size = int(p["payload"]) + len(topics[int(p["topic"])].encode())
            u = metered(size, increment)
            units[(int(p["client"]), int(p["sequence"]))] = u
            counts["publish-in"] += u
    dels = res.tables.get("deliveries")
    if dels is not None:
        for d in dels:
            counts["publish-out"] += units.get((int(d["publisher"]), int(d["sequence"])), 1)
            counts["puback-in"] += 1 if int(d["qos"]) == 1 else 0
    c = res.tables.get("connections")
    if c is not None:
        for side, event in zip(c["side"], c["event"]):
            if text(side) == "client" and text(event) in ("session", "refused"):
                counts["connect"] += 1
    subs = res.tables.get("subscriptions")
    if subs is not None:
        packets = defaultdict(int)
        for s in subs:
            packets[(int(s["client"]), float(s["time"]))] += len(text(s["filter"]).encode())
        counts["subscribe"] = sum(metered(size, increment) for size in packets.values())
    return dict(counts)


def broker_cores(res, pricing):
    """The broker's cores: broker_service's `cores` column or the `service_cores` attribute
    (the service model), else pricing.yaml's default."""
    service = res.tables.get("broker_service")
    if service is not None and len(service) and "cores" in service.dtype.names:
        return int(service["cores"].max())
    if res.attrs.get("service_cores"):
        return int(res.attrs["service_cores"])
    return int(pricing["self-hosted"]["default-cores"])


def monthly_cost(res, pricing):
    """The month's figures: usage in the window, its 30-day extrapolation and the costs."""
    aws = pricing["aws-iot-core"]
    window = window_seconds(res)
    scale = MONTH_SECONDS / window if window > 0 else 0.0
    kinds = metered_messages(res, aws["messaging"]["increment-bytes"])
    messages = sum(kinds.values())
    conn_minutes = connected_seconds(res, window) / 60.0
    month_messages = messages * scale
    month_minutes = conn_minutes * scale
    connectivity = month_minutes / 1e6 * aws["connectivity"]["usd-per-million-connection-minutes"]
    messaging = tiered_cost(month_messages, aws["messaging"]["tiers"])
    cores = broker_cores(res, pricing)
    instance = instance_for(cores, pricing)
    self_hosted = instance["usd-per-hour"] * MONTH_SECONDS / 3600.0
    return {"window_s": window, "scale": scale, "metered": kinds, "messages": messages,
            "connection_minutes": conn_minutes, "month_messages": month_messages,
            "month_connection_minutes": month_minutes, "aws_connectivity": connectivity,
            "aws_messaging": messaging, "aws_total": connectivity + messaging,
            "aws_region": aws["region"], "aws_prices_read": aws["prices-read"],
            "cores": cores, "instance": instance["name"], "self_hosted": self_hosted,
            "self_hosted_region": pricing["self-hosted"]["region"]}


def describe(m):
    """The estimate as lines of text (Markdown list items)."""
    return [
        f"- window {m['window_s']:g} s, extrapolated x{m['scale']:.1f} to 30 days",
        f"- AWS IoT Core ({m['aws_region']}, prices of {m['aws_prices_read']}): "
        f"{m['aws_total']:.2f} USD/month = connectivity {m['aws_connectivity']:.2f} "
        f"({m['month_connection_minutes']:.4g} connection-minutes) + messaging "
        f"{m['aws_messaging']:.2f} ({m['month_messages']:.4g} metered messages)",
        "- metered in the window: "
        + ", ".join(f"{k} {v}" for k, v in sorted(m["metered"].items())),
        f"- self-hosted ({m['self_hosted_region']}): {m['self_hosted']:.2f} USD/month, "
        f"{m['instance']} for {m['cores']} core(s) all month",
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results.h5 of a run")
    ap.add_argument("--pricing", help="pricing file (default: analysis/pricing.yaml)")
    args = ap.parse_args(argv)
    m = monthly_cost(Results(args.results), load_pricing(args.pricing))
    print("\n".join(describe(m)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
