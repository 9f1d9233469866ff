# SPDX-License-Identifier: GPL-2.0-only
"""The calibration workloads: mixes of operations chosen so that every service cost of issue #13
can be told apart by a least-squares fit.

Each workload is a measured window: what it needs (connections, subscriptions, retained
messages) is set up before the window and torn down after it, so the broker's CPU time in the
window is spent on the window's operations only. Why each one is there (doc/capacity.md):

  accept            TCP connections opened, nothing sent                 -> accept
  connect           CONNECT on those open connections                    -> connect
  ping              PINGREQs on them                                     -> pingreq
  subscribe-one     SUBSCRIBEs of one filter each                        -> subscribe + filter
  subscribe-many    one SUBSCRIBE of 20 filters per connection           -> filter vs subscribe
  unsubscribe-one   UNSUBSCRIBEs of one filter each                      -> unsubscribe + filter
  unsubscribe-many  one UNSUBSCRIBE of 20 filters per connection
  disconnect        DISCONNECT on every connection                       -> disconnect
  connect-storm     whole connections: open, CONNECT, DISCONNECT         (a check of additivity)
  connect-auth      connect-storm with a user name and password checked  -> auth
  tls-connect-storm the same over the broker's TLS listener, a full handshake each (the TLS of
                    tls_material.py)                                     -> tls-handshake
  qos0-no-subscriber, qos0-no-subscriber-large
                    QoS 0 PUBLISHes nobody receives, 64 and 1024 B        -> publish-qos0, byte-in
  qos0-fan-in, qos0-fan-in-large
                    16 publishers -> 1 subscriber, QoS 0, 64 and 1024 B  -> match, delivery, byte-out
  fan-out           1 publisher -> 50 subscribers, QoS 0                 -> match + delivery per PUBLISH
  fan-out-5         4 publishers -> 5 subscribers, QoS 0: fan-out between the two above, at
                    the same publish batch, so that publish, match and delivery separate
  qos1-fan-in       QoS 1 to a QoS 1 subscription (PUBACK both ways)     -> publish-qos1, ack
  qos1-sub0         QoS 1 to a QoS 0 subscription (no ack from it)       -> publish-qos1 vs ack
  qos2-fan-in       QoS 2 to a QoS 0 subscription (PUBREL each)          -> publish-qos2
  retained-on-subscribe
                    subscribers receive stored retained messages         -> delivery without match
  qos0-fan-in-paced, qos1-fan-in-paced
                    qos0-fan-in and qos1-fan-in paced far below saturation (loadgen only): about
                    a packet per read and a delivery per write, where the saturated runs carry
                    tens to hundreds -> read and write apart from the per-packet costs

With the compiled load generator (--loadgen, ../shared/bench/mqtt-loadgen), the workloads it can
drive (LOADGEN_WORKLOADS: QoS 0 and QoS 1 fan-in, fan-out) run on it, as `bench twin`'s real
side does, so the calibration and the twin see the broker batch alike (doc/capacity.md); each
is one whole run of the generator (connections, a closed-loop or paced window, DISCONNECT), its
operations counted from the generator's totals (loadgen_side.run_ops). The Python generator
keeps what the loadgen does not speak: QoS 2, retained messages, UNSUBSCRIBE, PINGREQ, the
connection workloads, and publishing without subscribers.

The broker's read and write system calls in each window are counted too (syscall_count.py):
they are the `read` and `write` costs' counts, and they differ between workloads with the
batching each one gets, which is what separates them from the per-packet costs.

Publishing goes in rounds: every publisher writes a chunk, then the round waits until every
delivery and acknowledgement of the chunk has arrived, so no broker queue overflows (nothing is
dropped, mosquitto's QoS 1 stall under overload is not provoked) while reads still batch.
"""

import time

import numpy as np

import broker_process
import loadgen_side
import mqtt_load
import mqtt_wire as w
import syscall_count
import tls_material

PAYLOAD_SMALL = 64
PAYLOAD_LARGE = 1024
# Seconds without any delivery after which the messages on their way count as lost.
IDLE_WRITE_OFF = 5.0
# tls-connect-storm: connections at scale 1 (a full RSA 2048 handshake is about a millisecond of
# the broker's CPU, so some 0.2 s), and how many handshake at a time.
TLS_CONNECTIONS = 200
TLS_BATCH = 20


class Context:
    """What the workloads of one repetition share: the loop, the broker, sizes, names."""

    def __init__(self, loop, broker, scale, rep, timeout=120.0):
        self.loop = loop
        self.broker = broker
        self.scale = scale
        self.rep = rep
        self.timeout = timeout
        self.prefix = "cal/%d" % rep
        self.conns = max(10, int(round(1000 * scale)))
        self.messages = max(800, int(round(200_000 * scale)))
        self.results = []  # (name, Ops, cpu seconds)
        self.only = None  # set of workload names, or None for all
        # Count the broker's system calls (the read and write costs); {name: {read, write,
        # wait}} per measured window.
        self.count_syscalls = False
        self.syscalls = {}
        # The compiled load generator (a path), or None: the Python generator drives all.
        self.loadgen = None

    def n(self, count):
        return max(1, int(round(count * self.scale)))

    def wait(self, done, what):
        self.loop.run_until(done, self.timeout, what)

    def measure(self, name, window):
        """Runs window() as the measured window @p name. The operations are the loop's counts
        over the window, or what window() returns when it returns them (mqtt_load.Ops: the
        compiled load generator's run)."""
        if self.only is not None and name not in self.only:
            return False
        counter = None
        if self.count_syscalls:
            self.broker.settle()
            counter = syscall_count.SyscallCounter(self.broker.pids()).__enter__()
        cpu0 = self.broker.settle()
        ops0 = self.loop.ops.copy()
        returned = None
        try:
            returned = window()
        except TimeoutError as e:
            raise TimeoutError("workload %s: %s" % (name, e)) from None
        finally:
            cpu1 = self.broker.settle()
            if counter:
                counter.__exit__(None, None, None)
        ops = returned if isinstance(returned, mqtt_load.Ops) else self.loop.ops - ops0
        if counter:
            # The broker's reads and writes of the window (its idle settling makes none).
            ops["read"] = counter.counts["read"]
            ops["write"] = counter.counts["write"]
            ops["wait"] = counter.counts["wait"]
            ops["wakeup"] = counter.counts["wakeup"]
            self.syscalls[name] = counter.counts
        self.results.append((name, ops, (cpu1 - cpu0) / 1e9))
        return True


def client_id(ctx, tag, i):
    return "c%d%s%d" % (ctx.rep, tag, i)  # at most 23 characters [MQTT-3.1.3-5]


def open_clients(ctx, tag, count, subscriptions=None):
    """Opens @p count connected clients (CONNACK received), each subscribed to its filters."""
    loop = ctx.loop
    conns = [loop.open("%s%d" % (tag, i)) for i in range(count)]
    for i, c in enumerate(conns):
        loop.connect(c, client_id(ctx, tag, i))
    ctx.wait(lambda: all(c.count(w.CONNACK) for c in conns), "CONNACK (%s)" % tag)
    if subscriptions:
        for i, c in enumerate(conns):
            loop.subscribe(c, 1, subscriptions(i))
        ctx.wait(lambda: all(c.count(w.SUBACK) for c in conns), "SUBACK (%s)" % tag)
    return conns


def close_clients(ctx, conns):
    for c in conns:
        if not c.closed:
            ctx.loop.disconnect(c)
    ctx.wait(lambda: all(c.closed for c in conns), "the broker closing after DISCONNECT")


# -- TLS --------------------------------------------------------------------------------------
def tls_connect_storm(ctx):
    """connect-storm over the broker's TLS listener: whole connections, TLS_BATCH at a time,
    each a full handshake (no session offered), CONNECT, DISCONNECT. Only the handshake sets it
    apart from connect-storm, whose accept, connect and disconnect the other workloads fix."""
    name = "tls-connect-storm"
    loop = ctx.loop
    if loop.tls is None or (ctx.only is not None and name not in ctx.only):
        return  # a broker command without a TLS listener: tls-handshake stays unidentified
    total = max(10, ctx.n(TLS_CONNECTIONS))
    made = []

    def storm():
        for start in range(0, total, TLS_BATCH):
            conns = [loop.open_tls("t%d" % i) for i in range(start, min(total, start + TLS_BATCH))]
            for c in conns:
                loop.connect(c, client_id(ctx, "t", start) + c.name)
            ctx.wait(lambda: all(c.count(w.CONNACK) for c in conns), "CONNACK (TLS storm)")
            made.extend(c.tls for c in conns)
            close_clients(ctx, conns)

    ctx.measure(name, storm)
    # The handshakes the workload is about, every one: what the header says was measured.
    want = ("TLSv1.2", tls_material.CIPHER, False)
    other = [t for t in made if t != want]
    if len(made) != total or other:
        raise RuntimeError("%s: %d of %d handshakes were not %s (version, suite, resumed): %s"
                           % (name, len(other) + total - len(made), total, want, other[:3]))


# -- connections and subscriptions ------------------------------------------------------------
def connection_workloads(ctx):
    loop = ctx.loop
    held = []

    def accept():
        held.extend(loop.open("h%d" % i) for i in range(ctx.conns))

    def connect():
        for i, c in enumerate(held):
            loop.connect(c, client_id(ctx, "h", i))
        ctx.wait(lambda: all(c.count(w.CONNACK) for c in held), "CONNACK")

    if not ctx.measure("accept", accept):
        accept()
    if not ctx.measure("connect", connect):
        connect()

    def ping():
        for c in held:
            loop.ping(c, 20)
        ctx.wait(lambda: all(c.count(w.PINGRESP) >= 20 for c in held), "PINGRESP")

    ctx.measure("ping", ping)

    def topics(kind, i, k):
        return "%s/%s/%d/%d" % (ctx.prefix, kind, i, k)

    def subscribe_one():
        for i, c in enumerate(held):
            for k in range(5):
                loop.subscribe(c, 10 + k, [(topics("s", i, k), 0)])
        ctx.wait(lambda: all(c.count(w.SUBACK) >= 5 for c in held), "SUBACK")

    def subscribe_many():
        for i, c in enumerate(held):
            loop.subscribe(c, 20, [(topics("m", i, k), 0) for k in range(20)])
        ctx.wait(lambda: all(c.count(w.SUBACK) >= 6 for c in held), "SUBACK")

    def unsubscribe_one():
        for i, c in enumerate(held):
            for k in range(5):
                loop.unsubscribe(c, 30 + k, [topics("s", i, k)])
        ctx.wait(lambda: all(c.count(w.UNSUBACK) >= 5 for c in held), "UNSUBACK")

    def unsubscribe_many():
        for i, c in enumerate(held):
            loop.unsubscribe(c, 40, [topics("m", i, k) for k in range(20)])
        ctx.wait(lambda: all(c.count(w.UNSUBACK) >= 6 for c in held), "UNSUBACK")

    for name, fn in (("subscribe-one", subscribe_one), ("subscribe-many", subscribe_many),
                     ("unsubscribe-one", unsubscribe_one),
                     ("unsubscribe-many", unsubscribe_many)):
        if not ctx.measure(name, fn):
            fn()

    if not ctx.measure("disconnect", lambda: close_clients(ctx, held)):
        close_clients(ctx, held)

    def storm():
        batch = 100
        for start in range(0, ctx.conns, batch):
            conns = [loop.open("s%d" % i) for i in range(start, min(ctx.conns, start + batch))]
            for c in conns:
                loop.connect(c, client_id(ctx, "s", start) + c.name)
            ctx.wait(lambda: all(c.count(w.CONNACK) for c in conns), "CONNACK (storm)")
            close_clients(ctx, conns)

    ctx.measure("connect-storm", storm)

    def storm_with_passwords():
        # connect-storm with every CONNECT's password checked against its hash: auth apart from
        # accept, connect and disconnect.
        batch = 100
        for start in range(0, ctx.conns, batch):
            conns = [loop.open("a%d" % i) for i in range(start, min(ctx.conns, start + batch))]
            for c in conns:
                loop.connect(c, client_id(ctx, "a", start) + c.name,
                             user=broker_process.AUTH_USER,
                             password=broker_process.AUTH_PASSWORD)
            ctx.wait(lambda: all(c.count(w.CONNACK) for c in conns), "CONNACK (connect-auth)")
            refused = [c for c in conns if c.connack_code not in (None, 0)]
            if refused:
                raise RuntimeError("connect-auth: the broker refused the password (CONNACK %d)"
                                   % refused[0].connack_code)
            close_clients(ctx, conns)

    if ctx.broker.checks_passwords:
        ctx.measure("connect-auth", storm_with_passwords)


# -- publishing -------------------------------------------------------------------------------
class Publisher:
    """A connection that publishes numbered packets on one topic; each payload starts with the
    send time (CLOCK_MONOTONIC, ns, big-endian) so subscribers can measure latency."""

    def __init__(self, conn, topic, qos, payload_size, retain=False):
        self.conn = conn
        self.topic = topic
        self.qos = qos
        self.payload_size = max(8, payload_size)
        self.retain = retain
        self.next_id = 1
        self.sent = 0
        template = w.publish(topic, bytes(self.payload_size), qos, 0, retain)
        self.template = np.frombuffer(template, dtype=np.uint8)
        self.id_at = len(template) - self.payload_size - (2 if qos else 0)
        self.stamp_at = len(template) - self.payload_size
        self.blocks = {}  # count -> the packets of a chunk of that many

    def chunk(self, loop, count):
        """Sends @p count PUBLISHes stamped now, in one write."""
        # One block of packets per count, reused: only the stamps and packet ids change, and
        # building the block anew each time was the generator's largest cost per QoS 1 message.
        arr = self.blocks.get(count)
        if arr is None:
            arr = self.blocks[count] = np.tile(self.template, (count, 1))
        stamp = time.monotonic_ns().to_bytes(8, "big")
        arr[:, self.stamp_at:self.stamp_at + 8] = np.frombuffer(stamp, dtype=np.uint8)
        if self.qos:
            ids = (self.next_id - 1 + np.arange(count)) % 65535 + 1
            arr[:, self.id_at] = ids >> 8
            arr[:, self.id_at + 1] = ids & 0xFF
            self.next_id = (self.next_id - 1 + count) % 65535 + 1
        loop.send(self.conn, arr.tobytes(), **{"publish_qos%d" % self.qos: count})
        self.sent += count


def drive(ctx, pubs, subs, fanout, total, chunk, window, rate=None):
    """Publishes @p total messages from @p pubs (round robin, @p chunk at a time) while at most
    @p window messages are on their way (not yet delivered to every subscriber, acknowledged,
    or, without subscribers, behind an unanswered PINGREQ). @p rate (messages/s): paced, open
    loop within the window. Returns the wall time from the first send to the last delivery."""
    loop = ctx.loop
    # Counted over the loop, not summed over the connections at every turn: that sum cost the
    # generator more CPU per QoS 1 message than the broker spends (doc/capacity.md).
    delivered0 = loop.ops["delivery"]
    qos = pubs[0].qos if pubs else 0
    ack_kind = {1: w.PUBACK, 2: w.PUBCOMP}.get(qos)
    acked0 = loop.received.get(ack_kind, 0)
    pings0 = {id(p): p.conn.count(w.PINGRESP) for p in pubs}
    pinged = dict.fromkeys(pings0, 0)
    sent = 0
    turn = 0
    lost = 0  # messages written off: a broker may drop QoS 0 deliveries

    def delivered():
        return loop.ops["delivery"] - delivered0

    def unacked():
        return sent - (loop.received.get(ack_kind, 0) - acked0) if ack_kind else 0

    def in_flight():
        if subs:
            waiting = sent - lost - delivered() / fanout
        else:
            waiting = sum(pinged[id(p)] - (p.conn.count(w.PINGRESP) - pings0[id(p)])
                          for p in pubs) * chunk
        return max(waiting, unacked())

    def room():
        return in_flight() + chunk <= window

    def wait_for(done, what):
        """Waits for done(); after IDLE_WRITE_OFF seconds without a delivery the messages on
        their way are written off (a QoS 1/2 acknowledgement missing is an error)."""
        nonlocal lost
        while True:
            before = delivered()
            try:
                loop.run_until(done, IDLE_WRITE_OFF, what)
                return
            except TimeoutError:
                if delivered() != before:
                    continue
                if not subs or unacked():
                    raise TimeoutError("no progress for %.0f s waiting for %s"
                                       % (IDLE_WRITE_OFF, what)) from None
                lost += in_flight()

    started = time.monotonic()
    while sent < total:
        if rate is not None:
            # Read what has arrived before writing more: a delivery's latency ends when it is
            # read, and a paced loop with messages always due would otherwise read only once
            # the window is full (the p99 was the time to fill the window, 20 to 30 ms).
            loop.poll(0)
        due = total if rate is None else min(total, int((time.monotonic() - started) * rate) + 1)
        if sent < due and room():
            p = pubs[turn % len(pubs)]
            turn += 1
            n = min(chunk, due - sent)
            p.chunk(loop, n)
            sent += n
            if not subs:
                loop.ping(p.conn)
                pinged[id(p)] += 1
        elif rate is None:
            wait_for(room, "room in the window")
        else:
            next_due = started + (sent + 1) / rate
            loop.poll(max(0.0, min(next_due - time.monotonic(), 0.002)))
    wait_for(lambda: in_flight() <= 0 and unacked() == 0, "deliveries and acknowledgements")
    return time.monotonic() - started


class PublishSpec:
    """A publishing workload: who publishes what to whom, and the flow window."""

    def __init__(self, pubs, subs, pub_qos, sub_qos, payload, share, chunk, window):
        self.pubs, self.subs = pubs, subs
        self.pub_qos, self.sub_qos = pub_qos, sub_qos
        self.payload = payload
        self.share = share  # messages, as a fraction of Context.messages
        self.chunk = chunk  # messages per write
        self.window = window  # messages on their way at most


# Windows keep the broker busy (so it reads and writes in large batches, as under saturation;
# chunks large enough that the generator spends less CPU per message than our broker) and keep
# QoS 1 below the queue bounds (our back-pressure threshold of 1000 queued messages).
PUBLISH_SPECS = {
    "qos0-no-subscriber": PublishSpec(16, 0, 0, 0, PAYLOAD_SMALL, 1.0, 200, 3200),
    "qos0-no-subscriber-large": PublishSpec(16, 0, 0, 0, PAYLOAD_LARGE, 0.25, 50, 800),
    "qos0-fan-in": PublishSpec(16, 1, 0, 0, PAYLOAD_SMALL, 1.0, 200, 3200),
    "qos0-fan-in-large": PublishSpec(16, 1, 0, 0, PAYLOAD_LARGE, 0.25, 50, 800),
    "fan-out": PublishSpec(1, 50, 0, 0, PAYLOAD_SMALL, 0.02, 32, 256),
    "fan-out-5": PublishSpec(4, 5, 0, 0, PAYLOAD_SMALL, 0.1, 50, 800),
    "qos1-fan-in": PublishSpec(16, 1, 1, 1, PAYLOAD_SMALL, 0.5, 50, 800),
    "qos1-sub0": PublishSpec(16, 1, 1, 0, PAYLOAD_SMALL, 0.5, 50, 800),
    # mosquitto takes at most 20 inbound QoS 2 messages in flight per client.
    "qos2-fan-in": PublishSpec(16, 1, 2, 0, PAYLOAD_SMALL, 0.25, 8, 256),
}


def publish_setup(ctx, name, spec):
    """Connects the subscribers (subscribed) and the publishers of @p spec."""
    topic = "%s/%s" % (ctx.prefix, name)
    subs = open_clients(ctx, "s" + name[:4], spec.subs, lambda i: [(topic + "/#", spec.sub_qos)])
    pconns = open_clients(ctx, "p" + name[:4], spec.pubs)
    pubs = [Publisher(c, "%s/%03d" % (topic, i), spec.pub_qos, spec.payload)
            for i, c in enumerate(pconns)]
    return pubs, subs


# The workloads the compiled load generator drives when given (ctx.loadgen).
LOADGEN_WORKLOADS = ["qos0-fan-in", "qos0-fan-in-large", "fan-out", "fan-out-5", "qos1-fan-in",
                     "qos1-sub0"]
# Seconds of each loadgen window at scale 1 (at least 0.25 s at any scale).
LOADGEN_SECONDS = 1.0
# The batch-varying workloads (loadgen only): a publishing workload paced at a rate (messages/s)
# far below any calibrated broker's saturation, so the broker reads about one packet per read and
# writes about one delivery per write (the comments in the file give the counts).
PACED_WORKLOADS = {"qos0-fan-in-paced": ("qos0-fan-in", 10000.0),
                   "qos1-fan-in-paced": ("qos1-fan-in", 5000.0)}


def loadgen_workload(ctx, name, spec, rate=None):
    """@p spec as one whole run of the compiled load generator (--warmup 0: every message is
    counted), closed loop on the workload's window or paced at @p rate messages/s."""
    seconds = max(0.25, LOADGEN_SECONDS * ctx.scale)

    def window():
        result = loadgen_side.run(ctx.loadgen, spec, ctx.broker.port, ctx.broker.proc.pid,
                                  seconds, rate=rate, window_factor=4 if rate else 1,
                                  label=name, warmup=0)
        if result.get("lost", 0):
            raise RuntimeError("workload %s: the load generator lost %d messages"
                               % (name, result["lost"]))
        return loadgen_side.run_ops(spec, result)

    ctx.measure(name, window)


def publish_workload(ctx, name):
    if ctx.only is not None and name not in ctx.only:
        return
    spec = PUBLISH_SPECS[name]
    if ctx.loadgen and name in LOADGEN_WORKLOADS:
        loadgen_workload(ctx, name, spec)
        return
    pubs, subs = publish_setup(ctx, name, spec)
    total = max(spec.chunk * spec.pubs, int(ctx.messages * spec.share))
    ctx.measure(name, lambda: drive(ctx, pubs, subs, len(subs), total, spec.chunk, spec.window))
    close_clients(ctx, subs + [p.conn for p in pubs])


def retained_workload(ctx):
    name = "retained-on-subscribe"
    if ctx.only is not None and name not in ctx.only:
        return
    loop = ctx.loop
    topic = "%s/ret" % ctx.prefix
    stored = max(10, ctx.n(2000))
    readers = max(2, ctx.n(50))
    (writer,) = open_clients(ctx, "rw", 1)
    for i in range(0, stored, 500):
        packets = [w.publish("%s/%d" % (topic, k), bytes(PAYLOAD_SMALL), 0, 0, True)
                   for k in range(i, min(stored, i + 500))]
        loop.publish_many(writer, packets, 0)
    loop.ping(writer)
    ctx.wait(lambda: writer.count(w.PINGRESP) >= 1, "retained messages stored")
    subs = open_clients(ctx, "rr", readers)

    def window():
        for c in subs:
            loop.subscribe(c, 1, [(topic + "/#", 0)])
        ctx.wait(lambda: all(c.retained >= stored for c in subs), "retained messages")

    ctx.measure(name, window)
    # Clear the store, so the next repetition starts from the same broker state.
    loop.publish_many(writer, [w.publish("%s/%d" % (topic, k), b"", 0, 0, True)
                               for k in range(stored)], 0)
    loop.ping(writer)
    ctx.wait(lambda: writer.count(w.PINGRESP) >= 2, "retained messages cleared")
    close_clients(ctx, subs + [writer])


def publish_workloads(ctx):
    for name in PUBLISH_SPECS:
        publish_workload(ctx, name)
    retained_workload(ctx)
    if ctx.loadgen:
        for name, (base, rate) in PACED_WORKLOADS.items():
            if ctx.only is None or name in ctx.only:
                loadgen_workload(ctx, name, PUBLISH_SPECS[base], rate)


WORKLOAD_NAMES = ["accept", "connect", "ping", "subscribe-one", "subscribe-many",
                  "unsubscribe-one", "unsubscribe-many", "disconnect", "connect-storm",
                  "connect-auth", "tls-connect-storm",
                  "qos0-no-subscriber", "qos0-no-subscriber-large", "qos0-fan-in",
                  "qos0-fan-in-large", "fan-out", "fan-out-5", "qos1-fan-in", "qos1-sub0",
                  "qos2-fan-in", "retained-on-subscribe"] + list(PACED_WORKLOADS)


def run_all(ctx):
    """Runs every workload once (one repetition); returns ctx.results."""
    started = time.monotonic()
    connection_workloads(ctx)
    tls_connect_storm(ctx)
    publish_workloads(ctx)
    ctx.wall = time.monotonic() - started
    return ctx.results
