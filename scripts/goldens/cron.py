"""Golden cases for our cron port (src/lib/schedules/cron*.ts), answered by Python.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    PREFECT_CRONITER=/path/to/prefect/src/prefect/_vendor/croniter/croniter.py \
        /usr/bin/python3 scripts/goldens/cron.py

Writes test/goldens/cron.json. Needs Debian's python3 with python3-dateutil and python3-tz, and
the croniter Prefect 3.8.3 vendors (src/prefect/_vendor/croniter/croniter.py, croniter 6.0):
Debian's python3-croniter (1.3.5) is four major versions older and reads several forms
differently (7-field years, `?`, wrapping stepped ranges), so it would not answer as Prefect's
server does. The runner downloads the vendored file when PREFECT_CRONITER is not set.

Each case reproduces what Prefect's server does around croniter:
- validation is `validate_cron_string` (croniter.is_valid, then the random/hashed refusal);
- occurrences are `CronSchedule.get_dates` on Python < 3.13 (pendulum), which is what Prefect's
  images run: the start is moved into the schedule's zone, one second earlier (unless it has
  microseconds), croniter walks naive local wall-clock times from there, and each wall time is
  localized as pendulum does with fold=0: a wall time skipped by DST is moved back by the gap
  (02:30 in New York becomes 01:30 EST), a repeated one takes its first occurrence. Dates before
  the start are not filtered (a start inside a repeated hour can yield the earlier instant).
Deterministic: fixed inputs, no clock.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "goldens" / "cron.json"
MAX_ITERATIONS = 1000
UTC = dt.timezone.utc


def load_croniter():
    path = os.environ.get("PREFECT_CRONITER")
    if not path:
        sys.exit("cron.py: set PREFECT_CRONITER to Prefect 3.8.3's src/prefect/_vendor/croniter/croniter.py")
    spec = importlib.util.spec_from_file_location("prefect_vendored_croniter", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


croniter_module = load_croniter()
croniter = croniter_module.croniter


def validate(expression: str) -> str | None:
    """Prefect's validate_cron_string: None when valid, else its error message."""
    if not croniter.is_valid(expression):
        return f'Invalid cron string: "{expression}"'
    if any(c for c in expression.split() if c.casefold() in ["R", "H", "r", "h"]):
        return f'Random and Hashed expressions are unsupported, received: "{expression}"'
    return None


def pendulum_localize(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """pendulum.Timezone.convert of a naive datetime with fold=0."""
    before = zone.utcoffset(wall.replace(fold=0))
    after = zone.utcoffset(wall.replace(fold=1))
    if after > before:
        wall = wall + (before - after)
    return wall.replace(tzinfo=zone, fold=0)


def parse_start(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    # Prefect reads a naive start or end as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def get_dates(expression: str, timezone: str | None, day_or: bool, n: int, start: str, end: str | None):
    zone = ZoneInfo(timezone or "UTC")
    begin = parse_start(start).astimezone(UTC)
    stop = parse_start(end).astimezone(UTC) if end else None
    begin = begin - dt.timedelta(seconds=1)
    if begin.microsecond > 0:
        begin += dt.timedelta(seconds=1)
    naive_start = begin.astimezone(zone).replace(tzinfo=None)
    cron = croniter(expression, naive_start, day_or=day_or)
    dates: set[dt.datetime] = set()
    counter = 0
    while True:
        try:
            next_date = pendulum_localize(cron.get_next(dt.datetime), zone)
        except croniter_module.CroniterBadDateError:
            # Prefect lets this escape get_dates; keep what came before it for the comparison.
            return {"dates": [iso(d) for d in sorted(dates)], "error": "CroniterBadDateError"}
        if stop and next_date > stop:
            break
        dates.add(next_date)
        if len(dates) >= n or counter > MAX_ITERATIONS:
            break
        counter += 1
    return {"dates": [iso(d) for d in sorted(dates)]}


def iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


VALIDATION = [
    # valid
    "* * * * *", "5 4 * * *", "0 0 * * *", "*/15 * * * *", "0 */6 * * *", "5,35 9-17 * * 1-5",
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@HOURLY",
    "* * * * MON", "30 8 * * sat-sun", "* * * * mon,wed,fri", "*/15 9-17 * jan-mar,dec 1-5",
    "0 0 ? * mon", "0 0 1 * ?", "0 0 L * *", "0 0 15-L * *", "0 0 1,15,L * *", "0 0 L 2 *",
    "0 0 * * 7", "0 0 * * 0-7", "0 0 * * 5#3", "0 0 * * fri#1", "0 0 * * mon-wed#1", "0 0 * * L5",
    "0 0 * * L0", "0 0 * * 1#5", "0 0 * * 5#3,5#1", "0 0 * * sun#2,L6", "0 0 * * mon-mon",
    "0 0 * * fri-mon", "0 0 * * fri-mon/2", "0 0 * * sat-tue/3", "0 0 * nov-feb *", "0 0 28-3 * *",
    "50-10 * * * *", "* 22-2/2 * * *", "10/5 * * * *", "0 0 1-31/2 * *", "0 0 */3 */2 *",
    "10-50/20 * * * *", "0 8-18/3 * * 1-5", "0 0 29 2 *", "0 0 31 * *", "0 0 30 2 *",
    "* * * * * *", "* * * * * */15", "0 0 * * * 30", "0 */5 * * * 0,30", "30 2 * * * 45",
    "* * * * * * 2030", "0 0 1 1 * 0 2030", "0 12 * * * 0 2025-2027", "0 0 29 2 * 0 *",
    "0 0 1 1 * 0 2099", "0 0 * * * 0 2024/2", "0 0 1 jan * 0 2031", "  0   0 * * *  ", "0\t0 * * *",
    "0 0 0 * * 0", "0 0 * * 7 0", "0 0 0 * *", "59 23 31 12 *", "0 0 1 1 1", "0 0 * * 1,3,5",
    "0 0 * * MON-FRI", "0 0 * JAN *", "00 09 * * *", "0 0 01 01 *", "0,30 * * * *",
    # refused
    "", "* * * *", "* * * * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *",
    "* * * 13 *", "* * * * 8", "*/0 * * * *", "-5 * * * *", "? * * * *", "0 0 1? * *",
    "L * * * *", "0 0 * * mon#6", "0 0 * * mon#0", "0 0 * * mon#2,tue", "0 0 * * L", "0 0 * * 5L",
    "* * * * funday", "0 0 * foo *", "0 0 1 1 * 0 1969", "0 0 1 1 * 0 2100", "0 0 W * *",
    "0 0 15W * *", "0 0 LW * *", "0 0 L-2 * *", "invalid cron", "5 4 R * *", "R * * * *",
    "5 4 H * *", "H * * * *", "H(0-30) * * * *", "r * * * *", "h * * * *", "5-3-1 * * * *",
    "1,,2 * * * *", "*/ * * * *", "a-b * * * *", "0 0 * * mon#", "0 0 * * #2", "@reboot",
    "@every 5m", "0 0 * * * 60", "0 0 * * * * 19", "1.5 * * * *", "0 0 * * sun-7",
    "0 0 1-0 * *", "0 0 ?? * *", "0 0 * * ?/2", "*/-1 * * * *",
]

GENERAL_EXPRESSIONS = [
    "* * * * *", "0 0 * * *", "*/15 * * * *", "0 */6 * * *", "5,35 9-17 * * 1-5", "0 0 1 * *",
    "0 0 L * *", "0 0 1,15,L * *", "0 0 L 2 *", "0 0 15-L * *", "0 12 * jan,jun mon-fri",
    "0 0 * * sun", "0 0 * * 7", "0 0 * * fri-mon", "0 0 * * mon-mon", "0 0 * * fri-mon/2",
    "0 0 * * sat-tue/3", "*/20 * * * sat,sun", "0 9 1-7 * mon", "0 0 13 * fri", "0 0 29 2 *",
    "0 0 31 * *", "0 0 ? * mon", "0 0 1 * ?", "@hourly", "@daily", "@weekly", "@monthly",
    "@yearly", "@midnight", "0 0 1-31/2 * *", "0 0 */3 */2 *", "10-50/20 * * * *",
    "0 8-18/3 * * 1-5", "0 0 * * 5#3", "0 0 * * mon#1", "0 0 * * mon-wed#1", "0 0 * * L5",
    "0 0 * * L0", "0 0 * * 1#5", "0 0 * * 5#3,5#1", "0 0 * * sun#2,L6", "0 0 * nov-feb *",
    "0 0 28-3 * *", "50-10 * * * *", "* 22-2/2 * * *", "10/5 * * * *", "* * * * * */15",
    "0 0 * * * 30", "0 */5 * * * 0,30", "30 2 * * * 45", "0 0 1 1 * 0 2030",
    "0 12 * * * 0 2025-2027", "0 0 29 2 * 0 *", "0 0 * * * 0 2024/2", "0 0 0 * * 0",
    "59 23 31 12 *", "0 0 1 1 1", "0 0 L * fri", "0 0 1,L * mon", "0 0 * * 0-7",
]

# (start, end) windows for the general expressions; naive, offset and fractional forms on purpose.
GENERAL_STARTS = [
    ("2024-01-01T00:00:00Z", None),
    ("2024-02-27T13:47:12.250000+02:00", None),
    ("2023-12-31T23:59:59", "2024-06-30T00:00:00Z"),
]
GENERAL_ZONES = [None, "America/New_York", "Asia/Kolkata"]

# Expressions whose local times sit on DST changes, against the starts of each zone's changes.
DST_EXPRESSIONS = [
    "0 * * * *", "*/30 * * * *", "30 2 * * *", "30 1 * * *", "0 2 * * *", "15 1,2,3 * * *",
    "0 0 * * *", "45 2 * * *", "0 3 * * *", "0 1 * * *",
]
DST_STARTS = [
    ("America/New_York", "2024-03-09T23:00:00-05:00"),
    ("America/New_York", "2024-11-02T23:00:00-04:00"),
    ("America/New_York", "2024-11-03T05:10:00Z"),  # inside the first 01:xx
    ("America/New_York", "2024-11-03T06:10:00Z"),  # inside the repeated 01:xx
    ("Europe/London", "2024-03-30T23:30:00Z"),
    ("Europe/London", "2024-10-26T23:30:00Z"),
    ("Australia/Lord_Howe", "2024-04-06T12:00:00Z"),  # 02:00 +11 -> 01:30 +10:30
    ("Australia/Lord_Howe", "2024-10-05T12:00:00Z"),  # 02:00 +10:30 -> 02:30 +11
    ("Australia/Sydney", "2024-04-06T12:00:00Z"),
    ("Australia/Sydney", "2024-10-05T12:00:00Z"),
    ("Pacific/Chatham", "2024-04-06T10:00:00Z"),
    ("Pacific/Chatham", "2024-09-28T10:00:00Z"),
    ("Europe/Dublin", "2024-10-26T23:00:00Z"),
    ("America/St_Johns", "2024-03-10T02:00:00Z"),
    ("America/Santiago", "2024-09-07T01:00:00Z"),  # midnight skipped
    ("Asia/Tehran", "2022-03-21T18:00:00Z"),
    ("Pacific/Apia", "2011-12-29T09:00:00Z"),  # 30 Dec 2011 did not exist
]
NEAR_DST_DAILY = [  # Prefect's regression: start between midnight and the change
    ("10 0 * * *", "America/Montreal", "2023-03-12T05:10:02Z"),
    ("0 9 * * *", "America/New_York", "2018-03-08T14:00:00Z"),
    ("0 9 * * *", "America/New_York", "2018-11-01T13:00:00Z"),
    ("0 * * * *", "America/New_York", "2018-03-10T23:00:00-05:00"),
    ("0 * * * *", "America/New_York", "2018-11-03T23:00:00-04:00"),
]
DAY_OR_EXPRESSIONS = ["0 0 13 * fri", "0 9 1-7 * mon", "0 0 L * fri", "0 0 1,15 * 3", "0 0 * * 5#2", "0 0 1 * mon#1"]


def dates_case(expression, timezone, day_or, start, end=None, n=5):
    case = {"kind": "dates", "cron": expression, "timezone": timezone, "day_or": day_or, "start": start, "n": n}
    if end is not None:
        case["end"] = end
    case["expected"] = get_dates(expression, timezone, day_or, n, start, end)
    return case


def main() -> None:
    cases = [{"kind": "validate", "cron": e, "expected": {"error": validate(e)}} for e in VALIDATION]
    for expression in GENERAL_EXPRESSIONS:
        assert validate(expression) is None, expression
        for i, (start, end) in enumerate(GENERAL_STARTS):
            zone = GENERAL_ZONES[(GENERAL_EXPRESSIONS.index(expression) + i) % len(GENERAL_ZONES)]
            cases.append(dates_case(expression, zone, True, start, end, n=6 if end is None else 40))
    for expression in DST_EXPRESSIONS:
        for zone, start in DST_STARTS:
            cases.append(dates_case(expression, zone, True, start, n=6))
    for expression, zone, start in NEAR_DST_DAILY:
        cases.append(dates_case(expression, zone, True, start, n=5))
    for expression in DAY_OR_EXPRESSIONS:
        for day_or in (True, False):
            cases.append(dates_case(expression, "Europe/Berlin", day_or, "2024-09-01T00:00:00Z", n=8))
    cases.append(dates_case("0 0 30 2 *", None, True, "2024-01-01T00:00:00Z", n=1))
    cases.append(dates_case("0 0 * * * 0 2030", None, True, "2031-01-01T00:00:00Z", n=1))
    cases.append(dates_case("* * * * *", None, True, "2024-01-01T00:00:00Z", "2024-01-01T00:10:00Z", n=1000))
    cases.append(dates_case("* * * * *", None, True, "2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z", n=5000))
    cases.append(dates_case("0 0 1 1 * 0 2030,2075", None, True, "2024-01-01T00:00:00Z", n=3))
    cases.append(dates_case("0 0 1 1 * 0 2030,2085", None, True, "2024-01-01T00:00:00Z", n=3))
    cases.append(dates_case("* * * * * *", None, True, "2024-01-01T00:00:00.000001Z", n=3))
    cases.append(dates_case("0 0 * * *", "UTC", True, "2024-01-01T00:00:00.5Z", n=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generator": "scripts/goldens/cron.py",
        "oracle": "croniter vendored by Prefect 3.8.3, CronSchedule.get_dates (pendulum path)",
        "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(cases)} cases")


if __name__ == "__main__":
    main()
