#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The results tables are declared once (helper/mqtt-results-schema.h); this holds the two
other places that list them to that declaration: every table and column, in order.

    check-schema.py SCHEMA_PROGRAM DOC_RESULTS_MD MQTTRESULTS_PY

SCHEMA_PROGRAM prints "TABLE COLUMN KIND" lines (test/scenario/results-schema.cc). In
doc/results.md a table is a "### `name`" heading followed by a field table whose rows start
"| `column` | kind |" (or "| `a`, `b` | kind |" for columns of one kind and meaning).
analysis/mqttresults.py lists the columns in TABLES. Exits 0 when all three agree.
"""
import importlib.util
import re
import subprocess
import sys


def declared(program):
    tables = {}
    out = subprocess.run([program], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        table, column, kind = line.split()
        tables.setdefault(table, []).append((column, kind))
    return tables


def documented(path):
    tables = {}
    current = None
    for line in open(path, encoding="utf-8"):
        heading = re.match(r"### `(\w+)`", line)
        if heading:
            current = tables.setdefault(heading.group(1), [])
            continue
        if line.startswith("## "):
            current = None
            continue
        row = re.match(r"\|\s*((?:`\w+`(?:,\s*)?)+)\s*\|\s*(\w+)\s*\|", line)
        if current is not None and row:
            for column in re.findall(r"`(\w+)`", row.group(1)):
                current.append((column, row.group(2)))
    return tables


def analysed(path):
    spec = importlib.util.spec_from_file_location("mqttresults", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {table: list(columns) for table, columns in module.TABLES.items()}


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    truth = declared(sys.argv[1])
    failures = []
    doc = documented(sys.argv[2])
    if list(doc) != list(truth):
        failures.append(f"{sys.argv[2]}: tables {list(doc)}, declared {list(truth)}")
    for table, columns in truth.items():
        if doc.get(table, columns) != columns:
            failures.append(f"{sys.argv[2]}: {table} has {doc[table]}, declared {columns}")
    ana = analysed(sys.argv[3])
    if list(ana) != list(truth):
        failures.append(f"{sys.argv[3]}: tables {list(ana)}, declared {list(truth)}")
    for table, columns in truth.items():
        names = [c for c, _ in columns]
        if ana.get(table, names) != names:
            failures.append(f"{sys.argv[3]}: {table} has {ana[table]}, declared {names}")
    for f in failures:
        print("FAIL", f)
    if not failures:
        print(f"ok: {len(truth)} tables, {sum(len(c) for c in truth.values())} columns agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
