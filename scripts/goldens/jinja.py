"""Golden cases for our Jinja port (src/lib/jinja.ts), answered by Python.

Refresh (from the repository root):

    scripts/python-goldens.sh            # all ports, or:
    /usr/bin/python3 scripts/goldens/jinja.py

Writes test/goldens/jinja.json. Needs Debian's python3 with python3-jinja2.

Our port only checks templates (it does not render), as Prefect's `validate_user_template` does
before storing automation actions and notification templates or answering /templates/validate:
the template is parsed by jinja2's ImmutableSandboxedEnvironment (ChainableUndefined, async) and
its for-loops are counted (at most 10, nested at most 2 deep). Each case records the error's
message and line number (0 for the loop limits), or null. Prefect also loads
jinja2_humanize_extension, which adds filters only: filters are not looked up when parsing, so it
is left out here. Prefect asks for jinja2>=3.1.6 while Debian 12 has 3.1.2; on these cases the
two differ only where 3.1.5 began accepting a namespace attribute inside a set/for target tuple
(`{% set a.b, c = 1 %}`), which test/lib/jinja.golden.test.ts lists. Deterministic: fixed inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from jinja2 import ChainableUndefined, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


if __name__ == "__main__":
    main()
