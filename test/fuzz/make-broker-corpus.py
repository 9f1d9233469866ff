#!/usr/bin/python3
"""Writes the seed corpus of mqtt-broker-fuzz: short scripts in its operation language.

Input layout: four profile bytes (standard limits and policies, then the AWS IoT Core deviations
and limits), then operations of (op, connection, arguments...). Ops (op % 12):
0 open, 1 network close, 2 raw bytes (len, bytes), 3 CONNECT (flags[, keepalive][, will topic,
will qos]), 4 SUBSCRIBE (id, n, n x filter byte: filter b % 9, or the lifecycle filter when b & 0x80;
QoS (b >> 4) % 3), 5 PUBLISH (flags[, id], payload length),
6 ack (type | id<<2), 7 UNSUBSCRIBE (id, filter), 8 PINGREQ/DISCONNECT, 9 advance (x 250 ms),
10 fire due timers, 11 stale timer id. Persistence mode (third profile byte, bits 2-3 = 10): op 10
takes a byte: 0-3 fire due timers, 4 makes the oldest batch durable, 5 and 6 all, 7 crashes.
"""
import pathlib

HERE = pathlib.Path(__file__).resolve().parent / "corpus" / "broker"


def op(code, conn, *args):
    return bytes([code, conn]) + bytes(args)


def connect(conn, client, clean=True, keepalive=None, will=None):
    flags = client | (4 if clean else 0)
    args = []
    if keepalive is not None:
        flags |= 8
        args.append(keepalive)
    if will is not None:
        flags |= 16 | (32 if will[2] else 0)
        args += [will[0], will[1]]
    return op(3, conn, flags, *args)


def publish(conn, topic, qos, retain=False, dup=False, pid=0, length=1):
    flags = topic | (qos << 3) | (0x40 if retain else 0) | (0x80 if dup else 0)
    args = [flags] + ([pid] if qos else []) + [length]
    return op(5, conn, *args)


SEEDS = {
    "pubsub-qos0": b"\x00\x00\x00\x00" + op(0, 0) + connect(0, 0) + op(0, 1) + connect(1, 1)
    + op(4, 1, 0, 0, 0x00) + publish(0, 0, 0),
    "qos1-ack": b"\x03\x00\x00\x00" + op(0, 0) + connect(0, 0) + op(0, 1) + connect(1, 1)
    + op(4, 1, 0, 0, 0x12) + publish(0, 1, 1, pid=1) + op(6, 1, 0 | (0 << 2)),
    "qos2-flow": b"\x03\x00\x00\x00" + op(0, 0) + connect(0, 0) + op(0, 1) + connect(1, 1)
    + op(4, 1, 0, 0, 0x23) + publish(0, 1, 2, pid=2) + op(6, 0, 2 | (1 << 2))
    + op(6, 1, 1) + op(6, 1, 3),
    "persistent-offline": b"\x0c\x00\x00\x00" + op(0, 0) + connect(0, 0) + op(0, 1)
    + connect(1, 1, clean=False) + op(4, 1, 0, 0, 0x13) + op(1, 1) + publish(0, 2, 1, pid=1)
    + publish(0, 2, 2, pid=2) + op(0, 2) + connect(2, 1, clean=False),
    "retain": b"\x00\x00\x00\x00" + op(0, 0) + connect(0, 0) + publish(0, 0, 1, retain=True, pid=1)
    + op(0, 1) + connect(1, 1) + op(4, 1, 0, 0, 0x12) + publish(0, 0, 0, retain=True, length=0),
    "will-keepalive": b"\x80\x00\x00\x00" + op(0, 0) + connect(0, 0, keepalive=2, will=(0, 1, True))
    + op(0, 1) + connect(1, 1) + op(4, 1, 0, 0, 0x13) + op(9, 0, 20) + op(10, 0),
    "takeover": b"\x00\x00\x00\x00" + op(0, 0) + connect(0, 0, will=(3, 0, False)) + op(0, 1)
    + connect(1, 0) + op(8, 1, 1),
    "connect-timeout": b"\x00\x00\x00\x00" + op(0, 0) + op(9, 0, 40) + op(11, 0, 1),
    "violation": b"\x00\x00\x00\x00" + op(0, 0) + connect(0, 0) + op(2, 0, 4, 0x60, 0x02, 0x00, 0x01),
    "expiry": b"\x81\x00\x00\x00" + op(0, 0) + connect(0, 2, clean=False) + op(4, 0, 0, 0, 0x13)
    + op(8, 0, 0) + op(0, 1) + connect(1, 0) + publish(1, 0, 1, pid=1) + op(9, 0, 60),
    "maxqos-ignore": b"\x00\x24\x00\x00" + op(0, 0) + connect(0, 0) + op(4, 0, 0, 0, 0x20)
    + publish(0, 0, 2, pid=1),
    # AWS IoT Core: jitter + delay + publish rate + byte rate + drain; lifecycle, connect
    # interval, inbound window, duplicates, resends, retained bound.
    "aws-jitter-drain": b"\x03\x00\xd3\x3f" + op(0, 0) + connect(0, 0) + op(0, 1)
    + connect(1, 1, clean=False) + op(4, 1, 0, 1, 0xa0, 0x14) + op(9, 0, 2) + publish(0, 1, 1, pid=1)
    + publish(0, 0, 0) + op(9, 0, 1) + op(1, 1) + publish(0, 1, 1, pid=2) + publish(0, 1, 1, pid=3)
    + op(9, 0, 8) + op(0, 2) + connect(2, 1, clean=False) + op(9, 0, 2) + op(6, 2, 0 | (1 << 2))
    + op(9, 0, 4) + op(10, 0),
    "aws-lifecycle-throttle": b"\x00\x04\x30\x07" + op(0, 0) + connect(0, 0) + op(4, 0, 0, 0, 0xa0)
    + op(0, 1) + connect(1, 1) + publish(1, 0, 0) + publish(1, 0, 1, pid=1) + publish(1, 0, 1, pid=2)
    + publish(1, 0, 0) + publish(1, 0, 0) + publish(1, 0, 0) + op(0, 2) + connect(2, 1) + op(9, 0, 5)
    + op(0, 3) + connect(3, 1) + op(8, 3, 0),
    # Subscriptions: one removed by UNSUBSCRIBE, the other kept by the persistent session over
    # a restart (Shutdown, Resume); a clean session's go with its connection.
    "unsubscribe-restart": b"\x0c\x00\x00\x00" + op(0, 0) + connect(0, 0, clean=False)
    + op(4, 0, 0, 1, 0x01, 0x02) + op(7, 0, 1, 0x01) + op(0, 1) + connect(1, 1)
    + op(4, 1, 0, 0, 0x03) + op(8, 0, 6) + op(8, 0, 7) + op(0, 2) + connect(2, 0, clean=False)
    + op(0, 3) + connect(3, 2) + publish(3, 1, 2, pid=1) + op(6, 2, 1 | (0 << 2)),
    # Persistence: a persistent subscriber offline, QoS 1 and 2 messages for it made durable,
    # a crash, the restored session delivers them (window 1: one after the other).
    "persistence-crash": b"\x0c\x08\x08\x00" + op(0, 0) + connect(0, 0) + op(0, 1)
    + connect(1, 1, clean=False) + op(10, 0, 5) + op(4, 1, 0, 0, 0x25) + op(10, 0, 5) + op(1, 1)
    + publish(0, 0, 1, pid=1) + publish(0, 0, 2, pid=2) + op(10, 0, 5) + op(10, 0, 7) + op(0, 2)
    + connect(2, 1, clean=False) + op(10, 0, 5) + op(6, 2, 0 | (0 << 2)) + op(6, 2, 1 | (1 << 2))
    + op(10, 0, 5) + op(6, 2, 3 | (1 << 2)) + op(10, 0, 5),
}

for name, data in SEEDS.items():
    (HERE / name).write_bytes(data)
