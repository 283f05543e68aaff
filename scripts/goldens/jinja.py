"""Golden cases for our Jinja port (src/lib/jinja/), answered by Python's jinja2.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    python3 scripts/goldens/jinja.py

Writes two files:

- test/goldens/jinja.json: templates checked as Prefect's `validate_user_template` does before
  storing automation actions and notification templates or answering /templates/validate: parsed
  by jinja2's ImmutableSandboxedEnvironment (ChainableUndefined, async), its for-loops counted (at
  most 10, nested at most 2 deep). Each case records the error's message and line number (0 for
  the loop limits), or null.
- test/goldens/jinja_render.json: templates rendered as Prefect's `render_user_template` does
  (prefect.server.utilities.user_templates): the same sandboxed environment with Prefect's `range`
  (at most 100 items) and `tojson`, the filters jinja2-humanize-extension registers, and those of
  prefect.server.events.jinja_filters. Each case names a context (JSON with tagged values for
  Python objects: datetimes, timedeltas, pydantic models, event resources, label divers) and
  records the output, or Prefect's TemplateRenderError message and the exception's class.

Prefect 3.8.3 locks jinja2 3.1.6, humanize 4.16.0 and jinja2-humanize-extension 0.4.0. The last is
not installable here: its filters are thin wrappers of humanize's functions, written out below
the same way. Prefect's own filters (`ui_url`, ...) and context objects (Resource, LabelDiver)
need Prefect's server, so they are restated below from Prefect's source. The script re-runs
itself with the first python3 that has jinja2 >= 3.1.6, humanize and pydantic 2 (the machine's
pyenv python3). The humanize cases depend on "now": the script fixes it (NOW below) and runs with
TZ=UTC, as a server in a container does. Deterministic: fixed inputs.
"""

from __future__ import annotations

import os
import sys

# This folder's datetime.py would shadow the standard library's `datetime` module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402


def _suitable() -> bool:
    try:
        import humanize  # noqa: F401
        import jinja2
        import pydantic

        return tuple(int(x) for x in jinja2.__version__.split(".")[:3]) >= (3, 1, 6) and pydantic.VERSION.startswith("2.")
    except Exception:
        return False


if not _suitable():
    if os.environ.get("JINJA_GOLDENS_REEXEC"):
        sys.exit("jinja.py: needs jinja2 >= 3.1.6, humanize and pydantic 2")
    for candidate in [shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")]:
        if candidate and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            env = {**os.environ, "JINJA_GOLDENS_REEXEC": "1", "TZ": "UTC"}
            sys.exit(subprocess.call([candidate, __file__, *sys.argv[1:]], env=env))
    sys.exit("jinja.py: no python3 with jinja2 >= 3.1.6, humanize and pydantic 2")

os.environ["TZ"] = "UTC"
import time  # noqa: E402

time.tzset()

import jinja2  # noqa: E402
from jinja2 import ChainableUndefined, nodes  # noqa: E402
from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "goldens" / "jinja.json"
MAX_LOOP_COUNT = 10
MAX_NESTED_LOOP_DEPTH = 2

environment = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, enable_async=True)


def nested_depth(node: nodes.Node, depth: int = 0) -> int:
    if isinstance(node, nodes.For):
        depth += 1
    children = list(node.iter_child_nodes())
    return max((nested_depth(child, depth) for child in children), default=depth)


def validate(template: str) -> dict | None:
    """Prefect's validate_user_template: None, or the error's message and line."""
    try:
        root = environment.parse(template)
    except jinja2.TemplateSyntaxError as exc:
        return {"message": exc.message, "lineno": exc.lineno}
    loops = list(root.find_all(nodes.For))
    if not loops:
        return None
    if len(loops) > MAX_LOOP_COUNT:
        return {
            "message": f"Contains {len(loops)} for loops. Templates can contain no more than {MAX_LOOP_COUNT} for loops.",
            "lineno": 0,
        }
    depth = max(nested_depth(loop) for loop in loops)
    if depth > MAX_NESTED_LOOP_DEPTH:
        return {
            "message": f"Contains nested for loops at a depth of {depth}. Templates can nest for loops no more than {MAX_NESTED_LOOP_DEPTH} loops deep.",
            "lineno": 0,
        }
    return None


# Templates as Prefect's default notifications and automation actions write them.
PREFECT_TEMPLATES = [
    "Flow run {{ flow.name }}/{{ flow_run.name }} observed in state `{{ flow_run.state.name }}` at {{ flow_run.state.timestamp }}.\n"
    "Flow ID: {{ flow_run.flow_id }}\nFlow run ID: {{ flow_run.id }}\nFlow run URL: {{ flow_run|ui_url }}\n"
    "State message: {{ flow_run.state.message }}",
    "Automation: {{ automation.name }}\nDescription: {{ automation.description }}\n\n"
    "{% if automation.trigger.type == \"event\" %}Event: {{ event.event }}{% endif %}",
    "{{ event.resource.id }} {{ event.resource['prefect.resource.name'] }} {{ event.occurred|naturaltime }}",
    "{{ flow_run.parameters | tojson }}", "{{ flow_run.parameters | tojson(indent=2) }}",
    "{% for label, value in event.resource.items() %}{{ label }}={{ value }}\n{% endfor %}",
    "{{ deployment.name }} ({{ deployment.id }}) is {{ 'ready' if deployment.status == 'READY' else 'not ready' }}",
    "{{ work_pool.name | upper }} has {{ work_queue.concurrency_limit | default('no') }} limit",
    "{% set tags = flow_run.tags | join(', ') %}Tags: {{ tags }}",
    "{{ flow_run.start_time | naturaldate }} {{ flow_run.total_run_time | naturaldelta }} {{ 3 | intcomma }}",
    "{{ metric.value | round(2) }} over {{ metric.threshold }}",
    "{% raw %}{{ not parsed }}{% endraw %}",
    "{{ event.payload.validated_state.type }}{# comment #}",
    "{%- if flow_run.state.is_failed() -%}\n  failed\n{%- endif -%}",
]

VALID = [
    "", "plain text", "{{ x }}", "{{x}}", "{{ x.y.z }}", "{{ x['a'][0] }}", "{{ x | lower | title }}",
    "{{ x is defined }}", "{{ x is not none }}", "{{ 1 + 2 * 3 - 4 / 5 // 6 % 7 ** 8 }}", "{{ -x }}", "{{ not x }}",
    "{{ a and b or c }}", "{{ a in b }}", "{{ a not in b }}", "{{ a ~ b }}", "{{ a == b != c < d <= e > f >= g }}",
    "{{ [1, 2, 3] }}", "{{ (1, 2) }}", "{{ () }}", "{{ (1,) }}", "{{ {'a': 1, 'b': [2]} }}", "{{ {} }}",
    "{{ x[1:2] }}", "{{ x[::2] }}", "{{ x[:] }}", "{{ f(1, a=2) }}", "{{ f(*args, **kwargs) }}",
    "{{ 'a' 'b' }}", "{{ \"double\" }}", "{{ 'it\\'s' }}", "{{ 1_000 }}", "{{ 0x1F }}", "{{ 0o17 }}", "{{ 0b101 }}",
    "{{ 1e3 }}", "{{ 1.5 }}", "{{ 1.5e-3 }}", "{{ true }}", "{{ True }}", "{{ none }}", "{{ None }}",
    "{{ x if y }}", "{{ x if y else z }}", "{{ x | default('d', true) }}", "{{ x|replace('a', 'b') }}",
    "{% if a %}1{% elif b %}2{% else %}3{% endif %}", "{% for i in range(3) %}{{ i }}{% else %}none{% endfor %}",
    "{% for a, b in x %}{% endfor %}", "{% for i in x if i %}{{ loop.index }}{% endfor %}", "{% for i in x recursive %}{{ loop(i) }}{% endfor %}",
    "{% set a = 1 %}", "{% set a, b = 1, 2 %}", "{% set block %}text{% endset %}", "{% set a.b = 1 %}",
    "{% with a = 1 %}{{ a }}{% endwith %}", "{% macro m(a, b=2) %}{{ a }}{% endmacro %}{{ m(1) }}",
    "{% call m() %}inner{% endcall %}", "{% call(x) m() %}{{ x }}{% endcall %}", "{% filter upper %}text{% endfilter %}",
    "{% include 'x.html' %}", "{% include 'x.html' ignore missing %}", "{% import 'm.html' as m %}",
    "{% from 'm.html' import a, b as c %}", "{% extends 'base.html' %}", "{% block b %}{% endblock %}",
    "{% block b scoped %}{% endblock b %}", "{% autoescape true %}{{ x }}{% endautoescape %}",
    "{{ x }}\n{{ y }}\n{{ z }}", "line one\n{% if x %}\ntwo\n{% endif %}\n", "{#- trimmed -#}", "{{- x -}}",
    "{%+ if x %}{% endif %}", "{{ x.0 }}", "{{ x._private }}", "{{ über }}", "{{ x | f(1)(2) }}",
    "{{ x is divisibleby 3 }}", "{{ x is sameas(y) }}", "{{ x is test(1) }}", "{{ loop.cycle('a', 'b') }}",
    "{{ {'a': 1}['a'] }}", "{{ x.items()|list }}", "{{ [x for x in y] if false else 1 }}" if False else "{{ [x] }}",
    "{% for i in x %}{% for j in i %}{{ j }}{% endfor %}{% endfor %}",
    "{% for i in a %}{% endfor %}" * 10,
    "{%- for i in a -%}\n{{ i }}\n{%- endfor -%}",
    "{{ x }} }} text", "text {", "{ {{ x }} }", "{%- raw -%} {{ }} {%- endraw -%}",
    "{{ x\n| upper\n}}", "{% if\nx\n%}{% endif %}", "{{ 'multi\nline' }}",
]

INVALID = [
    "{{ x", "{{ x }", "{% if x %}", "{% if x %}{% endfor %}", "{% endif %}", "{% for x in y %}", "{% for %}",
    "{% for x %}{% endfor %}", "{% for x in %}{% endfor %}", "{% set %}", "{% set a %}", "{{ }}", "{{ a b }}",
    "{{ 1 + }}", "{% if %}{% endif %}", "{# unclosed", "{% raw %} unclosed", "{{ a | }}", "{{ a[ }}",
    "{{ a( }}", "{{ a.( }}", "{% macro m( %}{% endmacro %}", "{% break %}", "{% continue %}", "{% do x %}",
    "{% trans %}x{% endtrans %}", "{{ a is }}", "{{ 'unterminated }}", "{{ \"unterminated }}", "{{ a $ b }}",
    "{{ a ! b }}", "{% unknown %}", "{% if x %}{% else %}{% else %}{% endif %}", "{% if x %}{% elif %}{% endif %}",
    "{% block %}{% endblock %}", "{% block a %}{% endblock b %}", "{% extends %}", "{% include %}",
    "{% import 'x' %}", "{% from 'x' import %}", "{% from 'x' %}", "{% with %}{% endwith %}", "{% with a %}{% endwith %}",
    "{% filter %}{% endfilter %}", "{% call %}{% endcall %}", "{% macro %}{% endmacro %}",
    "{% macro m(a=1, b) %}{% endmacro %}", "{{ x | default( }}", "{{ {'a' 1} }}", "{{ {'a': } }}",
    "{{ [1, 2 }}", "{{ (1, 2 }}", "{{ x[1:2:3:4] }}", "{{ x.1.2 }}", "{{ 1..2 }}", "{{ x if }}",
    "{{ x if y else }}", "{{ not }}", "{{ - }}", "{% set a = %}", "{% set 1 = a %}", "{% for 1 in x %}{% endfor %}",
    "{% endfor %}", "{% endblock %}", "{% endmacro %}", "{% endraw %}", "{% autoescape %}{% endautoescape %}",
    "{{ x }}{% end %}", "{%%}", "{{{{ x }}}}", "{% if x %}\n\n\n{% endfor %}", "a\nb\nc\n{{ x", "a\n\n{% if x %}",
    "{{ x |\n\n upper(\n }}", "{% for i in x %}\n{% if i %}\n{% endfor %}\n{% endif %}",
    "{{ 0x }}", "{{ 1_ }}", "{{ 08 }}", "{{ @ }}", "{{ x ** }}", "{{ x.y( }}", "{{ f(a=1, 2) }}",
    "{{ f(**a, *b) }}", "{{ f(**a, b) }}", "{{ f(*a, *b) }}", "{% set a.b, c = 1 %}", "{{ x is not }}",
    "{% for i in a %}{% endfor %}" * 11,
    "{% for a in x %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endfor %}",
    "{% if x %}{% for a in x %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endfor %}{% endif %}",
    "{% for a in x %}{% endfor %}" * 3 + "{% for a in x %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endfor %}",
]

PREFIXES = ["", "header\n", "{{ ok }}\n\n", "{% if a %}\n"]


def main() -> None:
    templates: list[str] = []
    for template in PREFECT_TEMPLATES + VALID + INVALID:
        if template not in templates:
            templates.append(template)
    # The same errors further down a template: line numbers count from the template's start.
    for i, template in enumerate(INVALID[:60]):
        shifted = PREFIXES[1 + i % (len(PREFIXES) - 1)] + template
        if shifted not in templates:
            templates.append(shifted)
    cases = [{"template": t, "expected": {"error": validate(t)}} for t in templates]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generator": "scripts/goldens/jinja.py",
        "oracle": f"jinja2 {jinja2.__version__}, Prefect 3.8.3's validate_user_template",
        "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(cases)} cases")
    write_render_goldens(ROOT / "test" / "goldens" / "jinja_render.json")
    write_parameter_goldens(ROOT / "test" / "goldens" / "jinja_parameters.json")
    write_notification_goldens(ROOT / "test" / "goldens" / "jinja_notifications.json")


# ---- rendering -------------------------------------------------------------------------------

import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import re  # noqa: E402
import urllib.parse  # noqa: E402
from typing import Any  # noqa: E402

import humanize  # noqa: E402
import humanize.time  # noqa: E402
from jinja2 import pass_context, pass_eval_context  # noqa: E402
from jinja2.utils import htmlsafe_json_dumps  # noqa: E402
from pydantic import BaseModel, ConfigDict, RootModel, create_model  # noqa: E402

NOW = dt.datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=dt.timezone.utc)
UI_URL = "https://prefect.example.com/ui"
MAX_TEMPLATE_RANGE = 100

# humanize reads "now" as the local (UTC here) naive time.
humanize.time._now = lambda: NOW.replace(tzinfo=None)


class _FrozenDate(dt.date):
    @classmethod
    def today(cls):
        return NOW.date()


class _FrozenDateTime(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)


def _with_frozen_clock(fn):
    """naturalday/naturaldate ask datetime.date.today() and datetime.datetime.now(tz)."""

    def wrapped(*args, **kwargs):
        real_date, real_datetime = dt.date, dt.datetime
        dt.date, dt.datetime = _FrozenDate, _FrozenDateTime
        try:
            return fn(*args, **kwargs)
        finally:
            dt.date, dt.datetime = real_date, real_datetime

    return wrapped


def _check_template_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_TEMPLATE_RANGE:
        raise OverflowError(f"Range too big. The sandbox blocks ranges larger than {MAX_TEMPLATE_RANGE=}.")
    return rng


def _prepare_value_for_json(value: object) -> object:
    if isinstance(value, BaseModel):
        return _prepare_value_for_json(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {k: _prepare_value_for_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_prepare_value_for_json(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_prepare_value_for_json(v) for v in value)
    return value


@pass_eval_context
def _tojson(eval_ctx, value, indent=None):
    policies = eval_ctx.environment.policies
    kwargs = policies["json.dumps_kwargs"]
    if indent is not None:
        kwargs = {**kwargs, "indent": indent}
    return htmlsafe_json_dumps(_prepare_value_for_json(value), dumps=policies["json.dumps_function"], **kwargs)


# jinja2-humanize-extension 0.4.0's filters: each passes its arguments on to humanize.
def _ext(fn):
    return pass_eval_context(lambda _ctx, value, *args, **kwargs: fn(value, *args, **kwargs))


HUMANIZE_FILTERS = {
    "humanize_naturaldelta": _ext(lambda v, months=True, minimum_unit="seconds": humanize.naturaldelta(v, months=months, minimum_unit=minimum_unit)),
    "humanize_naturaltime": _ext(
        lambda v, future=False, months=True, minimum_unit="seconds", when=None: humanize.naturaltime(
            v, future=future, months=months, minimum_unit=minimum_unit, when=when
        )
    ),
    "humanize_naturalday": _ext(_with_frozen_clock(lambda v: humanize.naturalday(v))),
    "humanize_naturaldate": _ext(_with_frozen_clock(lambda v: humanize.naturaldate(v))),
    "humanize_intcomma": _ext(lambda v, ndigits=None: humanize.intcomma(v, ndigits=ndigits)),
    "humanize_ordinal": _ext(lambda v, gender="male": humanize.ordinal(v, gender=gender)),
    "humanize_apnumber": _ext(lambda v: humanize.apnumber(v)),
    "humanize_intword": _ext(lambda v, format="%.1f": humanize.intword(v, format=format)),
    "humanize_naturalsize": _ext(lambda v, binary=False, gnu=False, format="%.1f": humanize.naturalsize(v, binary=binary, gnu=gnu, format=format)),
    "humanize_scientific": _ext(lambda v, precision=2: humanize.scientific(v, precision=precision)),
    "humanize_precisedelta": _ext(
        lambda v, minimum_unit="seconds", suppress=(), format="%0.2f": humanize.precisedelta(v, minimum_unit=minimum_unit, suppress=suppress, format=format)
    ),
    "humanize_fractional": _ext(lambda v: humanize.fractional(v)),
    "humanize_metric": _ext(lambda v, unit="", precision=3: humanize.metric(v, unit=unit, precision=precision)),
    "humanize_clamp": _ext(
        lambda v, floor=None, ceil=None, format="{:}", floor_token="<", ceil_token=">": humanize.clamp(
            v, format=format, floor=floor, ceil=ceil, floor_token=floor_token, ceil_token=ceil_token
        )
    ),
    "humanize_abs_timedelta": _ext(lambda v: humanize.time._abs_timedelta(v)),
    "humanize_date_and_delta": _ext(lambda v, *args: humanize.time._date_and_delta(v, *args)),
    "humanize_deactivate": _ext(lambda v: humanize.deactivate()),
    "humanize_thousands_separator": _ext(lambda v: humanize.thousands_separator()),
    "humanize_decimal_separator": _ext(lambda v: humanize.decimal_separator()),
}


# Prefect's server objects, restated: an event Resource (a RootModel of labels) and the LabelDiver.
class Resource(RootModel[dict[str, str]]):
    def __getitem__(self, key):
        return self.root[key]

    def keys(self):
        return self.root.keys()

    def items(self):
        return self.root.items()

    def get(self, key, default=None):
        return self.root.get(key, default)

    @property
    def labels(self):
        return LabelDiver(self.root)

    @property
    def id(self):
        return self["prefect.resource.id"]

    @property
    def name(self):
        return self.get("prefect.resource.name")


Resource.__module__ = "prefect.server.events.schemas.events"


class LabelDiver:
    def __init__(self, labels: dict[str, str], value: str = ""):
        self._labels = labels.copy()
        self._value = value
        divers: dict[str, dict[str, str]] = {}
        values: dict[str, str] = {}
        for key, v in labels.items():
            head, _, tail = key.partition(".")
            if tail:
                divers.setdefault(head, {})[tail] = v
            else:
                values[head] = v
        self._divers = {k: LabelDiver(v, value=values.pop(k, "")) for k, v in divers.items()}
        self._divers.update({k: LabelDiver({}, value=v) for k, v in values.items()})

    def __str__(self):
        return self._value or ""

    def __len__(self):
        return len(self._labels)

    def __iter__(self):
        return iter(self._labels.items())

    def __getitem__(self, key):
        return self._labels[key]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError
        try:
            return self._divers[name]
        except KeyError:
            raise AttributeError


LabelDiver.__module__ = "prefect.server.events.schemas.labelling"

_MODELS: dict[str, type] = {}
MODEL_MODULES = {
    "Automation": "prefect.server.events.schemas.automations",
    "ReceivedEvent": "prefect.server.events.schemas.events",
    "WorkQueueWithStatus": "prefect.server.schemas.responses",
}
UI_URL_FORMATS = {
    "flow": "flows/flow/{obj_id}",
    "flow-run": "runs/flow-run/{obj_id}",
    "flow-run-response": "runs/flow-run/{obj_id}",
    "block": "blocks/block/{obj_id}",
    "task-run": "runs/task-run/{obj_id}",
    "block-document": "blocks/block/{obj_id}",
    "work-pool": "work-pools/work-pool/{obj_id}",
    "work-queue": "work-queues/work-queue/{obj_id}",
    "concurrency-limit": "concurrency-limits/concurrency-limit/{obj_id}",
    "deployment": "deployments/deployment/{obj_id}",
    "automation": "automations/automation/{obj_id}",
    "received-event": "events/event/{occurred}/{obj_id}",
}
MODEL_KINDS = {
    "Deployment": "prefect.deployment",
    "Flow": "prefect.flow",
    "FlowRun": "prefect.flow-run",
    "TaskRun": "prefect.task-run",
    "WorkQueue": "prefect.work-queue",
    "WorkQueueWithStatus": "prefect.work-queue",
    "WorkPool": "prefect.work-pool",
}


def model(name: str, fields: dict[str, Any]) -> BaseModel:
    if name not in _MODELS:
        cls = create_model(name, __config__=ConfigDict(extra="allow"))
        cls.__module__ = MODEL_MODULES.get(name, "prefect.server.schemas.core")
        _MODELS[name] = cls
    return _MODELS[name](**fields)


def _class_to_name(obj) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in type(obj).__name__).lstrip("-")


@pass_context
def ui_url(_ctx, obj):
    """prefect.utilities.urls.url_for(obj, url_type="ui") for the objects a server template sees."""
    name = obj if isinstance(obj, str) else _class_to_name(obj)
    if name == "work-queue-with-status":
        name = "work-queue"
    if name not in UI_URL_FORMATS:
        return None
    if isinstance(obj, str):
        raise ValueError("If passing an object name, you must also provide an object ID.")
    obj_id = getattr(obj, "name" if name == "work-pool" else "id", None)
    if not obj_id:
        return ""
    if name == "received-event":
        url = UI_URL_FORMATS[name].format(occurred=obj.occurred.strftime("%Y-%m-%d"), obj_id=obj_id)
    else:
        url = UI_URL_FORMATS[name].format(obj_id=obj_id)
    return urllib.parse.urljoin(UI_URL + "/", url)


@pass_context
def ui_resource_events_url(_ctx, obj):
    url = None
    if isinstance(obj, BaseModel) and type(obj).__name__ == "Automation":
        url = f"events?resource=prefect.automation.{obj.id}"
    elif isinstance(obj, Resource):
        kind, _, id_ = obj.id.rpartition(".")
        url = f"events?resource={kind}.{id_}"
    elif isinstance(obj, BaseModel) and type(obj).__name__ in MODEL_KINDS:
        url = f"events?resource={MODEL_KINDS[type(obj).__name__]}.{obj.id}"
    return urllib.parse.urljoin(UI_URL, url) if url else None


def flow_run_id(text):
    if not text:
        return None
    match = re.search(r"flow-run/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", text)
    return match.group(1) if match else None


render_environment = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, enable_async=True)
render_environment.globals["range"] = _check_template_range
render_environment.filters["tojson"] = _tojson
render_environment.filters.update(HUMANIZE_FILTERS)
render_environment.filters.update({"ui_url": ui_url, "ui_resource_events_url": ui_resource_events_url, "flow_run_id": flow_run_id})


def decode(value: Any) -> Any:
    """A context value from its JSON form (tags for Python objects, as the TypeScript test reads them)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$timedelta" in value:
            return dt.timedelta(seconds=value["$timedelta"])
        if "$tuple" in value:
            return tuple(decode(v) for v in value["$tuple"])
        if "$model" in value:
            return model(value["$model"], {k: decode(v) for k, v in value["fields"].items()})
        if "$resource" in value:
            return Resource(value["$resource"])  # RootModel: the labels are its root
        if "$labels" in value:
            return LabelDiver(value["$labels"])
        return {k: decode(v) for k, v in value.items()}
    return value


def render(template: str, context: dict[str, Any]) -> dict[str, Any]:
    """Prefect's render_user_template: the output, or TemplateRenderError's message."""
    if "{{" not in template and "{%" not in template:
        return {"output": template}
    try:
        loaded = render_environment.from_string(template)
        return {"output": asyncio.run(loaded.render_async(context))}
    except Exception as exc:  # Prefect wraps every exception alike
        return {"error": {"type": type(exc).__name__, "message": f"Failed to render template due to the following error: {exc!r}"}}


# ---- the render cases -------------------------------------------------------------------------

FLOW_RUN_ID = "0b7a9c8e-1d2f-4a3b-9c8d-7e6f5a4b3c2d"
CONTEXTS = {
    "empty": "{}",
    "values": json.dumps(
        {
            "s": "Hello World",
            "t": "  padded text  ",
            "n": 42,
            "neg": -7,
            "f": 3.14159,
            "whole": 2.0,
            "big": 12345678,
            "zero": 0,
            "yes": True,
            "no": False,
            "nothing": None,
            "items": [3, 1, 2],
            "words": ["banana", "Apple", "cherry", "apple"],
            "nested": [[1, 2], [3, 4]],
            "empty_list": [],
            "d": {"b": 2, "a": 1, "c": 3},
            "mixed": {"name": "x", "tags": ["a", "b"], "n": None, "ok": True, "f": 1.5},
            "users": [
                {"name": "ann", "age": 31, "city": "Paris", "active": True},
                {"name": "bob", "age": 25, "city": "Berlin", "active": False},
                {"name": "cid", "age": 31, "city": "paris", "active": True},
            ],
            "html": "<b>bold</b> & 'quoted'",
            "url": "a b/c?d=e&f",
            "unicode": "héllo wörld ✓",
            "tup": {"$tuple": [1, "two", 3.0]},
            "one_tuple": {"$tuple": [1]},
            "multiline": "line one\nline two\n\nline four",
            "long": "The quick brown fox jumps over the lazy dog and keeps on running far away",
        }
    ),
    "prefect": json.dumps(
        {
            "flow_run": {
                "$model": "FlowRun",
                "fields": {
                    "id": FLOW_RUN_ID,
                    "name": "crimson-otter",
                    "flow_id": "5e7c3a1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c",
                    "tags": ["prod", "etl"],
                    "parameters": {"x": 1, "name": "<y>", "ratio": 0.5, "when": None},
                    "state": {
                        "$model": "State",
                        "fields": {
                            "type": "FAILED",
                            "name": "Failed",
                            "message": "Flow run encountered an exception: ValueError('boom')",
                            "timestamp": {"$datetime": "2026-03-14T15:04:05.123456+00:00"},
                        },
                    },
                    "start_time": {"$datetime": "2026-03-14T14:58:00+00:00"},
                    "total_run_time": {"$timedelta": 366.25},
                },
            },
            "flow": {"$model": "Flow", "fields": {"id": "5e7c3a1b-2d4f-4e6a-8b9c-0d1e2f3a4b5c", "name": "etl-flow", "tags": []}},
            "deployment": {"$model": "Deployment", "fields": {"id": "9f8e7d6c-5b4a-4321-8fed-cba987654321", "name": "nightly", "status": "READY"}},
            "work_pool": {"$model": "WorkPool", "fields": {"id": "11111111-2222-4333-8444-555555555555", "name": "k8s pool", "type": "kubernetes"}},
            "work_queue": {"$model": "WorkQueueWithStatus", "fields": {"id": "66666666-7777-4888-8999-000000000000", "name": "default", "concurrency_limit": None}},
            "automation": {"$model": "Automation", "fields": {"id": "abcdefab-cdef-4abc-8def-abcdefabcdef", "name": "Alert on failure", "description": ""}},
            "event": {
                "$model": "ReceivedEvent",
                "fields": {
                    "id": "12345678-1234-4234-8234-123456789abc",
                    "occurred": {"$datetime": "2026-03-14T15:04:05.123456+00:00"},
                    "event": "prefect.flow-run.Failed",
                    "resource": {
                        "$resource": {
                            "prefect.resource.id": f"prefect.flow-run.{FLOW_RUN_ID}",
                            "prefect.resource.name": "crimson-otter",
                            "prefect.state-name": "Failed",
                        }
                    },
                    "payload": {"intended": {"from": "RUNNING", "to": "FAILED"}, "validated_state": {"type": "FAILED", "name": "Failed"}},
                },
            },
            "labels": {"$labels": {"prefect.resource.id": "prefect.flow-run.abc", "prefect.resource.name": "otter", "region": "eu"}},
            "firing": {"id": "f1", "trigger_states": ["triggered"]},
            "metric": {"value": 0.83333, "threshold": 0.5},
        }
    ),
    "times": json.dumps(
        {
            "now": {"$datetime": "2026-03-14T15:09:26.535897+00:00"},
            "secs_ago_30": {"$datetime": "2026-03-14T15:08:56+00:00"},
            "mins_ago_5": {"$datetime": "2026-03-14T15:04:26+00:00"},
            "hours_ago_3": {"$datetime": "2026-03-14T12:09:26+00:00"},
            "yesterday": {"$datetime": "2026-03-13T10:00:00+00:00"},
            "tomorrow": {"$datetime": "2026-03-15T10:00:00+00:00"},
            "last_month": {"$datetime": "2026-02-01T10:00:00+00:00"},
            "last_year": {"$datetime": "2025-01-20T10:00:00+00:00"},
            "in_2_days": {"$datetime": "2026-03-16T16:00:00+00:00"},
            "offset": {"$datetime": "2026-03-14T23:30:00-05:00"},
            "naive": {"$datetime": "2026-03-14T09:00:00"},
            "d0": {"$timedelta": 0},
            "d1": {"$timedelta": 1},
            "d45": {"$timedelta": 45},
            "d90": {"$timedelta": 90},
            "d3600": {"$timedelta": 3600},
            "d5400": {"$timedelta": 5400},
            "d86400": {"$timedelta": 86400},
            "d_days": {"$timedelta": 3 * 86400 + 5},
            "d_months": {"$timedelta": 75 * 86400},
            "d_year": {"$timedelta": 400 * 86400},
            "d_years": {"$timedelta": 1000 * 86400},
            "d_frac": {"$timedelta": 0.25},
            "d_neg": {"$timedelta": -90},
        }
    ),
}

PREFECT_CASES = [
    "Flow run {{ flow.name }}/{{ flow_run.name }} observed in state `{{ flow_run.state.name }}` at {{ flow_run.state.timestamp }}.\n"
    "Flow ID: {{ flow_run.flow_id }}\nFlow run ID: {{ flow_run.id }}\nFlow run URL: {{ flow_run|ui_url }}\n"
    "State message: {{ flow_run.state.message }}",
    "Automation: {{ automation.name }}\nDescription: {{ automation.description }}\n\n{% if automation.trigger.type == \"event\" %}Event: {{ event.event }}{% endif %}",
    "{{ event.resource.id }} {{ event.resource['prefect.resource.name'] }} {{ event.resource.name }}",
    "{{ event.resource['prefect.state-name'] }}|{{ event.resource.get('missing', 'dflt') }}|{{ event.resource.get('prefect.state-name') }}",
    "{% for label, value in event.resource.items() %}{{ label }}={{ value }}\n{% endfor %}",
    "{{ event.occurred }} {{ event.occurred.isoformat() }} {{ event.occurred.strftime('%Y-%m-%d %H:%M') }}",
    "{{ event.payload.intended.to }} {{ event.payload['validated_state']['name'] }}",
    "{{ flow_run.parameters | tojson }}",
    "{{ flow_run.parameters | tojson(indent=2) }}",
    "{{ flow_run.tags | tojson }} {{ flow_run.tags | join(', ') }}",
    "{{ deployment.name }} ({{ deployment.id }}) is {{ 'ready' if deployment.status == 'READY' else 'not ready' }}",
    "{{ work_pool.name | upper }} has {{ work_queue.concurrency_limit | default('no') }} limit",
    "{{ work_queue.concurrency_limit is none }} {{ work_queue.name }}",
    "{% set tags = flow_run.tags | join(', ') %}Tags: {{ tags }}",
    "{{ metric.value | round(2) }} over {{ metric.threshold }}",
    "{% raw %}{{ not parsed }}{% endraw %}",
    "{{ event.payload.validated_state.type }}{# comment #}",
    "{{ flow_run.state.timestamp | humanize_naturaltime }}",
    "{{ flow_run.start_time | humanize_naturaldate }} {{ flow_run.total_run_time | humanize_naturaldelta }} {{ 3000 | humanize_intcomma }}",
    "{{ flow_run.total_run_time }} {{ flow_run.total_run_time.total_seconds() }}",
    "{{ flow_run|ui_url }}",
    "{{ flow|ui_url }}|{{ deployment|ui_url }}|{{ work_pool|ui_url }}|{{ work_queue|ui_url }}|{{ automation|ui_url }}",
    "{{ event|ui_url }}",
    "{{ event.resource|ui_url }}|{{ flow_run.state|ui_url }}|{{ 'flow'|ui_url }}",
    "{{ 'flow-run'|ui_url }}",
    "{{ flow_run|ui_resource_events_url }}",
    "{{ automation|ui_resource_events_url }}|{{ event.resource|ui_resource_events_url }}|{{ deployment|ui_resource_events_url }}",
    "{{ work_queue|ui_resource_events_url }}|{{ work_pool|ui_resource_events_url }}|{{ event|ui_resource_events_url }}|{{ 'x'|ui_resource_events_url }}",
    "{{ 'see https://app/flow-run/" + FLOW_RUN_ID + " now'|flow_run_id }}|{{ 'nothing'|flow_run_id }}|{{ ''|flow_run_id }}",
    "{{ labels.prefect.resource.id }} {{ labels.region }} [{{ labels.prefect }}] {{ labels['region'] }} {{ labels | length }}",
    "{% for k, v in labels %}{{ k }}:{{ v }};{% endfor %}",
    "{{ labels.missing.deeper }}|{{ labels.region.upper() }}",
    "{{ firing.trigger_states | first }} {{ firing.id }}",
    "{{ flow_run.state }}",
    "{{ flow }}",
    "{{ flow_run.missing }}|{{ flow_run.missing.deeper }}|{{ flow_run['name'] }}",
    "{{ flow_run.missing + 1 }}",
    "{{ event.resource.missing + 1 }}",
    "{{ event | tojson }}",
    "{{ flow | tojson }}",
    "{{ event.occurred | tojson }}",
    "{{ flow_run.state.timestamp > event.occurred }} {{ flow_run.start_time < event.occurred }}",
    "{{ (event.occurred - flow_run.start_time) }} {{ (event.occurred - flow_run.start_time).total_seconds() }}",
    "{{ flow_run.name ~ '@' ~ flow_run.state.name | lower }}",
    "{{ event.event.split('.')[-1] }} {{ event.event.startswith('prefect.flow-run') }}",
    "{% if flow_run.state.type in ['FAILED', 'CRASHED'] %}bad{% else %}good{% endif %}",
]

EXPRESSIONS = [
    "{{ 1 + 2 }}", "{{ 7 / 2 }}", "{{ 8 / 2 }}", "{{ 7 // 2 }}", "{{ -7 // 2 }}", "{{ 7 % 3 }}", "{{ -7 % 3 }}", "{{ 7.5 % 2 }}",
    "{{ 2 ** 10 }}", "{{ 2 ** -1 }}", "{{ 2 ** 0.5 }}", "{{ 1.5 + 1.5 }}", "{{ 0.1 + 0.2 }}", "{{ 1e20 }}", "{{ 1e16 }}", "{{ 1.5e-5 }}",
    "{{ 1e3 }}", "{{ 10 / 3 }}", "{{ 2.0 * 3 }}", "{{ 3 - 5 }}", "{{ -n }}", "{{ +n }}", "{{ -f }}", "{{ n + f }}", "{{ whole }}", "{{ whole * 2 }}",
    "{{ big * big }}", "{{ 1_000_000 }}", "{{ 0x1F }} {{ 0o17 }} {{ 0b101 }}", "{{ 1 / 0 }}", "{{ 1 // 0 }}", "{{ 1 % 0 }}", "{{ 1.0 / 0 }}",
    "{{ 1.0 // 0 }}", "{{ 0 ** -1 }}", "{{ yes + 1 }}", "{{ yes * 3 }}", "{{ no - yes }}",
    "{{ 'a' + 'b' }}", "{{ 'a' * 3 }}", "{{ 3 * 'ab' }}", "{{ 'a' + 1 }}", "{{ 1 + 'a' }}", "{{ 'a' - 'b' }}", "{{ [1] + [2, 3] }}",
    "{{ [1, 2] * 2 }}", "{{ (1, 2) + (3,) }}", "{{ [1] + (2,) }}", "{{ 'x' * 2.0 }}", "{{ {'a': 1} + {'b': 2} }}", "{{ none + 1 }}",
    "{{ 'a' ~ 1 ~ none ~ true ~ [1] ~ undefined_thing }}", "{{ 1 ~ 2 }}",
    "{{ [1, 'two', 3.0, none, true, false, [], {}] }}", "{{ (1, 2) }}", "{{ (1,) }}", "{{ () }}", "{{ {'a': 1, 'b': [2, 'c']} }}",
    "{{ {1: 'a', 'b': 2.5, none: true} }}", "{{ {'k': (1, 2)} }}", "{{ tup }}", "{{ one_tuple }}", "{{ d }}", "{{ mixed }}", "{{ items }}",
    "{{ 'it\\'s' }} {{ \"say \\\"hi\\\"\" }} {{ 'tab\\tnew\\nline' }}", "{{ ['it\\'s', 'a\"b', 'both\\'\"'] }}", "{{ ['\\n', '\\x01', 'é', '✓'] }}",
    "{{ none }} {{ None }} {{ true }} {{ True }} {{ false }}", "{{ nothing }} {{ yes }} {{ no }}", "{{ 'a' 'b' 'c' }}",
    "{{ 1 == 1.0 }} {{ 1 == '1' }} {{ 'a' != 'b' }} {{ [1, 2] == [1, 2] }} {{ (1, 2) == [1, 2] }} {{ {'a': 1} == {'a': 1} }}",
    "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'abc' < 'abd' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }} {{ true == 1 }}",
    "{{ 1 < 'a' }}", "{{ [1] < (1,) }}", "{{ none < 1 }}", "{{ undefined_thing < 1 }}",
    "{{ 2 in items }} {{ 5 in items }} {{ 'ell' in s }} {{ 'a' in d }} {{ 'z' not in d }} {{ 1 in d.values() }}",
    "{{ 1 in 'abc' }}", "{{ 'a' in 5 }}", "{{ 'x' in undefined_thing }}",
    "{{ yes and 'A' or 'B' }} {{ no and 'A' or 'B' }} {{ 0 or '' or 'last' }} {{ 'first' and 0 }} {{ not items }} {{ not empty_list }}",
    "{{ 'yes' if n > 40 else 'no' }} {{ 'yes' if n > 50 else 'no' }} [{{ 'only' if no }}]",
    "{{ items[0] }} {{ items[-1] }} {{ items[1:] }} {{ items[::-1] }} {{ items[:2] }} {{ s[0] }} {{ s[-5:] }} {{ s[::2] }}",
    "{{ items[10] }}|{{ items['x'] }}|{{ d['zz'] }}|{{ d.zz }}", "{{ items.0 }} {{ nested.1.0 }} {{ nested[1][1] }}",
    "{{ d['a'] }} {{ d.a }} {{ d.get('b') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }}",
    "{{ s.upper() }} {{ s.lower() }} {{ s.title() }} {{ s.swapcase() }} {{ 'hello world'.capitalize() }} {{ s.casefold() }}",
    "[{{ t.strip() }}] [{{ t.lstrip() }}] [{{ t.rstrip() }}] [{{ 'xxhixx'.strip('x') }}]",
    "{{ s.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a b  c'.rsplit(None, 1) }} {{ multiline.splitlines() }}",
    "{{ s.replace('o', '0') }} {{ s.replace('o', '0', 1) }} {{ s.startswith('Hell') }} {{ s.endswith(('x', 'ld')) }}",
    "{{ s.find('o') }} {{ s.rfind('o') }} {{ s.find('z') }} {{ s.count('o') }} {{ s.index('W') }}", "{{ s.index('z') }}",
    "{{ '-'.join(['a', 'b']) }} {{ ', '.join(words) }} {{ '42'.zfill(5) }} {{ 'ab'.center(6, '*') }} {{ 'ab'.ljust(4, '.') }}|{{ 'ab'.rjust(4) }}",
    "{{ 'a=b=c'.partition('=') }} {{ 'a=b=c'.rpartition('=') }} {{ 'prefix_x'.removeprefix('prefix_') }} {{ '123'.isdigit() }} {{ 'ab'.isalpha() }} {{ 'AB'.isupper() }}",
    "{{ '{} and {}'.format('a', 'b') }} {{ '{0}{1}{0}'.format('x', 'y') }} {{ '{name}!'.format(name='hi') }} {{ '{:>6}|{:<4}|{:^5}'.format('r', 'l', 'c') }}",
    "{{ '{:.2f} {:,} {:05d} {:x} {:+d} {:.1%}'.format(3.14159, 1234567, 42, 255, 7, 0.256) }}", "{{ '{0.name}'.format(mixed) }}",
    "{{ '{0[name]}'.format(mixed) }} {{ '{!r}'.format('q') }}",
    "{{ '%s is %d years' % ('ann', 31) }} {{ '%.2f' % 3.14159 }} {{ '%05.1f|%-5s|%5s' % (2.5, 'ab', 'cd') }} {{ '%x %o %e' % (255, 8, 12345.678) }}",
    "{{ '%(a)s-%(b)s' % {'a': 1, 'b': 2} }} {{ '%s' % none }} {{ '%r' % 'x' }} {{ '%%' % () }} {{ '%g %g' % (0.00001234, 1234567890.0) }}",
    "{{ '%d' % 'x' }}", "{{ '%s %s' % ('a',) }}", "{{ 'no spec' % 5 }}",
    "{{ d.items() | list }} {{ d.keys() | list }} {{ d.values() | list }}", "{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}",
    "{{ items.index(2) }} {{ items.count(3) }} {{ tup.index('two') }}",
    "{{ n.real }} {{ n.imag }}",
    "{{ undefined_thing }}|{{ undefined_thing.attr }}|{{ undefined_thing['k'] }}|{{ undefined_thing.a.b.c }}",
    "{{ undefined_thing + 1 }}", "{{ undefined_thing() }}", "{{ undefined_thing.attr() }}", "{{ -undefined_thing }}",
    "{{ undefined_thing | length }} {{ undefined_thing | string }}|{{ undefined_thing | list }}",
    "{{ n() }}", "{{ s.nope() }}", "{{ s.nope }}|", "{{ range(3) }} {{ range(1, 10, 3) | list }} {{ range(5)[2] }} {{ range(0) | list }}",
    "{{ range(101) }}", "{{ range(100) | length }}", "{{ range(0, 1000, 10) | list | length }}", "{{ range(0, 1000, 5) }}", "{{ range('a') }}",
    "{{ dict(a=1, b=2) }} {{ dict({'x': 1}, y=2) }}", "{% set ns = namespace(count=0) %}{% for i in items %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }}",
    "{% set c = cycler('odd', 'even') %}{{ c.next() }} {{ c.next() }} {{ c.next() }} {{ c.current }}",
    "{% set j = joiner(' | ') %}{% for i in items %}{{ j() }}{{ i }}{% endfor %}",
    "{{ s[1:4].upper() }} {{ (s ~ '!') | length }} {{ ('a', 'b')[1] }} {{ [1, 2, 3][1:][0] }}",
    "{{ 10 - 2 - 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ (1 + 2) * 3 }} {{ 1 + 2 * 3 }} {{ 'ab' ~ 1 + 2 }}",
    "{{ 1 if none else 2 }} {{ [] if true }}", "{{ -1 | abs }} {{ -(1) }}",
]

STATEMENTS = [
    "{% if n > 40 %}big{% elif n > 10 %}mid{% else %}small{% endif %}",
    "{% if zero %}a{% elif nothing %}b{% elif empty_list %}c{% else %}d{% endif %}",
    "{% if undefined_thing %}yes{% else %}no{% endif %}", "{% if undefined_thing.attr.deep %}yes{% endif %}end",
    "{% for i in items %}{{ loop.index }}:{{ i }}{% if not loop.last %},{% endif %}{% endfor %}",
    "{% for i in items %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
    "{% for i in items %}{{ loop.cycle('a', 'b') }}{% endfor %}", "{% for i in items %}{{ loop.previtem }}-{{ loop.nextitem }};{% endfor %}",
    "{% for i in [1, 1, 2, 2, 1] %}{% if loop.changed(i) %}{{ i }}{% endif %}{% endfor %}",
    "{% for i in empty_list %}x{% else %}empty{% endfor %}", "{% for i in undefined_thing %}x{% else %}none{% endfor %}",
    "{% for i in items if i > 1 %}{{ i }}{{ loop.index }}{% endfor %}", "{% for a, b in nested %}{{ a }}+{{ b }};{% endfor %}",
    "{% for c in 'abc' %}{{ c }}.{% endfor %}", "{% for k in d %}{{ k }}{% endfor %}", "{% for u in users %}{{ u.name }}{{ u['age'] }} {% endfor %}",
    "{% for row in nested %}{% for x in row %}{{ x }}{{ loop.depth }}{% endfor %}/{% endfor %}",
    "{% for row in nested %}{% for x in row %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}",
    "{% for item in [{'n': 'a', 'c': [{'n': 'b', 'c': []}]}] recursive %}{{ item.n }}({{ loop.depth }}){{ loop(item.c) }}{% endfor %}",
    "{% for a, b in [1, 2] %}{% endfor %}", "{% for a, b in [(1, 2, 3)] %}{% endfor %}", "{% for x in 5 %}{% endfor %}",
    "{% set x = 1 %}{% for i in items %}{% set x = i %}{% endfor %}{{ x }}", "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}", "{% set a, b = 'xy' %}{{ b }}{{ a }}", "{% set l = [1, 2] %}{{ l }}",
    "{% set block %}Hello {{ s }}!{% endset %}[{{ block }}]", "{% set block | upper %}shout {{ n }}{% endset %}{{ block }}",
    "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}", "{% with x = n * 2 %}{{ x }}{% endwith %}",
    "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('ann') }} {{ greet('bob', 'Hi') }} {{ greet(name='cid', greeting='Yo') }}",
    "{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", "{% macro m() %}x{% endmacro %}{{ m }}",
    "{% macro list_it(xs) %}{% for x in xs %}<{{ x }}>{% endfor %}{% endmacro %}{{ list_it(items) }}",
    "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner {{ n }}{% endcall %}",
    "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each(items) %}[{{ v }}]{% endcall %}",
    "{% filter upper %}shout {{ s }}{% endfilter %}", "{% filter replace('a', 'b') | upper %}banana{% endfilter %}",
    "{% raw %}{{ x }} {% if %}{% endraw %}", "a {# comment #} b", "{# only a comment #}", "{#- trimmed -#}  x",
    "  {%- if true -%}  \n  yes  \n  {%- endif -%}  ", "a  {{- 'b' -}}  c", "{% for i in items -%}\n  {{ i }}\n{%- endfor %}",
    "line one\n{% if true %}\ntwo\n{% endif %}\nthree\n", "trailing newline\n", "{{ s }}\n\n", "{%- raw -%}  {{ x }}  {%- endraw -%}|",
    "{% print s, n %}", "{% block title %}T{{ n }}{% endblock %}", "{% autoescape true %}{{ html }}{% endautoescape %} {{ html }}",
    "{% autoescape true %}{{ html | safe }} {{ html | e }}{% endautoescape %}",
    "{% include 'x.html' %}", "{% extends 'base.html' %}", "{% import 'm.html' as m %}", "{% from 'm.html' import a %}",
    "{% if false %}{% include 'x.html' %}{% endif %}ok",
]

FILTERS = [
    "{{ s | upper }} {{ s | lower }} {{ 'hello wORLD-foo bar(baz' | title }} {{ 'hELLO wORLD' | capitalize }}",
    "{{ undefined_thing | default('dflt') }} {{ nothing | default('dflt') }} {{ '' | default('dflt', true) }} {{ 0 | d('zero', boolean=true) }} {{ n | d(1) }}",
    "{{ undefined_thing.x | default('deep') }} {{ mixed.n | default('none kept') }}",
    "{{ items | length }} {{ s | length }} {{ d | length }} {{ items | count }} {{ unicode | length }}",
    "{{ words | join(', ') }} {{ items | join }} {{ users | join(', ', attribute='name') }} {{ [1, none, 'a'] | join('-') }}",
    "{{ s | replace('l', 'L') }} {{ s | replace('l', 'L', 2) }} {{ 'aaa' | replace('', '-') }}",
    "[{{ t | trim }}] [{{ 'xxhixx' | trim('x') }}]",
    "{{ long | truncate(20) }}|{{ long | truncate(20, true) }}|{{ long | truncate(30, false, '…') }}|{{ 'short' | truncate(10) }}|{{ long | truncate(68) }}",
    "{{ long | truncate(20, leeway=0) }}|{{ 'abc' | truncate(2) }}",
    "{{ f | round }} {{ f | round(2) }} {{ f | round(1, 'floor') }} {{ f | round(1, 'ceil') }} {{ 2.5 | round }} {{ 3.5 | round }} {{ n | round }} {{ 0.125 | round(2) }} {{ 1234 | round(-2) }}",
    "{{ 'x' | round }}", "{{ f | round(1, 'up') }}",
    "{{ '42' | int }} {{ '4.7' | int }} {{ 'abc' | int }} {{ 'abc' | int(-1) }} {{ 4.7 | int }} {{ '0x1A' | int(0, 16) }} {{ '101' | int(base=2) }} {{ none | int }} {{ yes | int }}",
    "{{ '3.5' | float }} {{ 'x' | float }} {{ 'x' | float(1.5) }} {{ 2 | float }} {{ '1e3' | float }} {{ none | float }}",
    "{{ 5 | string }} {{ none | string }} {{ [1] | string }} {{ 5 | string | length }}",
    "{{ 'abc' | list }} {{ d | list }} {{ tup | list }} {{ range(3) | list }}",
    "{{ items | first }} {{ items | last }} {{ 'abc' | first }} {{ empty_list | first }}|{{ empty_list | last }}|",
    "{{ items | sort }} {{ items | sort(reverse=true) }} {{ words | sort }} {{ words | sort(case_sensitive=true) }}",
    "{{ users | sort(attribute='age') | map(attribute='name') | join(',') }} {{ users | sort(attribute='age,name', reverse=true) | map(attribute='name') | join(',') }}",
    "{{ [3, 'a'] | sort }}",
    "{{ words | unique | list }} {{ words | unique(case_sensitive=true) | list }} {{ users | unique(attribute='age') | map(attribute='name') | list }}",
    "{{ users | map(attribute='name') | list }} {{ words | map('upper') | list }} {{ items | map('string') | join('') }} {{ users | map(attribute='zip', default='?') | list }}",
    "{{ items | select('odd') | list }} {{ items | reject('odd') | list }} {{ [0, 1, '', 'a', none] | select | list }} {{ items | select('>', 1) | list }}",
    "{{ users | selectattr('active') | map(attribute='name') | list }} {{ users | rejectattr('active') | map(attribute='name') | list }} {{ users | selectattr('age', 'equalto', 31) | map(attribute='name') | list }}",
    "{{ users | selectattr('city', 'in', ['Paris', 'Berlin']) | map(attribute='name') | list }}",
    "{{ items | select('nosuchtest') | list }}", "{{ items | map('nosuchfilter') | list }}",
    "{{ d | dictsort }} {{ d | dictsort(reverse=true) }} {{ d | dictsort(by='value') }} {{ {'B': 1, 'a': 2} | dictsort }} {{ {'B': 1, 'a': 2} | dictsort(true) }}",
    "{{ d | items | list }} {{ undefined_thing | items | list }}", "{{ items | items | list }}",
    "{{ d | tojson }} {{ mixed | tojson }} {{ html | tojson }} {{ [1, 2.0, 'é', none, true] | tojson }} {{ tup | tojson }} {{ 'x' | tojson }} {{ 1.0 | tojson }}",
    "{{ mixed | tojson(indent=2) }}", "{{ {'b': [1, {'c': 2}], 'a': {}} | tojson(4) }}", "{{ undefined_thing | tojson }}", "{{ {1: 'a'} | tojson }}",
    "{{ s | center(21) }}|{{ 'ab' | center(7) }}|{{ 'abc' | center(2) }}",
    "{{ multiline | indent }}|{{ multiline | indent(2, true) }}|{{ multiline | indent(2, blank=true) }}|{{ multiline | indent('> ') }}",
    "{{ items | batch(2) | list }} {{ items | batch(2, 'x') | list }} {{ range(7) | slice(3) | list }} {{ range(7) | slice(3, 'x') | list }}",
    "{{ [-1, 2.5, -3.5] | map('abs') | list }} {{ items | sum }} {{ [1.5, 2] | sum }} {{ users | sum(attribute='age') }} {{ items | sum(start=10) }}",
    "{{ items | min }} {{ items | max }} {{ words | min }} {{ words | max }} {{ words | max(case_sensitive=true) }} {{ users | max(attribute='age') }} {{ empty_list | max }}|",
    "{{ url | urlencode }} {{ {'a b': 'c&d', 'e': 1} | urlencode }} {{ [('x', 'y z')] | urlencode }} {{ unicode | urlencode }}",
    "{{ html | e }} {{ html | escape }} {{ html | safe }} {{ html | forceescape }} {{ (html | e) | e }} {{ none | e }}",
    "{{ html | striptags }} {{ '<p>a &amp; b</p>  <br/>c' | striptags }}",
    "{{ long | wordcount }} {{ 'hello, wörld_1 2x' | wordcount }}", "{{ long | wordwrap(20) }}",
    "{{ '%s-%s' | format('a', 'b') }} {{ '%(x)s!' | format(x='y') }} {{ '%.1f%%' | format(99.5) }} {{ '%s' | format(items) }}",
    "{{ 1000 | filesizeformat }} {{ 1 | filesizeformat }} {{ 1024 | filesizeformat(true) }} {{ 123456789 | filesizeformat }} {{ 500 | filesizeformat }}",
    "{{ items | reverse | list }} {{ 'abc' | reverse }}", "{{ users | groupby('age') | map(attribute='grouper') | list }}",
    "{% for g in users | groupby('city') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join('+') }};{% endfor %}",
    "{% for city, people in users | groupby('city', case_sensitive=true) %}{{ city }}={{ people | length }};{% endfor %}",
    "{{ users[0] | attr('name') }}|{{ users[0] | attr('nope') }}|", "{{ items | pprint }} {{ 'x' | pprint }}",
    "{{ {'a': 1, 'b': none, 'c': 'x<y'} | xmlattr }}", "{{ 'x' | nosuchfilter }}", "{% if false %}{{ 'x' | nosuchfilter }}{% endif %}ok",
    "{% if true %}{{ 'x' | nosuchfilter }}{% endif %}", "{{ 'x' | nosuchfilter if false else 'fine' }}",
    "{{ s | upper(1) }}", "{{ s | truncate(bogus=1) }}", "{{ s | default }}", "{{ s | join(d='-') }}",
    # urlize (jinja2's, no autoescape: text escaped, links added).
    "{{ 'see https://prefect.io/docs. or www.example.com, (http://x.org/a_(b)) <http://y.com> ok' | urlize }}",
    "{{ 'mail me@example.com or mailto:a@b.co now; not @x@y.com or a:b@c.com' | urlize }}",
    "{{ 'go to example.com and example.dev and http://10.0.0.1:8080/x?y=1 and http://[::1]/' | urlize }}",
    "{{ 'https://example.com/a/very/long/path' | urlize(10, true, '_blank') }} {{ 'www.a.org' | urlize(rel='me', nofollow=true) }}",
    "{{ 'ftp://files.x and tel:+123' | urlize(extra_schemes=['ftp://', 'tel:']) }} {{ html | urlize }} {{ (html | safe) | urlize }}",
    "{{ 'x' | urlize(extra_schemes=['no spaces']) }}", "{{ 42 | urlize }}|{{ undefined_thing | urlize }}|{{ 'a\n  https://b.io\tc' | urlize }}",
]

TESTS = [
    "{{ n is defined }} {{ undefined_thing is defined }} {{ undefined_thing is undefined }} {{ nothing is none }} {{ n is not none }}",
    "{{ n is odd }} {{ n is even }} {{ n is divisibleby 7 }} {{ n is divisibleby(5) }} {{ 3 is odd }}",
    "{{ n is number }} {{ f is number }} {{ s is number }} {{ n is integer }} {{ f is float }} {{ yes is integer }} {{ yes is boolean }} {{ whole is float }}",
    "{{ s is string }} {{ items is sequence }} {{ d is mapping }} {{ items is iterable }} {{ n is iterable }} {{ s is sequence }} {{ d is sequence }}",
    "{{ yes is true }} {{ no is false }} {{ 1 is true }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'Abc' is lower }} {{ '123' is lower }}",
    "{{ n is eq 42 }} {{ n is ne 42 }} {{ n is lt 50 }} {{ n is gt 50 }} {{ n is ge 42 }} {{ n is le 41 }} {{ n is equalto 42 }} {{ n is sameas 42 }} {{ nothing is sameas none }}",
    "{{ 2 is in items }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }} {{ html is escaped }} {{ (html | e) is escaped }}",
    "{{ s.upper is callable }} {{ s is callable }} {{ range is callable }}", "{{ n is nosuchtest }}", "{% if false %}{{ n is nosuchtest }}{% endif %}ok",
    "{{ 'a' is lt 1 }}",
]

SANDBOX = [
    "{{ s.__class__ }}|", "{{ s.__class__.__mro__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ items.__len__() }}",
    "{{ items._private }}|", "{{ d._x }}|", "{{ {'_k': 1}._k }}|{{ {'_k': 1}['_k'] }}", "{{ items.append(4) }}", "{{ items.append }}|",
    "{{ d.update({'z': 1}) }}", "{{ d.pop('a') }}", "{{ d.clear }}|", "{% set x = items.sort() %}", "{{ items.pop() }}",
    "{{ range.__globals__ }}", "{{ s.format.__self__ }}|", "{{ '{0.__class__}'.format(s) }}", "{{ '{.upper}'.format(s) }}",
    "{{ cycler.__init__.__globals__ }}", "{{ lipsum.__globals__ }}", "{{ namespace.__init__ }}|", "{{ self }}|", "{{ config }}|{{ request }}|",
    "{{ s.encode }}|", "{{ tup.count(1) }}", "{{ d.copy() }}", "{{ items.copy() }}",
]

PREFECT_ONLY = [
    "{{ now | humanize_naturaltime }} {{ secs_ago_30 | humanize_naturaltime }} {{ mins_ago_5 | humanize_naturaltime }} {{ hours_ago_3 | humanize_naturaltime }}",
    "{{ yesterday | humanize_naturaltime }} {{ tomorrow | humanize_naturaltime }} {{ last_month | humanize_naturaltime }} {{ last_year | humanize_naturaltime }} {{ in_2_days | humanize_naturaltime }}",
    "{{ d90 | humanize_naturaltime }} {{ 3600 | humanize_naturaltime }} {{ 3600 | humanize_naturaltime(future=true) }} {{ 'x' | humanize_naturaltime }}",
    "{{ mins_ago_5 | humanize_naturaltime(when=hours_ago_3) }}",
    "{{ d0 | humanize_naturaldelta }}|{{ d1 | humanize_naturaldelta }}|{{ d45 | humanize_naturaldelta }}|{{ d90 | humanize_naturaldelta }}|{{ d3600 | humanize_naturaldelta }}|{{ d5400 | humanize_naturaldelta }}",
    "{{ d86400 | humanize_naturaldelta }}|{{ d_days | humanize_naturaldelta }}|{{ d_months | humanize_naturaldelta }}|{{ d_months | humanize_naturaldelta(months=false) }}|{{ d_year | humanize_naturaldelta }}|{{ d_years | humanize_naturaldelta }}",
    "{{ d_frac | humanize_naturaldelta }}|{{ d_frac | humanize_naturaldelta(minimum_unit='milliseconds') }}|{{ d_neg | humanize_naturaldelta }}|{{ 125 | humanize_naturaldelta }}|{{ 'abc' | humanize_naturaldelta }}",
    "{{ d_frac | humanize_naturaldelta(minimum_unit='hours') }}",
    "{{ now | humanize_naturalday }} {{ yesterday | humanize_naturalday }} {{ tomorrow | humanize_naturalday }} {{ last_month | humanize_naturalday }} {{ 'x' | humanize_naturalday }}",
    "{{ now | humanize_naturaldate }} {{ last_month | humanize_naturaldate }} {{ last_year | humanize_naturaldate }} {{ offset | humanize_naturalday }} {{ naive | humanize_naturalday }}",
    "{{ 1234567 | humanize_intcomma }} {{ 1234.5678 | humanize_intcomma }} {{ 1234.5678 | humanize_intcomma(2) }} {{ '1234567' | humanize_intcomma }} {{ -9876 | humanize_intcomma }} {{ 'abc' | humanize_intcomma }}",
    "{{ 1 | humanize_ordinal }} {{ 2 | humanize_ordinal }} {{ 3 | humanize_ordinal }} {{ 11 | humanize_ordinal }} {{ 112 | humanize_ordinal }} {{ 23 | humanize_ordinal }} {{ 'x' | humanize_ordinal }}",
    "{{ 0 | humanize_apnumber }} {{ 5 | humanize_apnumber }} {{ 10 | humanize_apnumber }} {{ 'x' | humanize_apnumber }}",
    "{{ 100 | humanize_intword }} {{ 1000000 | humanize_intword }} {{ 1200000 | humanize_intword }} {{ 999999999 | humanize_intword }} {{ 1234567890123 | humanize_intword('%.2f') }}",
    "{{ 1 | humanize_naturalsize }} {{ 300 | humanize_naturalsize }} {{ 3000 | humanize_naturalsize }} {{ 3000000 | humanize_naturalsize(binary=true) }} {{ 3000000 | humanize_naturalsize(gnu=true) }} {{ 999999 | humanize_naturalsize }}",
    "{{ 1234.5 | humanize_scientific }} {{ 0.000123 | humanize_scientific(precision=1) }}",
    "{{ now }} {{ naive }} {{ offset }} {{ d_days }} {{ d_frac }} {{ d_neg }} {{ d0 }}",
    "{{ now.year }}-{{ now.month }}-{{ now.day }} {{ now.hour }}:{{ now.minute }} {{ now.strftime('%A %d %B %Y %I:%M %p %j %a %b %y %z') }} {{ offset.strftime('%z') }}",
    "{{ now.isoformat() }} {{ offset.isoformat() }} {{ naive.isoformat() }} {{ now.timestamp() }}",
    "{{ now > yesterday }} {{ yesterday < tomorrow }} {{ now == now }} {{ (now - yesterday) }} {{ d90 < d3600 }} {{ now - d3600 }}",
    "{{ now < naive }}", "{{ [d90, d45] | sort }} {{ d90 + d45 }} {{ d90 * 2 }}",
    # The rest of jinja2-humanize-extension 0.4.0's filters.
    "{{ d0 | humanize_precisedelta }}|{{ d1 | humanize_precisedelta }}|{{ d90 | humanize_precisedelta }}|{{ d5400 | humanize_precisedelta }}|{{ d_days | humanize_precisedelta }}",
    "{{ d_frac | humanize_precisedelta }}|{{ d_frac | humanize_precisedelta(minimum_unit='microseconds') }}|{{ d_frac | humanize_precisedelta(format='%0.4f') }}|{{ d_neg | humanize_precisedelta }}",
    "{{ d_months | humanize_precisedelta }}|{{ d_year | humanize_precisedelta }}|{{ d_years | humanize_precisedelta(minimum_unit='days') }}|{{ d_days | humanize_precisedelta(suppress=['days']) }}",
    "{{ d5400 | humanize_precisedelta(minimum_unit='hours') }}|{{ d90 | humanize_precisedelta(minimum_unit='minutes') }}|{{ d1 | humanize_precisedelta(minimum_unit='minutes') }}|{{ d5400 | humanize_precisedelta(suppress=['seconds', 'milliseconds', 'microseconds']) }}",
    "{{ 3633.123 | humanize_precisedelta }}|{{ 0.5 | humanize_precisedelta }}|{{ 'x' | humanize_precisedelta }}|{{ none | humanize_precisedelta }}|{{ 90061 | humanize_precisedelta(format='%d') }}",
    "{{ d_frac | humanize_precisedelta(minimum_unit='fortnights') }}", "{{ d90 | humanize_precisedelta(minimum_unit='seconds', suppress=['seconds', 'minutes', 'hours', 'days', 'months', 'years']) }}",
    "{{ naive | humanize_precisedelta }}", "{{ now | humanize_precisedelta }}",
    "{{ 0.3 | humanize_fractional }} {{ 1.3 | humanize_fractional }} {{ (1/3) | humanize_fractional }} {{ 1 | humanize_fractional }} {{ -1.3 | humanize_fractional }} {{ -0.25 | humanize_fractional }}",
    "{{ 'ten' | humanize_fractional }} {{ none | humanize_fractional }} {{ '2.5' | humanize_fractional }} {{ 3.14159 | humanize_fractional }} {{ 0.0001 | humanize_fractional }} {{ 2.0 | humanize_fractional }}",
    "{{ 1500 | humanize_metric('V') }} {{ 2e8 | humanize_metric('W') }} {{ 220e-6 | humanize_metric('F') }} {{ 1e-14 | humanize_metric(precision=4) }} {{ 1e40 | humanize_metric }} {{ 0 | humanize_metric }}",
    "{{ 999.9 | humanize_metric }} {{ 123000 | humanize_metric }} {{ -0.00153 | humanize_metric('m') }} {{ 21 | humanize_metric('°') }} {{ 1234567 | humanize_metric('B', 2) }}",
    "{{ 'x' | humanize_metric }}",
    "{{ 123.456 | humanize_clamp }} {{ 0.0001 | humanize_clamp(floor=0.01) }} {{ 0.99 | humanize_clamp(format='{:.0%}', ceil=0.99) }} {{ 0.999 | humanize_clamp(format='{:.0%}', ceil=0.99) }} {{ none | humanize_clamp }}",
    "{{ 5 | humanize_clamp(floor=10, floor_token='under ') }} {{ 50 | humanize_clamp(ceil=10, format='{:.1f}') }}",
    "{{ d_neg | humanize_abs_timedelta }} {{ d90 | humanize_abs_timedelta }}", "{{ 5 | humanize_abs_timedelta }}",
    # (their "now" to the millisecond only: the clock a Worker reads)
    "{{ (d90 | humanize_date_and_delta)[1] }} {{ (90.4 | humanize_date_and_delta)[0].strftime('%H:%M:%S') }} {{ 'x' | humanize_date_and_delta }} {{ (naive | humanize_date_and_delta)[1].seconds }}",
    "{{ d90 | humanize_date_and_delta(1) }}", "{{ now | humanize_date_and_delta }}",
    "{{ 1 | humanize_deactivate }} {{ 1 | humanize_thousands_separator }} {{ 1 | humanize_decimal_separator }}",
]


EDGES = [
    "{{ 10 ** 15 }} {{ 2 ** 53 }} {{ -0.0 }} {{ 0.0 }} {{ 1.0e-4 }} {{ 123456789.123 }} {{ 1/3 }} {{ 2/3 * 3 }} {{ 100.0 }} {{ 1e15 + 0.5 }}",
    "{{ -7 / 2 }} {{ -7.5 // 2 }} {{ 7 % -3 }} {{ -7.5 % 2 }} {{ 5 // 0.5 }} {{ 2 ** 3.0 }} {{ (-8) ** 2 }} {{ 10 - 0.1 }}",
    "{{ 1 and 2 }} {{ 0 and 2 }} {{ [] or {} }} {{ none or 0 }} {{ 'a' and none }} {{ not 0 }} {{ not 'x' }} {{ not not [] }}",
    "{% if 0.0 %}a{% endif %}{% if '0' %}b{% endif %}{% if [0] %}c{% endif %}{% if {} %}d{% endif %}{% if ' ' %}e{% endif %}{% if none %}f{% endif %}",
    "{{ 1 < 2.5 <= 2.5 != 3 }} {{ 'B' < 'a' }} {{ 'é' > 'z' }} {{ (1, 'a') < (1, 'b') }} {{ [] < [0] }} {{ false < true }}",
    "{{ s[100:] }}|{{ s[-100:3] }}|{{ s[5:2] }}|{{ s[::-2] }}|{{ items[-2:] }}|{{ items[:-1] }}|{{ items[::2] }}|{{ items[3:0:-1] }}",
    "{{ unicode | upper }} {{ unicode[1] }} {{ unicode | reverse }} {{ unicode[::-1] }} {{ 'ß' | upper }} {{ 'İ' | lower | length }}",
    "{{ {'1': 'a', 'b': 2, '0': 3} }} {{ {2: 'x', 1: 'y'} | dictsort }} {{ {'b': 1, 'a': 2} | list }}",
    "{{ 'x' ~ html }} {{ (html | e) ~ html }} {{ (html | e) + html }} {{ (html | safe) + '<i>' }} {{ '<i>' + (html | safe) }}",
    "{{ ['<a>', html | e] | join(', ') }} {{ [html] | join(', ' | safe) }} {{ html | e | replace('&amp;', 'and') }} {{ html | e | upper }}",
    "{{ html | e | length }} {{ (html | e)[0:4] }} {{ html | e | list | first }} {{ 'a<b' | e | title }}",
    "{{ 'hello world' | title }} {{ \"it's o'neil\" | title }} {{ 'hello-world foo_bar' | title }} {{ \"it's o'neil\".title() }} {{ 'ÉCOLE élève' | capitalize }}",
    "{{ 'a' | center(4) }}|{{ 'ab' | center(5) }}|{{ 'abc' | center(6) }}|{{ 'ab'.center(5, '-') }}|{{ 'abc'.center(6, '-') }}",
    "{{ long | truncate(9) }}|{{ long | truncate(9, true) }}|{{ long | truncate(9, true, '') }}|{{ 'héllo wörld ✓ ok fine' | truncate(10, leeway=0) }}",
    "{{ 1.5 | round }} {{ 0.5 | round }} {{ -2.5 | round }} {{ 2.675 | round(2) }} {{ 1.005 | round(2) }} {{ -1.5 | round(0, 'floor') }} {{ 1e20 | round(2) }} {{ 15 | round(-1) }}",
    "{{ '  12  ' | int }} {{ '+5' | int }} {{ '-5' | int }} {{ '1_000' | int }} {{ '3.9e1' | int }} {{ 'inf' | int }} {{ 'nan' | float }} {{ '  2.5  ' | float }} {{ true | float }}",
    "{{ [0.1, 0.2, 0.3] | sum }} {{ [1, 2.0] | sum }} {{ [] | sum }} {{ ['a', 'b'] | sum(start='') }}", "{{ ['a', 'b'] | sum }}",
    "{{ '%.3g|%10.4f|%-8d|%+.1e|%c|%5.1s|%#x|%#o' % (1234.5678, 3.14159, 42, 12345.6789, 65, 'abc', 255, 8) }}",
    "{{ '%s|%r|%a' % ([1, 'x'], [1, 'x'], 'é') }} {{ '%d%%' % 50 }} {{ '%i' % 3.9 }} {{ '%s' % (1, 2) }}",
    "{{ '{:10.3f}|{:<10}|{:*^9}|{:08.2f}|{:,.2f}|{:e}|{:g}|{:b}|{:o}|{:#x}'.format(3.14159, 'l', 'c', -3.14159, 1234567.891, 0.000123, 1e-7, 5, 8, 255) }}",
    "{{ '{:>{w}}'.format('x', w=5) }}", "{{ '{:d}'.format(1.5) }}", "{{ '{}'.format() }}", "{{ '{} {}'.format(1) }}", "{{ '{0} {}'.format(1, 2) }}",
    "{{ 'a b c'.split(' ', 1) }} {{ '  a  b  '.split() }} {{ ''.split() }} {{ ''.split(',') }} {{ 'a,b'.split(',', 0) }} {{ 'abc'.split('') }}",
    "{{ 'AbC'.swapcase() }} {{ 'abc'.upper().lower() }} {{ 'x'.join('abc') }} {{ ','.join([1, 2]) }}",
    "{{ 'tEsT StRiNg'.title() }} {{ '3rd place'.title() }} {{ 'a1b2'.capitalize() }} {{ ''.capitalize() }} {{ ' x '.isspace() }} {{ ''.isdigit() }}",
    "{{ 'hello'.startswith('') }} {{ 'hello'.find('l', 3) }} {{ 'hello'.count('l', 3) }} {{ 'hello'.endswith('ll', 0, 4) }} {{ 'hello'.replace('', '-', 2) }}",
    "{{ d.get('a', 5) }} {{ d.get() }}", "{{ d.items() }} {{ d.keys() }}", "{{ [1, 2] + 3 }}", "{{ items * -1 }} {{ 'ab' * 0 }} {{ 'ab' * true }}",
    "{% for x in items %}{% for y in items %}{{ loop.cycle('a', 'b') }}{% endfor %}{{ loop.index }}{% endfor %}",
    "{% for x in items recursive %}{{ loop.depth0 }}{% endfor %}", "{% for x in items %}{{ loop(items) }}{% endfor %}",
    "{% set ns = namespace() %}{% set ns.a = 1 %}{% set ns.b = ns.a + 1 %}{{ ns.a }}{{ ns.b }}{{ ns.c }}|", "{% set d.x = 1 %}",
    "{% macro outer() %}{% macro inner() %}in{% endmacro %}[{{ inner() }}]{% endmacro %}{{ outer() }}",
    "{% macro m(a, b=a) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}", "{% macro m(x) %}{{ x }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1) }}",
    "{% set x = 5 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 6 %}{{ m() }}", "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}",
    "{%- for i in items %}\n  {{- i }}\n{% endfor -%}|", "{% for i in items %}{{ i }}\n{%- endfor %}", "  {%+ if true %}x{% endif %}",
    "{{ undefined_thing | upper }}|{{ undefined_thing | join }}|{{ undefined_thing | first }}|{{ undefined_thing | default(undefined_thing) }}|{{ undefined_thing | title }}",
    "{{ undefined_thing | int }} {{ undefined_thing | float }} {{ undefined_thing | sum }} {{ undefined_thing | sort }}", "{{ undefined_thing | abs }}",
    "{{ undefined_thing | round }}", "{{ undefined_thing | max }}|", "{{ [undefined_thing] | join('-') }}", "{{ undefined_thing ~ 'x' }}", "{{ undefined_thing == undefined_thing }}",
    "{{ undefined_thing is none }} {{ undefined_thing is iterable }} {{ undefined_thing is string }} {{ undefined_thing in [1] }}",
    "{{ [nothing, 1.5, 'x'] | tojson }} {{ {'k': {'$': 1}} | tojson }} {{ '</script>' | tojson }} {{ \"a'b\" | tojson }} {{ 'é\\n' | tojson }}",
    "{{ 1e16 | tojson }} {{ 1e-7 | tojson }} {{ 10 ** 20 | tojson }} {{ -0.0 | tojson }}",
    "{{ users | map(attribute='name') | map('upper') | join }} {{ users | selectattr('age', 'gt', 26) | list | length }} {{ users | map(attribute='age') | unique | list }}",
    "{{ users | sort(attribute='city') | map(attribute='city') | list }} {{ users | sort(attribute='city', case_sensitive=true) | map(attribute='city') | list }}",
    "{{ users | groupby('active') | map(attribute='grouper') | list }} {{ users | min(attribute='age') }}",
    "{{ words | select('lower') | list }} {{ words | reject('upper') | list }} {{ [1, 2, 3, 4] | select('divisibleby', 2) | list }} {{ items | select('in', [1, 3]) | list }}",
    "{{ items | map('int') | list }} {{ ['1', '2'] | map('int') | sum }} {{ items | map('string') | map('length') | list }} {{ [[1, 2], [3]] | map('length') | list }}",
    "{{ items | batch(5) | list }} {{ [] | batch(2) | list }} {{ items | slice(5) | list }} {{ 'abcdef' | batch(4) | list }}",
    "{{ 'a\\nb' | indent(2, true, true) }}|{{ '' | indent }}|{{ 'x\\n' | indent(first=true) }}",
    "{{ 'foo  bar\\tbaz' | wordcount }} {{ '' | wordcount }} {{ '<a href=\"x\">link</a>  text<br>' | striptags }}",
    "{{ range(10) | random is number }}", "{{ lipsum(1) | length > 0 }}",
    "{{ {'a': [1, 2]} | dictsort | first }} {{ d | dictsort(false, 'value', true) }}", "{{ d | dictsort(by='nope') }}",
    "{{ 0.1 | string }} {{ 1e100 | string }} {{ [1e100, 1.5e-10] }} {{ 12345678901234567890 }} {{ 0.000001 }} {{ 1e-06 * 10 }}",
    "{{ n | filesizeformat(true) }} {{ 1048576 | filesizeformat(true) }} {{ 1e12 | filesizeformat }} {{ -5 | filesizeformat }} {{ '2000' | filesizeformat }}",
    "{{ 'a' if 'b' if false else 'c' else 'd' }}", "{{ 1 if true else 2 if true else 3 }}", "{{ (1 if false) is defined }}",
    "{{ [1, 2, 3] | last }} {{ (1, 2) | last }} {{ 'xyz' | last }} {{ range(3) | last }} {{ d | first }}",
    "{{ d | max }} {{ d | min }} {{ 'hello' | max }} {{ [3, 1.5, 2] | min }} {{ [[1, 2], [1]] | max }}",
    "{{ {'a': none} | urlencode }} {{ 'a+b=c' | urlencode }} {{ 42 | urlencode }} {{ [('a', 1), ('b', 2)] | urlencode }} {{ '/path/x y' | urlencode }}",
]


def _cases() -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = []
    cases += [("prefect", t) for t in PREFECT_CASES]
    for group in (EXPRESSIONS, STATEMENTS, FILTERS, TESTS, SANDBOX, EDGES):
        cases += [("values", t) for t in group]
    cases += [("times", t) for t in PREFECT_ONLY]
    # Strings that are no template come back as they are, whatever they hold.
    cases += [("empty", t) for t in ["plain text", "{# a comment only #}", "100% {x}", "}} not a tag {{"[:13], ""]]
    # Syntax errors at render time.
    cases += [("empty", t) for t in ["{{ x", "{% if x %}", "{{ 1 + }}", "{% for i in range(3) %}"]]
    return cases


CASES = _cases()

# ---- run-deployment parameters ----------------------------------------------------------------
# RunDeployment.render_parameters (prefect.server.events.actions) over Prefect's hydrate
# (prefect.utilities.schema_tools.hydration), restated: v1 strings upgraded, `__prefect_kind`
# placeholders resolved, jinja rendered by the sync environment (same filters), json parsed by
# json.loads, the first error raised (its repr is what the action's failure reports).

sync_environment = ImmutableSandboxedEnvironment(undefined=ChainableUndefined)
sync_environment.globals["range"] = _check_template_range
sync_environment.filters.update(render_environment.filters)


class HydrationError(Exception):
    def __init__(self, detail=None):  # Prefect's sets no args: repr() is `InvalidJinja()`
        self.detail = detail


class InvalidJSON(HydrationError):
    pass


class InvalidJinja(HydrationError):
    pass


class ValueNotFound(HydrationError):
    pass


class TemplateNotFound(HydrationError):
    pass


class WorkspaceVariableNotFound(HydrationError):
    pass


class _Remove:
    pass


class _Placeholder:
    def __init__(self, kind, value):
        self.kind, self.value = kind, value


def _maybe_template(v):
    return "{{" in v or "{%" in v


def _wrap_v1(template):
    stripped = template.strip()
    if stripped.startswith("{{") and stripped.endswith("}}") and stripped.count("{{") == 1:
        inner = stripped[2:-2].strip()
        return {"__prefect_kind": "json", "value": {"__prefect_kind": "jinja", "template": "{{ " + inner + " | tojson }}"}}
    return {"__prefect_kind": "jinja", "template": template}


def _upgrade_v1(parameters):
    for key, value in parameters.items():
        if isinstance(value, dict):
            if "__prefect_kind" in value:
                continue
            _upgrade_v1(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _upgrade_v1(item)
                elif isinstance(item, str) and _maybe_template(item):
                    value[i] = _wrap_v1(item)
        elif isinstance(value, str) and _maybe_template(value):
            parameters[key] = _wrap_v1(value)


def _hydrate(obj, ctx):
    if isinstance(obj, dict) and "__prefect_kind" in obj:
        res = _handle(obj["__prefect_kind"], obj, ctx)
        if ctx["raise"] and isinstance(res, HydrationError):
            raise res
        return res
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            h = _hydrate(v, ctx)
            if not isinstance(h, _Remove):
                out[k] = h
        return out
    if isinstance(obj, list):
        return [h for h in (_hydrate(v, ctx) for v in obj) if not isinstance(h, _Remove)]
    return obj


def _handle(kind, obj, ctx):
    if kind == "none":
        return _hydrate(obj["value"], ctx) if "value" in obj else ValueNotFound()
    if kind == "json":
        if "value" not in obj:
            return _Remove()
        v = _hydrate(obj["value"], ctx) if isinstance(obj["value"], dict) else obj["value"]
        if isinstance(v, (HydrationError, _Placeholder)) or not isinstance(v, str):
            return v
        try:
            return json.loads(v)
        except (json.JSONDecodeError, TypeError) as e:
            return InvalidJSON(detail=str(e))
    if kind == "jinja":
        if "template" not in obj:
            return TemplateNotFound()
        t = _hydrate(obj["template"], ctx) if isinstance(obj["template"], dict) else obj["template"]
        if isinstance(t, (HydrationError, _Placeholder)):
            return t
        problem = validate(t)
        if problem:
            return InvalidJinja(detail=problem["message"])
        if not ctx["render"]:
            return _Placeholder("jinja", t)
        if not _maybe_template(t):
            return t
        try:
            return sync_environment.from_string(t).render(ctx["context"])
        except Exception as exc:
            return InvalidJinja(detail=f"Failed to render template due to the following error: {exc!r}")
    if kind == "workspace_variable":
        if "variable_name" not in obj:
            return _Remove()
        name = _hydrate(obj["variable_name"], ctx) if isinstance(obj["variable_name"], dict) else obj["variable_name"]
        if isinstance(name, (HydrationError, _Placeholder)):
            return name
        if not ctx["render"]:
            return _Placeholder("workspace_variable", name)
        if name in ctx["variables"]:
            return ctx["variables"][name]
        return WorkspaceVariableNotFound(detail=name)
    return obj.get("value", None)


def render_parameters(parameters, context, variables):
    import copy

    params = copy.deepcopy(parameters)
    _upgrade_v1(params)
    try:
        out = _hydrate(params, {"raise": True, "render": True, "context": context, "variables": variables})
        if isinstance(out, _Remove):
            out = {}
        return {"parameters": out}
    except HydrationError as exc:
        return {"error": repr(exc)}


PARAMETER_VARIABLES = {"greeting": "hello", "count": 3, "cfg": {"a": [1, 2.5]}}
PARAMETER_CASES = [
    {"n": "{{ values.n }}"}, {"f": "{{ values.f }}"}, {"whole": "{{ values.whole }}"}, {"s": "{{ values.s }}"}, {"b": "{{ values.yes }}"},
    {"none": "{{ values.nothing }}"}, {"l": "{{ values.items }}"}, {"d": "{{ values.d }}"}, {"mixed": "n={{ values.n }}"},
    {"padded": "  {{ values.n }}  "}, {"two": "{{ values.n }}{{ values.n }}"}, {"stmt": "{% if values.yes %}yes{% endif %}"},
    {"missing": "{{ values.nope }}"}, {"missing_text": "x{{ values.nope }}"}, {"plain": "no template"}, {"num": 5, "nested": {"inner": "{{ values.n + 1 }}", "keep": [1, "{{ values.s | upper }}", {"deep": "{{ values.f }}"}]}},
    {"explicit": {"__prefect_kind": "jinja", "template": "{{ values.n }}"}}, {"json": {"__prefect_kind": "json", "value": "[1, 2.0, {\"a\": null}]"}},
    {"json_bad": {"__prefect_kind": "json", "value": "{not json"}}, {"json_jinja": {"__prefect_kind": "json", "value": {"__prefect_kind": "jinja", "template": "{{ values.d | tojson }}"}}},
    {"json_none": {"__prefect_kind": "json"}, "other": 1}, {"var": {"__prefect_kind": "workspace_variable", "variable_name": "greeting"}},
    {"var_obj": {"__prefect_kind": "workspace_variable", "variable_name": "cfg"}, "var_n": {"__prefect_kind": "workspace_variable", "variable_name": "count"}},
    {"var_missing": {"__prefect_kind": "workspace_variable", "variable_name": "nope"}}, {"var_removed": {"__prefect_kind": "workspace_variable"}},
    {"none_kind": {"__prefect_kind": "none", "value": {"a": "{{ values.n }}"}}}, {"none_missing": {"__prefect_kind": "none"}},
    {"unknown_kind": {"__prefect_kind": "mystery", "value": 7}}, {"no_template": {"__prefect_kind": "jinja"}},
    {"bad_syntax": {"__prefect_kind": "jinja", "template": "{{ values.n "}}, {"render_error": "{{ values.n / 0 }}"},
    {"lone_error": "{{ values.nope + 1 }}"}, {"filter_missing": "{{ values.n | nosuch }}"},
    {"list_item": ["{{ values.n }}", "a {{ values.s }}", 3]}, {"range": "{{ range(3) | list }}"}, {"tojson_str": "{{ values.html }}"},
    {"unicode": "{{ values.unicode }}"}, {"float_math": "{{ values.n / 4 }}"},
]


def write_parameter_goldens(out: Path) -> None:
    context = {"values": decode(json.loads(CONTEXTS["values"]))}
    cases = [{"parameters": p, "expected": render_parameters(p, context, PARAMETER_VARIABLES)} for p in PARAMETER_CASES]
    document = {
        "generator": "scripts/goldens/jinja.py",
        "oracle": f"jinja2 {jinja2.__version__}, Prefect 3.8.3's RunDeployment.render_parameters and hydrate, restated",
        "context": "values",
        "variables": PARAMETER_VARIABLES,
        "cases": cases,
    }
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{out.relative_to(ROOT)}: {len(cases)} cases")


def write_render_goldens(out: Path) -> None:
    cases = []
    seen = set()
    for context_name, template in CASES:
        if (context_name, template) in seen:
            continue
        seen.add((context_name, template))
        context = decode(json.loads(CONTEXTS[context_name]))
        cases.append({"template": template, "context": context_name, "expected": render(template, context)})
    document = {
        "generator": "scripts/goldens/jinja.py",
        "oracle": f"jinja2 {jinja2.__version__}, humanize {humanize.__version__}, Prefect 3.8.3's render_user_template",
        "now": NOW.isoformat(),
        "ui_url": UI_URL,
        "contexts": CONTEXTS,
        "cases": cases,
    }
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{out.relative_to(ROOT)}: {len(cases)} cases")


# ---- notification templates with an action's context ------------------------------------------
# The templates of Prefect UI's automation wizard (prefect-ui-library 3.15.0,
# src/automations/defaultActionValues.ts: send-notification subjects and bodies, call-webhook
# payloads) and other realistic ones, rendered with the context Prefect's JinjaTemplateAction
# builds (prefect.server.events.actions, restated): the automation, the triggering event, its
# labels and firing, and the objects the templates name, validated from the API's JSON into
# Prefect's server models (FlowRunResponse, DeploymentResponse, Flow, WorkPool,
# WorkQueueWithStatus; their AutoEnum fields; the run's state rebuilt from the event).
# The objects: scripts/goldens/jinja_notification_objects.json (real 3.8.3 API answers).

import enum  # noqa: E402
import uuid  # noqa: E402

NOTIFICATION_OBJECTS = json.loads((Path(__file__).resolve().parent / "jinja_notification_objects.json").read_text())

UI_WIZARD_TEMPLATES = {
    "subject deployment-status": "Prefect deployment '{{ flow.name }}/{{ deployment.name }}' has entered status '{{ deployment.status }}'",
    "subject flow-run-state": "Prefect flow run notification",
    "subject work-pool-status": "Prefect work pool '{{ work_pool.name }}' has entered status '{{ work_pool.status }}'",
    "subject work-queue-status": "Prefect work queue '{{ work_queue.name }}' has entered status '{{ work_queue.status }}'",
    "subject custom": "A Prefect automation '{{ automation.name }}' was triggered",
    "body deployment-status": "\nName: {{ flow.name }}/{{ deployment.name }}\nStatus: {{ deployment.status }}\nURL: {{ deployment|ui_url }}\n",
    "body flow-run-state": "Flow run {{ flow.name }}/{{ flow_run.name }} observed in state `{{ flow_run.state.name }}` at {{ flow_run.state.timestamp }}.\n"
    "Flow ID: {{ flow_run.flow_id }}\nFlow run ID: {{ flow_run.id }}\nFlow run URL: {{ flow_run|ui_url }}\nState message: {{ flow_run.state.message }}",
    "body work-pool-status": "Name: {{ work_pool.name }}\nStatus: {{ work_pool.status }}\nURL: {{ work_pool|ui_url }}",
    "body work-queue-status": "Name: {{ work_queue.name }}\nStatus: {{ work_queue.status }}\nURL: {{ work_queue|ui_url }}",
    "body custom": "Automation: {{ automation.name }}\nDescription: {{ automation.description }}\n\nEvent: {{ event.id }}\nResource:\n"
    "{% for label, value in event.resource %}\n{{ label }}: {{ value }}\n{% endfor %}\nRelated Resources:\n{% for related in event.related %}\n"
    "    Role: {{ related.role }}\n    {% for label, value in related %}\n    {{ label }}: {{ value }}\n    {% endfor %}\n{% endfor %}",
    "payload deployment-status": '{\n  "flow_name": "{{ flow.name }}",\n  "deployment_name": "{{ deployment.name }}",\n  "deployment_status": "{{ deployment.status }}",\n'
    '  "deployment_url": "{{ deployment|ui_url }}"\n}',
    "payload work-pool-status": '{\n  "work_pool_name": "{{ work_pool.name }}",\n  "work_pool_status": "{{ work_pool.status }}",\n  "work_pool_url": "{{ work_pool|ui_url }}"\n}',
    "payload work-queue-status": '{\n  "work_queue_name": "{{ work_queue.name }}",\n  "work_queue_status": "{{ work_queue.status }}",\n'
    '  "work_queue_url": "{{ work_queue|ui_url }}"\n}',
    "payload flow-run-state": '{\n  "flow_name": "{{ flow.name }}",\n  "flow_run_name": "{{ flow_run.name }}",\n  "flow_run_id": "{{ flow_run.id }}",\n'
    '  "flow_run_state_type": "{{ flow_run.state.type }}",\n  "flow_run_state_name": "{{ flow_run.state.name }}",\n'
    '  "flow_run_state_timestamp": "{{ flow_run.state.timestamp }}",\n  "flow_run_state_message": "{{ flow_run.state.message }}",\n'
    '  "flow_run_url": "{{ flow_run|ui_url }}"\n}',
    "payload custom": '{\n  "automation_name": "{{ automation.name }}",\n  "automation_description": "{{ automation.description }}",\n'
    '  "event_id": "{{ event.id }}",\n  "event_resource": {{ event.resource|tojson }},\n  "event_related": {{ event.related|tojson }}\n}',
}

MORE_NOTIFICATION_TEMPLATES = {
    "slack-style": "*{{ flow.name }}/{{ flow_run.name }}* is {{ flow_run.state.name | lower }} after {{ flow_run.total_run_time }} "
    "({{ flow_run.total_run_time | humanize_precisedelta(minimum_unit='milliseconds') }}) <{{ flow_run | ui_url }}|open>",
    "times": "{{ flow_run.start_time }} | {{ flow_run.expected_start_time.strftime('%Y-%m-%d %H:%M:%S %Z') }} | {{ event.occurred.isoformat() }} | "
    "{{ flow_run.state.timestamp.isoformat() }} | {{ work_queue.last_polled }} | {{ automation.created }}",
    "enums": "{{ flow_run.state_type }} {{ flow_run.state.type }} {{ flow_run.state.type.value }} {{ deployment.status }} {{ work_pool.status }} "
    "{{ work_queue.status }} {{ automation.trigger.posture }} {{ flow_run.state_type == 'COMPLETED' }}",
    "links": "{{ flow | ui_url }} {{ automation | ui_url }} {{ event | ui_url }} {{ event.url }} {{ flow | ui_resource_events_url }} "
    "{{ flow_run | ui_resource_events_url }} {{ automation | ui_resource_events_url }} {{ work_queue | ui_resource_events_url }} "
    "{{ event.resource | ui_url }} {{ event.resource | ui_resource_events_url }} {{ deployment | ui_resource_events_url }} {{ work_pool | ui_url }}",
    "event properties": "{{ event.resource_in_role['flow'].name }} {{ event.resources_in_role['work-pool'][0]['prefect.work-pool.type'] }} "
    "{{ event.involved_resources | length }} {{ event.find_resource_label('related:deployment:prefect.resource.name') }} "
    "{{ event.find_resource_label('prefect.state-type') }} {{ event.find_resource_label('related:nope:x') }} {{ event.resource.id }} {{ event.related[0].role }}",
    "labels and firing": "{{ labels.prefect.resource.id }} {{ labels['prefect.resource.id'] }} {% for k, v in labels %}{{ k }}={{ v }}{% endfor %} "
    "{{ firing.triggered }} {{ firing.triggering_labels }} {{ firings | length }} {{ events[0].event }} {{ firing.triggering_event.id == event.id }}",
    "state from the event": "[{{ flow_run.state.message }}] {{ flow_run.state.message is none }} {{ flow_run.state.name }} {{ flow_run.state_name }} "
    "{{ flow_run.state.is_completed() }} {{ flow_run.state.is_final() }}",
    "tojson of models": "{{ flow | tojson }} {{ work_queue.health_check_policy | tojson }} {{ flow_run.labels | tojson }}",
    "variables and missing objects": "{{ variables.team_channel }} {{ variables['team_channel'] }} {{ task_run }} {{ concurrency_limit }} {{ task_run.name }}",
    "dicts and lists": "{{ flow_run.tags }} {{ flow_run.parameters }} {{ deployment.tags | join(',') }} {{ flow_run.labels['prefect.flow.id'] == flow.id }} "
    "{{ flow_run.empirical_policy.max_retries }} {{ deployment.concurrency_options }} {{ work_pool.base_job_template.variables.type }}",
    "floats": "{{ flow_run.empirical_policy.retry_delay_seconds }} {{ flow_run.empirical_policy }} {{ flow_run.total_run_time.total_seconds() * 2 }} "
    "{{ automation.trigger.within }} {{ work_queue.health_check_policy }}",
    "durations": "{{ flow_run.estimated_start_time_delta }} {{ flow_run.total_run_time.total_seconds() }} "
    "{{ flow_run.estimated_run_time | humanize_naturaldelta(minimum_unit='microseconds') }} {{ flow_run.end_time - flow_run.start_time }}",
}


class _AutoEnum(str, enum.Enum):
    """Prefect's AutoEnum: a str Enum whose repr is its str (`StateType.COMPLETED`)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.value}"


def _auto_enum(name: str, values: list[str]) -> type:
    return _AutoEnum(name, [(v, v) for v in values])


StateType = _auto_enum("StateType", ["SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING"])
ENUM_FIELDS = {
    "FlowRunResponse": {"state_type": StateType},
    "TaskRun": {"state_type": StateType},
    "DeploymentResponse": {"status": _auto_enum("DeploymentStatus", ["READY", "NOT_READY"])},
    "WorkPool": {"status": _auto_enum("WorkPoolStatus", ["READY", "NOT_READY", "PAUSED"])},
    "WorkQueueWithStatus": {"status": _auto_enum("WorkQueueStatus", ["READY", "NOT_READY", "PAUSED"])},
}
Posture = _auto_enum("Posture", ["Reactive", "Proactive", "Metric"])
TriggerState = _auto_enum("TriggerState", ["Triggered", "Resolved"])
DATETIME_FIELDS = {
    "created", "triggered", "updated", "occurred", "received", "timestamp", "start_time", "end_time", "expected_start_time",
    "next_scheduled_start_time", "scheduled_time", "last_polled", "last_heartbeat_time", "pause_timeout", "cache_expiration", "last_active_time",
}
DURATION_FIELDS = {"total_run_time", "estimated_run_time", "estimated_start_time_delta"}
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class RelatedResource(Resource):
    @property
    def role(self):
        return self["prefect.resource.role"]


RelatedResource.__module__ = "prefect.server.events.schemas.events"


class State(BaseModel):
    model_config = ConfigDict(extra="allow")

    def is_completed(self):
        return self.type == StateType.COMPLETED

    def is_failed(self):
        return self.type == StateType.FAILED

    def is_final(self):
        return self.type.value in FINAL_STATES


State.__module__ = "prefect.server.schemas.states"


class ReceivedEvent(BaseModel):
    """prefect.server.events.schemas.events.ReceivedEvent's fields and properties, restated."""

    model_config = ConfigDict(extra="allow")

    @property
    def involved_resources(self):
        return [self.resource] + list(self.related)

    @property
    def resource_in_role(self):
        return {related.role: related for related in reversed(self.related)}

    @property
    def resources_in_role(self):
        out: dict[str, list] = {}
        for related in self.related:
            out.setdefault(related.role, []).append(related)
        return out

    def find_resource_label(self, label):
        directive, _, related_label = label.rpartition(":")
        directive, _, role = directive.partition(":")
        if directive == "related":
            for related in self.related:
                if related.role == role:
                    return related.get(related_label)
        return self.resource.get(label)

    @property
    def url(self):
        return ui_url(None, self)


ReceivedEvent.__module__ = "prefect.server.events.schemas.events"
_MODELS["ReceivedEvent"] = ReceivedEvent


def _parse_dt(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def server_model(name: str, data: dict) -> BaseModel:
    fields = {}
    for key, value in data.items():
        if key in ENUM_FIELDS.get(name, {}) and isinstance(value, str):
            value = ENUM_FIELDS[name][key](value)
        elif key == "state" and isinstance(value, dict):
            value = state_model(value)
        elif key == "state_details" and isinstance(value, dict):
            value = server_model("StateDetails", value)
        elif key in DATETIME_FIELDS and isinstance(value, str):
            value = _parse_dt(value)
        elif key in DURATION_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = dt.timedelta(seconds=value)
        fields[key] = value
    return model(name, fields)


def state_model(data: dict) -> State:
    fields = dict(data)
    fields["type"] = StateType(data["type"])
    for key in ("timestamp",):
        if isinstance(fields.get(key), str):
            fields[key] = _parse_dt(fields[key])
    if isinstance(fields.get("state_details"), dict):
        fields["state_details"] = server_model("StateDetails", fields["state_details"])
    return State(**fields)


STATE_LABELS = ["prefect.state-message", "prefect.state-name", "prefect.state-timestamp", "prefect.state-type"]


def instantiate(name: str, data: dict, resource) -> BaseModel:
    """JinjaTemplateAction.instantiate_object: a run's state rebuilt from the event's resource."""
    obj = server_model(name, data)
    if name in ("FlowRunResponse", "TaskRun") and resource is not None and all(label in resource.root for label in STATE_LABELS):
        try:
            obj.state = State(
                id=str(uuid.uuid4()),
                type=StateType(resource["prefect.state-type"]),
                name=resource["prefect.state-name"],
                timestamp=_parse_dt(resource["prefect.state-timestamp"]),
                message=resource["prefect.state-message"],
                data=None,
                state_details=server_model("StateDetails", {}),
            )
        except Exception:
            pass
    return obj


def received_event(data: dict) -> ReceivedEvent:
    return ReceivedEvent(
        occurred=_parse_dt(data["occurred"]),
        event=data["event"],
        resource=Resource(data["resource"]),
        related=[RelatedResource(r) for r in data["related"]],
        payload=data["payload"],
        id=data["id"],
        follows=data["follows"],
        received=_parse_dt(data["received"]),
    )


def automation_model(data: dict) -> BaseModel:
    fields = {k: (_parse_dt(v) if k in ("created", "updated") else v) for k, v in data.items()}
    trigger = dict(data["trigger"])
    trigger["posture"] = Posture(trigger["posture"])
    trigger["within"] = dt.timedelta(seconds=trigger["within"])
    fields["trigger"] = model("EventTrigger", trigger)
    return model("Automation", fields)


ORCHESTRATION_KINDS = {
    "deployment": ("prefect.deployment", "DeploymentResponse", ["GET /deployments/{id}"]),
    "flow": ("prefect.flow", "Flow", ["GET /flows/{id}"]),
    "flow_run": ("prefect.flow-run", "FlowRunResponse", ["GET /flow_runs/{id}"]),
    "task_run": ("prefect.task-run", "TaskRun", ["GET /task_runs/{id}"]),
    "work_pool": ("prefect.work-pool", "WorkPool", ["POST /work_pools/filter"]),
    "work_queue": ("prefect.work-queue", "WorkQueueWithStatus", ["GET /work_queues/{id}", "GET /work_queues/{id}/status"]),
    "concurrency_limit": ("prefect.concurrency-limit", "ConcurrencyLimitV2", ["GET /v2/concurrency_limits/{id}"]),
}


def notification_context(template: str) -> dict[str, Any]:
    """JinjaTemplateAction._template_context for one template, the API answering from the objects."""
    objects = NOTIFICATION_OBJECTS
    api = objects["api"]
    event = received_event(objects["event"])
    automation = automation_model(api[f"GET /automations/{objects['automation_id']}"])
    firing = model(
        "Firing",
        {
            "id": objects["firing"]["id"],
            "trigger": automation.trigger,
            "trigger_states": {TriggerState.Triggered},
            "triggered": _parse_dt(objects["firing"]["triggered"]),
            "triggering_labels": objects["firing"]["triggering_labels"],
            "triggering_firings": [],
            "triggering_event": event,
            "triggering_value": None,
        },
    )
    context: dict[str, Any] = {
        "automation": automation,
        "event": event,
        "labels": LabelDiver(objects["firing"]["triggering_labels"]),
        "firing": firing,
        "firings": [firing],
        "events": [event],
    }
    names = {n.name for n in render_environment.parse(template).find_all(nodes.Name) if n.ctx == "load"}
    for name in sorted(names & (set(ORCHESTRATION_KINDS) | {"variables"})):
        if name == "variables":
            context[name] = {v["name"]: v["value"] for v in api["POST /variables/filter"]}
            continue
        kind, cls, calls = ORCHESTRATION_KINDS[name]
        resource = next((r for r in event.involved_resources if r.id.rpartition(".")[0] == kind), None)
        obj = None
        if resource is not None:
            obj_id = resource.id.rpartition(".")[2]
            answers = [api.get(call.format(id=obj_id)) for call in calls]
            if all(a is not None for a in answers):
                data: dict = {}
                for answer in answers:
                    data.update(answer[0] if isinstance(answer, list) else answer)
                obj = instantiate(cls, data, resource)
        context[name] = obj
    return context


def write_notification_goldens(out: Path) -> None:
    templates = {f"ui wizard {k}": v for k, v in UI_WIZARD_TEMPLATES.items()} | MORE_NOTIFICATION_TEMPLATES
    cases = [{"name": name, "template": t, "expected": render(t, notification_context(t))} for name, t in templates.items()]
    document = {
        "generator": "scripts/goldens/jinja.py",
        "oracle": f"jinja2 {jinja2.__version__}, Prefect 3.8.3's JinjaTemplateAction context and render_user_template, restated",
        "ui_url": UI_URL,
        # As JSON text: a float such as 0.0 stays a float when the test reads it.
        "objects": json.dumps(NOTIFICATION_OBJECTS),
        "cases": cases,
    }
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{out.relative_to(ROOT)}: {len(cases)} cases")

if __name__ == "__main__":
    main()

