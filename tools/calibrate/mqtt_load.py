# SPDX-License-Identifier: GPL-2.0-only
"""A small MQTT 3.1.1 load generator on raw non-blocking sockets, counting operations.

Many connections share one epoll loop (selectors). Each connection answers what the protocol
asks of a client on its own (PUBACK to a QoS 1 delivery, PUBREC/PUBCOMP for QoS 2, PUBREL to a
PUBREC), so a workload only writes its packets and waits for a condition. Every packet and
byte sent to the broker and received from it is counted under the service-cost operation it
costs the broker (doc/capacity.md, "Calibration"): the counts come from what really crossed
the sockets, not from what a workload meant to happen.
"""

import selectors
import socket
import ssl
import time

import numpy as np

import mqtt_wire as w

# Runs shorter than this go through the general parser.
FAST_MIN_PACKETS = 8

# The service-cost operations of issue #13, in the order calibration files list them.
COST_KEYS = ["accept", "connect", "publish-qos0", "publish-qos1", "publish-qos2", "ack",
             "subscribe", "filter", "unsubscribe", "pingreq", "disconnect", "match", "delivery",
             "byte-in", "byte-out", "tls-handshake", "read", "write", "wait", "wakeup", "auth"]


class Ops(dict):
    """Operation counts keyed by cost name."""

    def __init__(self):
        super().__init__((k, 0) for k in COST_KEYS)

    def __sub__(self, other):
        d = Ops()
        for k in COST_KEYS:
            d[k] = self[k] - other[k]
        return d

    def copy(self):
        d = Ops()
        d.update(self)
        return d


class Conn:
    """One client connection: its socket, buffers and what it has received."""

    def __init__(self, sock, name):
        self.sock = sock
        self.name = name
        self.out = bytearray()
        self.inb = bytearray()
        self.writing = False
        self.eof = False
        self.closed = False
        self.received = {}  # packet type -> count
        self.connack_code = None  # the CONNACK's return code once it came
        self.publishes = 0
        self.retained = 0
        # TLS: True until the handshake completes (what is sent meanwhile waits in out), and
        # whether the handshake asked to wait for the socket to take its bytes.
        self.handshaking = False
        self.handshake_wants_write = False
        self.tls = None  # (version, cipher, session reused) once the handshake completed

    def count(self, kind):
        return self.received.get(kind, 0)


class Loop:
    """The event loop of all connections of a run, with the operation counters."""

    def __init__(self, host, port, latency=False, tls=None):
        self.host = host
        self.port = port
        # (port, ssl.SSLContext) of the broker's TLS listener, or None: open_tls() needs it.
        self.tls = tls
        self.sel = selectors.DefaultSelector()
        self.ops = Ops()
        self.conns = []
        self.received = {}  # packet type -> count, over all connections
        # Latency samples (ns) of received PUBLISHes whose payload starts with a send stamp.
        self.latency = [] if latency else None

    # -- connections ---------------------------------------------------------------------------
    def open(self, name):
        """A new TCP connection (blocking connect on loopback, then non-blocking)."""
        sock = socket.create_connection((self.host, self.port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        conn = Conn(sock, name)
        self.sel.register(sock, selectors.EVENT_READ, conn)
        self.conns.append(conn)
        self.ops["accept"] += 1
        return conn

    def open_tls(self, name):
        """A new TLS connection to the TLS listener: the TCP connection as open(), then the
        handshake runs in the loop (non-blocking); what is sent before it completes waits.
        Counts accept now and tls-handshake when the handshake completes; the bytes counted
        (byte-in, byte-out) are the MQTT bytes inside the records, as the simulated broker
        counts them (doc/capacity.md)."""
        port, context = self.tls
        raw = socket.create_connection((self.host, port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.setblocking(False)
        sock = context.wrap_socket(raw, server_hostname=self.host, do_handshake_on_connect=False)
        conn = Conn(sock, name)
        conn.handshaking = True
        self.sel.register(sock, selectors.EVENT_READ, conn)
        self.conns.append(conn)
        self.ops["accept"] += 1
        self._handshake(conn)
        return conn

    def _handshake(self, conn):
        try:
            conn.sock.do_handshake()
        except ssl.SSLWantReadError:
            conn.handshake_wants_write = False
        except ssl.SSLWantWriteError:
            conn.handshake_wants_write = True
        except (ssl.SSLError, OSError) as e:
            raise RuntimeError("TLS handshake of connection %s failed: %s"
                               % (conn.name, e)) from None
        else:
            conn.handshaking = False
            conn.handshake_wants_write = False
            conn.tls = (conn.sock.version(), conn.sock.cipher()[0], conn.sock.session_reused)
            self.ops["tls-handshake"] += 1
        self._flush(conn)

    def close(self, conn):
        """Closes our side; the broker handles the loss (or the DISCONNECT sent before)."""
        if conn.closed:
            return
        self.sel.unregister(conn.sock)
        conn.sock.close()
        conn.closed = True
        self.conns.remove(conn)
        self.ops["disconnect"] += 1

    # -- sending -------------------------------------------------------------------------------
    def send(self, conn, data, **ops):
        """Queues @p data on @p conn, counting @p ops (keys with '_' for '-')."""
        for k, v in ops.items():
            self.ops[k.replace("_", "-")] += v
        self.ops["byte-in"] += len(data)
        conn.out += data
        self._flush(conn)

    def connect(self, conn, client_id, clean=True, keepalive=60, user=None, password=None):
        """CONNECT; with @p user the broker checks the password against its file (auth)."""
        self.send(conn, w.connect(client_id, keepalive, clean, user, password), connect=1,
                  auth=1 if user is not None else 0)

    def subscribe(self, conn, packet_id, filters):
        self.send(conn, w.subscribe(packet_id, filters), subscribe=1, filter=len(filters))

    def unsubscribe(self, conn, packet_id, filters):
        self.send(conn, w.unsubscribe(packet_id, filters), unsubscribe=1, filter=len(filters))

    def publish_many(self, conn, packets, qos):
        """Queues ready-made PUBLISH packets of one QoS."""
        self.send(conn, b"".join(packets), **{"publish_qos%d" % qos: len(packets)})

    def ping(self, conn, n=1):
        self.send(conn, w.PINGREQ_BYTES * n, pingreq=n)

    def disconnect(self, conn):
        """Sends DISCONNECT; the broker closes, and close() is counted when we see that."""
        self.send(conn, w.DISCONNECT_BYTES)

    def _flush(self, conn):
        if conn.out and not conn.closed and not conn.handshaking:
            try:
                n = conn.sock.send(conn.out)
                del conn.out[:n]
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
            except OSError:
                conn.out.clear()
        want = conn.handshake_wants_write if conn.handshaking else bool(conn.out)
        if want != conn.writing and not conn.closed:
            conn.writing = want
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if want else 0)
            self.sel.modify(conn.sock, events, conn)

    # -- receiving -----------------------------------------------------------------------------
    def _read(self, conn):
        try:
            data = conn.sock.recv(1 << 18)
            # A TLS record's plaintext beyond what recv returned waits in the SSL object, where
            # select cannot see it.
            while data and isinstance(conn.sock, ssl.SSLSocket) and conn.sock.pending():
                data += conn.sock.recv(conn.sock.pending())
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError:
            data = b""
        if not data:
            conn.eof = True
            self.close(conn)
            return
        now = time.monotonic_ns()
        self.ops["byte-out"] += len(data)
        conn.inb += data
        if self._read_uniform(conn, now):
            return
        replies = bytearray()
        acks = 0
        for kind, flags, body in w.frames(conn.inb):
            self._got(conn, kind, 1)
            if kind == w.PUBLISH:
                qos, retain, pid, _topic, payload = w.publish_fields(flags, body)
                conn.publishes += 1
                self.ops["delivery"] += 1
                if retain:
                    conn.retained += 1
                else:
                    self.ops["match"] += 1
                if self.latency is not None and len(payload) >= 8 and not retain:
                    self.latency.append(now - int.from_bytes(payload[0:8], "big"))
                if qos == 1:
                    replies += w.ack(w.PUBACK, pid)
                    acks += 1
                elif qos == 2:
                    replies += w.ack(w.PUBREC, pid)
                    acks += 1
            elif kind == w.CONNACK and len(body) >= 2:
                conn.connack_code = body[1]
            elif kind == w.PUBREC:
                replies += w.ack(w.PUBREL, int.from_bytes(body[0:2], "big"))
                acks += 1
            elif kind == w.PUBREL:
                replies += w.ack(w.PUBCOMP, int.from_bytes(body[0:2], "big"))
                acks += 1
        if replies:
            self.send(conn, bytes(replies), ack=acks)

    def _read_uniform(self, conn, now):
        """The fast path under load: when the input is a run of packets of one size and header
        (a subscriber's PUBLISHes, a publisher's acknowledgements), handles them at once with
        numpy. Returns False (nothing consumed) when it does not apply."""
        buf = conn.inb
        if len(buf) < 4 * FAST_MIN_PACKETS:
            return False
        kind = buf[0] >> 4
        if kind == w.PUBLISH:
            length, hdr = 0, 1
            while True:
                if hdr >= len(buf) or hdr > 4:
                    return False
                byte = buf[hdr]
                length |= (byte & 0x7F) << (7 * (hdr - 1))
                hdr += 1
                if not byte & 0x80:
                    break
            size = hdr + length
            fixed = hdr + 2  # the header and the topic length are the same in every packet
        elif kind in (w.PUBACK, w.PUBREC, w.PUBREL, w.PUBCOMP):
            size, fixed = 4, 0
            if len(buf) // 4 >= FAST_MIN_PACKETS and self._read_acks(conn, len(buf) // 4):
                return True
        else:
            return False
        n = len(buf) // size
        if n < FAST_MIN_PACKETS:
            return False
        arr = np.frombuffer(bytes(buf[:n * size]), dtype=np.uint8).reshape(n, size)
        if kind == w.PUBLISH:
            if not np.all(arr[:, :fixed] == arr[0, :fixed]):
                return False
            first = int(arr[0, 0])
            qos = (first >> 1) & 3
            retain = bool(first & 1)
            topic_len = (int(arr[0, hdr]) << 8) | int(arr[0, hdr + 1])
            id_at = fixed + topic_len
            payload_at = id_at + (2 if qos else 0)
            del buf[:n * size]
            conn.publishes += n
            self._got(conn, w.PUBLISH, n)
            self.ops["delivery"] += n
            if retain:
                conn.retained += n
            else:
                self.ops["match"] += n
            if self.latency is not None and not retain and size - payload_at >= 8:
                stamps = np.ascontiguousarray(arr[:, payload_at:payload_at + 8]).view(">u8")
                self.latency.append(now - stamps.ravel().astype(np.int64))
            if qos:
                reply = np.empty((n, 4), dtype=np.uint8)
                reply[:, 0] = (w.PUBACK if qos == 1 else w.PUBREC) << 4
                reply[:, 1] = 2
                reply[:, 2:4] = arr[:, id_at:id_at + 2]
                self.send(conn, reply.tobytes(), ack=n)
            return True
        kinds = arr[:, 0] >> 4
        if not (np.all(arr[:, 1] == 2) and np.all((kinds >= w.PUBACK) & (kinds <= w.PUBCOMP))):
            return False
        del buf[:n * size]
        for k, count in zip(*np.unique(kinds, return_counts=True)):
            self._got(conn, int(k), int(count))
        mask = (kinds == w.PUBREC) | (kinds == w.PUBREL)
        if np.any(mask):
            reply = arr[mask].copy()
            sel = reply[:, 0] >> 4
            reply[:, 0] = np.where(sel == w.PUBREC, (w.PUBREL << 4) | 2, w.PUBCOMP << 4)
            self.send(conn, reply.tobytes(), ack=int(mask.sum()))
        return True

    # The reply to a run of one acknowledgement kind: PUBREL to PUBREC, PUBCOMP to PUBREL.
    _ACK_REPLY = {w.PUBACK << 4: None, w.PUBREC << 4: (w.PUBREL << 4) | 2,
                  (w.PUBREL << 4) | 2: w.PUBCOMP << 4, w.PUBCOMP << 4: None}

    def _read_acks(self, conn, n):
        """A run of @p n acknowledgements of one kind (a publisher's PUBACKs under load) with
        bytes operations only: numpy's per-call overhead, paid once per read, cost the QoS 1
        workloads more generator CPU per message than the broker spends."""
        data = bytes(conn.inb[:4 * n])
        firsts = data[0::4]
        first = firsts[0]
        if first not in self._ACK_REPLY or firsts.count(first) != n or data[1::4].count(2) != n:
            return False
        del conn.inb[:4 * n]
        self._got(conn, first >> 4, n)
        reply = self._ACK_REPLY[first]
        if reply is not None:
            out = bytearray(data)
            out[0::4] = bytes([reply]) * n
            self.send(conn, bytes(out), ack=n)
        return True

    def _got(self, conn, kind, n):
        conn.received[kind] = conn.received.get(kind, 0) + n
        self.received[kind] = self.received.get(kind, 0) + n

    def run_until(self, done, timeout, what):
        """Handles I/O until done() holds; raises TimeoutError naming @p what after @p timeout."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out after %.0f s waiting for %s" % (timeout, what))
            self.poll(min(left, 0.05))

    def poll(self, timeout):
        """Waits at most @p timeout seconds for I/O and handles what is ready."""
        for key, events in self.sel.select(timeout):
            conn = key.data
            if conn.handshaking:
                self._handshake(conn)
                continue
            if events & selectors.EVENT_READ and not conn.closed:
                self._read(conn)
            if events & selectors.EVENT_WRITE and not conn.closed:
                self._flush(conn)

    def close_all(self):
        for conn in list(self.conns):
            self.close(conn)
        self.sel.close()
