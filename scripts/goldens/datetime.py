#!/usr/bin/env python3
"""Datetime goldens: what Prefect 3.8.3's server makes of a value sent for a datetime field.

Writes test/goldens/datetime.json, which test/lib/datetime.golden.test.ts compares our parser
(src/lib/datetime.ts) against, case by case.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    python3 scripts/goldens/datetime.py

The oracle is pydantic 2 itself (Prefect 3.8.3 locks pydantic 2.13.4 / pydantic-core 2.46.4). The
machine's `python3` (pyenv 3.11) has exactly those; Debian bookworm's python3-pydantic is 1.10. When
started by an interpreter without pydantic 2 (e.g. /usr/bin/python3), the script re-runs itself
with the first `python3` that has it, or stops saying so.

What the server does with a datetime field, restated here: FastAPI decodes the JSON body with
`json.loads` and validates the Python values (pydantic's python mode, lax). Prefect's server schemas
type the fields `prefect.types.DateTime`, which turns a naive result into UTC (on Python >= 3.13 an
after-validator; on older Pythons pendulum's `instance()`, which also reads naive as UTC). The few
fields typed plain `datetime.datetime` keep a naive value naive, which Prefect's database layer
then refuses; this server reads those as UTC too. On Python <= 3.12 Prefect's DateTime also retries
a string pydantic refused with pendulum's ISO 8601 parser (week dates, basic format, ...) and
reports failures as `value_error`; the cases here are pydantic's answers, the Python >= 3.13 server's.

Each case is {input, expected}; input is the JSON text sent (a JSON value: a string, a number as
written, e.g. `1e400`, which both Python and JavaScript read as infinity); expected is either
- {json, utc}: the value as pydantic writes it in JSON (the offset kept, `Z` for UTC, `.ffffff`
  only when non-zero) and the UTC instant as this server stores timestamps
  (`YYYY-MM-DDTHH:MM:SS.ffffffZ`; null where Python cannot convert it: years beyond 1..9999 in UTC);
- {error: {type, msg, ctx?}}: pydantic's error.
Inputs that JSON cannot carry (NaN, Infinity) are left out. Cases are a fixed list, so the file is
the same on every run.
"""
from __future__ import annotations

import os
import sys

# This file's name would shadow the standard library's `datetime` module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import datetime as dt  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, Any  # noqa: E402


def _suitable() -> bool:
    try:
        import pydantic

        return int(pydantic.VERSION.split(".")[0]) >= 2
    except Exception:
        return False


if not _suitable():
    if os.environ.get("DATETIME_GOLDENS_REEXEC"):
        sys.exit("datetime.py: needs pydantic 2")
    for candidate in [shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")]:
        if candidate and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            env = {**os.environ, "DATETIME_GOLDENS_REEXEC": "1"}
            sys.exit(subprocess.call([candidate, __file__, *sys.argv[1:]], env=env))
    sys.exit("datetime.py: no python3 with pydantic 2")

import pydantic  # noqa: E402
import pydantic_core  # noqa: E402
from pydantic import AfterValidator, TypeAdapter, ValidationError  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "datetime.json"


def _assume_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


PrefectDateTime = TypeAdapter(Annotated[dt.datetime, AfterValidator(_assume_utc)])


def utc_text(value: dt.datetime) -> str | None:
    try:
        u = value.astimezone(dt.timezone.utc)
    except OverflowError:
        return None
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


def answer(text: str) -> dict[str, Any]:
    value = json.loads(text)
    try:
        parsed = PrefectDateTime.validate_python(value)
    except ValidationError as exc:
        (err,) = exc.errors(include_url=False)
        error: dict[str, Any] = {"type": err["type"], "msg": err["msg"]}
        if err.get("ctx"):
            error["ctx"] = {k: str(v) for k, v in err["ctx"].items()}
        return {"error": error}
    return {"json": json.loads(PrefectDateTime.dump_json(parsed)), "utc": utc_text(parsed)}


# ---- the inputs -------------------------------------------------------------------------------

BASE = "2024-03-05T06:07:08"

strings: list[str] = [
    # the shapes clients send
    "2024-03-05T06:07:08Z",
    "2024-03-05T06:07:08.123456Z",
    "2024-03-05T06:07:08.123456+00:00",
    "2024-03-05T06:07:08+00:00",
    "2024-03-05T06:07:08.123456",
    "2024-03-05T06:07:08",
    "2024-03-05",
    "2024-03-05T06:07",
    "2024-03-05T06:07Z",
    "2024-03-05T06:07+02:00",
    # separators
    "2024-03-05t06:07:08Z",
    "2024-03-05 06:07:08Z",
    "2024-03-05_06:07:08Z",
    "2024-03-05x06:07:08Z",
    "2024-03-05/06:07:08Z",
    "2024-03-05  06:07:08Z",
    "2024-03-05T",
    "2024-03-05 ",
    "2024-03-05T06",
    "2024-03-05T06:",
    "2024-03-05T06:0",
    "2024-03-05T0607",
    "2024-03-05T060708Z",
    "20240305T060708Z",
    "20240305",
    "2024/03/05T06:07:08Z",
    "2024-03/05",
    "2024.03.05",
    # zones
    "2024-03-05T06:07:08z",
    "2024-03-05T06:07:08+02:00",
    "2024-03-05T06:07:08+0200",
    "2024-03-05T06:07:08-05:30",
    "2024-03-05T06:07:08-0530",
    "2024-03-05T06:07:08\u221205:00",
    "2024-03-05T06:07:08\u2212",
    "2024-03-05T06:07:08\u2013",
    "2024-03-05T06:07:08-00:00",
    "2024-03-05T06:07:08+00",
    "2024-03-05T06:07:08+02",
    "2024-03-05T06:07:08+2",
    "2024-03-05T06:07:08+02:",
    "2024-03-05T06:07:08+02:3",
    "2024-03-05T06:07:08+02:3x",
    "2024-03-05T06:07:08+0",
    "2024-03-05T06:07:08+",
    "2024-03-05T06:07:08+23:59",
    "2024-03-05T06:07:08-23:59",
    "2024-03-05T06:07:08+24:00",
    "2024-03-05T06:07:08-24:00",
    "2024-03-05T06:07:08+99:00",
    "2024-03-05T06:07:08+02:60",
    "2024-03-05T06:07:08+0260",
    "2024-03-05T06:07:08+02:59",
    "2024-03-05T06:07:08+02:00:00",
    "2024-03-05T06:07:08+02:00Z",
    "2024-03-05T06:07:08ZZ",
    "2024-03-05T06:07:08Z ",
    "2024-03-05T06:07:08 Z",
    "2024-03-05T06:07:08UTC",
    "2024-03-05T06:07:08 UTC",
    "2024-03-05T06:07:08GMT",
    "2024-03-05T06:07:08[UTC]",
    "2024-03-05T06:07:08+02:00[Europe/Paris]",
    "2024-03-05T06:07:08*01:00",
    "2024-03-05T06:07:08.5+05:45",
    "2024-03-05T06:07:08.123456789+05:30",
    "2024-03-05T06:07:08,25-0330",
    "2024-03-05 06:07",
    "2024-03-05_06:07",
    "2024-03-05T06:07+0100",
    "2024-03-05T06:07:08+01:00\u2212",
    "2024-03-05T06:07:08\u221201",
    "2024-03-05T06:07:08\u22120100",
    "2024-03-05T06:07:08+01:0",
    "2024-03-05T06:07:08.000001-12:00",
    # fractions
    "2024-03-05T06:07:08.1Z",
    "2024-03-05T06:07:08.12Z",
    "2024-03-05T06:07:08.123Z",
    "2024-03-05T06:07:08.1234Z",
    "2024-03-05T06:07:08.12345Z",
    "2024-03-05T06:07:08.1234567Z",
    "2024-03-05T06:07:08.123456789Z",
    "2024-03-05T06:07:08.999999999Z",
    "2024-03-05T06:07:08.000000Z",
    "2024-03-05T06:07:08.000000001Z",
    "2024-03-05T06:07:08,5Z",
    "2024-03-05T06:07:08,123456",
    "2024-03-05T06:07:08.Z",
    "2024-03-05T06:07:08.",
    "2024-03-05T06:07:08..5Z",
    "2024-03-05T06:07:08.5.5Z",
    "2024-03-05T06:07:08.x",
    "2024-03-05T06:07:08.12a",
    "2024-03-05T06:07.5Z",
    "2024-03-05T06:07:08." + "1" * 200 + "Z",
    "2024-03-05T06:07:08." + "9" * 40,
    # field ranges
    "2024-00-05T06:07:08Z",
    "2024-13-05T06:07:08Z",
    "2024-03-00T06:07:08Z",
    "2024-03-32T06:07:08Z",
    "2024-04-31T00:00:00Z",
    "2024-04-30T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2000-02-29",
    "1900-02-29",
    "2100-02-28",
    "2024-02-30",
    "2024-03-05T24:00:00Z",
    "2024-03-05T23:59:59Z",
    "2024-03-05T25:00:00Z",
    "2024-03-05T06:60:00Z",
    "2024-03-05T06:59:59Z",
    "2024-03-05T23:59:60Z",
    "2016-12-31T23:59:60Z",
    "2024-03-05T06:07:61Z",
    "2024-03-05T6:07:08Z",
    "2024-03-05T06:7:08Z",
    "2024-03-05T06:07:8Z",
    "2024-3-05T06:07:08Z",
    "2024-03-5T06:07:08Z",
    "2024-1-1",
    "24-03-05",
    "02024-03-05",
    "+2024-03-05",
    "-2024-03-05",
    "+002024-03-05T06:07:08Z",
    "0000-01-01T00:00:00Z",
    "0000-01-01",
    "0000-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01",
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:59:59+01:00",
    "0001-01-01T01:00:00+01:00",
    "0999-06-15T12:00:00Z",
    "1969-12-31T23:59:59.999999Z",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31",
    "10000-01-01T00:00:00Z",
    # characters in each place
    "2O24-03-05T06:07:08Z",
    "2024-O3-05T06:07:08Z",
    "2024-03-O5T06:07:08Z",
    "2024-03-05TO6:07:08Z",
    "2024-03-05T0O:07:08Z",
    "2024-03-05T06:O7:08Z",
    "2024-03-05T06:07:O8Z",
    "2024-03-05T06-07-08Z",
    "2024-03-05T06:07-08Z",
    "2024_03_05",
    "2024-03-05T06:07:08\x00",
    "\u0662\u0660\u0662\u0664-03-05",
    "2024-03-05T06:07:08\u00e9",
    "\u00e9\u00e9\u00e9\u00e9\u00e9",
    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
    "\U0001f600\U0001f600\U0001f600",
    "2024-03-05T\u00e9",
    "2024-03-0\u00e9",
    "2024-0\u00e9-05",
    "\u00e92024-03-05",
    "2024-03-05T\u00e96:07",
    "2024-03-05T06:07:08.12\u00e9",
    "1\u00e9",
    "\u00e9\u00e9\u00e9\u00e9",
    "\u00e9\u00e9\u00e9\u00e912",
    "\U0001f600\U0001f600",
    "\U0001f600\U0001f6001",
    "\U0001f600\U0001f60012",
    "2024-03-05T06:07:08\u221205:00 ",
    "2024-03-05T06:07:08\u221205:00\u00e9",
    "2024-03-05T06:07:08\u2212\u00e905:00",
    "2024-03-05T06:07:08.5\u22120000",
    "\u22121700000000",
    "2024-03-05T06:07:08\uff0b01:00",
    "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
    # whitespace and friends
    " 2024-03-05T06:07:08Z",
    "2024-03-05T06:07:08Z\n",
    "\t2024-03-05",
    "",
    " ",
    "          ",
    "now",
    "today",
    "null",
    "None",
    "true",
    "yesterday 10am",
    "Tue, 05 Mar 2024 06:07:08 GMT",
    "Tue Mar 05 2024 06:07:08 GMT+0000",
    "March 5, 2024",
    "3/5/2024",
    "05.03.2024 06:07",
    "2024-03-05T06:07:08.123+01:00 ",
    "2024-W10-2",
    "2024-065",
    "2024-03",
    "2024",
    "P1D",
    "06:07:08",
    "T06:07:08Z",
    # numbers in strings
    "0",
    "-0",
    "+0",
    "1",
    "-1",
    "+1",
    "00000000001",
    "1700000000",
    "+1700000000",
    "-1700000000",
    "1700000000.5",
    "1700000000.123456",
    "1700000000.1234567",
    "1700000000.9999999",
    "1700000000.",
    "1700000000.0",
    ".5",
    "-.5",
    "+.5",
    ".",
    "-",
    "+",
    "--1",
    "+-1",
    "-+1",
    "1-",
    "1.5.5",
    "1.5e3",
    "1.5E3",
    "1.5e+3",
    "1.5e-3",
    "1.5e",
    "1.5e+",
    "1.e5",
    ".e5",
    "1e5",
    "1E5",
    "1e20",
    "1.0e20",
    "1.0e400",
    "1.0e-400",
    "0x10",
    "0b101",
    "1_700_000_000",
    "1,700,000,000",
    "1700000000 ",
    " 1700000000",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "1.inf",
    "1.nan",
    "86400",
    "86401",
    "19999999999",
    "20000000000",
    "20000000001",
    "-20000000000",
    "-20000000001",
    "20000000000.5",
    "-20000000000.5",
    "1700000000123",
    "1700000000123.4",
    "1700000000123.456",
    "1700000000123.4567",
    "253402300799",
    "253402300800",
    "253402300799999",
    "253402300800000",
    "-62135596800",
    "-62135596800000",
    "-62135596800001",
    "-62167219200000",
    "-62167219200001",
    "-62198755200000",
    "99999999999999",
    "999999999999999",
    "9999999999999999",
    "99999999999999999",
    "999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775807",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "92233720368547758070",
    "99999999999999999999",
    "99999999999999999999.5",
    "12345678901234567890123",
    "1" * 40,
    "1" * 40 + ".5",
    "18446744073709551617",
    "-18446744073709551616",
    "1844674407370955161600",
    "18446744073709551616" + "0" * 60,
    "18446744073709551616" + "0" * 60 + ".5",
    "36893488147419103232",
    "20000000000.0",
    "-20000000000.0",
    "20000000000.000001",
    "0.5e1",
    "-1.5e3",
    "1.5e10",
    "1.5e11",
    "2.5e14",
    "2.6e14",
    "1.5e-400",
    "00.5",
    "0001700000000",
    "30000000000000000.5",
    "300000000000000.5",
    "3000000000000.5",
    "0.0000005",
    "0.0000004",
    "0.0000015",
    "-0.0000005",
    "1.9999995",
    "-1.9999995",
    "1e-7",
    "0.1",
    "-0.1",
    "-1.5",
    "-86400.25",
]

# JSON numbers, written as JSON text (json.loads gives int or float, as FastAPI's decoding does)
numbers: list[str] = [
    "0", "-0", "0.0", "-0.0", "1", "-1", "1.5", "-1.5", "0.1", "-0.1", "1e-7", "5e-7", "4e-7",
    "1.0000005", "1.9999995", "-1.9999995", "0.9999996", "-0.9999996", "1700000000", "1700000000.0",
    "1700000000.5", "1700000000.123456", "1700000000.1234567", "1700000000.9999996",
    "1.7e9", "1.7E9", "86400", "86399.999999", "19999999999", "19999999999.999999", "20000000000",
    "20000000000.0", "20000000000.5", "20000000001", "20000000001.5", "-20000000000", "-20000000000.5",
    "-20000000001", "-20000000001.5", "2e10", "2.0000000001e10", "1700000000123", "1700000000123.456",
    "1700000000123.9996", "1.7e12", "253402300799", "253402300799.999999", "253402300800",
    "253402300799999", "253402300799999.9", "253402300800000", "-62135596800", "-62135596800000",
    "-62135596800001", "-62167219200000", "-62167219200000.5", "-62167219200001", "-62198755200000",
    "1e14", "1e15", "1e16", "1e18", "9007199254740991", "9007199254740993", "9.2e18",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "1e19", "-1e19", "1e20", "-1e20", "1e300", "-1e300", "1e308", "1.7976931348623157e308",
    "1e400", "-1e400", "5e-324", "-5e-324", "1e-300", "1000000000000000000000000000000",
    "-1000000000000000000000000000000", "123456789012345678901234567890.5",
]

others: list[str] = [
    "true", "false", "null", "[]", "{}", '["2024-03-05T06:07:08Z"]', '{"a": 1}', '[1700000000]',
    # lone surrogates (JSON escapes; no UTF-8 form)
    '"\\ud800"', '"2024-03-05T06:07:08Z\\udfff"', '"\\udc00\\ud800"', '"\\ud83d\\ude00\\ud83d"',
]


def main() -> None:
    texts = [json.dumps(s, ensure_ascii=False) for s in strings] + numbers + others
    cases = []
    seen = set()
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        cases.append({"input": text, "expected": answer(text)})
    out = {
        "generator": "scripts/goldens/datetime.py",
        "oracle": f"pydantic {pydantic.VERSION} (pydantic-core {pydantic_core.__version__}), naive read as UTC as Prefect's DateTime does",
        "cases": cases,
    }
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
