#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A tiny calibration (a few seconds) of the standalone broker: tools/calibrate/calibrate.py
against the mqtt-broker given on the command line; the file it writes must parse, name every
cost with a non-negative duration, and fit every workload with a sane residual; its TLS
workload identifies tls-handshake. Also: mosquitto's TLS listener serves the TLS workload, a busy
machine is refused (and says so), a broker command without {port} is refused. And the load
generator's answers to runs of acknowledgements, its TLS connections, and the twin simulating
the real side's broker options.

Usage: test-calibrate.py MQTT_BROKER_BINARY WORK_DIR
"""

import math
import os
import re
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALIBRATE = os.path.join(ROOT, "tools", "calibrate", "calibrate.py")
sys.path.insert(0, os.path.join(ROOT, "tools", "calibrate"))

import broker_process  # noqa: E402
import mqtt_load  # noqa: E402
import mqtt_wire as w  # noqa: E402
import syscall_count  # noqa: E402
import tls_material  # noqa: E402
import workloads  # noqa: E402

# perf counts the broker's system calls where it may (root here and in CI); elsewhere the
# calibration runs without (its read and write costs stay 0).
PERF = syscall_count.available()

BINARY = None
WORK = None
DURATION = re.compile(r"^(\d+(\.\d+)?)(ns|us|ms|s)$")
# tls-connect-storm at --scale 0.02: max(10, 200 x 0.02) connections.
TINY_HANDSHAKES = 10
# A plausible tls-handshake: a full TLS 1.2 handshake with RSA 2048 keys costs a broker about a
# millisecond of CPU on this VM (OpenSSL 3.0; the RSA signature and the two verifications); a
# factor of 10 each way for another machine, a busy one or a tiny run.
TLS_HANDSHAKE_BOUNDS = (100e-6, 10e-3)


def seconds(text):
    m = DURATION.match(str(text))
    return float(m.group(1)) * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(3)]


def calibrate(*args):
    return subprocess.run([sys.executable, CALIBRATE] + list(args), capture_output=True,
                          text=True, timeout=300)


class CalibrateTest(unittest.TestCase):
    def test_tiny_calibration_of_our_broker(self):
        out = os.path.join(WORK, "ours.yaml")
        run = calibrate("--broker", "ours", "--binary", BINARY, "--scale", "0.02",
                        "--repeat", "1", "--busy-ok", "--out", out,
                        *([] if PERF else ["--no-syscalls"]))
        self.assertEqual(run.returncode, 0, run.stderr + run.stdout)
        with open(out) as f:
            text = f.read()
        doc = yaml.safe_load(text)
        # What bench twin checks before comparing QoS 1 (the real side's broker options).
        self.assertIn("# " + broker_process.OPTIONS_NOTE + ".\n", text)
        self.assertEqual(doc["broker"], "ours")
        self.assertIn("mqtt-broker", doc["broker-version"])
        self.assertEqual(doc["cores"], 1)
        self.assertEqual(doc["read-per"], "turn")  # ours reads a connection once per turn
        self.assertEqual(doc["write-per"], "turn")  # ours writes a connection once per turn
        self.assertRegex(str(doc["measured"]["date"]), r"^\d{4}-\d{2}-\d{2}$")
        self.assertIn("cores, kernel", doc["measured"]["machine"])
        self.assertGreaterEqual(float(doc["measured"]["load"]), 0.0)
        self.assertEqual(list(doc["costs"]), mqtt_load.COST_KEYS)
        for key, value in doc["costs"].items():
            self.assertRegex(str(value), DURATION, key)  # non-negative by the pattern
        # connect-auth: 20 CONNECTs whose passwords the broker checks against a $7$ hash of 101
        # PBKDF2-HMAC-SHA512 iterations: tens to hundreds of microseconds each, far above the
        # few microseconds of a CONNECT without one.
        self.assertIn("connect-auth", doc["fit"]["workloads"])
        self.assertIn("# " + broker_process.AUTH_NOTE + ".\n", text)
        self.assertGreater(seconds(doc["costs"]["auth"]), 5e-6)
        self.assertLess(seconds(doc["costs"]["auth"]), 5e-3)
        self.assertGreater(sum(1 for v in doc["costs"].values() if v != "0s"), 5)
        # The TLS workload ran (its TLS is what the header says) and identified the handshake.
        self.assertIn("# tls-connect-storm: " + tls_material.DESCRIPTION + "; the broker's TLS "
                      "listener --tls-listen with --require-certificate --tls-version tlsv1.2.\n",
                      text)
        self.assertNotIn("not identified by these workloads (cost 0): tls-handshake", text)
        self.assertRegex(text, r"\n    tls-connect-storm: .*; %d TLS handshakes[;\n]"
                         % TINY_HANDSHAKES)
        handshake = seconds(doc["costs"]["tls-handshake"])
        self.assertGreater(handshake, TLS_HANDSHAKE_BOUNDS[0])
        self.assertLess(handshake, TLS_HANDSHAKE_BOUNDS[1])
        # Only tls-connect-storm has handshakes: tls-handshake takes what the other costs leave
        # of its CPU time, so its residual is 0 (and says nothing).
        self.assertLessEqual(abs(doc["fit"]["workloads"]["tls-connect-storm"]["residual"]), 0.001)
        fit = doc["fit"]
        self.assertEqual(fit["method"], "non-negative least squares over workloads")
        # No load generator given: the Python one drives all, the paced workloads are left out.
        self.assertEqual(list(fit["workloads"]), [n for n in workloads.WORKLOAD_NAMES
                                                  if n not in workloads.PACED_WORKLOADS])
        for name, w in fit["workloads"].items():
            self.assertRegex(str(w["measured-cpu"]), DURATION, name)
            self.assertRegex(str(w["predicted-cpu"]), DURATION, name)
            self.assertTrue(math.isfinite(w["residual"]), name)
            # Within a factor of two even at this size on a busy machine.
            self.assertLessEqual(abs(w["residual"]), 1.0, name)
        # The costs explain the broker's CPU time as a whole.
        measured = sum(seconds(w["measured-cpu"]) for w in fit["workloads"].values())
        predicted = sum(seconds(w["predicted-cpu"]) for w in fit["workloads"].values())
        self.assertAlmostEqual(predicted / measured, 1.0, delta=0.25)
        self.assertGreater(fit["r2"], 0.5)
        self.assertLessEqual(fit["r2"], 1.0)
        if PERF:
            # Every publishing workload read and wrote; its comment says how much it batched.
            self.assertRegex(text, r"\n    qos0-fan-in: .*# spread .*; \d+ reads, \d+ writes, \d+ "
                                   r"waits, \d+ wakeups \(\d+\.\d packets per read, \d+\.\d reads per wait, "
                                   r"\d+\.\d deliveries per write\)")
            self.assertIn("(perf stat, syscall tracepoints)", text)
            # The broker reads a TLS connection's ClientHello and its second flight besides the
            # CONNECT and the DISCONNECT that connect-storm reads.
            reads = int(re.search(r"\n    tls-connect-storm: .*; (\d+) reads", text).group(1))
            self.assertGreaterEqual(reads, 4 * TINY_HANDSHAKES)

    @unittest.skipUnless(shutil.which("mosquitto"), "mosquitto is not installed")
    def test_mosquitto_serves_the_tls_workload(self):
        """--broker mosquitto: the generated configuration's second listener speaks TLS with the
        run's certificates, and the TLS workload identifies mosquitto's tls-handshake."""
        out = os.path.join(WORK, "mosquitto.yaml")
        run = calibrate("--broker", "mosquitto", "--scale", "0.02", "--repeat", "1", "--busy-ok",
                        "--only", "accept,connect,disconnect,connect-storm,tls-connect-storm",
                        "--out", out, *([] if PERF else ["--no-syscalls"]))
        self.assertEqual(run.returncode, 0, run.stderr + run.stdout)
        with open(out) as f:
            text = f.read()
        doc = yaml.safe_load(text)
        self.assertIn("the broker's TLS listener a second listener with require_certificate "
                      "true, tls_version tlsv1.2.", text)
        self.assertRegex(text, r"\n    tls-connect-storm: .*; %d TLS handshakes[;\n]"
                         % TINY_HANDSHAKES)
        handshake = seconds(doc["costs"]["tls-handshake"])
        self.assertGreater(handshake, TLS_HANDSHAKE_BOUNDS[0])
        self.assertLess(handshake, TLS_HANDSHAKE_BOUNDS[1])

    @unittest.skipUnless(PERF, "perf cannot count syscall tracepoints here")
    def test_syscalls_of_a_process_are_counted_by_kind(self):
        # A child making 300 send()/recv() pairs, 50 write()/read() pairs on a socket pair and
        # 20 sleeps once it is told to (warmed up first: a first call may import a module, which reads):
        # 350 reads and 350 writes, whatever the libc calls them. It waits for the go in
        # sigwait, which is neither a read nor a wait: whether perf attaches before or after the
        # child blocks cannot change the counts (a stdin read made them 350 or 351 by timing).
        child = subprocess.Popen([sys.executable, "-c", """
import os, signal, socket, sys, time
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
a, b = socket.socketpair()
a.send(b"x"); b.recv(1); os.write(a.fileno(), b"x"); os.read(b.fileno(), 1)
sys.stdout.write("ready\\n"); sys.stdout.flush()
signal.sigwait({signal.SIGUSR1})
for _ in range(300):
    a.send(b"x"); b.recv(1)
for _ in range(50):
    os.write(a.fileno(), b"x"); os.read(b.fileno(), 1)
for _ in range(20):
    time.sleep(0.002)
sys.stdout.write("done\\n"); sys.stdout.flush()
signal.sigwait({signal.SIGUSR1})
"""], stdout=subprocess.PIPE, text=True)
        self.assertEqual(child.stdout.readline(), "ready\n")
        try:
            with syscall_count.SyscallCounter([child.pid]) as counter:
                os.kill(child.pid, signal.SIGUSR1)
                self.assertEqual(child.stdout.readline(), "done\n")
            self.assertEqual(counter.counts["read"], 350)
            self.assertEqual(counter.counts["write"], 350 + 1)  # and its "done"
            self.assertEqual(counter.counts["wait"], 0)
            # 20 sleeps, each a voluntary context switch (a wakeup for the fit); the sigwait
            # after "done" may come before the count ends or after.
            self.assertIn(counter.counts["wakeup"], (20, 21))
        finally:
            child.kill()
            child.wait()
            child.stdout.close()

    def test_a_loadgen_run_counts_the_operations_of_its_packets(self):
        """loadgen_side.run_ops: a whole run of the compiled generator (--warmup 0) of
        qos1-fan-in, 16 publishers and 1 subscriber, 1000 messages, counted from its packets
        (loadgen.cc): CONNECT of ids "lg" + 8 hex + s0 / p0..p15 (26 bytes, 27 from p10 on),
        SUBSCRIBE of twin/# (13), PUBLISH QoS 1 of 64 bytes on twin/0..twin/15 (76 bytes, 77
        from twin/10 on: 76.375 on average), a PUBACK (4) per delivery, DISCONNECT (2); out:
        CONNACK (4), SUBACK (5), the deliveries and a PUBACK per message."""
        import loadgen_side
        ops = loadgen_side.run_ops(workloads.PUBLISH_SPECS["qos1-fan-in"],
                                   {"sent": 1000.0, "received": 1000.0, "dup": 0.0})
        expected = dict.fromkeys(mqtt_load.COST_KEYS, 0)
        expected.update({"accept": 17, "connect": 17, "disconnect": 17, "subscribe": 1,
                         "filter": 1, "publish-qos1": 1000, "ack": 1000, "match": 1000,
                         "delivery": 1000,
                         "byte-in": (1 + 10) * 26 + 6 * 27 + 13 + 76375 + 4000 + 17 * 2,
                         "byte-out": 17 * 4 + 5 + 76375 + 4000})
        self.assertEqual(dict(ops), expected)
        # QoS 0 to a QoS 0 subscription: no acknowledgements either way.
        ops = loadgen_side.run_ops(workloads.PUBLISH_SPECS["qos0-fan-in"],
                                   {"sent": 800.0, "received": 800.0})
        self.assertEqual((ops["publish-qos0"], ops["ack"], ops["delivery"]), (800, 0, 800))
        self.assertEqual(ops["byte-out"], 17 * 4 + 5 + 800 * 74.375)

    def test_read_per_packet_fits_read_to_the_packets_read(self):
        """With read-per packet (mosquitto) the fit's read column is every inbound packet of the
        workload, CONNECT to DISCONNECT, whatever the read system calls (perf) were; with turn
        it stays the system calls. The loadgen's qos1-fan-in of 1000 messages reads 17 CONNECTs,
        a SUBSCRIBE, 1000 PUBLISHes, 1000 PUBACKs and 17 DISCONNECTs."""
        import calibrate
        import loadgen_side
        ops = loadgen_side.run_ops(workloads.PUBLISH_SPECS["qos1-fan-in"],
                                   {"sent": 1000.0, "received": 1000.0, "dup": 0.0})
        ops["read"], ops["write"], ops["wait"] = 6543, 2100, 700
        self.assertEqual(syscall_count.packets_read(ops), 17 + 1 + 1000 + 1000 + 17)
        packet = calibrate.fit_ops(ops, "packet")
        self.assertEqual(packet["read"], 2035)
        self.assertEqual({k: v for k, v in packet.items() if k != "read"},
                         {k: v for k, v in ops.items() if k != "read"})
        self.assertEqual(ops["read"], 6543)  # the counts themselves are left as they were
        self.assertEqual(calibrate.fit_ops(ops, "turn"), ops)
        self.assertEqual(calibrate.parse_args(["--broker", "mosquitto"]).read_per, "packet")
        self.assertEqual(calibrate.parse_args([]).read_per, "turn")
        self.assertEqual(calibrate.parse_args(["--broker", "mosquitto", "--read-per", "turn"])
                         .read_per, "turn")

    def test_refuses_a_busy_machine_and_says_so(self):
        out = os.path.join(WORK, "busy.yaml")
        run = calibrate("--binary", BINARY, "--max-load", "-1", "--out", out)
        self.assertEqual(run.returncode, 3)
        self.assertIn("the machine is busy (1-minute load", run.stderr)
        self.assertFalse(os.path.exists(out))

    def test_a_command_gets_its_tls_listener_with_the_run_certificates(self):
        with tls_material.Material() as tls:
            broker = broker_process.BrokerProcess(  # not started
                "command", command="b -p {port} --tls {tls_port} {cafile} {certfile} {keyfile}",
                tls=tls)
            broker.tmp.cleanup()
            self.assertEqual(broker.argv, ["b", "-p", str(broker.port), "--tls",
                                           str(broker.tls_port), tls.cafile, tls.certfile,
                                           tls.keyfile])
            self.assertNotEqual(broker.port, broker.tls_port)
            # Without {tls_port} no TLS listener: tls-connect-storm is left out.
            broker = broker_process.BrokerProcess("command", command="b -p {port}", tls=tls)
            broker.tmp.cleanup()
            self.assertIsNone(broker.tls_port)

    def test_refuses_a_command_without_port(self):
        run = calibrate("--broker", "mosquitto -p 1883", "--out", os.path.join(WORK, "x.yaml"),
                        "--busy-ok", "--scale", "0.01", "--repeat", "1")
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("must contain {port}", run.stderr)


class TlsConnectionTest(unittest.TestCase):
    """The generator's TLS connection against a Python TLS server with the run's certificates:
    the handshake is counted once, the CONNECT waits for it, and the bytes counted
    are the MQTT bytes inside the records (as the simulated broker counts them)."""

    def test_a_tls_connection_counts_its_handshake_and_its_mqtt_bytes(self):
        with tls_material.Material() as tls:
            server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server_ctx.load_cert_chain(tls.certfile, tls.keyfile)
            server_ctx.load_verify_locations(tls.cafile)
            server_ctx.verify_mode = ssl.CERT_REQUIRED
            listener = socket.create_server(("127.0.0.1", 0))
            port = listener.getsockname()[1]
            connect = w.connect("dev", 60, True)
            got = {}

            def serve():
                raw, _ = listener.accept()
                with server_ctx.wrap_socket(raw, server_side=True) as s:
                    got["peer"] = dict(x[0] for x in s.getpeercert()["subject"])["commonName"]
                    data = b"x"
                    while data and len(got.setdefault("connect", b"")) < len(connect):
                        data = s.recv(len(connect) - len(got["connect"]))
                        got["connect"] += data
                    s.sendall(b"\x20\x02\x00\x00")  # CONNACK, then the close

            server = threading.Thread(target=serve, daemon=True)
            server.start()
            loop = mqtt_load.Loop("127.0.0.1", 0, tls=(port, tls.client_context()))
            try:
                c = loop.open_tls("t0")
                loop.connect(c, "dev")  # waits for the handshake
                loop.run_until(lambda: c.closed, 10, "the server's close")
            finally:
                loop.close_all()
                server.join(10)
                listener.close()
        self.assertEqual(got["peer"], "device")
        self.assertEqual(got["connect"], connect)
        self.assertEqual(c.tls, ("TLSv1.2", tls_material.CIPHER, False))
        self.assertEqual(c.count(w.CONNACK), 1)
        expected = dict.fromkeys(mqtt_load.COST_KEYS, 0)
        expected.update({"accept": 1, "tls-handshake": 1, "connect": 1, "disconnect": 1,
                         "byte-in": len(connect), "byte-out": 4})
        self.assertEqual(dict(loop.ops), expected)


class LoadGeneratorTest(unittest.TestCase):
    """The generator's answers to runs of acknowledgements, on a socket pair (no broker)."""

    def setUp(self):
        self.ours, self.broker = socket.socketpair()
        self.ours.setblocking(False)
        self.broker.settimeout(5)
        self.loop = mqtt_load.Loop("127.0.0.1", 0)
        self.conn = mqtt_load.Conn(self.ours, "t")
        self.loop.sel.register(self.ours, selectors.EVENT_READ, self.conn)
        self.loop.conns.append(self.conn)

    def tearDown(self):
        self.loop.close_all()
        self.broker.close()

    def receive(self, data):
        """The broker writes @p data; the generator reads it all."""
        self.broker.sendall(data)
        while self.conn.inb or self.loop.ops["byte-out"] < len(data):
            self.loop.poll(1.0)

    def answer(self, size):
        got = b""
        while len(got) < size:
            got += self.broker.recv(size - len(got))
        return got

    def test_a_run_of_pubrec_gets_the_pubrel_of_each_id(self):
        ids = list(range(300, 340))
        self.receive(b"".join(w.ack(w.PUBREC, i) for i in ids))
        self.assertEqual(self.answer(4 * len(ids)), b"".join(w.ack(w.PUBREL, i) for i in ids))
        self.assertEqual(self.conn.count(w.PUBREC), len(ids))
        self.assertEqual(self.loop.received[w.PUBREC], len(ids))
        self.assertEqual(self.loop.ops["ack"], len(ids))

    def test_a_run_of_pubrel_gets_the_pubcomp_of_each_id(self):
        ids = list(range(1, 17))
        self.receive(b"".join(w.ack(w.PUBREL, i) for i in ids))
        self.assertEqual(self.answer(4 * len(ids)), b"".join(w.ack(w.PUBCOMP, i) for i in ids))
        self.assertEqual(self.loop.received[w.PUBREL], len(ids))

    def test_a_run_of_puback_is_counted_and_not_answered(self):
        self.receive(b"".join(w.ack(w.PUBACK, i) for i in range(1, 51)))
        self.assertEqual(self.conn.count(w.PUBACK), 50)
        self.assertEqual(self.loop.received[w.PUBACK], 50)
        self.assertEqual(self.loop.ops["ack"], 0)
        self.ours.send(b"x")  # nothing else queued before it
        self.assertEqual(self.broker.recv(16), b"x")

    def test_mixed_acknowledgements_answer_pubrec_only_and_in_order(self):
        packets = [w.ack(w.PUBACK if i % 2 else w.PUBREC, i) for i in range(1, 21)]
        self.receive(b"".join(packets))
        pubrecs = [i for i in range(1, 21) if not i % 2]
        self.assertEqual(self.answer(4 * len(pubrecs)),
                         b"".join(w.ack(w.PUBREL, i) for i in pubrecs))
        self.assertEqual(self.loop.received[w.PUBACK], 10)
        self.assertEqual(self.loop.received[w.PUBREC], 10)

    def test_counted_calls_scale_with_the_size_of_the_timed_runs(self):
        import calibrate
        counted = mqtt_load.Ops()
        counted.update({"publish-qos0": 1000, "delivery": 1000, "read": 10, "write": 5,
                        "wait": 4, "wakeup": 2})
        timed = mqtt_load.Ops()
        timed.update({"publish-qos0": 1500, "delivery": 1500, "byte-in": 99999})
        self.assertEqual(calibrate.scaled_calls(counted, timed),
                         {"read": 15.0, "write": 7.5, "wait": 6.0, "wakeup": 3.0})
        # A run of nothing the sizes count (no packets): its calls as counted.
        idle = mqtt_load.Ops()
        idle.update({"wait": 3})
        self.assertEqual(calibrate.scaled_calls(idle, timed),
                         {"read": 0, "write": 0, "wait": 3.0, "wakeup": 0})

    def test_between_runs_after_each_timed_repetition_and_perf_only_in_its_own(self):
        import contextlib
        import io
        import calibrate
        calls = []
        err = io.StringIO()
        out = os.path.join(WORK, "between.yaml")
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = calibrate.main(["--broker", "ours", "--binary", BINARY, "--only", "ping",
                                     "--repeat", "2", "--scale", "0.02", "--busy-ok",
                                     "--out", out] + ([] if PERF else ["--no-syscalls"]),
                                    between=lambda rep: calls.append(
                                        (rep, err.getvalue().count("calibrate: repetition"))))
        self.assertEqual(status, 0, err.getvalue())
        # After repetition 1 (index 0) and 2 (index 1), each right after its own line.
        self.assertEqual(calls, [(0, 1), (1, 2)])
        lines = [line for line in err.getvalue().splitlines() if line.startswith("calibrate:")]
        if PERF:
            # The counting repetition first, and not one of the timed ones.
            self.assertTrue(lines[0].startswith("calibrate: the broker's system calls counted "
                                                "(perf; not timed): 1 workloads"), lines)
            self.assertEqual(len(lines), 3, lines)
            with open(out) as f:
                text = f.read()
            self.assertIn("Counted in one more repetition, first, whose CPU times are not used",
                          text)
            # The calls are in the comment, though no timed repetition counted them.
            self.assertRegex(text, r"\n    ping: .*over 2 runs; \d+ reads")
        else:
            self.assertEqual(len(lines), 2, lines)

    def test_the_twin_counts_real_deliveries_per_second_of_broker_cpu(self):
        from unittest import mock
        import twin
        # user nice system idle iowait irq softirq steal: 30 of 200 ticks stolen.
        self.assertEqual(twin.steal_share([10, 0, 5, 100, 0, 0, 0, 7],
                                          [80, 0, 25, 170, 0, 0, 10, 37]), 0.15)
        self.assertEqual(twin.steal_share([1, 2], [1, 2]), 0.0)
        runs = [{"deliver_rate": 600.0, "broker_cpu_pct": 60},   # 1000 per CPU-second
                {"deliver_rate": 900.0, "broker_cpu_pct": 100},  # 900
                {"deliver_rate": 950.0, "broker_cpu_pct": 50}]   # 1900
        self.assertEqual(twin.per_cpu_rate(runs[0]), 1000.0)
        self.assertIs(twin.median_run(runs, twin.per_cpu_rate), runs[0])
        self.assertIs(twin.median_run(runs, lambda r: r["deliver_rate"]), runs[1])

        class Broker:
            port = 1
            proc = mock.Mock(pid=2)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        times = iter([[0] * 7 + [0], [90, 0, 10, 0, 0, 0, 0, 100]])
        with mock.patch.object(twin.broker_process, "BrokerProcess", lambda *a, **k: Broker()), \
                mock.patch.object(twin, "cpu_times", lambda: next(times)), \
                mock.patch.object(twin.loadgen_side, "run",
                                  lambda *a, **k: {"deliver_rate": 5.0, "broker_cpu_pct": 50}):
            r = twin.saturated_run("lg", "ours", "b", "qos0-fan-in", 2.0, "x")
        self.assertEqual(r, {"deliver_rate": 5.0, "broker_cpu_pct": 50, "steal": 0.5})

    def test_the_twin_says_when_the_calibration_is_of_another_cpu(self):
        import twin
        amd = 'measured: {date: "2026-12-02", machine: "vm, AMD EPYC, 2 cores, kernel 6.1"}\n'
        self.assertEqual(twin.cpu_model("vm, Intel(R) Xeon(R) Processor, 2 cores, kernel 6.2"),
                         "Intel(R) Xeon(R) Processor")
        # The same CPU on another host or kernel: nothing to say.
        self.assertIsNone(twin.other_machine_note(amd, "box, AMD EPYC, 2 cores, kernel 6.9"))
        self.assertEqual(
            twin.other_machine_note(amd, "vm, Intel(R) Xeon(R) Processor, 2 cores, kernel 6.1"),
            "# NOTE: the calibration was measured on AMD EPYC, this machine is Intel(R) Xeon(R) "
            "Processor: the ratios compare the two machines as much as the model; --calibrate "
            "FILE measures both sides here, in the same minutes (doc/capacity.md)")
        self.assertIsNone(twin.other_machine_note("broker: ours\n", "vm, X, 2 cores, kernel 1"))

    def test_the_twin_simulates_the_broker_options_of_the_real_side(self):
        with open(os.path.join(ROOT, "bench", "twin", "twin.yaml")) as f:
            overrides = yaml.safe_load(f)["broker"]["overrides"]
        self.assertEqual(overrides["max-inflight-out"], broker_process.MAX_INFLIGHT)
        broker = broker_process.BrokerProcess("ours", binary="mqtt-broker")  # not started
        broker.tmp.cleanup()
        argv = broker.argv
        self.assertEqual(argv[argv.index("--max-inflight") + 1], str(overrides["max-inflight-out"]))
        self.assertEqual(argv[argv.index("--max-queued-messages") + 1],
                         str(overrides["max-queued-messages"]))
        self.assertIn("max_inflight_messages %d" % broker_process.MAX_INFLIGHT,
                      broker_process.MOSQUITTO_CONF.format(port=1, inflight=broker_process.MAX_INFLIGHT,
                                                           passwords="p"))


if __name__ == "__main__":
    BINARY, WORK = sys.argv[1], sys.argv[2]
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=sys.argv[:1])
