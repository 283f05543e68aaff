#!/usr/bin/env python3
"""Prefect 2.x notification policy messages: what `message_template.format(**values)` answers.

Writes test/goldens/notification_policy_messages.json, which
test/services/notifications/policies.golden.test.ts compares src/services/notifications/policies.ts
(and src/lib/python/str-format.ts) against. The values are typed as Prefect 2.20's notification
queue row holds them: UUIDs, a StateType (AutoEnum: a str Enum whose repr is `StateType.X`), a
pendulum 2 DateTime in UTC (str: ISO with `T`; repr: `DateTime(..., tzinfo=Timezone('UTC'))`),
the parameters dict and an optional message. Each case records the message or the error's repr.
"""
from __future__ import annotations

import sys
from pathlib import Path

# This directory holds a datetime.py of its own: the standard library's must win.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import datetime as dt  # noqa: E402
import json  # noqa: E402
import textwrap  # noqa: E402
import uuid  # noqa: E402
from enum import Enum  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "notification_policy_messages.json"


class StateType(str, Enum):
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.value}"


class UTC(dt.tzinfo):
    def utcoffset(self, d):
        return dt.timedelta(0)

    def dst(self, d):
        return dt.timedelta(0)

    def __repr__(self) -> str:
        return "Timezone('UTC')"


class DateTime(dt.datetime):
    """pendulum 2's DateTime as it prints."""

    def __str__(self) -> str:
        return self.isoformat("T")

    def __repr__(self) -> str:
        us = f", {self.microsecond}" if self.microsecond else ""
        return f"DateTime({self.year}, {self.month}, {self.day}, {self.hour}, {self.minute}, {self.second}{us}, tzinfo={self.tzinfo!r})"


DEFAULT = textwrap.dedent(
    """
    Flow run {flow_name}/{flow_run_name} entered state `{flow_run_state_name}` at {flow_run_state_timestamp}.

    Flow ID: {flow_id}
    Flow run ID: {flow_run_id}
    Flow run URL: {flow_run_url}
    State message: {flow_run_state_message}
    """
)

ROWS = [
    {
        "policy_id": "9b1e4d1a-0c1f-4d8e-9a52-3f1f0c7e2b11",
        "flow_id": "0c6f0a52-7b7b-4b52-8d0f-2f3f5a1c9e21",
        "flow_name": "etl",
        "flow_run_id": "5d2c7a9e-1f0b-4e3a-9c8d-7b6a5f4e3d31",
        "flow_run_name": "tidy-fox",
        "flow_run_parameters": {"x": 1, "name": "it's", "nested": {"ok": True, "none": None, "f": 1.5}, "list": [1, "a"]},
        "state_type": "FAILED",
        "state_name": "Failed",
        "state_timestamp": "2024-03-05T07:08:09.012345Z",
        "state_message": "Flow run encountered an exception: ValueError('boom')",
    },
    {
        "policy_id": "1b1e4d1a-0c1f-4d8e-9a52-3f1f0c7e2b12",
        "flow_id": "2c6f0a52-7b7b-4b52-8d0f-2f3f5a1c9e22",
        "flow_name": "report",
        "flow_run_id": "3d2c7a9e-1f0b-4e3a-9c8d-7b6a5f4e3d32",
        "flow_run_name": "brave-owl",
        "flow_run_parameters": {},
        "state_type": "COMPLETED",
        "state_name": "Completed",
        "state_timestamp": "2024-12-31T23:59:59Z",
        "state_message": None,
    },
]

TEMPLATES = [
    DEFAULT,
    "{flow_run_state_type} / {flow_run_state_type!r} / {flow_run_state_type!s}",
    "{flow_run_parameters} | {flow_run_parameters!r} | {flow_run_parameters[name]}",
    "{flow_run_id!r} {flow_run_notification_policy_id} {flow_id!s}",
    "{flow_run_state_timestamp!r} at {flow_run_state_timestamp}",
    "{{literal}} {{{flow_name}}} }}{{",
    "{flow_run_state_message!r} {flow_run_state_message}",
    "{flow_run_parameters[missing]}",
    "{flow_run_parameters[nested][ok]} {flow_run_parameters[list][1]}",
]

URL = "https://prefect.example.test/runs/flow-run/"


def values(row: dict) -> dict:
    ts = dt.datetime.fromisoformat(row["state_timestamp"].replace("Z", "+00:00"))
    return {
        "flow_run_notification_policy_id": uuid.UUID(row["policy_id"]),
        "flow_id": uuid.UUID(row["flow_id"]),
        "flow_name": row["flow_name"],
        "flow_run_url": URL + row["flow_run_id"],
        "flow_run_id": uuid.UUID(row["flow_run_id"]),
        "flow_run_name": row["flow_run_name"],
        "flow_run_parameters": row["flow_run_parameters"],
        "flow_run_state_type": StateType(row["state_type"]),
        "flow_run_state_name": row["state_name"],
        "flow_run_state_timestamp": DateTime(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second, ts.microsecond, tzinfo=UTC()),
        "flow_run_state_message": row["state_message"],
    }


def main() -> None:
    cases = []
    for row in ROWS:
        for template in TEMPLATES:
            try:
                cases.append({"row": row, "template": template, "message": template.format(**values(row))})
            except Exception as e:  # noqa: BLE001 - the error is the answer
                cases.append({"row": row, "template": template, "error": repr(e)})
    OUT.write_text(json.dumps({"url": URL, "cases": cases}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
