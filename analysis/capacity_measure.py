# SPDX-License-Identifier: GPL-2.0-only
"""The figures `./ns3-mqtt capacity` takes from one run's results (doc/capacity.md): offered and
delivered rates, latency percentiles and delivery ratio per publisher group, utilisation of the
broker's cores, and the indicators of each limit that can bind (doc/results.md tables).

Vectorised with numpy: a run of 100,000 devices has millions of rows.
"""
import math

import numpy as np

from mqttresults import NO_PUBLISHER, text

# A broker whose cores are this busy (mean over the measured window) is saturated.
CORES_BUSY = 0.9


def _pct(lat, q):
    return float(np.percentile(lat, q)) if len(lat) else math.nan


def window_of(res, drain, warmup=0.0):
    """(start, end) of the measured window: messages published from the end of the warm-up
    until duration - drain (later ones may still be in flight when the run ends)."""
    end = max(res.duration - drain, 1e-9)
    return min(max(warmup, 0.0), end - 1e-9), end


def figures(res, drain, by="group", warmup=0.0):
    """{(group or 'all', metric): value} plus rates, for messages published in the measured
    window (window_of: after the warm-up, before duration - drain). by="qos" groups by the
    publish QoS instead ("qos0", "qos1", "qos2").

    expected: (message, matching subscriber) pairs (Results.expected(): from the subscriber's
    first SUBACK on); delivered: pairs received at least once;
    delivery = delivered / expected; p50 ... max over first receptions (s)."""
    start, end = window_of(res, drain, warmup)
    window = end - start
    pub = res["publishes"]
    pub = pub[(pub["time"] >= start) & (pub["time"] < end)]
    dels = res["deliveries"]
    groups = np.array(res.client_groups + [""], dtype=object)
    # The rule of Results.expected(), vectorised: a message is expected at each matching
    # subscriber that had subscribed when it was published, or that received it anyway.
    receivers = res.expected_receivers()
    pairs = sorted((t * (1 << 32) + s, since) for t, subs in receivers.items()
                   for s, since in subs.items())
    pair_keys = np.array([k for k, _ in pairs], dtype=np.int64)
    pair_since = np.array([v for _, v in pairs], dtype=np.float64)
    since_by_topic = {t: np.sort(np.array(list(subs.values()), dtype=np.float64))
                      for t, subs in receivers.items() if subs}

    pub_client = pub["client"].astype(np.int64)
    pub_keys = pub_client * (1 << 32) + pub["sequence"].astype(np.int64)
    pub_topic = pub["topic"].astype(np.int64)
    expected_per_pub = np.zeros(len(pub), np.int64)
    for t in np.unique(pub_topic):
        since = since_by_topic.get(int(t))
        if since is not None:
            m = pub_topic == t
            expected_per_pub[m] = np.searchsorted(since, pub["time"][m], side="right")

    d = dels[(~dels["duplicate"]) & (dels["publisher"] != NO_PUBLISHER)]
    d_pub = d["publisher"].astype(np.int64)
    d_keys = d_pub * (1 << 32) + d["sequence"].astype(np.int64)
    d_pairs = d["topic"].astype(np.int64) * (1 << 32) + d["subscriber"].astype(np.int64)
    valid = np.isin(d_keys, pub_keys) & np.isin(d_pairs, pair_keys)
    d, d_pub, d_keys = d[valid], d_pub[valid], d_keys[valid]
    # One delivery per (subscriber, message), in case a duplicate escaped the flag.
    triple = np.stack([d["subscriber"].astype(np.int64), d_keys], axis=1) if len(d) else \
        np.zeros((0, 2), np.int64)
    _, first = np.unique(triple, axis=0, return_index=True)
    d, d_pub = d[np.sort(first)], d_pub[np.sort(first)]
    # Delivered although published before the subscriber's SUBACK: expected after all.
    d_pairs = d["topic"].astype(np.int64) * (1 << 32) + d["subscriber"].astype(np.int64)
    early = d["sent"] < pair_since[np.searchsorted(pair_keys, d_pairs)] if len(d) else \
        np.zeros(0, bool)

    out = {}
    if by == "qos":
        pub_group = np.array([f"qos{q}" for q in pub["qos"].tolist()], dtype=object)
        del_group = np.array([f"qos{q}" for q in d["publish_qos"].tolist()], dtype=object)
    else:
        pub_group = groups[np.minimum(pub_client, len(groups) - 1)]
        del_group = groups[np.minimum(d_pub, len(groups) - 1)]
    names = sorted(set(pub_group.tolist()))
    for g in ["all"] + names:
        pm = np.ones(len(pub), bool) if g == "all" else pub_group == g
        dm = np.ones(len(d), bool) if g == "all" else del_group == g
        expected = int(expected_per_pub[pm].sum()) + int(early[dm].sum())
        delivered = int(dm.sum())
        lat = d["latency"][dm]
        out[(g, "published")] = int(pm.sum())
        out[(g, "expected")] = expected
        out[(g, "delivered")] = delivered
        out[(g, "delivery")] = delivered / expected if expected else math.nan
        for m, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("max", 100)):
            out[(g, m)] = _pct(lat, q)
    out[("all", "window")] = window
    out[("all", "offered_rate")] = out[("all", "expected")] / window
    out[("all", "delivered_rate")] = out[("all", "delivered")] / window
    out[("all", "publish_rate")] = out[("all", "published")] / window
    out[("all", "utilisation")] = broker_utilisation(res, end, start)
    return out


def _rows(res, table):
    return res.tables.get(table) if table in res.tables else None


def _column(rows, *names):
    for n in names:
        if rows is not None and n in rows.dtype.names:
            return n
    return None


def broker_utilisation(res, end, start=0.0):
    """Utilisation (0..1) of the broker's cores from start to end, from the service model's
    samples (broker_service: cumulative busy_time over cores x time, taken at the samples
    nearest inside [start, end]); nan when the run has no service model."""
    rows = _rows(res, "broker_service")
    if rows is None or len(rows) == 0:
        return math.nan
    sel = rows[rows["time"] <= end + 1e-9]
    last = sel[-1] if len(sel) else rows[-1]
    if "busy_time" in rows.dtype.names:
        before = sel[sel["time"] <= start + 1e-9] if start > 0 else sel[:0]
        t0, busy0 = (float(before[-1]["time"]), float(before[-1]["busy_time"])) if len(before) \
            else (0.0, 0.0)
        span = (float(last["time"]) - t0) * float(last["cores"])
        return (float(last["busy_time"]) - busy0) / span if span > 0 else math.nan
    col = _column(rows, "utilisation", "utilization")
    return float(np.mean(sel[col] if len(sel) else rows[col])) if col else math.nan


def _last_per(rows, key, value):
    """{key: the value of its last row} (cumulative counters: the run's total)."""
    out = {}
    for k, v in zip(rows[key].tolist(), rows[value].tolist()):
        out[k] = v
    return out


# The DropTail queue of a p2p or CSMA link class when the scenario gives none (doc/scenarios.md).
DEFAULT_QUEUE = 100


def queue_sizes(res):
    """{link class: queue size in packets} of the wired classes, from the effective scenario."""
    import yaml
    try:
        scenario = yaml.safe_load(str(res.attrs.get("scenario", ""))) or {}
    except yaml.YAMLError:
        return {}
    out = {}
    for cls, spec in (scenario.get("links") or {}).items():
        if isinstance(spec, dict) and spec.get("type", "p2p") in ("p2p", "csma"):
            try:
                out[str(cls)] = int(spec.get("queue", DEFAULT_QUEUE))
            except (TypeError, ValueError):
                pass
    return out


def indicators(res, drain, warmup=0.0):
    """{limit name: (kind, magnitude)} of the limits active in this run (magnitude > 0), kinds
    as capacity_search.PRECEDENCE names them; utilisation over the measured window."""
    start, window = window_of(res, drain, warmup)
    pub = res["publishes"]
    published = max(1, int((pub["time"] < window).sum()))
    out = {}

    # AWS account quotas (account_quotas, one row per quota): anything throttled.
    quotas = _rows(res, "account_quotas")
    if quotas is not None and len(quotas) and "throttled" in quotas.dtype.names:
        names = quotas["name"] if "name" in quotas.dtype.names else quotas["quota"]
        for name, throttled in zip(names, quotas["throttled"]):
            if throttled > 0:
                out[f"AWS quota {text(name)}"] = ("quota", float(throttled) / published)
    # Per-connection quotas of a profile (publish rate ...): Throttled drops or closes.
    drops = _rows(res, "drops")
    conns = _rows(res, "connections")
    throttled = 0
    if drops is not None and len(drops):
        throttled += int(np.sum([text(r) == "Throttled" for r in drops["reason"]]))
    if conns is not None and len(conns):
        throttled += int(np.sum([text(r) == "Throttled" for r in conns["reason"]]))
    if throttled and not any(k == "quota" for k, _ in out.values()):
        out["throttled by the broker profile"] = ("quota", throttled / published)

    # Broker cores: the service model's utilisation, or its input over the limit (the broker
    # stopped reading: the cores could not keep up).
    util = broker_utilisation(res, window, start)
    svc = _rows(res, "broker_service")
    paused = svc is not None and len(svc) and "reads_paused" in svc.dtype.names and \
        bool(np.any(svc["reads_paused"][(svc["time"] >= start) & (svc["time"] <= window + 1e-9)]))
    if not math.isnan(util) and (util >= CORES_BUSY or paused):
        cores = ""
        col = _column(svc, "cores")
        if col:
            cores = f" ({int(np.max(svc[col]))})"
        out[f"broker cores{cores}"] = ("cores", util + (1.0 if paused else 0.0))

    # Link queues, by link class: drops of a full DropTail queue, or a queue that filled up
    # (TCP backs off before it drops, so a saturated link may drop nothing).
    ls = _rows(res, "link_stats")
    if ls is not None and len(ls):
        sizes = queue_sizes(res)
        by_class = {}
        for link in np.unique(ls["link"]).tolist():
            rows = ls[ls["link"] == link]
            cls = res.link_classes[link] if link < len(res.link_classes) else str(link)
            n_drops = int(rows["queue_drops"][-1])
            size = sizes.get(cls)
            full = size is not None and size > 0 and rows["queue_depth"].max() >= 0.9 * size
            if n_drops > 0 or full:
                fill = float(np.mean(rows["queue_depth"])) / size if size else 0.0
                by_class[cls] = by_class.get(cls, 0.0) + n_drops / published + fill
        for cls, magnitude in by_class.items():
            out[f"link queue ({cls})"] = ("link-queue", magnitude)

    # Queue bounds: messages dropped because a queue was full.
    if drops is not None and len(drops):
        where = np.array([text(w) for w in drops["where"]])
        reason = np.array([text(r) for r in drops["reason"]])
        full = reason == "QueueFull"
        n_broker, n_client = int(np.sum(full & (where == "broker"))), int(np.sum(full & (where == "client")))
        if n_broker:
            out["broker queue bound (max-queued-messages)"] = ("broker-queue", n_broker / published)
        if n_client:
            out["client queue bound (publisher's queue)"] = ("client-queue", n_client / published)

    # The in-flight window: messages waiting in sessions whose clients are all connected
    # (connections >= sessions) for a free slot of max-inflight-out; counted when on average at
    # least one is waiting (a message queued for an instant is not a bound).
    bs = _rows(res, "broker_stats")
    if bs is not None and len(bs):
        online = bs[bs["connections"] >= bs["sessions"]]
        mean = float(np.mean(online["queued"])) if len(online) else 0.0
        if mean >= 1.0:
            out["in-flight window (max-inflight-out)"] = ("inflight", mean)
    return out
