#!/usr/bin/env python3
"""Golden cases for how Prefect 3.8.3 reads the retention settings from the environment
(src/lib/python/settings-values.ts and src/services/db-vacuum-settings.ts), answered by pydantic.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    python3 scripts/goldens/settings.py

Writes test/goldens/settings.json. Needs pydantic 2 (Prefect 3.8.3 locks pydantic 2.13 with
pydantic-core's speedate); the machine's pyenv python3 has it. When started by an interpreter
without it (e.g. /usr/bin/python3), the script re-runs itself with the first `python3` that has it.

pydantic-settings hands a field its environment variable as a string, except that a field whose
type is complex (a set, list or dict — alone or inside a Union) is JSON-decoded first; inside a
Union a value that is not JSON stays a string. The procedures below restate that and Prefect's
own validators (SecondsTimeDelta's numeric strings, db_vacuum's `enabled` parsing and its
`enabled_vacuum_types`, the positive retention overrides) in our own code, and let pydantic do
the rest. Each case is {setting, value, expected}: `expected` is the parsed value (durations in
seconds, sets sorted) or null when Prefect refuses the value. Fixed inputs, so the file is the same
on every run.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

try:
    import pydantic  # noqa: F401
except ImportError:
    if os.environ.get("SETTINGS_GOLDENS_REEXEC"):
        sys.exit("settings.py: needs pydantic 2")
    for candidate in (shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")):
        if candidate and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            env = {**os.environ, "SETTINGS_GOLDENS_REEXEC": "1"}
            sys.exit(subprocess.call([candidate, __file__, *sys.argv[1:]], env=env))
    sys.exit("settings.py: no python3 with pydantic 2")

from typing import Annotated, Optional, Union  # noqa: E402

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "settings.json"


def seconds_or_string(value):
    """Prefect's SecondsTimeDelta before-validator: numbers and float()-able strings are seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    if isinstance(value, str):
        try:
            return timedelta(seconds=float(value))
        except ValueError:
            pass
    return value


SecondsTimeDelta = Annotated[timedelta, BeforeValidator(seconds_or_string)]


def parse_enabled(value):
    """db_vacuum's `enabled` before-validator: comma-separated strings and true/false words."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        return {part.strip() for part in value.split(",") if part.strip()}
    return value


def from_env_complex(text: str, allow_parse_failure: bool):
    try:
        return json.loads(text)
    except ValueError:
        if allow_parse_failure:
            return text
        raise


def answer(fn):
    try:
        return fn()
    except (ValidationError, ValueError, OverflowError, TypeError):
        return None


def events_retention(text):
    return TypeAdapter(timedelta).validate_python(text).total_seconds()


def vacuum_retention(text):
    td = TypeAdapter(Annotated[SecondsTimeDelta, Field(gt=timedelta(hours=1))]).validate_python(text)
    return td.total_seconds()


def batch_size(text):
    return TypeAdapter(Annotated[int, Field(gt=0)]).validate_python(text)


def boolean(text):
    return TypeAdapter(bool).validate_python(text)


def enabled(text):
    value = from_env_complex(text, allow_parse_failure=True)
    parsed = TypeAdapter(Annotated[Union[set[str], bool, None], BeforeValidator(parse_enabled)]).validate_python(value)
    if isinstance(parsed, bool):
        kinds = {"events", "flow_runs"} if parsed else {"events"}
    elif parsed is None:
        kinds = set()
    else:
        kinds = set(parsed)
        if kinds - {"events", "flow_runs"}:
            raise ValueError("invalid vacuum type")
    return sorted(kinds)


def overrides(text):
    value = from_env_complex(text, allow_parse_failure=False)
    parsed = TypeAdapter(dict[str, SecondsTimeDelta]).validate_python(value)
    for td in parsed.values():
        if td <= timedelta(0):
            raise ValueError("not positive")
    return {k: v.total_seconds() for k, v in parsed.items()}


DURATIONS = [
    # numbers and what float() reads
    "604800", "604800.5", "1e3", " 60 ", "+60", "-1", "1_000", "inf", "nan", "0", "3600", "3601", "7200.0", ".5", "5.",
    " 7200 ", "+7200", "7_200", "7__200", "7.2e3", "7.2E+3", "1e10", "1e20", "Infinity", "7200\n", "\t7200", "0x1C20", "7200.", "72_00.0_0",
    # ISO 8601 durations
    "P7D", "PT1H", "P1W", "P1Y", "P1M", "P90D", "-P1D", "+P1D", "P0.5D", "PT1.5H", "P1DT", "PT", "P", "P1", "P1T", "PT1",
    "P1DT1", "P1Y2", "PD", "PTH", "PT1H ", "P1D ", "P 1D", "p1d", "pt1h", "P-1D", "PT-1H", "P+1D", "--P1D", "+-P1D", "-PT1H",
    "P1,5D", "PT1,5H", "P1,D", "P1.D", "P1..5D", "P1.5.5D", "PT1H.5M", "PT.5S", "PT0.S", "P1DT1.5S", "P1.5DT", "P1.5D1D",
    "P1.5DT1H", "P1DT1.5H30M", "PT1H1.5M1S", "P1D1H", "P1H", "PT1D", "P1S", "PT1Y", "P1DT-1H", "P1DT1H1M1S", "P1DT1H1M1S1",
    "P1Y2M3W4DT5H6M7.8S", "P1Y1M", "P1M1Y", "P1D1W", "P1W1D", "PT1H1M1.5S", "PT1.5M", "PT1S1M", "PT1M1H", "P1DT1H1H",
    "PT1S1S", "P01D", "P1.5W", "P1.5Y", "P1.5M", "P1D T1H", "PT1.123456789S", "P10000000000D", "P999999999D",
    "P2739726Y", "P2739727Y", "P0D", "P1DT0S",
    # [-]D day[s][,] [H]H:MM[:SS[.ffffff]] and HH:MM[:SS[.ffffff]]
    "1 day, 0:00:00", "2 days, 1:02:03.000004", "7 days", "7d", "1 day", "1day", "1days", "1 DAY", "1 Day", "1 DAYS",
    "1 Days", "1 dAY", "1 DaY", "1 daYs", "1 DAYs", "1 dayS", "1 dAyS", "1 dayz", "1 da", "1 d", "1 D", "1 dS", "1 ds",
    "1 d s", "1  day", "1\tday", "1 day\t", "1 day ", "1 day,", "1 day, ", "1 day , ", "1 d,", "1d,", "1d ,", "1 , ",
    "1 day,1:00:00", "1 day 1:00:00", "1 day, 1:00:00", "1 day, 01:00:00", "1 day,  1:00:00", "1 day, 1:00",
    "1 day 01:00", "1 day, 10:00", "1 d, 10:00:00", "1 d, 1:00:00", "1 day, 1:00:00.5", "1 day,1:00:00.123",
    "1 day, 23:00:00", "1 day, 23:59:59.9", "1 day, 24:00:00", "2 days, 100:00:00", "1 day, -1:00:00", "1 day, -01:00",
    "1 day -1:00", "1 day, 1:0:00", "1 day, 0:00:00 ", "1 day,0:00:00", "1d1:00:00", "1d 1:00:00", "1 d 1:00:00",
    "1d1:00", "1d 1:00", "1d, 1:00", "1d,01:00:00", "1234d", "1234 d,01:00", "1 days 01:00:00", "-1 day", "+1 day",
    "-1 day, 1:00:00", "1.5 days", "1.5d", "d", "D1", "-d", "99999999999 days", "1000000000 days", "999999999 days",
    "1:00:00", "5:00:00", "01:00", "00:00", "000:00", "0:00", "0:00:00", "0:0:0", "1:00", "1:0", "1:2:3", "12:3",
    "12:34", "12:34:5", "12:34:56", "12:34:56.", "12:34:56.1", "12:34:56.1234567", "01:00:00.123456789",
    "00:00:30.5", "00:60", "00:59:60", "00:00:60", "24:00", "25:00:00", "99:59", "100:00:00", "1234:00", "10:00",
    "-12:00", "-01:00:00", "01:02:03:04", "10:00:00.", "10:00:00.1a", "10:00:00Z", "12:00:00 ", " 12:00:00", "12:00 ",
    "00:00:00.000000", "999999999:00:00", "12", "123", "12345", "00", "", "  ", "1 week", "1 hour", "86400 seconds",
    "3600s", "P7D\n",
]

INTS = ["200", " 200 ", "+200", "2_00", "200.0", "2e2", "0x10", "-1", "0", "1", "1.5", "200 ", "", "abc", "1_", "_1",
        "00200", "1__0", "1.0000", "1.", ".0"]
BOOLS = ["true", "false", "True", "FALSE", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n", "", " true", "2",
         "enabled", "TRUE ", "Yes", "oN"]
ENABLED = ["events", "flow_runs", "events,flow_runs", "flow_runs, events", " events ", "", "true", "True", "1",
           "false", "0", "null", "[]", '["events"]', '["flow_runs","events"]', '"events"', "events,,", "logs",
           "events,logs", "EVENTS", "{}", "2", "true,events", '"true"', "[1]", ",", " "]
OVERRIDES = ['{"prefect.flow-run.heartbeat": 604800}', "{}", '{"a": 60, "b": "P1D"}', '{"a": "3600"}',
             '{"a": 0}', '{"a": -5}', '{"a": "1 day, 0:00:00"}', '{"a": "nope"}', "not json", "[]", '{"a": null}',
             '{"a": 1.5}', '{"a": true}', '{"a": "PT0S"}', "", "null", '{"a": [1]}', '{"a": {"b": 1}}']

cases = []
for text in DURATIONS:
    cases.append({"setting": "events_retention_period", "value": text, "expected": answer(lambda: events_retention(text))})
    cases.append({"setting": "vacuum_retention_period", "value": text, "expected": answer(lambda: vacuum_retention(text))})
for text in INTS:
    cases.append({"setting": "batch_size", "value": text, "expected": answer(lambda: batch_size(text))})
for text in BOOLS:
    cases.append({"setting": "bool", "value": text, "expected": answer(lambda: boolean(text))})
for text in ENABLED:
    cases.append({"setting": "vacuum_enabled", "value": text, "expected": answer(lambda: enabled(text))})
for text in OVERRIDES:
    cases.append({"setting": "event_retention_overrides", "value": text, "expected": answer(lambda: overrides(text))})

OUT.write_text(json.dumps({"oracle": f"pydantic {pydantic.VERSION}", "cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(cases)} cases to {OUT}")
