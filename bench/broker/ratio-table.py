#!/usr/bin/env python3
"""Compares two mqtt-loadgen result files (bench-broker.sh's results.txt) scenario by scenario.

usage: ratio-table.py BASELINE_RESULTS OURS_RESULTS
Prints a markdown table of medians and the ratio ours / baseline for deliver_rate,
deliv_per_broker_cpu_s (higher is better) and p99_us (lower is better)."""
import statistics
import sys


def load(path):
    rows = {}
    order = []
    for line in open(path):
        if not line.startswith('RESULT'):
            continue
        kv = dict(t.split('=', 1) for t in line.split()[1:] if '=' in t)
        label = kv.get('label', '?')
        if label not in rows:
            order.append(label)
        rows.setdefault(label, []).append(kv)
    return rows, order


def median(runs, key):
    values = [float(r[key]) for r in runs if key in r]
    return statistics.median(values) if values else float('nan')


def bad_runs(runs):
    return sum(1 for r in runs if r.get('rc', '0') != '0')


def main():
    base, order = load(sys.argv[1])
    ours, _ = load(sys.argv[2])
    print('| scenario | deliver_rate mosq | ours | ratio | deliv/CPU-s mosq | ours | ratio '
          '| p99 us mosq | ours | ratio (lower better) | lost mosq/ours | rc!=0 mosq/ours |')
    print('|---' * 12 + '|')
    for label in order:
        if label not in ours:
            continue
        b, o = base[label], ours[label]
        cells = [label]
        for key in ('deliver_rate', 'deliv_per_broker_cpu_s', 'p99_us'):
            mb, mo = median(b, key), median(o, key)
            ratio = mo / mb if mb else float('nan')
            fmt = '{:.0f}' if key != 'p99_us' else '{:.1f}'
            cells += [fmt.format(mb), fmt.format(mo), '{:.2f}x'.format(ratio)]
        cells.append('{:.0f} / {:.0f}'.format(median(b, 'lost'), median(o, 'lost')))
        cells.append('{} / {}'.format(bad_runs(b), bad_runs(o)))
        print('| ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
