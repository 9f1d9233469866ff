# SPDX-License-Identifier: GPL-2.0-only
"""The compiled load generator of ../shared/bench/mqtt-loadgen driving a real broker: the twin's
real side (doc/capacity.md, "The twin's real side") and the calibration's publishing workloads
it can drive (QoS 0 and 1 fan-in, fan-out; "Workloads"), so that the calibration and the twin
see the broker batch its reads and writes alike. One C++ process with an epoll loop, open-loop
pacing on a timerfd and one monotonic clock for send and receive times. The Python generator of
mqtt_load.py was 92 to 99 % busy while pacing, so its p99 was its own queueing; this one costs
a few per cent of a core at the same rates.

`./ns3-mqtt bench twin` and `./ns3-mqtt calibrate` build the generator into build/ and pass it
with --loadgen.
"""

import subprocess

import mqtt_load
import mqtt_wire as w
import syscall_count

# Seconds of each loadgen run before its window (connections made, queues formed) and the
# longest it may drain after it.
WARMUP_S = 1.0
DRAIN_S = 10.0


def parse_result(text):
    """{key: value} of the generator's RESULT line (numbers as floats); raises RuntimeError
    without one."""
    for line in text.splitlines():
        if line.startswith("RESULT "):
            out = {}
            for token in line.split()[1:]:
                key, _, value = token.partition("=")
                try:
                    out[key] = float(value)
                except ValueError:
                    out[key] = value
            return out
    raise RuntimeError("the load generator printed no RESULT line:\n%s" % text[-2000:])


def inflight(spec, window_factor=1):
    """Each publisher's end-to-end window: the workload's window (times @p window_factor) shared
    out over its publishers (the twin's simulated publishers get the same)."""
    return max(1, spec.window * window_factor // max(1, spec.pubs))


def arguments(spec, port, broker_pid, seconds, rate=None, window_factor=1, warmup=WARMUP_S):
    """The generator's command-line arguments for a calibration workload @p spec: the same
    publishers, subscribers, QoS and payload, each publisher on its own topic under twin/ (the
    filter twin/#, as in bench/twin/twin.yaml), an end-to-end window of the workload's window
    (times @p window_factor) shared out per publisher; open loop at @p rate messages/s."""
    argv = ["--port", str(port), "--pubs", str(spec.pubs), "--subs", str(spec.subs),
            "--qos", str(spec.pub_qos), "--sub-qos", str(spec.sub_qos),
            "--payload", str(spec.payload), "--topics", str(spec.pubs), "--topic-prefix", "twin",
            "--sub-mode", "all", "--flow", "e2e", "--inflight", str(inflight(spec, window_factor)),
            "--duration", "%g" % seconds, "--warmup", "%g" % warmup, "--drain", "%g" % DRAIN_S,
            "--threads", "1", "--broker-pid", str(broker_pid)]
    if rate is not None:
        argv += ["--rate", "%.1f" % rate]
    return argv


def run(loadgen, spec, port, broker_pid, seconds, rate=None, window_factor=1, label="twin",
        warmup=WARMUP_S):
    """Runs the generator once; returns its RESULT fields. Raises RuntimeError when it fails or
    reports protocol errors or misrouted messages (a twin measures a broker that works); lost
    messages (its end-to-end window written off after a second without progress) are in the
    result's `lost`, for the caller to report."""
    argv = [loadgen] + arguments(spec, port, broker_pid, seconds, rate, window_factor, warmup) + \
        ["--label", label]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("the load generator exited with status %d: %s\n%s"
                           % (p.returncode, " ".join(argv), (p.stdout + p.stderr)[-2000:]))
    result = parse_result(p.stdout)
    if result.get("errors", 0) or result.get("misrouted", 0):
        raise RuntimeError("the load generator reports errors=%s misrouted=%s: %s"
                           % (result.get("errors"), result.get("misrouted"), " ".join(argv)))
    return result


# -- the operations of a whole run --------------------------------------------------------------
# The generator's client ids: "lg", 8 hex digits of a run id, "s" or "p", the index.
RUN_ID = "0" * 8


def run_ops(spec, result):
    """The broker's operations (mqtt_load.Ops) in a whole run of the generator with --warmup 0,
    from its RESULT: every message it sent is then measured (`sent`), every delivery of them
    received (`received`, `dup`), and the run is the connections' CONNECT (and SUBSCRIBE), the
    messages, and their DISCONNECT; the sizes are the generator's packets (loadgen.cc). The
    broker's read and write system calls are not here (syscall_count.py counts them)."""
    ops = mqtt_load.Ops()
    pubs, subs = spec.pubs, spec.subs
    conns = pubs + subs
    ops["accept"] = ops["connect"] = ops["disconnect"] = conns
    ops["subscribe"] = ops["filter"] = subs
    sent = int(result["sent"])
    deliveries = int(result["received"]) + int(result.get("dup", 0))
    qos_out = min(spec.pub_qos, spec.sub_qos)
    ops["publish-qos%d" % spec.pub_qos] = sent
    ops["match"] = ops["delivery"] = deliveries
    ops["ack"] = deliveries if qos_out else 0  # the subscribers' PUBACKs
    topics = ["twin/%d" % i for i in range(max(1, pubs))]
    # Publishers send alike (round robin, one window each): the mean size over their topics.
    payload = bytes(spec.payload)
    size_in = sum(len(w.publish(t, payload, spec.pub_qos, 1)) for t in topics) / len(topics)
    size_out = sum(len(w.publish(t, payload, qos_out, 1)) for t in topics) / len(topics)
    connects = sum(len(w.connect("lg%s%s%d" % (RUN_ID, kind, i)))
                   for kind, n in (("s", subs), ("p", pubs)) for i in range(n))
    ops["byte-in"] = int(connects + subs * len(w.subscribe(1, [("twin/#", spec.sub_qos)])) +
                         sent * size_in + ops["ack"] * 4 + conns * len(w.DISCONNECT_BYTES))
    ops["byte-out"] = int(conns * 4 + subs * 5 + deliveries * size_out +
                          (sent * 4 if spec.pub_qos else 0))
    return ops


def counted_run(loadgen, spec, broker, seconds, rate=None, label="counted"):
    """One whole run of the generator (--warmup 0; paced at @p rate with 4 times the window, as
    the twin's paced runs) with the broker's system calls counted (perf, syscall_count.py):
    (RESULT fields, its operations with the broker's reads and writes, the {read, write, wait}
    counts). The calibration's loadgen workloads are such runs."""
    with syscall_count.SyscallCounter(broker.pids()) as counter:
        result = run(loadgen, spec, broker.port, broker.proc.pid, seconds, rate=rate,
                     window_factor=4 if rate else 1, label=label, warmup=0)
    ops = run_ops(spec, result)
    for kind in ("read", "write", "wait", "wakeup"):
        ops[kind] = counter.counts[kind]
    return result, ops, counter.counts
