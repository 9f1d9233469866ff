#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest "analysis-cost": analysis/cost.py (the monthly cost from analysis/pricing.yaml) and the
"Capacity and cost" section of analysis/report.py, on a file written by the real recorder
(mqtt-results-sample), against figures computed here independently.

    test-cost.py PATH/TO/mqtt-results-sample WORKDIR
"""
import os
import shutil
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
import cost  # noqa: E402
from expectations import expect, finish, run  # noqa: E402

MONTH = 30 * 24 * 3600


def check_price_rules():
    pricing = cost.load_pricing()
    tiers = pricing["aws-iot-core"]["messaging"]["tiers"]
    # 1 USD per million up to 1 billion, 0.80 for the next 4 billion, 0.70 beyond.
    expect(abs(cost.tiered_cost(0, tiers)) < 1e-9, "no messages, no cost")
    expect(abs(cost.tiered_cost(2e6, tiers) - 2.0) < 1e-9, "2 million: 2 USD")
    expect(abs(cost.tiered_cost(2e9, tiers) - 1800.0) < 1e-6, "2 billion: 1000 + 800 USD")
    expect(abs(cost.tiered_cost(6e9, tiers) - 4900.0) < 1e-6, "6 billion: 1000 + 3200 + 700")
    # 5 KB increments, at least one message.
    expect(cost.metered(0, 5120) == 1 and cost.metered(5120, 5120) == 1, "up to 5 KB: one")
    expect(cost.metered(5121, 5120) == 2 and cost.metered(12000, 5120) == 3, "per 5 KB")
    expect(cost.instance_for(1, pricing)["name"] == "c6i.large", "1 core: c6i.large")
    expect(cost.instance_for(3, pricing)["name"] == "c6i.xlarge", "3 cores: c6i.xlarge")
    try:
        cost.instance_for(1000, pricing)
        expect(False, "no instance for 1000 cores must be an error")
    except ValueError:
        pass


def expected_month(path):
    """The sample's month, computed from its datasets without analysis/cost.py."""
    with h5py.File(path, "r") as f:
        conn, pub, dels, subs = (f["connections"][:], f["publishes"][:], f["deliveries"][:],
                                 f["subscriptions"][:])
        window = float(f.attrs["duration"])
    connected = 0.0
    for client in set(int(c) for c in conn["client"]):
        rows = sorted((float(r["time"]), r["event"].decode()) for r in conn
                      if int(r["client"]) == client)
        sessions = [t for t, e in rows if e == "session"]
        closes = [t for t, e in rows if e == "closed"]
        if closes:  # the sample's cut devices: connected, closed, connected again
            connected += (closes[0] - sessions[0]) + (window - sessions[1])
        else:
            connected += window - sessions[0]
    # Every payload + topic of the sample is below 5 KB: one metered message each.
    connects = int(np.sum([(s.decode() == "client" and e.decode() in ("session", "refused"))
                           for s, e in zip(conn["side"], conn["event"])]))
    messages = (len(pub) + len(dels) + int(np.sum(dels["qos"] == 1)) + connects + len(subs))
    scale = MONTH / window
    month_minutes = connected / 60 * scale
    month_messages = messages * scale
    connectivity = month_minutes / 1e6 * 0.08
    m = month_messages / 1e6  # millions: 1000 at 1.00, the next 4000 at 0.80, then 0.70
    messaging = (min(m, 1000) * 1.00 + min(max(m - 1000, 0), 4000) * 0.80
                 + max(m - 5000, 0) * 0.70)
    return connectivity + messaging, connectivity, messaging, month_messages


def add_service_table(src, dst):
    """A copy of @p src with a broker_service table, as the service model writes one."""
    shutil.copy(src, dst)
    rows = np.array([(1.0, 0.2, 2), (2.0, 0.6, 2), (3.0, 0.4, 2)],
                    dtype=[("time", "f8"), ("utilisation", "f8"), ("cores", "u4")])
    with h5py.File(dst, "a") as f:
        if "broker_service" in f:  # the sample's own table is empty: the service model is off
            del f["broker_service"]
        f.create_dataset("broker_service", data=rows)


def main():
    sample, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    check_price_rules()

    path = os.path.join(work, "run", "results.h5")
    os.makedirs(os.path.dirname(path))
    run(sample, path, "0.1", "7")
    total, connectivity, messaging, month_messages = expected_month(path)
    out = run("/usr/bin/python3", os.path.join(ROOT, "analysis", "cost.py"), path)
    expect("x43200.0 to 30 days" in out, f"window of 60 s scaled to 30 days: {out}")
    expect(f"{total:.2f} USD/month = connectivity {connectivity:.2f}" in out,
           f"AWS {total:.2f} = {connectivity:.2f} + {messaging:.2f} not in: {out}")
    expect(f"messaging {messaging:.2f} ({month_messages:.4g} metered messages)" in out,
           f"messaging {messaging:.2f} not in: {out}")
    expect("61.20 USD/month, c6i.large for 1 core(s)" in out, f"self-hosted: {out}")

    report_dir = os.path.join(work, "report")
    run("/usr/bin/python3", os.path.join(ROOT, "analysis", "report.py"), path, "--out",
        report_dir)
    report = open(os.path.join(report_dir, "report.md")).read()
    expect("## Capacity and cost" in report, "no Capacity and cost section")
    expect("- broker cores: service model off" in report, "service model off not said")
    expect("- nearest account quota: account-connect-rate at 10.2 % (peak 51 per second at "
           "0 s, limit 500; 0 throttled)" in report, "nearest quota line")
    expect("| account-connections | 500000 | 51 | 0.6 | 76 | 0 |" in report, "quota table")
    expect(f"{total:.2f} USD/month" in report, "monthly AWS cost in the report")

    # With the service model's table: utilisation of the cores, and an instance for its cores.
    served = os.path.join(work, "served", "results.h5")
    os.makedirs(os.path.dirname(served))
    add_service_table(path, served)
    run("/usr/bin/python3", os.path.join(ROOT, "analysis", "report.py"), served, "--out",
        os.path.dirname(served))
    report = open(os.path.join(os.path.dirname(served), "report.md")).read()
    expect("- broker cores: utilisation 40.0 % on average, peak 60.0 % at 2 s" in report,
           "core utilisation line")
    expect("61.20 USD/month, c6i.large for 2 core(s)" in report, "2 cores on a c6i.large")

    finish("test-cost.py")


if __name__ == "__main__":
    main()
