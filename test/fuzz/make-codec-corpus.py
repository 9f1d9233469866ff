#!/usr/bin/env python3
# Writes the seed corpus of the codec fuzz target (test/fuzz/corpus/codec/): one valid packet of
# each of the 14 types, a stream of several packets, and malformed inputs that each reach one
# DecodeError. Run from anywhere: python3 test/fuzz/make-codec-corpus.py
import os


def field(b):
    if isinstance(b, str):
        b = b.encode()
    return len(b).to_bytes(2, "big") + b


def rl(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pkt(first, body):
    return bytes([first]) + rl(len(body)) + body


def connect(flags, payload, name="MQTT", level=4):
    return pkt(0x10, field(name) + bytes([level, flags]) + b"\x00\x3c" + payload)


SEEDS = {
    # One valid packet of each type.
    "valid-connect": connect(0xCE, field("client-1") + field("will/t") + field("bye")
                             + field("user") + field("pw")),
    "valid-connect-minimal": connect(0x02, field("")),
    "valid-connack": bytes.fromhex("20 02 01 00"),
    "valid-publish-qos0": pkt(0x30, field("a/b") + b"hello"),
    "valid-publish-qos2-dup-retain": pkt(0x3D, field("a/b") + b"\x00\x0a" + b"x" * 40),
    "valid-puback": bytes.fromhex("40 02 00 01"),
    "valid-pubrec": bytes.fromhex("50 02 00 02"),
    "valid-pubrel": bytes.fromhex("62 02 00 02"),
    "valid-pubcomp": bytes.fromhex("70 02 00 02"),
    "valid-subscribe": pkt(0x82, b"\x00\x0a" + field("a/b") + b"\x01" + field("c/+/#") + b"\x02"),
    "valid-suback": bytes.fromhex("90 05 00 0a 00 02 80"),
    "valid-unsubscribe": pkt(0xA2, b"\x00\x0a" + field("a/b") + field("c/d")),
    "valid-unsuback": bytes.fromhex("b0 02 00 0a"),
    "valid-pingreq": bytes.fromhex("c0 00"),
    "valid-pingresp": bytes.fromhex("d0 00"),
    "valid-disconnect": bytes.fromhex("e0 00"),
    "valid-stream": (connect(0x02, field("c")) + pkt(0x30, field("t") + b"p")
                     + bytes.fromhex("c0 00 e0 00")),
    "valid-overlong-length": bytes.fromhex("c0 80 80 00"),
    # Malformed: one per kind of check.
    "bad-reserved-type": bytes.fromhex("f0 00"),
    "bad-flags-pubrel": bytes.fromhex("60 02 00 01"),
    "bad-length-5-bytes": bytes.fromhex("30 ff ff ff ff 7f"),
    "bad-protocol-name": connect(0x02, field("c"), name="MQTX"),
    "bad-protocol-level": connect(0x02, field("c"), level=5),
    "bad-mqisdp": connect(0x02, field("c"), name="MQIsdp", level=3),
    "bad-connect-reserved-flag": connect(0x03, field("c")),
    "bad-will-qos3": connect(0x1E, field("c") + field("t") + field("m")),
    "bad-password-no-user": connect(0x42, field("c") + field("p")),
    "bad-utf8-topic": pkt(0x30, field(b"\xed\xa0\x80")),
    "bad-wildcard-topic": pkt(0x30, field("a/+")),
    "bad-filter": pkt(0x82, b"\x00\x01" + field("a/#/b") + b"\x00"),
    "bad-requested-qos": pkt(0x82, b"\x00\x01" + field("a") + b"\x03"),
    "bad-dup-qos0": pkt(0x38, field("t")),
    "bad-packet-id-zero": bytes.fromhex("40 02 00 00"),
    "bad-suback-code": bytes.fromhex("90 03 00 01 03"),
    "bad-connack-flags": bytes.fromhex("20 02 02 00"),
    "bad-trailing-pingreq": bytes.fromhex("c0 01 00"),
    # Regressions found by the fuzzer.
    "regress-too-large-before-too-long": bytes.fromhex("a2 ff ff ff ff ff 8a 8a 8a ff ff 10 0c"),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "codec")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
