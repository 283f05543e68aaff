#!/usr/bin/env python3
"""Glob goldens: what Python answers for the event-name and label globs of automation triggers.

Writes test/goldens/fnmatch.json, which test/events/automations/matching.golden.test.ts compares
src/events/automations/matching.ts against. Prefect 3.8.3 matches `expect`/`after` names and
`match` label values with `fnmatch.fnmatchcase` (a leading `!` negates a label value; a missing
label never matches), and pre-filters a trigger's events with a regular expression made of its
expect ∪ after names (escaped, `*` → `.+`, matched at the start). Each case records both answers.
"""
from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "fnmatch.json"

PATTERNS = [
    "*", "prefect.flow-run.*", "prefect.flow-run.Completed", "prefect.*.Failed", "prefect.flow-run.?ailed",
    "animal.*", "[ab]*", "[!ab]*", "[a-c]x", "[c-a]x", "[]]x", "[!]]x", "[x", "a[!]", "a**b", "a.b",
    "prefect.flow-run.Crash*", "Prefect.*", "*.Completed", "", "(x)", "a+b", "é*", "a\\*", "[", "[!",
    "x[-a]", "x[a-]", "x?", "a\nb*", "?",
]
VALUES = [
    "prefect.flow-run.Completed", "prefect.flow-run.Failed", "prefect.flow-run.", "prefect.flow-run.Crashed",
    "prefect.task-run.Failed", "animal.walked", "plant.grew", "a", "b", "c", "ax", "bx", "cx", "]x", "x",
    "ab", "aXb", "a.b", "aab", "", "(x)", "a+b", "aaab", "éclair", "a\\b", "[x", "x-", "xa", "xb",
    "a\nbc", "prefect.flow-run.CompletedX", "a*", "a]", "a!", "[", "prefect.flow-run.Completed\n",
]


def label_matches(expected: str, value):
    if value is None:
        return False
    positive = not expected.startswith("!")
    result = fnmatch.fnmatchcase(value, expected.removeprefix("!"))
    return result if positive else not result


def event_pattern(names):
    return re.compile("|".join(re.escape(n).replace("\\*", ".+") for n in names))


def main() -> None:
    cases = [
        {"pattern": p, "value": v, "fnmatch": fnmatch.fnmatchcase(v, p), "regex": bool(event_pattern([p]).match(v))}
        for p in PATTERNS
        for v in VALUES
        if p
    ]
    negations = [
        {"expected": e, "value": v, "matches": label_matches(e, v)}
        for e in ["!prefect.flow-run.*", "!a", "!", "!*", "a", "!!a", "!x?"]
        for v in ["a", "!a", "prefect.flow-run.x", "", "xy", None]
    ]
    OUT.write_text(json.dumps({"globs": cases, "labels": negations}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT} ({len(cases)} glob cases, {len(negations)} label cases)")


if __name__ == "__main__":
    main()
