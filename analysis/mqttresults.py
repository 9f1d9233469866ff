# SPDX-License-Identifier: GPL-2.0-only
"""Reading ns3-mqtt results files (doc/results.md) and the figures every report needs.

Only h5py and numpy (Debian's python3-h5py, python3-numpy); run with /usr/bin/python3.
"""
import math
import os
from collections import defaultdict

import h5py
import numpy as np

NO_PUBLISHER = 4294967295

# The tables of a results file and their columns, in file order (doc/results.md). The recorder
# declares them in helper/mqtt-results-schema.h; test/scenario/check-schema.py keeps this equal.
TABLES = {
    "clients": ("name", "group", "role", "node", "qos", "publishes", "protocol"),
    "topics": ("name",),
    "links": ("name", "class", "type", "a", "b", "rate_bps", "delay", "mean_loss"),
    "publishes": ("time", "client", "sequence", "topic", "qos", "retain", "payload"),
    "deliveries": ("time", "sent", "latency", "subscriber", "publisher", "sequence", "topic",
                   "qos", "publish_qos", "duplicate", "dup_flag", "retained"),
    "subscriptions": ("time", "client", "filter", "qos", "granted"),
    "connections": ("time", "client", "side", "event", "reason", "session_present", "code",
                    "reason_code"),
    "drops": ("time", "client", "publisher", "sequence", "qos", "where", "reason",
              "reason_code"),
    "broker_stats": ("time", "connections", "sessions", "inflight", "queued", "bytes_in",
                     "bytes_out", "publishes_in", "publishes_out", "retransmissions", "drops"),
    "broker_service": ("time", "cores", "utilisation", "busy_cores", "queued_bytes",
                       "queued_items", "reads_paused", "busy_time", "completed", "publishes",
                       "deliveries", "read_pauses", "peak_queued_bytes"),
    "link_stats": ("time", "link", "tx_packets", "rx_packets", "tx_bytes", "rx_bytes",
                   "lost_packets", "queue_drops", "queue_depth", "up"),
    "device_bytes": ("client", "cause", "layer", "direction", "bytes", "frames"),
    "device_energy": ("client", "radio", "state", "seconds", "joules"),
    "device_battery": ("client", "radio", "joules", "framework_joules", "battery_mah", "volts",
                       "setups"),
    "account_quotas": ("name", "kind", "limit", "peak", "peak_time", "requests", "throttled"),
    "tls_handshakes": ("time", "client", "version", "resumed", "setup", "bytes_sent",
                       "bytes_received", "cpu"),
    "connection_setups": ("time", "client", "tls", "resumed", "tcp", "handshake", "mqtt",
                          "setup", "bytes_sent", "bytes_received"),
}

# The causes and layers of device_bytes, in the order reports list them (doc/device-cost.md).
BYTE_CAUSES = ("publish", "ack", "keepalive", "connect", "subscribe", "disconnect",
               "retransmission", "tcp-ack", "other", "relay", "tls-handshake")
BYTE_LAYERS = ("mqtt", "tcpip", "link", "tls")


def text(value):
    """A fixed-length byte string field (or an attribute) as str."""
    if isinstance(value, bytes):
        return value.rstrip(b"\0").decode("utf-8", "replace")
    if isinstance(value, np.bytes_):
        return bytes(value).rstrip(b"\0").decode("utf-8", "replace")
    return str(value)


def topic_matches(filt, topic):
    """MQTT 3.1.1 section 4.7: does filter `filt` match topic name `topic`?"""
    if topic.startswith("$") and (filt.startswith("#") or filt.startswith("+")):
        return False
    f = filt.split("/")
    t = topic.split("/")
    for i, level in enumerate(f):
        if level == "#":
            return True
        if i >= len(t):
            return False
        if level != "+" and level != t[i]:
            return False
    return len(f) == len(t)


class Results:
    """One results.h5, loaded whole (tables are numpy structured arrays)."""

    def __init__(self, path):
        self.path = path
        with h5py.File(path, "r") as f:
            self.attrs = {k: (text(v) if isinstance(v, (bytes, str, np.bytes_)) else v)
                          for k, v in f.attrs.items()}
            self.tables = {name: f[name][:] for name in f.keys()}
        self.clients = self.tables["clients"]
        self.client_names = [text(n) for n in self.clients["name"]]
        self.client_groups = [text(g) for g in self.clients["group"]]
        self.topics = [text(t) for t in self.tables["topics"]["name"]]
        self.links = self.tables["links"]
        self.link_names = [text(n) for n in self.links["name"]]
        self.link_classes = [text(c) for c in self.links["class"]]

    def __getitem__(self, name):
        return self.tables[name]

    @property
    def name(self):
        return self.attrs.get("name", os.path.basename(os.path.dirname(self.path)) or "run")

    @property
    def duration(self):
        return float(self.attrs.get("duration", 0) or 0)

    def overrides(self):
        """The --set overrides of the run as {path: value}."""
        out = {}
        for line in str(self.attrs.get("overrides", "")).splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                out[key.strip()] = value.strip()
        return out

    def expected_receivers(self):
        """{topic index: {subscriber client index: since}}: who should receive a message on each
        topic, and from when: the time of the subscriber's first granted SUBACK of a matching
        filter. A message published before that had no subscription to reach (MQTT keeps no
        messages for a client that has not subscribed yet), so it is expected at that
        subscriber only if it was delivered anyway (published while the SUBSCRIBE was on its
        way); see expected()."""
        subs = self.tables.get("subscriptions")
        filters = defaultdict(dict)
        if subs is not None:
            for row in subs:
                if row["granted"] != 0x80:
                    f = text(row["filter"])
                    c = int(row["client"])
                    filters[c][f] = min(filters[c].get(f, math.inf), float(row["time"]))
        out = {}
        for index, topic in enumerate(self.topics):
            out[index] = {}
            for c in sorted(filters):
                times = [t for f, t in filters[c].items() if topic_matches(f, topic)]
                if times:
                    out[index][c] = min(times)
        return out

    def expected(self):
        """The set of (subscriber, publisher, sequence) pairs that should have been delivered:
        each published message at every subscriber of a matching filter that had subscribed by
        the time it was published, plus those delivered although published a little earlier."""
        receivers = self.expected_receivers()
        delivered = {(int(d["subscriber"]), int(d["publisher"]), int(d["sequence"]))
                     for d in self.tables["deliveries"]}
        pairs = set()
        for p in self.tables["publishes"]:
            publisher, sequence = int(p["client"]), int(p["sequence"])
            for s, since in receivers.get(int(p["topic"]), {}).items():
                key = (s, publisher, sequence)
                if float(p["time"]) >= since or key in delivered:
                    pairs.add(key)
        return pairs

    def summary(self):
        """Rows per (publish QoS, publisher group): the figures of the report's table.

        sent: messages published; expected: (message, matching subscriber) pairs, from the
        subscriber's first SUBACK on (expected());
        delivered: pairs received at least once; duplicates: receptions beyond the first;
        lost: expected - delivered; latency percentiles over first receptions (s).
        """
        pub = self.tables["publishes"]
        dels = self.tables["deliveries"]
        expected_pairs = self.expected()
        expected_per_message = defaultdict(int)
        for s, publisher, sequence in expected_pairs:
            expected_per_message[(publisher, sequence)] += 1
        groups = self.client_groups
        rows = {}

        def row(qos, group):
            key = (int(qos), group)
            if key not in rows:
                rows[key] = {"qos": int(qos), "group": group, "sent": 0, "expected": 0,
                             "delivered": 0, "duplicates": 0, "latencies": []}
            return rows[key]

        for p in pub:
            r = row(p["qos"], groups[int(p["client"])])
            r["sent"] += 1
            r["expected"] += expected_per_message[(int(p["client"]), int(p["sequence"]))]
        published = {(int(p["client"]), int(p["sequence"])) for p in pub}
        seen = set()
        for d in dels:
            publisher = int(d["publisher"])
            if publisher == NO_PUBLISHER or publisher >= len(groups):
                continue
            key = (int(d["subscriber"]), publisher, int(d["sequence"]))
            r = row(d["publish_qos"], groups[publisher])
            if key in seen or d["duplicate"]:
                r["duplicates"] += 1
                continue
            seen.add(key)
            if key in expected_pairs and (publisher, int(d["sequence"])) in published:
                r["delivered"] += 1
                r["latencies"].append(float(d["latency"]))
        out = []
        for key in sorted(rows):
            r = rows[key]
            lat = np.array(r.pop("latencies"))
            r["lost"] = r["expected"] - r["delivered"]
            r["ratio"] = r["delivered"] / r["expected"] if r["expected"] else float("nan")
            for q in (50, 95, 99):
                r[f"p{q}"] = float(np.percentile(lat, q)) if len(lat) else float("nan")
            r["latencies"] = lat
            out.append(r)
        return out


def device_cost(res):
    """Per device of /device_bytes: what its messages cost on the wire (doc/device-cost.md).

    One dict per device: client, group, bytes {(cause, layer, direction): bytes},
    wire (all bytes sent and received), published, delivered (its messages that reached at
    least one subscriber), payload (bytes of those delivered messages), per_message (wire /
    delivered) and overhead (wire / payload; nan when nothing was delivered); with an energy
    model (/device_battery) also radio, joules, joules_per_message, avg_ma, battery_days.
    """
    table = res.tables.get("device_bytes")
    if table is None or len(table) == 0:
        return []
    pub = res.tables["publishes"]
    sizes = {(int(p["client"]), int(p["sequence"])): int(p["payload"]) for p in pub}
    published = defaultdict(int)
    for p in pub:
        published[int(p["client"])] += 1
    delivered = defaultdict(set)
    for d in res.tables["deliveries"]:
        key = (int(d["publisher"]), int(d["sequence"]))
        if key in sizes:
            delivered[key[0]].add(key[1])
    devices = {}
    for row in table:
        c = int(row["client"])
        dev = devices.setdefault(c, {"client": c, "group": res.client_groups[c], "bytes": {}})
        key = (text(row["cause"]), text(row["layer"]), text(row["direction"]))
        dev["bytes"][key] = dev["bytes"].get(key, 0) + int(row["bytes"])
    battery = {int(b["client"]): b for b in res.tables.get("device_battery", [])}
    out = []
    for c in sorted(devices):
        dev = devices[c]
        add_energy(dev, battery.get(c), res.duration)
        dev["wire"] = sum(dev["bytes"].values())
        dev["published"] = published[c]
        dev["delivered"] = len(delivered[c])
        dev["payload"] = sum(sizes[(c, q)] for q in delivered[c])
        dev["per_message"] = dev["wire"] / dev["delivered"] if dev["delivered"] else math.nan
        dev["overhead"] = dev["wire"] / dev["payload"] if dev["payload"] else math.nan
        dev["joules_per_message"] = (dev["joules"] / dev["delivered"] if dev["delivered"]
                                     else math.nan)
        out.append(dev)
    return out


def _setup_figures(res, rows):
    """(set-up times as an array, bytes_sent + bytes_received summed, messages of the rows'
    clients that reached a subscriber) of rows of tls_handshakes or connection_setups."""
    clients = {int(r["client"]) for r in rows}
    delivered = set()
    for d in res.tables.get("deliveries", []):
        if int(d["publisher"]) in clients:
            delivered.add((int(d["publisher"]), int(d["sequence"])))
    setups = np.array([float(r["setup"]) for r in rows])
    total = sum(int(r["bytes_sent"]) + int(r["bytes_received"]) for r in rows)
    return setups, total, len(delivered)


def tls_setup(res):
    """What TLS connection set-up cost the run's clients (/tls_handshakes, doc/tls-sim.md).

    A dict: handshakes, full, resumed, setup_mean and setup_p99 (s, TCP connected to TLS open),
    bytes (handshake records both ways), cpu (device seconds), delivered (messages of those
    clients that reached a subscriber) and bytes_per_delivered; handshakes 0 (and nan means)
    without TLS.
    """
    table = res.tables.get("tls_handshakes")
    rows = table if table is not None else []
    setups, total, delivered = _setup_figures(res, rows)
    return {
        "handshakes": len(rows),
        "full": sum(1 for r in rows if not r["resumed"]),
        "resumed": sum(1 for r in rows if r["resumed"]),
        "setup_mean": float(setups.mean()) if len(setups) else math.nan,
        "setup_p99": float(np.percentile(setups, 99)) if len(setups) else math.nan,
        "bytes": total,
        "cpu": sum(float(r["cpu"]) for r in rows),
        "delivered": delivered,
        "bytes_per_delivered": total / delivered if delivered else math.nan,
    }


def connection_setup(res):
    """What setting up connections cost the run's devices, with or without TLS
    (/connection_setups, doc/results.md).

    A dict: connections (that reached a CONNACK), setup_mean and setup_p99 (s, opening the
    connection to the CONNACK), seconds (summed over connections), bytes (stream bytes both
    ways until the CONNACKs), delivered (messages of the devices that reached a subscriber),
    bytes_per_delivered and seconds_per_delivered; nan means without rows.
    """
    table = res.tables.get("connection_setups")
    rows = [r for r in (table if table is not None else [])
            if text(res.clients["role"][int(r["client"])]) == "device"]
    setups, total, delivered = _setup_figures(res, rows)
    n = delivered
    return {
        "connections": len(rows),
        "setup_mean": float(setups.mean()) if len(setups) else math.nan,
        "setup_p99": float(np.percentile(setups, 99)) if len(setups) else math.nan,
        "seconds": float(setups.sum()),
        "bytes": total,
        "delivered": n,
        "bytes_per_delivered": total / n if n else math.nan,
        "seconds_per_delivered": float(setups.sum()) / n if n else math.nan,
    }


def add_energy(dev, battery, duration):
    """The energy figures of one device from its /device_battery row (nan without one):
    joules, average current (mA, at the battery's voltage) and battery life (days): the
    battery's energy over the run's average power."""
    nan = math.nan
    dev.update({"joules": nan, "avg_ma": nan, "battery_days": nan, "radio": ""})
    if battery is None or duration <= 0:
        return
    joules = float(battery["joules"])
    volts = float(battery["volts"])
    watts = joules / duration
    dev["radio"] = text(battery["radio"])
    dev["joules"] = joules
    dev["avg_ma"] = watts / volts * 1000 if volts > 0 else nan
    capacity = float(battery["battery_mah"]) * 3.6 * volts  # mAh -> joules
    dev["battery_days"] = capacity / watts / 86400 if watts > 0 else math.inf


def fmt_ms(seconds):
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "-"
    ms = seconds * 1000
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"


def fmt_ratio(r):
    return "-" if isinstance(r, float) and math.isnan(r) else f"{r:.4f}"


def summary_table(rows, markdown=True):
    """The summary as text: Markdown, or aligned columns for a terminal."""
    head = ["QoS", "group", "sent", "expected", "delivered", "ratio", "dup", "lost",
            "p50 ms", "p95 ms", "p99 ms"]
    body = [[str(r["qos"]), r["group"], str(r["sent"]), str(r["expected"]),
             str(r["delivered"]), fmt_ratio(r["ratio"]), str(r["duplicates"]), str(r["lost"]),
             fmt_ms(r["p50"]), fmt_ms(r["p95"]), fmt_ms(r["p99"])] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join("---" if i == 1 else "---:" for i in range(len(head))) + "|"]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(h.rjust(w) if i != 1 else h.ljust(w)
                       for i, (h, w) in enumerate(zip(head, widths)))]
    for b in body:
        lines.append("  ".join(x.rjust(w) if i != 1 else x.ljust(w)
                               for i, (x, w) in enumerate(zip(b, widths))))
    return "\n".join(lines)
