#!/usr/bin/env python3
# Writes the seed corpus of the codec fuzz target (test/fuzz/corpus/codec/): one valid packet of
# each of the 14 types of 3.1.1 and the 15 of 5.0 (with properties), streams of several packets,
# and malformed inputs that each reach one DecodeError. The target decodes every input as both
# versions. Run from anywhere: python3 test/fuzz/make-codec-corpus.py
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


def section(props):
    return rl(len(props)) + props


def p1(i, v):
    return bytes([i, v])


def p2(i, v):
    return bytes([i]) + v.to_bytes(2, "big")


def p4(i, v):
    return bytes([i]) + v.to_bytes(4, "big")


def ps(i, s):
    return bytes([i]) + field(s)


def user(k, v):
    return b"\x26" + field(k) + field(v)


def connect5(flags, props, payload):
    return pkt(0x10, field("MQTT") + bytes([5, flags]) + b"\x00\x3c" + section(props) + payload)


V5_SEEDS = {
    "v5-connect-minimal": connect5(0x02, b"", field("c")),
    "v5-connect-full": connect5(
        0xEE,
        p4(0x11, 3600) + p2(0x21, 20) + p4(0x27, 4096) + p2(0x22, 10) + p1(0x19, 1)
        + p1(0x17, 0) + user("a", "b") + ps(0x15, "SCRAM") + ps(0x16, "\x01\x02"),
        field("c") + section(p4(0x18, 5) + p1(0x01, 1) + p4(0x02, 60) + ps(0x03, "text")
                             + ps(0x08, "r/t") + ps(0x09, "\xaa") + user("k", "v"))
        + field("w/t") + field("bye") + field("u") + field("pw")),
    "v5-connack": pkt(0x20, b"\x01\x00" + section(ps(0x12, "auto-1") + p2(0x13, 30) + p1(0x24, 1)
                                                 + p1(0x25, 0) + p1(0x2a, 1) + ps(0x1f, "ok"))),
    "v5-publish-props": pkt(0x32, field("s/1") + b"\x00\x07" + section(
        p1(0x01, 1) + p4(0x02, 86400) + p2(0x23, 3) + ps(0x08, "reply/1") + ps(0x09, "\x01")
        + user("z", "1") + b"\x0b\x01" + b"\x0b\xc8\x01" + ps(0x03, "application/json")) + b"{}"),
    "v5-publish-alias-only": pkt(0x30, field("") + section(p2(0x23, 1)) + b"p"),
    "v5-puback-short": bytes.fromhex("40 02 00 01"),
    "v5-pubrec-reason": bytes.fromhex("50 03 00 02 10"),
    "v5-pubrel-props": pkt(0x62, b"\x00\x03\x92" + section(ps(0x1f, "gone"))),
    "v5-pubcomp-long": bytes.fromhex("70 04 00 04 00 00"),
    "v5-subscribe": pkt(0x82, b"\x00\x0a" + section(b"\x0b\xac\x02" + user("u", "v"))
                        + field("a/+") + b"\x25" + field("$share/g/c/#") + b"\x1a"),
    "v5-suback": pkt(0x90, b"\x00\x0a" + section(ps(0x1f, "r")) + bytes([0, 1, 2, 0x80, 0x9e, 0xa2])),
    "v5-unsubscribe": pkt(0xA2, b"\x00\x0a" + section(user("k", "v")) + field("a/b")),
    "v5-unsuback": pkt(0xB0, b"\x00\x0a" + section(b"") + bytes([0, 0x11, 0x80])),
    "v5-disconnect-props": pkt(0xE0, b"\x8e" + section(ps(0x1f, "taken over") + ps(0x1c, "b2"))),
    "v5-disconnect-reason": bytes.fromhex("e0 01 04"),
    "v5-auth": pkt(0xF0, b"\x18" + section(ps(0x15, "SCRAM-SHA-256") + ps(0x16, "n,,n=u"))),
    "v5-stream": (connect5(0x02, b"", field("c")) + pkt(0x30, field("t") + section(p2(0x23, 2)) + b"p")
                  + bytes.fromhex("c0 00 e0 01 04")),
    "v5-bad-duplicate-property": connect5(0x02, p4(0x11, 1) + p4(0x11, 2), field("c")),
    "v5-bad-unknown-property": connect5(0x02, p1(0x30, 0), field("c")),
    "v5-bad-not-allowed": pkt(0x30, field("t") + section(p4(0x11, 1))),
    "v5-bad-topic-alias-zero": pkt(0x30, field("t") + section(p2(0x23, 0))),
    "v5-bad-empty-topic": pkt(0x30, field("") + section(b"")),
    "v5-bad-reason-code": bytes.fromhex("40 03 00 01 92"),
    "v5-bad-options": pkt(0x82, b"\x00\x01\x00" + field("a") + b"\xc0"),
    "v5-bad-shared": pkt(0x82, b"\x00\x01\x00" + field("$share/g/a") + b"\x04"),
    "v5-bad-overlong-vbi": bytes.fromhex("c0 80 00"),
    "v5-bad-auth-no-method": bytes.fromhex("f0 01 18"),
}

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
    for name, data in sorted({**SEEDS, **V5_SEEDS}.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS) + len(V5_SEEDS), out))


if __name__ == "__main__":
    main()
