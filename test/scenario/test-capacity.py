#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "capacity-logic": the pure parts of ./ns3-mqtt capacity on synthetic results.

    test-capacity.py PATH/TO/mqtt-sweep WORKDIR

The --vary and --slo grammars and their errors, the grid, the search (exact integer knee,
k-section with several slots, met at END, failing at START, the noise rule), the choice of the
binding limit, the figures of a results file built here, and analysis/capacity.py end to end
through the real mqtt-sweep with test/sweep/fake-runner.py (resumption included).
"""
import math
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))

import capacity_search as cs  # noqa: E402
from capacity_measure import figures, indicators  # noqa: E402
from mqttresults import Results  # noqa: E402

FAILURES = []


def expect(cond, what):
    if not cond:
        FAILURES.append(what)
    return cond


def expect_error(fn, arg, *words):
    try:
        fn(arg)
    except cs.ArgumentError as e:
        msg = str(e)
        expect(all(w in msg for w in words), f"{fn.__name__}({arg!r}): message {msg!r} lacks {words}")
        return
    FAILURES.append(f"{fn.__name__}({arg!r}) was accepted")


def test_vary():
    v = cs.parse_vary("devices.sensors.count=1000:100000")
    expect(v.field == "devices.sensors.count" and v.integer and v.unit == "", "vary fields")
    expect(cs.grid(v) == [1000, 3162, 10000, 31623, 100000], f"log grid {cs.grid(v)}")
    v = cs.parse_vary("devices.sensors.payload=64:512:3")
    expect(cs.grid(v) == [64, 288, 512], f"linear grid (END/START < 10) {cs.grid(v)}")
    v = cs.parse_vary("devices.sensors.interval=60s:1s")
    expect(not v.ascending and v.unit == "s" and v.integer, "interval: heavy end first")
    expect(v.text(2.0) == "2s", "unit kept")
    v = cs.parse_vary("devices.a.interval=2.5s:0.5s:3")
    expect(not v.integer and cs.grid(v) == [2.5, 1.5, 0.5], f"float grid {cs.grid(v)}")
    expect(v.text(1.25) == "1.25s", "float text")
    v = cs.parse_vary("devices.a.count=1:3")
    expect(cs.grid(v) == [1, 2, 3], f"short integer range {cs.grid(v)}")
    expect_error(cs.parse_vary, "devices.a.count", "--vary 'devices.a.count'", "FIELD=START:END")
    expect_error(cs.parse_vary, "devices.a.count=10:ten", "END 'ten'")
    expect_error(cs.parse_vary, "devices.a.interval=10s:1ms", "same unit")
    expect_error(cs.parse_vary, "devices.a.count=5:5", "equal")
    expect_error(cs.parse_vary, "devices.a.count=1:9:1", "STEPS '1'")
    expect_error(cs.parse_vary, "devices..count=1:9", "not a scenario field")


def test_slo():
    t = cs.parse_slo("p99<500ms,delivery>=0.999")
    expect([(x.group, x.metric, x.op) for x in t] == [(None, "p99", "<"), (None, "delivery", ">=")],
           "slo terms")
    expect(abs(t[0].bound - 0.5) < 1e-12 and t[1].bound == 0.999, "slo bounds")
    t = cs.parse_slo("sensors:max <= 2s, delivery>=99.9%, p50<100us")
    expect(t[0].group == "sensors" and t[0].bound == 2.0, "group term")
    expect(abs(t[1].bound - 0.999) < 1e-12, "percentage")
    expect(abs(t[2].bound - 1e-4) < 1e-15, "microseconds")
    ok, failed = cs.evaluate(cs.parse_slo("p99<500ms,delivery>=0.999"),
                             {("all", "p99"): 0.4, ("all", "delivery"): 0.998})
    expect(not ok and [f.metric for f in failed] == ["delivery"], "evaluate names the failure")
    ok, _ = cs.evaluate(cs.parse_slo("p99<500ms"), {("all", "p99"): math.nan})
    expect(not ok, "no latency (nothing delivered) misses a latency bound")
    expect_error(cs.parse_slo, "p99<500", "--slo 'p99<500'", "needs a unit")
    expect_error(cs.parse_slo, "p98<1s", "'p98<1s'", "unknown metric 'p98'")
    expect_error(cs.parse_slo, "delivery>=1.5", "between 0 and 1")
    expect_error(cs.parse_slo, "delivery>=0.9ms", "not 'ms'")
    expect_error(cs.parse_slo, "p99=1s", "expected [GROUP:]METRIC OP VALUE")
    expect_error(cs.parse_slo, "p99<1s,", "empty condition")
    expect(cs.parse_duration("10s", "x") == 10 and cs.parse_duration("250ms", "x") == 0.25,
           "durations")
    expect_error(lambda a: cs.parse_duration(a, "--drain '10'"), "10", "--drain '10'", "unit")


def run_search(vary_arg, passes, slots, resolution=0.05, predict=None):
    calls = []

    def measure(batch):
        calls.append(list(batch))
        expect(len(batch) <= slots, f"batch of {len(batch)} with {slots} slots")
        return {v: passes(v) for v in batch}

    vary = cs.parse_vary(vary_arg)
    return vary, cs.search(vary, measure, slots, resolution, predict=predict), calls


def test_search():
    # An exact integer knee: the last pass and the first failure end up 1 apart.
    vary, o, calls = run_search("devices.a.count=1:100", lambda v: v <= 37, 1, resolution=1e-9)
    expect(o.capacity == 37 and o.first_fail == 38, f"integer knee {o.capacity} {o.first_fail}")
    expect(calls[:3] == [[1], [3], [10]], f"log grid, batches of one {calls[:3]}")
    # More slots: fewer rounds, the same answer.
    _, o3, calls3 = run_search("devices.a.count=1:100", lambda v: v <= 37, 3, resolution=1e-9)
    expect(o3.capacity == 37 and o3.first_fail == 38, "k-section agrees")
    expect(len(calls3) < len(calls), f"3 slots took {len(calls3)} rounds, 1 took {len(calls)}")
    # The coarse grid stops at the first batch with a failure: 100000 never runs.
    vary, o, calls = run_search("devices.a.count=1000:100000", lambda v: v < 20000, 2)
    ran = [v for b in calls for v in b]
    expect(ran[:4] == [1000, 3162, 10000, 31623] and 100000 not in ran,
           f"grid ran past the batch with the failure: {ran}")
    expect(10000 <= o.capacity < 20000 <= o.first_fail, f"knee {o.capacity} {o.first_fail}")
    expect(cs.resolved(vary, o.capacity, o.first_fail, 0.05), "resolution reached")
    # Met at END, failing at START.
    _, o, _ = run_search("devices.a.count=10:50", lambda v: True, 2)
    expect(o.capacity == 50 and o.first_fail is None, "met at END")
    _, o, calls = run_search("devices.a.count=10:50", lambda v: False, 2)
    expect(o.capacity is None and o.first_fail == 10 and len(calls) == 1, "fails at START")
    # A decreasing field (interval): the heavy end is the smaller value.
    _, o, _ = run_search("devices.a.interval=60s:1s", lambda v: v >= 7, 2, resolution=1e-9)
    expect(o.capacity == 7 and o.first_fail == 6, f"interval knee {o.capacity} {o.first_fail}")
    # Noise: 45 passes although 40 failed; 40 caps the capacity and 45 is reported.
    vary = cs.parse_vary("devices.a.count=10:50")
    ok, bad, nm = cs.settle(vary, {10: True, 30: True, 40: False, 45: True, 50: False})
    expect((ok, bad, nm) == (30, 40, [45]), f"noise rule {(ok, bad, nm)}")
    _, o, _ = run_search("devices.a.count=10:50", lambda v: v < 35 or v == 50, 4, 1e-9)
    expect(o.capacity == 34 and o.first_fail == 35 and o.non_monotone == [50],
           f"noise in the search {o.capacity} {o.first_fail} {o.non_monotone}")


def test_guided_search():
    # The predicted knee (19400) is right within a step: the SLO breaks at 19100. After the
    # grid's first batch one guided batch, centred on the prediction (0.8 x 5 % apart: 1 -+ 2 %),
    # resolves it.
    vary, o, calls = run_search("devices.a.count=1000:100000", lambda v: v <= 19100, 2,
                                predict=lambda ok: 19400)
    expect(calls[0] == [1000, 3162], f"the grid's first batch first {calls}")
    expect(calls[1] == [19012, 19788] and len(calls) == 2,
           f"one guided batch, 0.8 x 5 % apart around 19400 {calls}")
    expect(o.capacity == 19012 and o.first_fail == 19788 and
           cs.resolved(vary, o.capacity, o.first_fail, 0.05), f"knee {o.capacity} {o.first_fail}")
    # A prediction too high (noise: the knee at 580, predicted 621): the guided batch fails
    # entirely, the next steps down from the first failure, one step apart, and resolves.
    vary, o, calls = run_search("devices.a.count=50:2000", lambda v: v <= 580, 2,
                                predict=lambda ok: 621)
    expect(calls == [[50, 126], [609, 633], [561, 585]],
           f"guided batch, then steps down from the failure {calls}")
    expect(o.capacity == 561 and o.first_fail == 585, f"knee {o.capacity} {o.first_fail}")
    # A prediction that is wrong (the knee is at 40000): guided batches step up from the last
    # pass while the prediction stays within 1.25 of it, then the grid goes on as without one.
    vary, o, calls = run_search("devices.a.count=1000:100000", lambda v: v <= 40000, 2,
                                predict=lambda ok: 19400)
    expect(calls[1] == [19012, 19788] and [31623, 100000] in calls and len(calls) <= 10,
           f"back to the grid after wrong guesses {calls}")
    expect(o.capacity <= 40000 < o.first_fail and
           cs.resolved(vary, o.capacity, o.first_fail, 0.05), f"knee {o.capacity} {o.first_fail}")
    # A prediction outside the bracket is not used; none at all: the plain search.
    _, o1, c1 = run_search("devices.a.count=1000:100000", lambda v: v < 20000, 2,
                           predict=lambda ok: 500)
    _, o2, c2 = run_search("devices.a.count=1000:100000", lambda v: v < 20000, 2)
    expect(c1 == c2 and o1.capacity == o2.capacity, f"outside the bracket {c1} {c2}")
    expect(cs.around(vary, 19400, 19100, 30000, 2, 0.05) == [19788],
           "points at or before the last pass are left out")


def test_prediction():
    """predict_knee and the guided batch with the full capacity-broker study's figures (2
    December 2026): at 3,162 devices the cores were 0.2 busy over the window (10-15 s) and
    0.2145 over the warm-up (0-10 s, every device's CONNECT on top of the messages); the study
    then measured 14,432 passing and 15,033 failing."""
    vary = cs.parse_vary("devices.sensors.count=1000:100000")
    # The warm-up binds: 3162 / 0.2145, not the window's 3162 x 0.99 / 0.2 = 15651.9.
    knee = cs.predict_knee(vary, 3162, 0.2, 0.2145, 0.99)
    expect(knee == 3162 / 0.2145, f"warm-up knee {knee}")
    expect(cs.predict_knee(vary, 3162, 0.2, 0.19, 0.99) == 3162 * 0.99 / 0.2,
           "the window binds when the warm-up is lighter")
    expect(cs.predict_knee(vary, 3162, 0.2, math.nan, 0.99) == 3162 * 0.99 / 0.2,
           "no warm-up: the window alone")
    expect(cs.predict_knee(vary, 3162, math.nan, math.nan, 0.99) is None, "no service model")
    expect(cs.predict_knee(vary, 3162, 0.04, 0.049, 0.99) is None, "too light to extrapolate")
    # An interval (heavy end the smaller value): the lighter knee is the longer interval.
    iv = cs.parse_vary("devices.a.interval=60.0s:1.0s")
    expect(cs.predict_knee(iv, 10.0, 0.5, 0.4, 0.99) == 10.0 * 0.5 / 0.99,
           "interval: the window's 5.05 s binds before the warm-up's 4 s")
    # The batch: centred on 14741.26, 1 -+ 0.4 x resolution: 14446 and 15036, 4.1 % apart.
    expect(cs.around(vary, knee, 3162, 100000, 2, 0.05) == [14446, 15036],
           f"two slots {cs.around(vary, knee, 3162, 100000, 2, 0.05)}")
    expect(cs.around(vary, knee, 3162, 100000, 3, 0.05) == [14152, 14741, 15331],
           f"three slots {cs.around(vary, knee, 3162, 100000, 3, 0.05)}")
    expect(cs.around(vary, knee, 3162, 100000, 1, 0.05) == [14741], "one slot: the knee")
    expect(cs.around(iv, 5.0, 10.0, 1.0, 2, 0.05) == [4.9, 5.1], "interval: centred too")
    # The search with the study's verdicts (14,432 passed, 15,033 failed: the knee taken at
    # 14,700) and these predictions: the grid's first batch, then one guided round resolves it
    # (the study took two guided rounds from the window's 15,660).
    util = {1000: (0.0612, 0.0685), 3162: (0.2, 0.2145)}
    vary, o, calls = run_search("devices.sensors.count=1000:100000", lambda v: v <= 14700, 2,
                                predict=lambda ok: cs.predict_knee(vary, ok, *util[ok], 0.99))
    expect(calls == [[1000, 3162], [14446, 15036]], f"one guided round {calls}")
    expect(o.capacity == 14446 and o.first_fail == 15036 and
           cs.resolved(vary, o.capacity, o.first_fail, 0.05), f"knee {o.capacity} {o.first_fail}")


def test_window():
    """The measured window's defaults: the warm-up is the latest group start, --set applied."""
    import capacity_window as cw
    broker = os.path.join(ROOT, "scenarios", "capacity-broker.yaml")
    expect(cw.warmup_of(broker, []) == (10.0, "the latest start, devices.sensors.start"),
           f"warm-up {cw.warmup_of(broker, [])}")
    expect(cw.warmup_of(broker, ["devices.sensors.start={uniform: [0s, 4s]}"])[0] == 4.0,
           "--set start")
    expect(cw.warmup_of(broker, ["backends.consumers.start=12s"]) ==
           (12.0, "the latest start, backends.consumers.start"), "a backend starting last")
    expect_error(lambda a: cw.warmup_of(broker, [a]),
                 "devices.sensors.start={exponential: 3s}", "unbounded start", "--warmup")
    expect(cw.default_drain(cs.parse_slo("p99<500ms,delivery>=0.999")) == 2.0, "drain 4 x 500ms")
    expect(cw.default_drain(cs.parse_slo("delivery>=0.9")) == 1.0, "drain at least 1 s")
    expect(cw.default_drain(cs.parse_slo("p50<100ms,max<3s")) == 12.0, "the largest bound")


def test_binding():
    fail = {"link queue (cellular)": ("link-queue", 0.02), "broker cores (2)": ("cores", 0.97),
            "in-flight window (max-inflight-out)": ("inflight", 500.0)}
    expect(cs.binding(fail) == "broker cores (2)", "cores precede queues")
    # Saturated cores count even when they already were at the last pass (a utilisation cannot
    # double); a queue indicator that was there already and did not double does not.
    passing = {"broker cores (2)": ("cores", 0.95), "in-flight window (max-inflight-out)":
               ("inflight", 21.0)}
    expect(cs.binding(fail, passing) == "broker cores (2)", "saturated cores stay named")
    fail2 = {"link queue (cellular)": ("link-queue", 0.02), "in-flight window (max-inflight-out)":
             ("inflight", 500.0)}
    passing2 = {"link queue (cellular)": ("link-queue", 0.015)}
    expect(cs.binding(fail2, passing2) == "in-flight window (max-inflight-out)",
           "a link queue that did not grow is passed over")
    expect(cs.binding(fail2, {"link queue (cellular)": ("link-queue", 0.005)})
           == "link queue (cellular)", "a link queue that grew 4 times is named")
    expect(cs.binding({"AWS quota connect-per-second": ("quota", 0.1), **fail})
           == "AWS quota connect-per-second", "a quota throttle is named first")
    expect(cs.binding({}) is None, "nothing active")
    expect(cs.binding({"a": ("link-queue", 0.1), "b": ("link-queue", 0.3)}) == "b",
           "the larger of one kind")


def fake_results(duration, pubs, dels, link_drops=0, queued=0, drops=(), util=None, depth=0):
    """A Results object built in memory: two devices of group g (topics t/0, t/1), a backend."""
    r = Results.__new__(Results)
    r.attrs = {"duration": duration, "run": 1}
    r.client_groups = ["g", "g", "sink"]
    r.client_names = ["g-0", "g-1", "sink-0"]
    r.topics = ["t/0", "t/1"]
    r.link_classes = ["cellular", "lan"]
    S = lambda n: f"S{n}"  # noqa: E731
    t = {}
    t["subscriptions"] = np.array([(0.1, 2, b"t/#", 1, 1)], dtype=[
        ("time", "f8"), ("client", "u4"), ("filter", S(256)), ("qos", "u1"), ("granted", "u1")])
    t["publishes"] = np.array([(tm, c, s, c, 1, False, 64) for tm, c, s in pubs], dtype=[
        ("time", "f8"), ("client", "u4"), ("sequence", "u8"), ("topic", "u4"), ("qos", "u1"),
        ("retain", "?"), ("payload", "u4")])
    t["deliveries"] = np.array(
        [(tm + lat, tm, lat, 2, c, s, c, 1, 1, dup, dup, False) for tm, c, s, lat, dup in dels],
        dtype=[("time", "f8"), ("sent", "f8"), ("latency", "f8"), ("subscriber", "u4"),
               ("publisher", "u4"), ("sequence", "u8"), ("topic", "u4"), ("qos", "u1"),
               ("publish_qos", "u1"), ("duplicate", "?"), ("dup_flag", "?"), ("retained", "?")])
    r.attrs["scenario"] = "links:\n  cellular: {type: p2p, queue: 10}\n  lan: {type: p2p}\n"
    t["link_stats"] = np.array([(1.0, 0, 0, 0, 0, 0, 0, 0, 0, True),
                                (2.0, 0, 0, 0, 0, 0, 0, link_drops, depth, True)], dtype=[
        ("time", "f8"), ("link", "u4"), ("tx_packets", "u8"), ("rx_packets", "u8"),
        ("tx_bytes", "u8"), ("rx_bytes", "u8"), ("lost_packets", "u8"), ("queue_drops", "u8"),
        ("queue_depth", "u4"), ("up", "?")])
    t["broker_stats"] = np.array([(1.0, 3, 3, 0, queued, 0, 0, 0, 0, 0, 0)], dtype=[
        ("time", "f8"), ("connections", "u4"), ("sessions", "u4"), ("inflight", "u4"),
        ("queued", "u4"), ("bytes_in", "u8"), ("bytes_out", "u8"), ("publishes_in", "u8"),
        ("publishes_out", "u8"), ("retransmissions", "u8"), ("drops", "u8")])
    t["drops"] = np.array([(1.0, 2, 0, 0, 1, w.encode(), why.encode()) for w, why in drops],
                          dtype=[("time", "f8"), ("client", "u4"), ("publisher", "u4"),
                                 ("sequence", "u8"), ("qos", "u1"), ("where", S(16)),
                                 ("reason", S(32))])
    t["connections"] = np.zeros(0, dtype=[("time", "f8"), ("client", "u4"), ("side", S(16)),
                                          ("event", S(16)), ("reason", S(32)),
                                          ("session_present", "?"), ("code", "u1")])
    if util is not None:
        t["broker_service"] = np.array(
            [(1.0, 2, util, 2 * util, False), (2.0, 2, util, 4 * util, False),
             (10.0, 2, 0.1, 4 * util + 1.6, True)],
            dtype=[("time", "f8"), ("cores", "u4"), ("utilisation", "f8"), ("busy_time", "f8"),
                   ("reads_paused", "?")])
    r.tables = t
    return r


def test_figures():
    # 10 messages per device in 0..9 s; message 3 of device 1 lost, message 5 of device 0
    # delivered twice; messages at 9.x s fall in the 2 s drain of an 11 s run.
    pubs = [(float(s) + 0.1 * c, c, s) for c in (0, 1) for s in range(10)]
    dels = []
    for tm, c, s in pubs:
        if (c, s) == (1, 3):
            continue
        lat = 0.01 * (s + 1) + 0.001 * c
        dels.append((tm, c, s, lat, False))
        if (c, s) == (0, 5):
            dels.append((tm, c, s, lat + 1, True))
    res = fake_results(11.0, pubs, dels)
    f = figures(res, drain=2.0)
    expect(f[("all", "published")] == 18 and f[("all", "expected")] == 18, f"published {f}")
    expect(f[("all", "delivered")] == 17, f"delivered {f[('all', 'delivered')]}")
    expect(abs(f[("all", "delivery")] - 17 / 18) < 1e-12, "delivery ratio")
    expect(abs(f[("all", "offered_rate")] - 18 / 9.0) < 1e-12, "offered rate over the window")
    expect(abs(f[("all", "max")] - 0.091) < 1e-12, f"max latency {f[('all', 'max')]}")
    expect(f[("g", "expected")] == 18 and ("sink", "expected") not in f, "groups: publishers")
    expect(math.isnan(f[("all", "utilisation")]), "no service model: utilisation nan")
    expect(indicators(res, 2.0) == {}, f"no limit active {indicators(res, 2.0)}")

    res = fake_results(11.0, pubs, dels, link_drops=9, queued=4,
                       drops=[("broker", "QueueFull")] * 3 + [("client", "QueueFull")],
                       util=0.95)
    ind = indicators(res, 2.0)
    expect(set(ind) == {"link queue (cellular)", "broker queue bound (max-queued-messages)",
                        "client queue bound (publisher's queue)",
                        "in-flight window (max-inflight-out)", "broker cores (2)"},
           f"indicators {sorted(ind)}")
    expect(ind["link queue (cellular)"] == ("link-queue", 9 / 18), "link drops per message")
    expect(abs(figures(res, 2.0)[("all", "utilisation")] - 0.95) < 1e-12, "utilisation")
    expect(cs.binding(ind) == "broker cores (2)", "binding of the synthetic run")
    # A warm-up excluded: messages published before 4 s do not count, the rates are over the
    # 5 s from 4 s to 9 s, the utilisation is that between the samples inside the window.
    f = figures(res, 2.0, warmup=4.0)
    expect(f[("all", "published")] == 10 and f[("all", "expected")] == 10, f"warm-up {f}")
    expect(abs(f[("all", "offered_rate")] - 10 / 5.0) < 1e-12, "rate over the steady window")
    expect(abs(f[("all", "max")] - 0.091) < 1e-12 and abs(f[("all", "delivery")] - 1) < 1e-12,
           "the lost message 3 of device 1 (3.1 s) is in the warm-up")
    expect(abs(figures(res, 2.0, warmup=1.0)[("all", "utilisation")] - 0.95) < 1e-12,
           "utilisation from the sample at 1 s to the one at 2 s")
    # A queue that filled (10 of the class's 10 packets) without dropping: TCP backed off.
    ind = indicators(fake_results(11.0, pubs, dels, depth=10), 2.0)
    expect(ind == {"link queue (cellular)": ("link-queue", 0.5)}, f"full queue {ind}")
    ind = indicators(fake_results(11.0, pubs, dels, depth=8, queued=0), 2.0)
    expect(ind == {}, f"a queue at 80 % is not full {ind}")


def test_reconnect():
    """analysis/reconnect.py: the connected-devices timeline and the time to 99 %."""
    import reconnect
    r = Results.__new__(Results)
    r.clients = np.array([(b"device",)] * 3 + [(b"backend",)], dtype=[("role", "S16")])
    ev = [(1.0, 0, b"client", b"session"), (1.0, 0, b"broker", b"session"),
          (2.0, 1, b"client", b"session"), (2.5, 3, b"client", b"session"),
          (3.0, 2, b"client", b"session"), (5.0, 0, b"client", b"closed"),
          (5.5, 1, b"client", b"closed"), (8.0, 0, b"client", b"opened"),
          (8.0, 0, b"client", b"refused"), (9.0, 0, b"client", b"session"),
          (12.0, 1, b"client", b"session")]
    r.tables = {"connections": np.array(
        [(t, c, s, e, b"", False, 0) for t, c, s, e in ev],
        dtype=[("time", "f8"), ("client", "u4"), ("side", "S16"), ("event", "S16"),
               ("reason", "S32"), ("session_present", "?"), ("code", "u1")])}
    times, counts, n = reconnect.connected_timeline(r)
    expect(n == 3 and times.tolist() == [0, 1, 2, 3, 5, 5.5, 9, 12]
           and counts.tolist() == [0, 1, 2, 3, 2, 1, 2, 3], f"timeline {times} {counts}")
    expect(reconnect.time_to(times, counts, 6.0, 3) == 12.0, "all back at 12 s")
    expect(reconnect.time_to(times, counts, 6.0, 2) == 9.0, "two back at 9 s")
    expect(reconnect.time_to(times, counts, 3.5, 3) == 3.5, "already there")
    expect(math.isnan(reconnect.time_to(times, counts, 13.0, 4)), "never")


def test_end_to_end(sweep, work):
    """analysis/capacity.py through mqtt-sweep with the fake runner: QoS 0 delivery falls with
    the loss rate, so delivery>=0.9 holds up to some loss."""
    out = os.path.join(work, "fake")
    shutil.rmtree(out, ignore_errors=True)
    calls = os.path.join(work, "calls.txt")
    if os.path.exists(calls):
        os.remove(calls)
    # A file the scenario names (as a calibration): the fake runner's --inputs hashes it.
    named = os.path.join(work, "named-input.yaml")
    with open(named, "w") as f:
        f.write("costs: {publish-qos0: 1us}\n")
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "analysis", "capacity.py"),
           os.path.join(ROOT, "scenarios", "lossy-star.yaml"),
           "--vary", "links.access.loss.rate=0:0.6:4", "--slo", "delivery>=0.9",
           "--out", out, "-j", "2", "--sweep", sweep,
           "--runner", os.path.join(ROOT, "test", "sweep", "fake-runner.py"),
           "--set", "duration=20s", "--set", f"fake.calls={calls}", "--drain", "1s",
           "--set", f"fake.input={named}", "--resolution", "0.1"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if not expect(p.returncode == 0, f"capacity.py exit {p.returncode}\n{p.stderr}"):
        return
    last = p.stdout.strip().splitlines()[-1]
    expect(last.startswith("capacity: links.access.loss.rate="), f"last line {last!r}")
    expect("binding: none identified (delivery>=0.9 missed)" in last, f"binding {last!r}")
    for name in ("capacity.csv", "capacity.h5", "capacity.md", "offered-delivered.png",
                 "latency-p99.png", "sweep.yaml", "sweep/index.jsonl"):
        expect(os.path.exists(os.path.join(out, name)), f"{name} missing")
    with h5py.File(os.path.join(out, "capacity.h5"), "r") as f:
        runs = f["runs"][:]
        expect(f.attrs["result"] == last, "the h5 holds the result line")
    with open(calls) as f:
        n_calls = len(f.read().splitlines())
    expect(len(runs) == n_calls, f"{len(runs)} rows for {n_calls} runs")
    value = float(last.split("=")[1].split()[0])
    passed = runs["value"][runs["passed"]]
    failed = runs["value"][~runs["passed"]]
    expect(value == max(v for v in passed if v < min(failed)), "capacity is the last pass")
    # Again into the same directory: every run is reused, none repeated.
    p2 = subprocess.run(cmd, capture_output=True, text=True)
    with open(calls) as f:
        expect(len(f.read().splitlines()) == n_calls, "the second search re-ran runs")
    expect(p2.stdout.strip().splitlines()[-1] == last, "the second search differs")
    # The named file changed (a calibration measured again): every run is redone, once.
    with open(named, "w") as f:
        f.write("costs: {publish-qos0: 2us}\n")
    p3 = subprocess.run(cmd, capture_output=True, text=True)
    with open(calls) as f:
        redone = len(f.read().splitlines()) - n_calls
    expect(p3.returncode == 0 and redone == n_calls,
           f"after the named file changed {redone} of {n_calls} runs were redone")
    # Errors name the argument, exit 2.
    bad = subprocess.run(cmd[:3] + ["--vary", "x=1", "--sweep", sweep], capture_output=True,
                         text=True)
    expect(bad.returncode == 2 and "--vary 'x=1'" in bad.stderr, f"bad --vary: {bad.stderr}")
    bad = subprocess.run(cmd[:5] + ["--slo", "p99<9", "--sweep", sweep], capture_output=True,
                         text=True)
    expect(bad.returncode == 2 and "--slo 'p99<9'" in bad.stderr, f"bad --slo: {bad.stderr}")


def main():
    sweep, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    for test in (test_vary, test_slo, test_search, test_guided_search, test_prediction, test_window,
                 test_binding, test_figures, test_reconnect):
        test()
    test_end_to_end(sweep, work)
    for f in FAILURES:
        print("FAIL:", f)
    print(f"test-capacity: {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
