#!/usr/bin/python3
"""Counts which numbered MQTT 3.1.1 and MQTT 5.0 statements the tests cite.

A test cites a 3.1.1 statement by writing its ID as [MQTT-x.y.z-n] in a comment or, in a test
name, as Mqtt_x_y_z_n; a 5.0 statement as [MQTT5-x.y.z-n] or Mqtt5_x_y_z_n (the two versions
reuse the same numbers with other meanings). The lists of statements are
doc/mqtt-3.1.1-normative.md and doc/mqtt-5.0-normative.md.

    tools/spec-coverage.py                      # report per chapter, list what is not cited
    tools/spec-coverage.py --require ch1,ch2,tag:codec,sec:4.7
                                                # exit 1 unless all those IDs are cited
    tools/spec-coverage.py --missing5           # list the 5.0 statements no test cites
    tools/spec-coverage.py --require5           # exit 1 unless every 5.0 statement is cited

--require takes chapters (ch3), sections (sec:4.7 = IDs starting MQTT-4.7.), tags (tag:codec,
from the table's Tag column) and single IDs (MQTT-3.1.0-1), comma-separated; 'all14' means
chapters 1 to 4 of 3.1.1. --require5 requires all 251 statements of 5.0 (chapters 1-4 and 6,
WebSocket; the ctest spec-coverage passes both). A citation of an ID
that does not exist is always an error (a typo), in either version.
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "doc" / "mqtt-3.1.1-normative.md"
SPEC5 = ROOT / "doc" / "mqtt-5.0-normative.md"
TEST_DIRS = [ROOT / "test"]
# The spec prints two IDs with typos; accept them as their normalised forms.
ALIASES = {"MQTT-3.1.2.7": "MQTT-3.1.2-7", "MQTT-3-8.3-4": "MQTT-3.8.3-4"}


def load_spec():
    rows = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (MQTT-\d+\.\d+\.\d+-\d+) \|(.*)$", line)
        if m:
            cells = [c.strip() for c in m.group(2).split("|")]
            rows[m.group(1)] = {"tag": cells[3] if len(cells) > 3 else "", "text": cells[1]}
    return rows


def load_spec5():
    """The 5.0 statements: lines '- MQTT-x.y.z-n: paraphrase' of doc/mqtt-5.0-normative.md."""
    rows = {}
    for line in SPEC5.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^- (MQTT-\d+\.\d+\.\d+-\d+): (.*)$", line)
        if m:
            rows[m.group(1)] = {"tag": "", "text": m.group(2)}
    return rows


# [MQTT-x] and Mqtt_x_y_z_n cite 3.1.1; [MQTT5-x] and Mqtt5_x_y_z_n cite 5.0 (kept as MQTT-x).
PATTERN = re.compile(r"\[MQTT(5?)-([0-9.\-]+)\]|\bMqtt(5?)_(\d+)_(\d+)_(\d+)_(\d+)")


def cited_ids():
    """Two maps, ID -> files: the 3.1.1 citations and the 5.0 citations."""
    cited, cited5 = {}, {}
    for d in TEST_DIRS:
        for path in sorted(d.rglob("*")):
            if path.suffix not in (".cc", ".h", ".py", ".sh"):
                continue
            for m in PATTERN.finditer(path.read_text(encoding="utf-8", errors="replace")):
                if m.group(2):
                    five = m.group(1) == "5"
                    ident = "MQTT-" + m.group(2)
                    if not five:
                        ident = ALIASES.get(ident, ident)
                else:
                    five = m.group(3) == "5"
                    ident = "MQTT-{}.{}.{}-{}".format(*m.group(4, 5, 6, 7))
                (cited5 if five else cited).setdefault(ident, set()).add(
                    str(path.relative_to(ROOT)))
    return cited, cited5


def chapter(ident):
    return int(ident.split("-")[1].split(".")[0])


def expand(require, spec):
    wanted = set()
    for part in filter(None, (p.strip() for p in require.split(","))):
        if part == "all14":
            wanted |= {i for i in spec if chapter(i) <= 4}
        elif part.startswith("ch"):
            wanted |= {i for i in spec if chapter(i) == int(part[2:])}
        elif part.startswith("sec:"):
            wanted |= {i for i in spec if i.startswith("MQTT-" + part[4:] + ".")}
        elif part.startswith("tag:"):
            wanted |= {i for i in spec if spec[i]["tag"] == part[4:]}
        elif part in spec:
            wanted.add(part)
        else:
            sys.exit("spec-coverage: unknown requirement '%s'" % part)
    return wanted


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--require", default="")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--missing5", action="store_true",
                    help="list the MQTT 5.0 statements no test cites")
    ap.add_argument("--require5", action="store_true",
                    help="exit 1 unless every MQTT 5.0 statement is cited")
    args = ap.parse_args()
    spec = load_spec()
    spec5 = load_spec5()
    cited, cited5 = cited_ids()
    failed = False
    unknown = sorted(set(cited) - set(spec))
    for ident in unknown:
        print("cited but not a 3.1.1 statement: %s (in %s)" % (ident, ", ".join(sorted(cited[ident]))))
        failed = True
    for ident in sorted(set(cited5) - set(spec5)):
        print("cited but not a 5.0 statement: MQTT5-%s (in %s)"
              % (ident[5:], ", ".join(sorted(cited5[ident]))))
        failed = True
    if not args.quiet:
        for ch in sorted({chapter(i) for i in spec}):
            ids = [i for i in spec if chapter(i) == ch]
            n = sum(1 for i in ids if i in cited)
            print("chapter %d: %d of %d cited" % (ch, n, len(ids)))
        total = [i for i in spec if chapter(i) <= 4]
        print("chapters 1-4: %d of %d cited" % (sum(1 for i in total if i in cited), len(total)))
        print("5.0: %d of %d statements cited" % (sum(1 for i in spec5 if i in cited5), len(spec5)))
    if args.missing5 or args.require5:
        for ident in sorted(set(spec5) - set(cited5), key=lambda i: [int(x) for x in re.split(r"[.-]", i[5:])]):
            print("5.0 not cited: MQTT5-%s  %s" % (ident[5:], spec5[ident]["text"][:90]))
    if args.require:
        missing = sorted(expand(args.require, spec) - set(cited))
        for ident in missing:
            print("required but not cited: %s  %s" % (ident, spec[ident]["text"][:90]))
        failed = failed or bool(missing)
    if args.require5 and set(spec5) - set(cited5):
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
