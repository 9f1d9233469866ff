# SPDX-License-Identifier: GPL-2.0-only
"""What the Python tests under test/scenario share: failed expectations are collected, not
raised, so one run reports every difference; a command's failure is one of them."""
import subprocess
import sys

FAILURES = []


def expect(cond, what):
    """Records @p what when @p cond is false; returns @p cond."""
    if not cond:
        FAILURES.append(what)
    return cond


def run(*cmd):
    """Runs @p cmd; a non-zero exit is a failure. Returns its standard output."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    expect(p.returncode == 0, f"{' '.join(cmd)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def finish(prefix):
    """Prints every failure after @p prefix and exits 1 if there was one, else 0."""
    for failure in FAILURES:
        print(f"{prefix}: {failure}", file=sys.stderr)
    sys.exit(1 if FAILURES else 0)
