"""Golden cases for our RRULE port (src/lib/schedules/rrule*.ts), answered by Python.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    /usr/bin/python3 scripts/goldens/rrule.py

Writes test/goldens/rrule.json. Needs Debian's python3 with python3-dateutil (Prefect 3.8.3 asks
for python-dateutil>=2.8.2; Debian 12 has 2.8.2).

Each case reproduces what Prefect's server does around dateutil:
- validation is `validate_rrule_string`: `rrulestr(text, cache=True)`, its ValueError reworded,
  then the 6500-character limit. dateutil reads a missing DTSTART as "now"; we fix that now at
  2020-01-01T00:00:00 (our port's anchor), which only matters for a BYxxx at the rule's own
  frequency that no INTERVAL step from DTSTART reaches;
- normalization is `normalize_rrule_string` (the DTSTART Prefect writes into a stored rule),
  at a fixed now;
- occurrences are `RRuleSchedule.get_dates`: `rrulestr(text, dtstart=2020-01-01)`, DTSTART, UNTIL,
  RDATE and EXDATE relabelled with the schedule's zone (`dateutil.tz.gettz`, keeping wall digits),
  `xafter(start, inc=True)`, each date's instant kept (pendulum only re-labels it), duplicates
  dropped, at most 1001 candidates after the first.
Deterministic: fixed inputs, no clock.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dateutil.rrule
import dateutil.tz

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "goldens" / "rrule.json"
MAX_ITERATIONS = 1000
MAX_RRULE_LENGTH = 6500
DEFAULT_ANCHOR = dt.datetime(2020, 1, 1)
FIXED_NOW = dt.datetime(2020, 1, 1)
UTC = dt.timezone.utc


def validate(text: str) -> dict:
    """{"error": message or None}, or {"raises": name} for the exceptions Prefect does not reword."""
    try:
        dateutil.rrule.rrulestr(text, cache=True, dtstart=FIXED_NOW)
    except ValueError as exc:
        return {"error": f'Invalid RRule string "{text}": {exc}'}
    except Exception as exc:  # escapes Prefect's validator: a server error there
        return {"raises": type(exc).__name__}
    if len(text) > MAX_RRULE_LENGTH:
        return {"error": f'Invalid RRule string "{text[:40]}..."\nMax length is {MAX_RRULE_LENGTH}, got {len(text)}'}
    return {"error": None}


def normalize(text: str, now: dt.datetime, timezone: str | None) -> str:
    """Prefect's normalize_rrule_string, restated."""
    if "DTSTART" in text.upper():
        return text
    try:
        parsed = dateutil.rrule.rrulestr(text, dtstart=DEFAULT_ANCHOR, cache=False)
    except (ValueError, TypeError):
        return text
    anchor = DEFAULT_ANCHOR
    if isinstance(parsed, dateutil.rrule.rrule) and parsed._count is None and parsed._freq in (
        dateutil.rrule.SECONDLY,
        dateutil.rrule.MINUTELY,
    ):
        zone = (dateutil.tz.gettz(timezone) if timezone else None) or UTC
        local_now = now.astimezone(zone).replace(tzinfo=None)
        elapsed = (local_now - DEFAULT_ANCHOR).total_seconds()
        if elapsed > 0:
            period = (1 if parsed._freq == dateutil.rrule.SECONDLY else 60) * parsed._interval
            anchor = DEFAULT_ANCHOR + dt.timedelta(seconds=int(elapsed // period) * period)
    return f"DTSTART:{anchor.strftime('%Y%m%dT%H%M%S')}\n{text}"


def localized(text: str, timezone: str):
    """RRuleSchedule.to_rrule."""
    rule = dateutil.rrule.rrulestr(text, dtstart=DEFAULT_ANCHOR.date(), cache=True)
    zone = dateutil.tz.gettz(timezone)

    def relabel(r):
        kwargs = {"dtstart": r._dtstart.replace(tzinfo=zone)}
        if r._until:
            kwargs["until"] = r._until.replace(tzinfo=zone)
        return r.replace(**kwargs)

    if isinstance(rule, dateutil.rrule.rrule):
        return relabel(rule)
    rule._rrule = [relabel(r) for r in rule._rrule]
    rule._exrule = [relabel(r) for r in rule._exrule]
    rule._rdate = [d.replace(tzinfo=zone) for d in rule._rdate]
    rule._exdate = [d.replace(tzinfo=zone) for d in rule._exdate]
    return rule


def parse_instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def get_dates(text: str, timezone: str, n: int, start: str, end: str | None) -> list[str]:
    begin = parse_instant(start)
    stop = parse_instant(end) if end else None
    dates: set[dt.datetime] = set()
    counter = 0
    for occurrence in localized(text, timezone).xafter(begin, count=None, inc=True):
        instant = occurrence.astimezone(UTC)
        if stop and instant > stop:
            break
        dates.add(instant)
        if len(dates) >= n or counter > MAX_ITERATIONS:
            break
        counter += 1
    return [d.strftime("%Y-%m-%dT%H:%M:%S.%fZ") for d in sorted(dates)]


VALIDATION = [
    # valid
    "FREQ=DAILY", "RRULE:FREQ=DAILY", "freq=daily;interval=2", "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=+2TU", "FREQ=MONTHLY;BYMONTHDAY=-1,-2",
    "FREQ=YEARLY;BYYEARDAY=1,100,-1", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=HOURLY;BYHOUR=9,17", "FREQ=MINUTELY;INTERVAL=15", "FREQ=SECONDLY;INTERVAL=30", "FREQ=DAILY;COUNT=5",
    "FREQ=DAILY;UNTIL=20240101T000000", "FREQ=DAILY;UNTIL=20240101", "FREQ=WEEKLY;WKST=SU;BYDAY=TU,SU;INTERVAL=2",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY", "DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20240201T000000Z",
    "DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=DAILY",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXDATE:20240102T090000",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nRDATE:20240105T120000,20240106T120000",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=SA,SU",
    "RRULE:FREQ=DAILY\nRRULE:FREQ=HOURLY;INTERVAL=6", "FREQ=YEARLY;BYEASTER=0", "FREQ=YEARLY;BYEASTER=-2",
    "FREQ=DAILY;BYHOUR=8;BYMINUTE=0,30;BYSECOND=0", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
    "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=WEEKLY;BYDAY=MO(1)",
    "FREQ=DAILY;BYWEEKDAY=MO", "  FREQ=DAILY  ", "FREQ=YEARLY;BYWEEKNO=-1", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU",
    "FREQ=DAILY;BYSETPOS=1", "FREQ=HOURLY;INTERVAL=2;BYHOUR=4", "RDATE:20240101T000000",
    "EXDATE:20240101T000000", "DTSTART:20240101T000000", "FREQ=DAILY;COUNT=0", "FREQ=DAILY;INTERVAL=+3",
    "DTSTART:20240101\nRRULE:FREQ=DAILY", "DTSTART;VALUE=DATE:20240101\nRRULE:FREQ=DAILY",
    "DTSTART;TZID=Nowhere/Land:20240101T090000\nRRULE:FREQ=DAILY",
    # refused (or odd)
    "", "   ", "FREQ=FORTNIGHTLY", "INTERVAL=2", "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;INTERVAL=-1",
    "FREQ=DAILY;INTERVAL=x", "FREQ=DAILY;COUNT=x", "FREQ=DAILY;UNTIL=tomorrow", "FREQ=DAILY;BYHOUR=24",
    "FREQ=DAILY;BYMINUTE=60", "FREQ=DAILY;BYSECOND=61", "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=MONTHLY;BYMONTHDAY=0",
    "FREQ=YEARLY;BYMONTH=13", "FREQ=YEARLY;BYMONTH=0", "FREQ=YEARLY;BYYEARDAY=367", "FREQ=YEARLY;BYWEEKNO=54",
    "FREQ=MONTHLY;BYDAY=0MO", "FREQ=MONTHLY;BYDAY=XX", "FREQ=MONTHLY;BYSETPOS=0", "FREQ=MONTHLY;BYSETPOS=367",
    "FREQ=WEEKLY;WKST=XX", "FREQ=DAILY;FOO=1", "FREQ=DAILY;;COUNT=2", "FREQ=DAILY;COUNT", "FREQ=HOURLY;INTERVAL=2;BYHOUR=3",
    "DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20240201T000000",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY;UNTIL=20240201T000000Z", "DTSTART:2024-13-01\nRRULE:FREQ=DAILY",
    "DTSTART:20240101T090000\nFOO:BAR", "DTSTART:20240101T090000\nRRULE;X=1:FREQ=DAILY",
    "DTSTART:20240101T090000\nDTSTART:20240102T090000\nRRULE:FREQ=DAILY", "RRULE:FREQ=DAILY:X",
    "FREQ=DAILY\nFREQ=WEEKLY", "DTSTART:20240101T090000\nRDATE;VALUE=PERIOD:20240101T090000/PT1H",
    "DTSTART;TZID=America/New_York:20240101T090000Z\nRRULE:FREQ=DAILY", "X" * 7000,
    "FREQ=DAILY;" + ";".join(["BYHOUR=1"] * 10), "RRULE:FREQ=DAILY;BYDAY=MO" + ",MO" * 3300,
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20240102", "FREQ=DAILY;UNTIL=20240230",
    "FREQ=HOURLY;BYHOUR=24", "FREQ=MINUTELY;BYSECOND=60", "FREQ=SECONDLY;BYMINUTE=60", "FREQ=YEARLY;BYHOUR=-1",
    "FREQ=DAILY;A=B=C", "DTSTART:20240230T000000\nRRULE:FREQ=DAILY", "DTSTART:garbage\nRRULE:FREQ=DAILY",
    "DTSTART:20240101T250000\nRRULE:FREQ=DAILY", "RDATE:garbage\nRRULE:FREQ=DAILY", "FREQ=DAILY;UNTIL=20241301",
    "EXDATE;TZID=America/New_York:20240101T000000Z\nRRULE:FREQ=DAILY", "FREQ=MONTHLY;BYMONTHDAY=-32",
    "FREQ=YEARLY;BYEASTER=400", "FREQ=MONTHLY;BYMONTHDAY=0",
]

ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"]

RULES = [
    "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
    "FREQ=WEEKLY;WKST=SU;BYDAY=TU,SU;INTERVAL=2", "FREQ=WEEKLY;WKST=MO;BYDAY=TU,SU;INTERVAL=2", "FREQ=MONTHLY",
    "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=1,-1,15",
    "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=+2TU,-2TH", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,3,-2",
    "FREQ=MONTHLY;INTERVAL=2;BYDAY=1SU", "FREQ=YEARLY", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=YEARLY;BYYEARDAY=1,100,-1", "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU",
    "FREQ=YEARLY;BYWEEKNO=-1;BYDAY=FR", "FREQ=YEARLY;BYWEEKNO=1,52;WKST=SU;BYDAY=SA", "FREQ=YEARLY;BYDAY=20MO",
    "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3,10", "FREQ=YEARLY;BYMONTH=1,7;BYDAY=1MO", "FREQ=YEARLY;BYEASTER=0",
    "FREQ=YEARLY;BYEASTER=-2,1", "FREQ=YEARLY;BYSETPOS=2;BYMONTH=6;BYDAY=SA,SU", "FREQ=HOURLY",
    "FREQ=HOURLY;INTERVAL=5", "FREQ=HOURLY;BYHOUR=9,17", "FREQ=HOURLY;BYMINUTE=15,45", "FREQ=HOURLY;BYDAY=SA;BYHOUR=1,2,3",
    "FREQ=MINUTELY;INTERVAL=15", "FREQ=MINUTELY;INTERVAL=7;BYHOUR=2", "FREQ=MINUTELY;BYMINUTE=0,30;BYHOUR=1,2,3",
    "FREQ=SECONDLY;INTERVAL=45", "FREQ=SECONDLY;BYSECOND=0,30;BYMINUTE=0", "FREQ=DAILY;BYHOUR=8;BYMINUTE=0,30;BYSECOND=0",
    "FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=30", "FREQ=DAILY;BYSETPOS=-1;BYHOUR=6,18", "FREQ=DAILY;COUNT=5",
    "FREQ=DAILY;UNTIL=20240115T000000", "FREQ=DAILY;UNTIL=20240115T000000Z", "FREQ=DAILY;UNTIL=20240115",
    "FREQ=WEEKLY;COUNT=10;BYDAY=SA", "FREQ=MONTHLY;COUNT=50;BYDAY=-1MO", "FREQ=DAILY;BYMONTH=3,11;BYHOUR=2;BYMINUTE=30",
    "FREQ=YEARLY;BYMONTH=13", "FREQ=YEARLY;BYMONTH=2,13", "FREQ=MONTHLY;BYMONTHDAY=0", "FREQ=MONTHLY;BYMONTHDAY=31,32",
    "FREQ=YEARLY;BYYEARDAY=366,400", "FREQ=YEARLY;BYWEEKNO=60,10;BYDAY=TH",
]

# (dtstart line or None, start, end)
WINDOWS = [
    (None, "2024-01-10T00:00:00Z", None),
    ("DTSTART:20231215T093000", "2024-02-27T13:47:12.250000+02:00", None),
    ("DTSTART:20240101T000000", "2023-12-31T23:59:59", "2024-04-30T00:00:00Z"),
]

DST_CASES = [
    ("DTSTART:20240101T023000\nRRULE:FREQ=DAILY", "America/New_York", "2024-03-08T00:00:00Z"),
    ("DTSTART:20240101T013000\nRRULE:FREQ=DAILY", "America/New_York", "2024-11-01T00:00:00Z"),
    ("DTSTART:20240101T000000\nRRULE:FREQ=HOURLY", "America/New_York", "2024-03-10T04:00:00Z"),
    ("DTSTART:20240101T000000\nRRULE:FREQ=HOURLY", "America/New_York", "2024-11-03T03:00:00Z"),
    ("DTSTART:20240101T001500\nRRULE:FREQ=MINUTELY;INTERVAL=30", "America/New_York", "2024-11-03T05:00:00Z"),
    ("DTSTART:20240101T000000\nRRULE:FREQ=HOURLY", "America/New_York", "2024-11-03T06:10:00Z"),
    ("DTSTART:20240101T013000\nRRULE:FREQ=DAILY", "Europe/London", "2024-03-29T00:00:00Z"),
    ("DTSTART:20240101T013000\nRRULE:FREQ=DAILY", "Europe/London", "2024-10-25T00:00:00Z"),
    ("DTSTART:20240101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30", "Australia/Lord_Howe", "2024-04-06T14:00:00Z"),
    ("DTSTART:20240101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30", "Australia/Lord_Howe", "2024-10-05T14:30:00Z"),
    ("DTSTART:20240101T021500\nRRULE:FREQ=DAILY", "Australia/Lord_Howe", "2024-10-04T00:00:00Z"),
    ("DTSTART:20240101T024500\nRRULE:FREQ=DAILY", "Pacific/Chatham", "2024-09-27T00:00:00Z"),
    ("DTSTART:20240101T000000\nRRULE:FREQ=DAILY", "America/Santiago", "2024-09-05T00:00:00Z"),
    ("DTSTART:20111228T120000\nRRULE:FREQ=DAILY", "Pacific/Apia", "2011-12-28T00:00:00Z"),
    ("DTSTART:20240101T023000\nRRULE:FREQ=WEEKLY;BYDAY=SU", "America/New_York", "2024-03-01T00:00:00Z"),
    ("DTSTART:20240101T090000\nRRULE:FREQ=DAILY;UNTIL=20240312T090000", "America/New_York", "2024-03-08T00:00:00Z"),
    ("DTSTART;TZID=Europe/Berlin:20240101T090000\nRRULE:FREQ=DAILY", "America/New_York", "2024-01-01T00:00:00Z"),
    ("DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20240105T090000Z", "America/New_York", "2024-01-01T00:00:00Z"),
]

SET_CASES = [
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXDATE:20240102T090000,20240104T090000",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY;COUNT=3\nRDATE:20240110T120000,20240105T080000",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=SA,SU",
    "DTSTART:20240101T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO\nRRULE:FREQ=WEEKLY;BYDAY=FR;BYHOUR=17",
    "RRULE:FREQ=DAILY\nRRULE:FREQ=HOURLY;INTERVAL=6",
    "DTSTART:20240101T090000\nRDATE:20240103T090000,20240101T090000,20240103T090000",
    "DTSTART:20240101T090000\nRRULE:FREQ=DAILY\nEXDATE:20240102T090000Z",
    "DTSTART:20240101T090000\nRRULE:FREQ=HOURLY;INTERVAL=12\nEXRULE:FREQ=DAILY;BYHOUR=21",
    "DTSTART:20240310T013000\nRRULE:FREQ=HOURLY;COUNT=4\nRDATE:20240310T023000",
    "EXDATE:20240101T000000\nRRULE:FREQ=DAILY",
]

NORMALIZE = [
    ("FREQ=DAILY", "UTC"), ("FREQ=MINUTELY;INTERVAL=7", "UTC"), ("FREQ=MINUTELY;INTERVAL=7", "America/New_York"),
    ("FREQ=SECONDLY;INTERVAL=45", "Asia/Kolkata"), ("FREQ=MINUTELY;COUNT=3", "UTC"), ("FREQ=HOURLY", "UTC"),
    ("RRULE:FREQ=MINUTELY", "Australia/Lord_Howe"), ("DTSTART:20240101T000000\nRRULE:FREQ=MINUTELY", "UTC"),
    ("dtstart:20240101T000000\nRRULE:FREQ=MINUTELY", "UTC"), ("FREQ=MINUTELY\nEXDATE:20240101T000000", "UTC"),
    ("not a rule", "UTC"), ("FREQ=MINUTELY;INTERVAL=13", None), ("FREQ=SECONDLY", "Pacific/Chatham"),
]
NORMALIZE_NOWS = ["2024-06-15T12:34:56.789000Z", "2019-06-01T00:00:00Z", "2024-03-10T07:30:00Z"]


def dates_case(text, timezone, start, end=None, n=6):
    case = {"kind": "dates", "rrule": text, "timezone": timezone, "start": start, "n": n}
    if end:
        case["end"] = end
    try:
        case["expected"] = {"dates": get_dates(text, timezone, n, start, end)}
    except ValueError as exc:  # a rule validation refuses; it never reaches get_dates in Prefect
        case["expected"] = {"error": str(exc)}
    return case


def main() -> None:
    cases = [{"kind": "validate", "rrule": t, "expected": validate(t)} for t in VALIDATION]
    for i, rule in enumerate(RULES):
        for j, (dtstart, start, end) in enumerate(WINDOWS):
            text = f"{dtstart}\nRRULE:{rule}" if dtstart else rule
            cases.append(dates_case(text, ZONES[(i + j) % len(ZONES)], start, end, n=6 if end is None else 30))
    for text, zone, start in DST_CASES:
        cases.append(dates_case(text, zone, start, n=6))
    for text in SET_CASES:
        for zone in ("UTC", "America/New_York"):
            cases.append(dates_case(text, zone, "2024-01-01T00:00:00Z", n=8))
    cases.append(dates_case("DTSTART:20240101T000000\nRRULE:FREQ=MINUTELY", "UTC", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z", n=5000))
    cases.append(dates_case("DTSTART:20240101T000000\nRRULE:FREQ=DAILY;COUNT=3", "UTC", "2024-06-01T00:00:00Z", n=3))
    cases.append(dates_case("DTSTART:20240101T000000\nRRULE:FREQ=SECONDLY", "UTC", "2024-01-01T00:00:00.5Z", n=3))
    for text, zone in NORMALIZE:
        for now in NORMALIZE_NOWS:
            expected = normalize(text, parse_instant(now), zone)
            cases.append({"kind": "normalize", "rrule": text, "timezone": zone, "now": now, "expected": {"rrule": expected}})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generator": "scripts/goldens/rrule.py",
        "oracle": f"dateutil {dateutil.__version__}, Prefect 3.8.3's RRuleSchedule procedure",
        "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(cases)} cases")


if __name__ == "__main__":
    main()
