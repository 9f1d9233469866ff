#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The calibration fit (tools/calibrate/calibration_fit.py) on synthetic workloads whose CPU
times come from known costs: the fit must give those costs back exactly, keep costs
non-negative, let a cost that one workload alone has (tls-handshake) take that workload's
remainder without moving the others, and write a calibration file the YAML reader takes back
unchanged."""

import os
import sys
import tempfile
import unittest

import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "calibrate"))

import calibration_fit  # noqa: E402
import mqtt_load  # noqa: E402

KEYS = mqtt_load.COST_KEYS

# Known costs (seconds): per-connection costs in microseconds, per-byte below a nanosecond.
TRUE = {"accept": 18e-6, "connect": 25e-6, "publish-qos0": 0.47e-6, "publish-qos1": 1.2e-6,
        "publish-qos2": 1.9e-6, "ack": 0.8e-6, "subscribe": 6e-6, "filter": 1.25e-6,
        "unsubscribe": 4e-6, "pingreq": 0.9e-6, "disconnect": 21e-6, "match": 0.28e-6,
        "delivery": 0.58e-6, "byte-in": 0.74e-9, "byte-out": 1.4e-9, "tls-handshake": 0.0,
        "read": 2.1e-6, "write": 3.3e-6, "wait": 4.4e-6, "wakeup": 6.1e-6, "auth": 850e-6}


def synthetic_rows(costs, seed=7, workloads=20):
    """Workloads with random operation mixes (as calibrate.py's, each with a few operations
    dominating) and CPU times computed from @p costs."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(workloads):
        ops = mqtt_load.Ops()
        for k in KEYS:
            if k == "tls-handshake":
                continue
            scale = 1e6 if k.startswith("byte") else 1e4
            ops[k] = int(rng.integers(0, 1000) * scale / 1000) if rng.random() < 0.6 else 0
        cpu = sum(ops[k] * costs[k] for k in KEYS)
        rows.append(("w%d" % i, ops, cpu))
    return rows


class FitTest(unittest.TestCase):
    def test_recovers_known_costs_exactly(self):
        costs, predicted, r2, unidentified = calibration_fit.fit(synthetic_rows(TRUE), KEYS)
        for k in KEYS:
            self.assertAlmostEqual(costs[k], TRUE[k], delta=1e-9 * max(TRUE[k], 1e-9), msg=k)
        self.assertAlmostEqual(r2, 1.0, places=12)
        self.assertEqual(unidentified, ["tls-handshake"])  # no workload has one
        rows = synthetic_rows(TRUE)
        for (_name, _ops, cpu), p in zip(rows, predicted):
            self.assertAlmostEqual(p, cpu, delta=1e-9 * cpu)

    def test_a_cost_of_one_workload_takes_its_remainder_and_moves_no_other(self):
        # tls-connect-storm is the only workload with tls-handshake: on noisy workloads (the
        # others' costs do not fit exactly) adding it leaves every other cost where it was, and
        # tls-handshake explains what they leave of its CPU time, exactly.
        rng = np.random.default_rng(3)
        rows = [(n, ops, cpu * rng.uniform(0.8, 1.2)) for n, ops, cpu in synthetic_rows(TRUE)]
        storm = mqtt_load.Ops()
        storm.update({"accept": 200, "connect": 200, "disconnect": 200, "tls-handshake": 200,
                      "read": 800, "write": 800, "wait": 250, "byte-in": 3800,
                      "byte-out": 800})
        others = sum(storm[k] * TRUE[k] for k in KEYS)
        weights = calibration_fit.spread_weights(rng.uniform(0.05, 0.4, len(rows) + 1))
        without, _p, _r2, _u = calibration_fit.fit(rows, KEYS, weights[:-1])
        tls_rows = rows + [("tls-connect-storm", storm, others + 200 * 1.4e-3)]
        with_tls, predicted, _r2, unidentified = calibration_fit.fit(tls_rows, KEYS, weights)
        for k in KEYS:
            if k != "tls-handshake":
                self.assertAlmostEqual(with_tls[k], without[k], delta=1e-9 * max(without[k], 1e-9),
                                       msg=k)
        self.assertNotIn("tls-handshake", unidentified)
        self.assertAlmostEqual(predicted[-1], tls_rows[-1][2], delta=1e-9 * tls_rows[-1][2])
        remainder = tls_rows[-1][2] - sum(storm[k] * without[k] for k in KEYS)
        self.assertAlmostEqual(with_tls["tls-handshake"], remainder / 200, delta=1e-12)

    def test_costs_stay_non_negative(self):
        # Times that only a negative byte-out cost would explain: the fit clamps it to 0.
        truth = dict(TRUE, **{"byte-out": -0.5e-9})
        rows = [(n, ops, max(cpu, 1e-6)) for n, ops, cpu in synthetic_rows(truth)]
        costs, _p, r2, _u = calibration_fit.fit(rows, KEYS)
        self.assertTrue(all(costs[k] >= 0 for k in KEYS))
        self.assertEqual(costs["byte-out"], 0.0)
        self.assertLess(r2, 1.0)

    def test_names_costs_no_workload_can_tell_apart(self):
        rows = []
        for i in range(1, 6):  # accept and disconnect always together
            ops = mqtt_load.Ops()
            ops.update({"accept": 100 * i, "disconnect": 100 * i, "pingreq": 50 * (6 - i)})
            rows.append(("w%d" % i, ops, ops["accept"] * 30e-6 + ops["pingreq"] * 1e-6))
        _c, _p, _r2, unidentified = calibration_fit.fit(rows, KEYS)
        self.assertIn("(1 of 3 costs depend on others)", unidentified)

    def test_weights_come_from_the_spread_with_a_floor(self):
        self.assertEqual([round(x, 12) for x in calibration_fit.spread_weights([0.01, 0.02, 0.04])],
                         [1.2, 1.2, 0.6])  # 1/0.02, 1/0.02, 1/0.04 over their mean

    def test_a_noisy_workload_pulls_a_weighted_fit_less(self):
        # One workload measured 40 % high (its repetitions spread 40 %), the others exact
        # (spread 1 %): weighted, the costs stay near the truth; unweighted they move more. 24
        # workloads for 20 costs: with 20, dropping the noisy one's weight leaves too few.
        rows = synthetic_rows(TRUE, workloads=24)
        rows[5] = (rows[5][0], rows[5][1], rows[5][2] * 1.4)
        spreads = [0.01] * len(rows)
        spreads[5] = 0.4

        def error(costs):
            return sum(abs(costs[k] - TRUE[k]) / TRUE[k] for k in KEYS if TRUE[k] > 0)

        weighted, _p, _r2, _u = calibration_fit.fit(
            rows, KEYS, calibration_fit.spread_weights(spreads))
        plain, _p, _r2, _u = calibration_fit.fit(rows, KEYS)
        self.assertLess(error(weighted), error(plain) / 5)

    def test_refuses_a_workload_without_cpu_time(self):
        rows = synthetic_rows(TRUE)
        rows[3] = (rows[3][0], rows[3][1], 0.0)
        with self.assertRaisesRegex(ValueError, "w3=0"):
            calibration_fit.fit(rows, KEYS)

    def test_durations_as_the_scenario_loader_reads_them(self):
        f = calibration_fit.format_duration
        self.assertEqual(f(0.0), "0s")
        self.assertEqual(f(1.234), "1.23s")
        self.assertEqual(f(9.1e-6), "9.1us")
        self.assertEqual(f(0.0123), "12.3ms")
        self.assertEqual(f(0.42e-9), "0.42ns")
        self.assertEqual(f(470e-9), "470ns")
        self.assertEqual(f(1.2345, 4), "1.234s")

    def test_file_round_trip(self):
        rows = synthetic_rows(TRUE)
        costs, predicted, r2, _u = calibration_fit.fit(rows, KEYS)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.yaml")
            calibration_fit.write_calibration(
                path, ["made by a test"], "ours", "v1", 1, "packet",
                {"date": "2026-12-02", "machine": "m, cpu, 2 cores", "load": 0.25}, costs, KEYS,
                [(n, cpu, p, "spread 0 %") for (n, _o, cpu), p in zip(rows, predicted)], r2,
                read_per="packet")
            with open(path) as fh:
                text = fh.read()
            doc = yaml.safe_load(text)
        self.assertTrue(text.startswith("# made by a test\n"))
        self.assertEqual(doc["broker"], "ours")
        self.assertEqual(doc["broker-version"], "v1")
        self.assertEqual(doc["cores"], 1)
        self.assertEqual(doc["read-per"], "packet")
        self.assertEqual(doc["write-per"], "packet")
        self.assertEqual(doc["measured"], {"date": "2026-12-02", "machine": "m, cpu, 2 cores",
                                           "load": 0.25})
        self.assertEqual(list(doc["costs"]), KEYS)
        self.assertEqual(doc["costs"]["accept"], "18us")
        self.assertEqual(doc["costs"]["byte-in"], "0.74ns")
        self.assertEqual(doc["costs"]["tls-handshake"], "0s")
        self.assertEqual(doc["fit"]["method"], "non-negative least squares over workloads")
        self.assertEqual(len(doc["fit"]["workloads"]), len(rows))
        self.assertEqual(doc["fit"]["workloads"]["w0"]["residual"], 0.0)
        self.assertEqual(doc["fit"]["r2"], 1.0)


if __name__ == "__main__":
    unittest.main()
