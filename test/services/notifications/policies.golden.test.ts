import { describe, expect, it } from "vitest";
import { pyFormat, PyFormatError } from "../../../src/lib/python";
import { DEFAULT_MESSAGE_TEMPLATE, policyMessageValues } from "../../../src/services/notifications/policies";
import goldens from "../../goldens/notification_policy_messages.json";

type Row = Parameters<typeof policyMessageValues>[0];

describe("Prefect 2.x notification policy messages (Python goldens)", () => {
  it("the default template is Prefect 2's", () => {
    expect(DEFAULT_MESSAGE_TEMPLATE).toBe(goldens.cases[0].template);
  });

  it.each(goldens.cases.map((c, i) => [i, c] as const))("case %i formats as Python's str.format", (_i, c) => {
    const row = { ...c.row, message_template: c.template, block_document_id: "" } as unknown as Row;
    const format = () => pyFormat(c.template, policyMessageValues(row, goldens.url + c.row.flow_run_id));
    if ("error" in c) {
      expect(format).toThrow(PyFormatError);
      expect(format).toThrow(c.error as string);
    } else expect(format()).toBe(c.message);
  });
});
