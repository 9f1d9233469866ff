# SPDX-License-Identifier: GPL-2.0-only
"""The twin's real side driven by the compiled load generator of ../shared/bench/mqtt-loadgen
(doc/capacity.md, "The twin check"): one C++ process with an epoll loop, open-loop pacing on a
timerfd and one monotonic clock for send and receive times. The Python generator of
mqtt_load.py was 92 to 99 % busy while pacing, so its p99 was its own queueing; this one costs
a few per cent of a core at the same rates.

`./ns3-mqtt bench twin` builds the generator into build/ and passes it with --loadgen.
"""

import subprocess

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


def arguments(spec, port, broker_pid, seconds, rate=None, window_factor=1):
    """The generator's command-line arguments for a calibration workload @p spec: the same
    publishers, subscribers, QoS and payload, each publisher on its own topic under twin/ (the
    filter twin/#, as in bench/twin/twin.yaml), an end-to-end window of the workload's window
    (times @p window_factor) shared out per publisher; open loop at @p rate messages/s."""
    inflight = max(1, spec.window * window_factor // max(1, spec.pubs))
    argv = ["--port", str(port), "--pubs", str(spec.pubs), "--subs", str(spec.subs),
            "--qos", str(spec.pub_qos), "--sub-qos", str(spec.sub_qos),
            "--payload", str(spec.payload), "--topics", str(spec.pubs), "--topic-prefix", "twin",
            "--sub-mode", "all", "--flow", "e2e", "--inflight", str(inflight),
            "--duration", "%g" % seconds, "--warmup", "%g" % WARMUP_S, "--drain", "%g" % DRAIN_S,
            "--threads", "1", "--broker-pid", str(broker_pid)]
    if rate is not None:
        argv += ["--rate", "%.1f" % rate]
    return argv


def run(loadgen, spec, port, broker_pid, seconds, rate=None, window_factor=1, label="twin"):
    """Runs the generator once; returns its RESULT fields. Raises RuntimeError when it fails or
    reports protocol errors or misrouted messages (a twin measures a broker that works); lost
    messages (its end-to-end window written off after a second without progress) are in the
    result's `lost`, for the caller to report."""
    argv = [loadgen] + arguments(spec, port, broker_pid, seconds, rate, window_factor) + \
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
