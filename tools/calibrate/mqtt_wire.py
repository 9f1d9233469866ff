# SPDX-License-Identifier: GPL-2.0-only
"""MQTT 3.1.1 packets as bytes, for the calibration load generator.

Only what the workloads send and must recognise: the generator writes packets it builds here and
frames what the broker sends back into (type, flags, body) without decoding more than it needs.
"""

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14


def remaining_length(n):
    """The variable-length remaining-length field [MQTT-2.2.3]."""
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def packet(first_byte, body):
    return bytes([first_byte]) + remaining_length(len(body)) + body


def utf8(text):
    data = text.encode()
    return len(data).to_bytes(2, "big") + data


def connect(client_id, keepalive=60, clean=True, user=None, password=None):
    """CONNECT (3.1.1); with @p user (and @p password, bytes) the User Name and Password flags."""
    flags = (0x02 if clean else 0x00) | (0x80 if user is not None else 0) | \
        (0x40 if password is not None else 0)
    body = utf8("MQTT") + bytes([4, flags]) + keepalive.to_bytes(2, "big") + utf8(client_id)
    if user is not None:
        body += utf8(user)
    if password is not None:
        body += len(password).to_bytes(2, "big") + password
    return packet(0x10, body)


def publish(topic, payload, qos=0, packet_id=0, retain=False):
    first = 0x30 | (qos << 1) | (1 if retain else 0)
    body = utf8(topic) + (packet_id.to_bytes(2, "big") if qos else b"") + payload
    return packet(first, body)


def subscribe(packet_id, filters):
    """filters: [(filter, qos)]"""
    body = packet_id.to_bytes(2, "big") + b"".join(utf8(f) + bytes([q]) for f, q in filters)
    return packet(0x82, body)


def unsubscribe(packet_id, filters):
    return packet(0xA2, packet_id.to_bytes(2, "big") + b"".join(utf8(f) for f in filters))


def ack(kind, packet_id):
    """PUBACK, PUBREC, PUBREL (flags 0b0010 [MQTT-3.6.1-1]) or PUBCOMP."""
    return bytes([(kind << 4) | (0x02 if kind == PUBREL else 0), 2]) + packet_id.to_bytes(2, "big")


PINGREQ_BYTES = b"\xc0\x00"
DISCONNECT_BYTES = b"\xe0\x00"


def frames(buffer):
    """Splits complete packets off the front of @p buffer (a bytearray, consumed in place).

    Yields (type, flags, body) with body as bytes; the caller must exhaust the generator.
    """
    data = bytes(buffer)
    pos = 0
    end = len(data)
    while pos + 2 <= end:
        first = data[pos]
        length = 0
        shift = 0
        i = pos + 1
        while True:
            if i >= end:
                del buffer[:pos]
                return
            byte = data[i]
            length |= (byte & 0x7F) << shift
            shift += 7
            i += 1
            if not byte & 0x80:
                break
        if i + length > end:
            break
        yield first >> 4, first & 0x0F, data[i:i + length]
        pos = i + length
    del buffer[:pos]


def publish_fields(flags, body):
    """(qos, retain, packet_id, topic, payload) of a PUBLISH body."""
    qos = (flags >> 1) & 3
    topic_len = int.from_bytes(body[0:2], "big")
    pos = 2 + topic_len
    packet_id = 0
    if qos:
        packet_id = int.from_bytes(body[pos:pos + 2], "big")
        pos += 2
    return qos, bool(flags & 1), packet_id, body[2:2 + topic_len], body[pos:]
