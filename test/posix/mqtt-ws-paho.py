#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A paho-mqtt client over WebSocket (python3-paho-mqtt, transport="websockets") for the posix
tests: subscribes to a topic of its own, publishes COUNT messages to it at QOS, prints
"received N" once all came back (or what it got after 10 s) and exits 0 only if all arrived."""
import argparse
import ssl
import sys
import threading

import paho.mqtt.client as mqtt

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--cafile", help="wss: the CA of the broker's certificate")
parser.add_argument("--qos", type=int, default=1)
parser.add_argument("--count", type=int, default=10)
parser.add_argument("--size", type=int, default=16, help="payload bytes")
args = parser.parse_args()

topic = f"ws/paho/{args.qos}"
done = threading.Event()
subscribed = threading.Event()
received = []

client = mqtt.Client(client_id=f"paho-ws-{args.port}", transport="websockets")
client.ws_set_options(path="/mqtt")
if args.cafile:
    client.tls_set(ca_certs=args.cafile, tls_version=ssl.PROTOCOL_TLS_CLIENT)


def on_connect(c, userdata, flags, rc):
    print(f"connack {rc}", flush=True)
    c.subscribe(topic, qos=args.qos)


def on_subscribe(c, userdata, mid, granted):
    print(f"suback {list(granted)}", flush=True)
    subscribed.set()


def on_message(c, userdata, message):
    received.append(message.payload)
    if len(received) == args.count:
        done.set()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect("localhost" if args.cafile else "127.0.0.1", args.port, keepalive=30)
client.loop_start()
if not subscribed.wait(10):
    print("no suback", flush=True)
    sys.exit(1)
for i in range(args.count):
    client.publish(topic, bytes([i % 256]) * args.size, qos=args.qos)
done.wait(10)
ok = len(received) == args.count and all(
    p == bytes([i % 256]) * args.size for i, p in enumerate(received))
print(f"received {len(received)} in order={ok}", flush=True)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 1)
