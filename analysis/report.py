#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Report of one ns3-mqtt run: PNG plots and a Markdown summary.

    /usr/bin/python3 analysis/report.py results/default/results.h5 [--out DIR]

Writes into DIR (default: the results file's directory):
  report.md            summary table per QoS and device group, run facts, capacity and cost
                       (cores, the nearest account quota, the monthly cost), the plots
  delivery-ratio.png   delivery ratio per QoS and group
  latency-cdf.png      end-to-end latency CDF per QoS and group
  timeline.png         messages published and delivered per second, link outages shaded
  broker.png           broker connections and sessions, queue depth and in-flight over time
  link-loss.png        packet loss per link (measured and configured)
  device-bytes.png     wire bytes per delivered message by cause, per device group
  battery-life.png     battery life and energy per message per device group (energy models)
Schema of the input: doc/results.md.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import devicecost  # noqa: E402
from cost import describe, load_pricing, monthly_cost  # noqa: E402
from mqttresults import (Results, connection_setup, fmt_ms, summary_table, text,  # noqa: E402
                         tls_setup)

QOS_COLORS = {0: "#4c72b0", 1: "#dd8452", 2: "#55a868"}


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return name


def plot_delivery(rows, out):
    fig, ax = plt.subplots(figsize=(max(5, 1.1 * len(rows) + 2), 4))
    labels = [f"{r['group']}\nQoS {r['qos']}" for r in rows]
    ratios = [0 if np.isnan(r["ratio"]) else r["ratio"] for r in rows]
    bars = ax.bar(range(len(rows)), ratios, color=[QOS_COLORS.get(r["qos"], "grey") for r in rows])
    for b, r in zip(bars, rows):
        label = "-" if np.isnan(r["ratio"]) else f"{r['ratio']:.3f}"
        ax.text(b.get_x() + b.get_width() / 2, b.get_height() + 0.01, label, ha="center",
                fontsize=8)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("delivery ratio")
    ax.set_title("Delivered / expected (message, subscriber) pairs")
    ax.grid(axis="y", alpha=0.3)
    return save(fig, out, "delivery-ratio.png")


def plot_latency(rows, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = ["-", "--", ":", "-."]
    drawn = False
    for i, r in enumerate(rows):
        lat = np.sort(r["latencies"])
        if len(lat) == 0:
            continue
        y = np.arange(1, len(lat) + 1) / len(lat)
        ax.step(lat * 1000, y, where="post", color=QOS_COLORS.get(r["qos"], "grey"),
                linestyle=styles[i % len(styles)],
                label=f"{r['group']} QoS {r['qos']} (n={len(lat)})")
        drawn = True
    if drawn:
        ax.set_xscale("log")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("end-to-end latency (ms, log scale)")
    ax.set_ylabel("fraction of deliveries")
    ax.set_title("Latency CDF (first reception of each message)")
    ax.grid(alpha=0.3, which="both")
    return save(fig, out, "latency-cdf.png")


def per_link(ls):
    """(link, its link_stats rows in time order) for every link: one sort, not a scan of the
    whole table per link (100,000 links times a million rows would take hours)."""
    s = ls[np.lexsort((ls["time"], ls["link"]))]
    links, starts = np.unique(s["link"], return_index=True)
    ends = np.append(starts[1:], len(s))
    for link, a, b in zip(links, starts, ends):
        yield link, s[a:b]


def outages(res):
    """[(start, end, link name)] where link_stats says the link was down."""
    ls = res["link_stats"]
    spans = []
    if len(ls) == 0:
        return spans
    for link, rows in per_link(ls):
        if rows["up"].all():
            continue
        start = None
        for t, up in zip(rows["time"], rows["up"]):
            if not up and start is None:
                start = t
            elif up and start is not None:
                spans.append((start, t, res.link_names[int(link)]))
                start = None
        if start is not None:
            spans.append((start, rows["time"][-1], res.link_names[int(link)]))
    return spans


def shade(ax, spans):
    for i, (a, b, name) in enumerate(spans):
        ax.axvspan(a, b, color="red", alpha=0.12, label=f"{name} down" if i < 3 else None)


def plot_timeline(res, out):
    end = max(res.duration, 1.0)
    bins = np.arange(0, end + 1, 1.0)
    fig, ax = plt.subplots(figsize=(8, 4))
    pub = res["publishes"]
    dels = res["deliveries"]
    for qos in sorted(set(pub["qos"].tolist()) | set(dels["publish_qos"].tolist())):
        p = pub["time"][pub["qos"] == qos]
        d = dels["time"][(dels["publish_qos"] == qos) & ~dels["duplicate"]]
        c = QOS_COLORS.get(int(qos), "grey")
        ax.plot(bins[:-1], np.histogram(p, bins)[0], color=c, linestyle="--", linewidth=1,
                label=f"published QoS {qos}")
        ax.plot(bins[:-1], np.histogram(d, bins)[0], color=c, linewidth=1.5,
                label=f"delivered QoS {qos}")
    shade(ax, outages(res))
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("messages per second")
    ax.set_title("Published and delivered messages")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    return save(fig, out, "timeline.png")


def plot_broker(res, out):
    b = res["broker_stats"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    spans = outages(res)
    if len(b):
        top.plot(b["time"], b["connections"], label="connections")
        top.plot(b["time"], b["sessions"], label="sessions", linestyle="--")
        bottom.plot(b["time"], b["queued"], label="queued messages (queue depth)")
        bottom.plot(b["time"], b["inflight"], label="in flight")
    shade(top, spans)
    shade(bottom, spans)
    top.set_ylabel("count")
    top.set_title("Broker")
    top.legend(fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_ylabel("messages")
    bottom.set_xlabel("simulated time (s)")
    bottom.legend(fontsize=8)
    bottom.grid(alpha=0.3)
    return save(fig, out, "broker.png")


def link_losses(res):
    """[(name, class, measured loss, configured mean loss, packets)] from the last sample."""
    ls = res["link_stats"]
    out = []
    if len(ls) == 0:
        return out
    for link, rows in per_link(ls):
        last = rows[-1]
        arrived = int(last["rx_packets"]) + int(last["lost_packets"])
        measured = last["lost_packets"] / arrived if arrived else 0.0
        i = int(link)
        out.append((res.link_names[i], res.link_classes[i], measured,
                    float(res.links["mean_loss"][i]), arrived))
    return out


def plot_links(res, out, top=20):
    losses = link_losses(res)
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    classes = sorted({c for _, c, _, _, _ in losses})
    color = {c: palette[i % len(palette)] for i, c in enumerate(classes)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, max(3.5, 0.28 * min(top, len(losses)) + 1.5)),
                                      gridspec_kw={"width_ratios": [1, 1.6]})
    # Per class: all packets lost over all packets that arrived, against the configured mean.
    per = []
    for c in classes:
        lost = sum(m * n for _, k, m, _, n in losses if k == c)
        arrived = sum(n for _, k, _, _, n in losses if k == c)
        conf = [e for _, k, _, e, _ in losses if k == c]
        per.append((c, lost / arrived if arrived else 0.0, float(np.mean(conf)) if conf else 0.0))
    y = np.arange(len(per))
    left.barh(y, [m * 100 for _, m, _ in per], color=[color[c] for c, _, _ in per])
    left.scatter([e * 100 for _, _, e in per], y, marker="|", s=200, color="black", zorder=3,
                 label="configured mean loss")
    left.set_yticks(y)
    left.set_yticklabels([c for c, _, _ in per], fontsize=8)
    left.invert_yaxis()
    left.set_xlabel("packets lost at receivers (%)")
    left.set_title("Loss per link class")
    left.legend(fontsize=7, loc="lower right")
    left.grid(axis="x", alpha=0.3)
    # The worst single links.
    shown = sorted(losses, key=lambda x: (-x[2], x[0]))[:top]
    y = np.arange(len(shown))
    right.barh(y, [m * 100 for _, _, m, _, _ in shown], color=[color[c] for _, c, _, _, _ in shown])
    right.scatter([e * 100 for _, _, _, e, _ in shown], y, marker="|", s=150, color="black",
                  zorder=3)
    right.set_yticks(y)
    right.set_yticklabels([n for n, _, _, _, _ in shown], fontsize=7)
    right.invert_yaxis()
    right.set_xlabel("packets lost at receivers (%)")
    right.set_title(f"Worst {len(shown)} of {len(losses)} links")
    right.grid(axis="x", alpha=0.3)
    return save(fig, out, "link-loss.png")


def connection_summary(res):
    c = res["connections"]
    lines = []
    if len(c) == 0:
        return lines
    events = {}
    for side, event, reason in zip(c["side"], c["event"], c["reason"]):
        key = (text(side), text(event), text(reason))
        events[key] = events.get(key, 0) + 1
    lines.append("| side | event | reason | count |")
    lines.append("|---|---|---|---:|")
    for (side, event, reason), n in sorted(events.items()):
        lines.append(f"| {side} | {event} | {reason or '-'} | {n} |")
    return lines


def tls_lines(res):
    """The "Connection set-up" section: every run's devices (opening to CONNACK, stream bytes),
    and the TLS handshakes of a run with simulated TLS (doc/tls-sim.md)."""
    c = connection_setup(res)
    t = tls_setup(res)
    if c["connections"] == 0 and t["handshakes"] == 0:
        return []
    lines = ["## Connection set-up", ""]
    if c["connections"]:
        lines += [f"- device connections set up: {c['connections']}, "
                  f"{'with' if t['handshakes'] else 'without'} TLS",
                  f"- set-up time, opening to CONNACK: mean {fmt_ms(c['setup_mean'])} ms, "
                  f"p99 {fmt_ms(c['setup_p99'])} ms; "
                  f"{fmt_ms(c['seconds_per_delivered'])} ms per delivered message",
                  f"- set-up bytes (stream, both ways, until the CONNACK): {c['bytes']} in all, "
                  f"{c['bytes_per_delivered']:.1f} per delivered message "
                  f"({c['delivered']} delivered)"]
    if t["handshakes"] == 0:
        return lines + [""]
    return lines + [
        f"- TLS handshakes: {t['handshakes']} ({t['full']} full, {t['resumed']} resumed)",
        f"- TLS set-up time, TCP connected to TLS open: mean {fmt_ms(t['setup_mean'])} ms, "
        f"p99 {fmt_ms(t['setup_p99'])} ms",
        f"- handshake bytes: {t['bytes']} in all, {t['bytes_per_delivered']:.1f} per "
        f"delivered message ({t['delivered']} delivered)",
        f"- device CPU in public-key operations: {t['cpu']:.2f} s", ""]


def drop_summary(res):
    d = res["drops"]
    counts = {}
    for where, reason in zip(d["where"], d["reason"]):
        key = (text(where), text(reason))
        counts[key] = counts.get(key, 0) + 1
    return [f"- {where}: {reason}: {n}" for (where, reason), n in sorted(counts.items())]


def core_utilisation(res):
    """The broker's cores as the service model saw them (broker_service), or None when the
    results have no such table (the service model off)."""
    svc = res.tables.get("broker_service")
    if svc is None or len(svc) == 0:
        return None
    column = next((c for c in ("utilisation", "utilization") if c in svc.dtype.names), None)
    if column is None:
        return None
    u = svc[column].astype(float)
    return {"mean": float(np.mean(u)), "peak": float(np.max(u)),
            "peak_time": float(svc["time"][int(np.argmax(u))])}


def nearest_quota(res):
    """The limited account quota whose peak came closest to its limit, as a dict, or None."""
    q = res.tables.get("account_quotas")
    if q is None:
        return None
    best = None
    for row in q:
        limit = float(row["limit"])
        if limit <= 0:
            continue
        share = float(row["peak"]) / limit
        if best is None or share > best["share"]:
            best = {"name": text(row["name"]), "kind": text(row["kind"]), "limit": limit,
                    "peak": int(row["peak"]), "peak_time": float(row["peak_time"]),
                    "throttled": int(row["throttled"]), "share": share}
    return best


def capacity_lines(res, pricing):
    """The "Capacity and cost" section: cores, the nearest account quota, the monthly cost."""
    lines = ["## Capacity and cost", ""]
    cores = core_utilisation(res)
    if cores is None:
        lines.append("- broker cores: service model off")
    else:
        lines.append(f"- broker cores: utilisation {100 * cores['mean']:.1f} % on average, "
                     f"peak {100 * cores['peak']:.1f} % at {cores['peak_time']:g} s")
    q = nearest_quota(res)
    if q is None:
        lines.append(f"- nearest account quota: none limited "
                     f"(broker profile {res.attrs.get('broker_profile', '?')})")
    else:
        unit = "per second" if q["kind"] == "rate" else "at once"
        lines.append(f"- nearest account quota: {q['name']} at {100 * q['share']:.1f} % "
                     f"(peak {q['peak']} {unit} at {q['peak_time']:g} s, limit {q['limit']:g}; "
                     f"{q['throttled']} throttled)")
    quotas = res.tables.get("account_quotas")
    if quotas is not None and len(quotas):
        lines += ["", "| account quota | limit | peak | at (s) | requests | throttled |",
                  "|---|---:|---:|---:|---:|---:|"]
        for row in quotas:
            limit = f"{float(row['limit']):g}" if float(row["limit"]) > 0 else "-"
            lines.append(f"| {text(row['name'])} | {limit} | {int(row['peak'])} | "
                         f"{float(row['peak_time']):g} | {int(row['requests'])} | "
                         f"{int(row['throttled'])} |")
    lines += ["", "Monthly cost in USD, extrapolated from the simulated window "
              "(analysis/pricing.yaml; doc/capacity.md):", ""]
    lines += describe(monthly_cost(res, pricing))
    return lines + [""]


def write_report(res, rows, plots, out, extra=(), pricing=None):
    a = res.attrs
    lines = [f"# {res.name}", ""]
    if a.get("description"):
        lines += [str(a["description"]), ""]
    facts = [("scenario file", a.get("scenario_file")), ("overrides", a.get("overrides")),
             ("seed / run", f"{a.get('seed', '?')} / {a.get('run', '?')}"),
             ("duration", f"{res.duration:g} s"), ("broker profile", a.get("broker_profile")),
             ("broker service model", a.get("service_model")),
             ("clients", len(res.clients)), ("links", len(res.links)),
             ("ns-3", a.get("ns3_version")), ("ns3-mqtt", a.get("ns3_mqtt_version"))]
    lines += [f"- {k}: {str(v).replace(chr(10), '; ')}" for k, v in facts if v not in (None, "")]
    lines += ["", "## Delivery and latency per QoS and group", "", summary_table(rows), "",
              "Expected: (message, subscriber) pairs whose subscription matched the topic. "
              "Latency: first reception, end to end (stamp to subscriber).", ""]
    conn = connection_summary(res)
    if conn:
        lines += ["## Connection events", ""] + conn + [""]
    drops = drop_summary(res)
    if drops:
        lines += ["## Drops", ""] + drops + [""]
    lines += tls_lines(res)
    lines += list(extra)
    lines += capacity_lines(res, pricing or load_pricing())
    lines += ["## Plots", ""]
    lines += [f"![{p}]({p})" for p in plots]
    lines.append("")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results.h5 of a run")
    ap.add_argument("--out", help="output directory (default: next to the results file)")
    ap.add_argument("--pricing", help="prices of the cost estimate (default: "
                    "analysis/pricing.yaml)")
    args = ap.parse_args(argv)
    out = args.out or os.path.dirname(os.path.abspath(args.results))
    os.makedirs(out, exist_ok=True)
    res = Results(args.results)
    rows = res.summary()
    plots = [plot_delivery(rows, out), plot_latency(rows, out), plot_timeline(res, out),
             plot_broker(res, out), plot_links(res, out)]
    cost, cost_plots = devicecost.section(res, out)
    plots += cost_plots
    write_report(res, rows, plots, out, cost, load_pricing(args.pricing))
    print(f"{res.name}: delivery and latency per QoS and group (expected = message x matching "
          f"subscriber)")
    print(summary_table(rows, markdown=False))
    print(f"report: {os.path.join(out, 'report.md')} ({len(plots)} plots in {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
