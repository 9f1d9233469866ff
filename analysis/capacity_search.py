# SPDX-License-Identifier: GPL-2.0-only
"""The pure parts of `./ns3-mqtt capacity` (analysis/capacity.py): the --vary and --slo grammars,
the grid, the search (coarse grid, then k-section) and the choice of the binding limit.

No I/O here: the tests (test/scenario/test-capacity.py) drive it with synthetic results.
"""
import math
import re

# --- --vary FIELD=START:END[:STEPS] ----------------------------------------------------------

_VALUE = re.compile(r"^([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)([A-Za-z%]*)$")
_FIELD = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


class ArgumentError(ValueError):
    """A bad command-line argument; the message names it."""


class Vary:
    """The varied field: START is the light end, END the heavy end (START > END is allowed: an
    interval swept from 60s down to 1s). Values carry START's unit; when START and END are both
    whole numbers the search stays on integers."""

    def __init__(self, field, start, end, steps, unit, integer):
        self.field, self.start, self.end = field, start, end
        self.steps, self.unit, self.integer = steps, unit, integer

    @property
    def ascending(self):
        return self.end >= self.start

    def heavier(self, a, b):
        """Whether value a is further towards END than value b."""
        return a > b if self.ascending else a < b

    def text(self, v):
        """The value as the scenario gets it (--set FIELD=TEXT); also its key in the sweep."""
        if self.integer:
            return f"{int(round(v))}{self.unit}"
        return f"{float(f'{v:.6g}'):g}{self.unit}"

    def log_spaced(self):
        lo, hi = sorted((self.start, self.end))
        return lo > 0 and hi / lo >= 10


def parse_vary(arg):
    where = f"--vary '{arg}'"
    if "=" not in arg:
        raise ArgumentError(f"{where}: expected FIELD=START:END[:STEPS]")
    field, spec = arg.split("=", 1)
    field = field.strip()
    if not _FIELD.match(field):
        raise ArgumentError(f"{where}: '{field}' is not a scenario field path (as --set takes it: "
                            "devices.GROUP.count)")
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise ArgumentError(f"{where}: expected FIELD=START:END[:STEPS], got {len(parts)} parts")
    values = []
    for name, p in zip(("START", "END"), parts[:2]):
        m = _VALUE.match(p.strip())
        if not m:
            raise ArgumentError(f"{where}: {name} '{p}' is not a number with an optional unit "
                                "(1000, 10s, 250ms, 64)")
        values.append((m.group(1), m.group(2)))
    (s_num, s_unit), (e_num, e_unit) = values
    if s_unit != e_unit:
        raise ArgumentError(f"{where}: START and END must have the same unit ('{s_unit}' and "
                            f"'{e_unit}')")
    start, end = float(s_num), float(e_num)
    if start == end:
        raise ArgumentError(f"{where}: START and END are equal: nothing to search")
    steps = None
    if len(parts) == 3:
        if not parts[2].strip().isdigit() or int(parts[2]) < 2:
            raise ArgumentError(f"{where}: STEPS '{parts[2]}' must be a whole number >= 2")
        steps = int(parts[2])
    integer = all(re.fullmatch(r"[0-9]+", n) for n in (s_num, e_num))
    vary = Vary(field, start, end, steps, s_unit, integer)
    if vary.steps is None:
        vary.steps = 5 if vary.log_spaced() else 4
    if integer and abs(end - start) + 1 < vary.steps:
        vary.steps = int(abs(end - start)) + 1
    return vary


def spaced(vary, a, b, n):
    """n values from a to b (both included): log-spaced when the field's range is wide
    (END/START >= 10, both > 0), else linear; integers rounded, repeats removed."""
    if n < 2:
        return [a]
    if vary.log_spaced() and a > 0 and b > 0:
        la, lb = math.log(a), math.log(b)
        raw = [math.exp(la + (lb - la) * i / (n - 1)) for i in range(n)]
    else:
        raw = [a + (b - a) * i / (n - 1) for i in range(n)]
    raw[0], raw[-1] = a, b
    out = []
    for v in raw:
        v = float(round(v)) if vary.integer else float(f"{v:.6g}")
        if v not in out:
            out.append(v)
    return out


def grid(vary):
    """The coarse grid, from START (light) to END (heavy)."""
    return spaced(vary, vary.start, vary.end, vary.steps)


def interior(vary, ok, bad, n):
    """Up to n values strictly between ok (passed) and bad (failed), evenly spread (on a log
    scale for wide ranges): a k-section, so n runs at a time narrow the gap n+1 times."""
    points = spaced(vary, ok, bad, n + 2)[1:-1]
    return [p for p in points if p != ok and p != bad]


def resolved(vary, ok, bad, resolution):
    """Whether the gap between the last pass and the first failure is small enough: 1 apart
    for integers, else within `resolution` (relative) of each other."""
    if vary.integer and abs(bad - ok) <= 1:
        return True
    lo, hi = sorted((abs(ok), abs(bad)))
    return hi - lo <= resolution * max(lo, 1e-12)


# --- --slo 'p99<500ms,delivery>=0.999' --------------------------------------------------------

LATENCY_METRICS = ("p50", "p90", "p95", "p99", "max")
METRICS = LATENCY_METRICS + ("delivery",)
_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}
_TERM = re.compile(r"^(?:([A-Za-z0-9_-]+):)?([a-z0-9]+)\s*(<=|>=|<|>)\s*([0-9.eE+-]+)\s*([a-z%]*)$")
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


class Term:
    """One SLO condition: [GROUP:]METRIC OP BOUND (latency bounds in seconds)."""

    def __init__(self, group, metric, op, bound, text):
        self.group, self.metric, self.op, self.bound, self.text = group, metric, op, bound, text

    def holds(self, value):
        """False for a missing figure (no deliveries: no latency to meet a bound with)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return _OPS[self.op](value, self.bound)

    @property
    def key(self):
        return (self.group or "all", self.metric)


def parse_duration(arg, where):
    """Seconds of a duration with its unit (500ms, 10s, 2min)."""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)", arg.strip())
    if not m or m.group(2) not in _UNITS:
        raise ArgumentError(f"{where}: expected a duration with a unit ({', '.join(_UNITS)}), "
                            f"got '{arg}'")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_slo(arg):
    terms = []
    for raw in arg.split(","):
        t = raw.strip()
        where = f"--slo '{arg}': '{t}'"
        if not t:
            raise ArgumentError(f"--slo '{arg}': empty condition (conditions are separated by ',')")
        m = _TERM.match(t)
        if not m:
            raise ArgumentError(f"{where}: expected [GROUP:]METRIC OP VALUE, METRIC one of "
                                f"{', '.join(METRICS)}, OP one of <, <=, >, >= "
                                "(p99<500ms, delivery>=0.999, sensors:max<=2s)")
        group, metric, op, number, unit = m.groups()
        if metric not in METRICS:
            raise ArgumentError(f"{where}: unknown metric '{metric}' (known: {', '.join(METRICS)})")
        try:
            value = float(number)
        except ValueError:
            raise ArgumentError(f"{where}: '{number}' is not a number") from None
        if metric == "delivery":
            if unit == "%":
                value /= 100
            elif unit:
                raise ArgumentError(f"{where}: delivery is a ratio (0.999) or a percentage "
                                    f"(99.9%), not '{unit}'")
            if not 0 <= value <= 1:
                raise ArgumentError(f"{where}: a delivery ratio is between 0 and 1")
        else:
            if unit not in _UNITS:
                raise ArgumentError(f"{where}: a latency needs a unit ({', '.join(_UNITS)})")
            value *= _UNITS[unit]
        terms.append(Term(group, metric, op, value, t))
    return terms


def evaluate(terms, figures):
    """(passed, failed terms) of one run's figures: {(group or 'all', metric): value}."""
    failed = [t for t in terms if not t.holds(figures.get(t.key))]
    return not failed, failed


# --- the search --------------------------------------------------------------------------------


class Outcome:
    """What the search found: the last value of the passing prefix (None when START failed),
    the first failing value (None when END passed), and every measured value's verdict."""

    def __init__(self, capacity, first_fail, verdicts, non_monotone):
        self.capacity, self.first_fail = capacity, first_fail
        self.verdicts, self.non_monotone = verdicts, non_monotone


def settle(vary, verdicts):
    """The rule for noise: the capacity is the heaviest value such that it and every lighter
    value measured passed. A pass heavier than some failure is reported as non-monotone and
    never raises the capacity. Returns (last pass of the prefix or None, first failure or None,
    non-monotone passes)."""
    order = sorted(verdicts, key=lambda v: v if vary.ascending else -v)
    ok, bad = None, None
    for v in order:
        if verdicts[v]:
            ok = v
        else:
            bad = v
            break
    non_monotone = [] if bad is None else [v for v in order
                                            if verdicts[v] and vary.heavier(v, bad)]
    return ok, bad, non_monotone


# A prediction within this factor beyond the bracket still says the knee is near its edge.
NEAR = 1.25
# A utilisation under this is too low to extrapolate a knee from.
MIN_UTILISATION = 0.05


def predict_knee(vary, ok, window_util, warmup_util, saturated):
    """The knee predicted from the heaviest passing value ok, or None: the service costs are per
    operation, so the cores' utilisation grows in proportion to the load (field / ok =
    utilisation / u(ok) for a count, the inverse for an interval). Two limits, the lighter wins:
    - the measured window's utilisation reaching `saturated` (the rule that fails a run);
    - the warm-up's utilisation reaching 1: devices that connect while the others already publish
      (a connect storm on top of the steady load) leave a backlog when the cores cannot keep up
      with both, and a backlog the steady load can only drain slowly fills the measured window.
      In capacity-broker.yaml the warm-up costs 4 % more per device than the steady state (the
      CONNECT and accept of every device in its first 10 s), which is where its knee lies.
    A utilisation that is nan (no service model, no warm-up) or under MIN_UTILISATION is not
    used."""
    if ok <= 0:
        return None
    knees = []
    for u, target in ((window_util, saturated), (warmup_util, 1.0)):
        if u is None or math.isnan(u) or u < MIN_UTILISATION:
            continue
        knees.append(ok * target / u if vary.ascending else ok * u / target)
    if not knees:
        return None
    return min(knees) if vary.ascending else max(knees)


def around(vary, knee, ok, bad, n, resolution):
    """Up to n values strictly between ok (the heaviest pass) and bad (the first failure, or
    END), 0.8 x resolution (relative) apart, so that when the knee lies among them the next
    bracket is resolved: centred on a predicted knee inside the bracket (predict_knee is the
    knee itself, within about a step either way: 2 values at 1 +- 0.4 x resolution of it);
    stepping in from bad when the knee is predicted at or a little past it (within NEAR), from
    ok when at or a little before it; [] when the prediction is far outside."""
    if knee is None or knee <= 0:
        return []
    step = 0.8 * resolution
    if vary.heavier(knee, ok) and vary.heavier(bad, knee):
        # Offsets (n-1)/2, ..., -(n-1)/2 steps (heavy to light for a count).
        sign = 1 if vary.ascending else -1
        raw = [knee * (1 + sign * step / 2 * (n - 1 - 2 * i)) for i in range(n)]
    elif not vary.heavier(bad, knee) and vary.heavier(bad * NEAR if vary.ascending else
                                                      bad / NEAR, knee):
        sign = -1 if vary.ascending else 1
        raw = [bad * (1 + sign * step) ** (i + 1) for i in range(n)]
    elif not vary.heavier(knee, ok) and vary.heavier(knee, ok / NEAR if vary.ascending else
                                                      ok * NEAR):
        sign = 1 if vary.ascending else -1
        raw = [ok * (1 + sign * step) ** (i + 1) for i in range(n)]
    else:
        return []
    out = []
    for v in sorted(raw):
        v = float(round(v)) if vary.integer else float(f"{v:.6g}")
        if vary.heavier(v, ok) and vary.heavier(bad, v) and v not in out:
            out.append(v)
    return out


def search(vary, measure, slots, resolution, log=lambda s: None, predict=None):
    """Coarse grid in batches of `slots` values from the light end, stopping at the first batch
    with a failure; then k-section between the last pass and the first failure until resolved.

    measure(values) runs them (at once) and returns {value: passed}. predict(ok), when given,
    returns the knee predicted from the measured value ok (the heaviest pass so far) or None:
    while it lies inside the unresolved bracket, or near its edge, the next batch is placed
    around it (`around`) instead of on the grid or evenly; the bracket itself only ever comes
    from measured values."""
    verdicts = {}
    coarse = grid(vary)
    slots = max(1, slots)

    def guided():
        ok, bad, _ = settle(vary, verdicts)
        if predict is None or ok is None:
            return []
        knee = predict(ok)
        batch = [v for v in around(vary, knee, ok, vary.end if bad is None else bad, slots,
                                   resolution) if v not in verdicts]
        if batch:
            log(f"predicted knee {vary.text(knee)} (from {vary.text(ok)}): "
                f"{', '.join(vary.text(v) for v in batch)}")
        return batch

    # 1. The coarse grid from the light end (a guided batch may take a grid batch's turn).
    while True:
        batch = guided() if verdicts else []
        if not batch:
            ok, _, _ = settle(vary, verdicts)
            batch = [v for v in coarse if v not in verdicts and (ok is None or
                                                               vary.heavier(v, ok))][:slots]
            if not batch:
                break
            log(f"grid: {', '.join(vary.text(v) for v in batch)}")
        verdicts.update(measure(batch))
        if any(not verdicts[v] for v in batch):
            break
    # 2. k-section (or guided) between the last pass and the first failure until resolved.
    while True:
        ok, bad, _ = settle(vary, verdicts)
        if ok is None or bad is None or resolved(vary, ok, bad, resolution):
            break
        batch = guided()
        if not batch:
            batch = [v for v in interior(vary, ok, bad, slots) if v not in verdicts]
            if not batch:
                break
            log(f"bisect between {vary.text(ok)} and {vary.text(bad)}: "
                f"{', '.join(vary.text(v) for v in batch)}")
        verdicts.update(measure(batch))
    ok, bad, non_monotone = settle(vary, verdicts)
    return Outcome(ok, bad, verdicts, non_monotone)


# --- the binding limit --------------------------------------------------------------------------

# Causal order: a limit earlier in this list makes the later ones fill (saturated cores queue
# messages, a full link queue slows acknowledgements so the in-flight window fills, a full window
# queues messages until the queue bound drops them), so the earliest active one is named.
PRECEDENCE = ("quota", "cores", "link-queue", "inflight", "broker-queue", "client-queue")
# Saturated resources: named whenever active at the failing point (a utilisation cannot double).
SATURATION = ("quota", "cores")
# A queue or drop indicator counts when it is new at the failing point or more than GROWTH times
# what it was at the last passing point.
GROWTH = 2.0


def binding(failing, passing=None):
    """The binding limit's name at a failing point.

    failing, passing: {limit name: (kind, magnitude)} of the indicators active at the first
    failing point and at the last passing point (kind from PRECEDENCE, magnitude > 0). A
    saturated resource (SATURATION kinds) always counts; a queue indicator counts when it is new
    or grew more than GROWTH times since the last pass (a link that dropped a few packets while
    the SLO held is not what broke it). Among those the earliest kind in PRECEDENCE, then the
    largest magnitude; if none counts, the same among all active ones. None when none is active."""
    if not failing:
        return None
    passing = passing or {}
    counted = {n: km for n, km in failing.items()
               if km[0] in SATURATION or n not in passing or km[1] > GROWTH * passing[n][1]}
    pool = counted or failing
    return min(pool, key=lambda n: (PRECEDENCE.index(pool[n][0]), -pool[n][1], n))
