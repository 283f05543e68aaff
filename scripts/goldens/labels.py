#!/usr/bin/env python3
"""Label goldens: what pydantic answers for Prefect 3.8.3's KeyValueLabels.

Writes test/goldens/labels.json, which test/schemas/labels.golden.test.ts compares our label
validation against, case by case (through the routes that take labels).

Prefect's schemas/core.py declares `KeyValueLabels = dict[str, Union[StrictBool, StrictInt,
StrictFloat, str]]`; FastAPI validates the body after json.loads, so in pydantic's Python mode.
Each case is {name, labels, errors} where `errors` is pydantic's error list with locations
relative to the labels (empty when the labels are accepted).

The interpreter must have pydantic 2 (the machine's pyenv python3 has 2.13.4, as Prefect 3.8.3
locks); when started by one without it (e.g. /usr/bin/python3), the script re-runs itself with the
first `python3` that has it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import pydantic  # noqa: F401
except ImportError:
    if os.environ.get("LABEL_GOLDENS_REEXEC"):
        sys.exit("labels.py: needs pydantic 2")
    for candidate in [shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")]:
        if candidate and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            env = {**os.environ, "LABEL_GOLDENS_REEXEC": "1"}
            sys.exit(subprocess.call([candidate, __file__, *sys.argv[1:]], env=env))
    sys.exit("labels.py: no python3 with pydantic 2")

from typing import Union  # noqa: E402

from pydantic import StrictBool, StrictFloat, StrictInt, TypeAdapter, ValidationError  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "labels.json"
LABELS = TypeAdapter(dict[str, Union[StrictBool, StrictInt, StrictFloat, str]])


def nested(depth: int, leaf):
    for _ in range(depth):
        leaf = {"a": leaf}
    return leaf


CASES = {
    "scalars": {"s": "v", "empty": "", "i": -3, "f": 1.5, "t": True, "f0": False, "z": 0},
    "no labels": {},
    "an object value": {"k": {"a": 1}},
    "a null value": {"k": None},
    "a list value": {"k": [1, "x"]},
    "an empty object": {"k": {}},
    "a nested value 40 levels deep": {"k": nested(40, "x")},
    "good and bad values": {"ok": "yes", "bad": None, "also_ok": 2, "worse": [{"a": [1]}]},
    "not an object": "labels",
    "a list": ["a", "b"],
    "a number": 7,
}


def errors(value):
    try:
        LABELS.validate_python(value)
        return []
    except ValidationError as e:
        return [{"type": d["type"], "loc": list(d["loc"]), "msg": d["msg"], "input": d["input"]} for d in e.errors(include_url=False)]


cases = [{"name": name, "labels": value, "errors": errors(value)} for name, value in CASES.items()]
OUT.write_text("[\n" + ",\n".join(json.dumps(case) for case in cases) + "\n]\n")
print(f"wrote {OUT} ({len(cases)} cases)")
