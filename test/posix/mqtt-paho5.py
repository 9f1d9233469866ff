#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""paho-mqtt's MQTT 5.0 client (python3-paho-mqtt, protocol=MQTTv5) against our broker
(--profile standard-5), for test/posix/mqtt-posix-paho5-test.cc. Prints one line per check
("connack ...", "props ...", "shared ...") and exits 0 only when every check passed:
- CONNACK to a client asking for Response Information carries "response/<client id>";
- User Properties, Content Type, Response Topic and Correlation Data reach a 5.0 subscriber
  unchanged, User Properties in order;
- two members of $share/g/paho5/s split four messages two and two;
- No Local keeps a client's own message from it."""
import argparse
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()
failures = []


def check(name, ok, detail):
    print(f"{name} {'ok' if ok else 'FAILED'} {detail}", flush=True)
    if not ok:
        failures.append(name)


class Peer:
    """One MQTTv5 client with its own network thread and a record of what it received."""

    def __init__(self, client_id, connect_properties=None):
        self.received = []
        self.connack = None
        self.connected = threading.Event()
        self.subacks = 0
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, msg: self.received.append(msg)
        self.client.on_subscribe = self._on_subscribe
        self.client.connect("127.0.0.1", args.port, clean_start=True,
                            properties=connect_properties)
        self.client.loop_start()
        if not self.connected.wait(10):
            check("connect", False, client_id)
            sys.exit(1)

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        self.connack = (reason_code, properties)
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        self.subacks += 1

    def subscribe(self, topic, options):
        before = self.subacks
        self.client.subscribe(topic, options=options)
        deadline = time.time() + 10
        while self.subacks == before and time.time() < deadline:
            time.sleep(0.01)

    def stop(self):
        self.client.disconnect()
        self.client.loop_stop()


def wait_for(predicate, seconds=10):
    deadline = time.time() + seconds
    while not predicate() and time.time() < deadline:
        time.sleep(0.01)
    return predicate()


# Response Information [MQTT5-3.1.2-28 when not asked, the engine tests; here: asked].
ask = Properties(PacketTypes.CONNECT)
ask.RequestResponseInformation = 1
asker = Peer("paho5-asker", ask)
rc, props = asker.connack
info = getattr(props, "ResponseInformation", None)
check("connack", rc == 0 and info == "response/paho5-asker", f"rc={rc} info={info}")
asker.stop()

# Properties forwarded unchanged.
sub = Peer("paho5-sub")
sub.subscribe("paho5/p", SubscribeOptions(qos=1))
pub = Peer("paho5-pub")
out = Properties(PacketTypes.PUBLISH)
out.UserProperty = [("k1", "v1"), ("k2", "v2"), ("k1", "again")]
out.ContentType = "text/plain"
out.ResponseTopic = "paho5/reply"
out.CorrelationData = b"\x01\x02"
pub.client.publish("paho5/p", b"hello", qos=1, properties=out).wait_for_publish(10)
got = wait_for(lambda: len(sub.received) == 1)
p = sub.received[0].properties if got else None
check("props",
      got and p.UserProperty == [("k1", "v1"), ("k2", "v2"), ("k1", "again")]
      and p.ContentType == "text/plain" and p.ResponseTopic == "paho5/reply"
      and p.CorrelationData == b"\x01\x02",
      f"{p}")

# Shared subscription: two members, four messages, two each.
a = Peer("paho5-a")
a.subscribe("$share/g/paho5/s", SubscribeOptions(qos=1))
b = Peer("paho5-b")
b.subscribe("$share/g/paho5/s", SubscribeOptions(qos=1))
for i in range(4):
    pub.client.publish("paho5/s", f"m{i}".encode(), qos=1).wait_for_publish(10)
wait_for(lambda: len(a.received) + len(b.received) == 4)
time.sleep(0.2)  # anything extra would show up now
sa = sorted(m.payload.decode() for m in a.received)
sb = sorted(m.payload.decode() for m in b.received)
check("shared", sa == ["m0", "m2"] and sb == ["m1", "m3"], f"a={sa} b={sb}")

# No Local.
me = Peer("paho5-me")
me.subscribe("paho5/n", SubscribeOptions(qos=1, noLocal=True))
sub.subscribe("paho5/n", SubscribeOptions(qos=1))
me.client.publish("paho5/n", b"mine", qos=1).wait_for_publish(10)
wait_for(lambda: any(m.topic == "paho5/n" for m in sub.received))
time.sleep(0.2)
check("nolocal", not me.received and any(m.topic == "paho5/n" for m in sub.received),
      f"me={len(me.received)}")

for peer in (sub, pub, a, b, me):
    peer.stop()
sys.exit(1 if failures else 0)
