/**
 * What the goldens cannot show: our own bounds (Prefect has none beyond loops and ranges), the
 * error type the engine records, and the context builders for Prefect's objects.
 */
import { describe, expect, it } from "vitest";
import { maybeTemplate, namesReadByTemplates, prefectEvent, prefectModel, renderUserTemplate, TemplateRenderError } from "../../src/lib/jinja";

const failure = (template: string, context: Record<string, unknown> = {}, limits = {}) => {
  try {
    renderUserTemplate(template, context, { limits });
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateRenderError);
    return err as TemplateRenderError;
  }
  throw new Error("rendered");
};

describe("renderUserTemplate", () => {
  it("returns text that is no template as it is, without parsing it", () => {
    expect(maybeTemplate("{# x #}")).toBe(false);
    expect(renderUserTemplate("{# not closed", {})).toBe("{# not closed");
    expect(renderUserTemplate("{{ 1 + 1 }}", {})).toBe("2");
  });

  it("fails with Prefect's message and the Python exception's class", () => {
    const err = failure("{{ 1 / 0 }}");
    expect(err.message).toBe("Failed to render template due to the following error: ZeroDivisionError('division by zero')");
    expect(err.error.pyClass).toBe("ZeroDivisionError");
    expect(err.template).toBe("{{ 1 / 0 }}");
  });

  it("bounds output, strings built and loop iterations (our limits, beyond Prefect's)", () => {
    expect(failure("{{ 'x' * 2000 }}", {}, { maxOutput: 1000 }).error.pyClass).toBe("SecurityError");
    expect(failure("{% for i in range(100) %}{{ 'abcdefghij' }}{% endfor %}", {}, { maxOutput: 500 }).error.pyClass).toBe("SecurityError");
    expect(failure("{% for a in range(100) %}{% for b in range(100) %}{% endfor %}{% endfor %}", {}, { maxSteps: 5000 }).error.pyClass).toBe("SecurityError");
    expect(failure("{% for a in x %}{% for b in x %}{{ a ~ b }}{% endfor %}{% endfor %}", { x: "a".repeat(3000) }).error.pyClass).toBe("SecurityError");
    expect(renderUserTemplate("{% for a in range(100) %}{% for b in range(100) %}.{% endfor %}{% endfor %}", {}).length).toBe(10_000);
  });

  it("fails a deeply recursive macro instead of crashing the isolate", () => {
    const err = failure("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", {}, { maxSteps: 1e9 });
    expect(err.error.message).toBe("maximum recursion depth exceeded");
  });
});

describe("Prefect objects in the context", () => {
  const flowRun = prefectModel("FlowRun", {
    id: "0b7a9c8e-1d2f-4a3b-9c8d-7e6f5a4b3c2d",
    name: "crimson-otter",
    total_run_time: 366.25,
    start_time: "2026-03-14T14:58:00Z",
    state: { type: "FAILED", name: "Failed", timestamp: "2026-03-14T15:04:05.123456Z", message: "boom" },
  });

  it("prints datetimes, durations and state types as Python does", () => {
    const out = renderUserTemplate(
      "{{ flow_run.state.timestamp }}|{{ flow_run.total_run_time }}|{{ flow_run.state.type }}|{{ flow_run.state.type == 'FAILED' }}|{{ flow_run.state.type.value }}|{{ flow_run.state.is_failed() }}|{{ flow_run.state.is_final() }}",
      { flow_run: flowRun },
    );
    expect(out).toBe("2026-03-14 15:04:05.123456+00:00|0:06:06.250000|StateType.FAILED|True|FAILED|True|True");
  });

  it("builds UI links from the configured UI URL", () => {
    const ctx = { flow_run: flowRun };
    expect(renderUserTemplate("{{ flow_run | ui_url }}", ctx, { uiUrl: "http://127.0.0.1:4200" })).toBe(
      "http://127.0.0.1:4200/runs/flow-run/0b7a9c8e-1d2f-4a3b-9c8d-7e6f5a4b3c2d",
    );
    expect(renderUserTemplate("{{ flow_run | ui_url }}", ctx)).toBe("None");
    expect(renderUserTemplate("{{ flow_run | tojson }}", ctx)).toContain('"start_time": "2026-03-14T14:58:00Z"');
  });

  it("gives events their resources, related resources and datetimes", () => {
    const event = prefectEvent({
      id: "12345678-1234-4234-8234-123456789abc",
      occurred: "2026-03-14T15:04:05Z",
      event: "prefect.flow-run.Failed",
      resource: { "prefect.resource.id": "prefect.flow-run.abc", "prefect.resource.name": "otter" },
      related: [{ "prefect.resource.id": "prefect.flow.def", "prefect.resource.role": "flow" }],
      payload: { validated_state: { type: "FAILED" } },
    });
    const out = renderUserTemplate(
      "{{ event.resource.name }}|{{ event.related[0].role }}|{{ event.related[0].id }}|{{ event.occurred.strftime('%H:%M') }}|{{ event | ui_url }}|{{ event.resource | ui_resource_events_url }}",
      { event },
      { uiUrl: "http://ui/" },
    );
    expect(out).toBe("otter|flow|prefect.flow.def|15:04|http://ui/events/event/2026-03-14/12345678-1234-4234-8234-123456789abc|http://ui/events?resource=prefect.flow-run.abc");
  });
});

describe("namesReadByTemplates (Prefect's matching_types_in_templates)", () => {
  const TYPES = ["flow_run", "deployment", "flow", "task_run", "work_pool", "work_queue", "concurrency_limit", "variables"];
  // Each answer is jinja2's: the Name nodes in load context among the types.
  it.each([
    [["{{ flow_run.name }} {{ event.id }}"], ["flow_run"]],
    [["{% for x in variables %}{{ x }}{% endfor %}", "{% if deployment %}{{ flow | ui_url }}{% endif %}"], ["deployment", "flow", "variables"]],
    [["{% set flow_run = 1 %}"], []],
    [["{% for work_pool in x %}{{ work_pool }}{% endfor %}"], ["work_pool"]],
    [['{{ "flow_run" }} {{ x.flow_run }} {{ d["deployment"] }}'], []],
    [["{% macro m(task_run) %}{{ task_run }}{% endmacro %}{{ m(work_queue) }}"], ["task_run", "work_queue"]],
  ])("%j reads %j", (templates, expected) => {
    expect(namesReadByTemplates(templates, TYPES).sort()).toEqual(expected);
  });
});

describe("humanize_activate (English only: humanize's translations are not ported)", () => {
  it("activates English as humanize does, and fails for another locale instead of rendering English", () => {
    expect(renderUserTemplate("{{ ('en_US' | humanize_activate) is none }}{{ 1 | humanize_deactivate }}", {})).toBe("FalseNone");
    expect(failure("{{ 'fr_FR' | humanize_activate }}").error.pyClass).toBe("FileNotFoundError");
  });
});
