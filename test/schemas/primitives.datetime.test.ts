/**
 * Datetime fields over HTTP: every form pydantic accepts is accepted (stored in UTC, echoed in
 * pydantic's JSON form), every form it refuses gets its 422 detail. The parser itself is pinned
 * case by case in test/lib/datetime.golden.test.ts.
 */
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

const newFlowRun = async (body: Record<string, unknown> = {}) => {
  const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
  return (await api("POST", "/flow_runs/", { flow_id: flow.id, ...body })).body;
};

describe("datetime fields", () => {
  it("store every accepted form of a log timestamp in UTC", async () => {
    const run = await newFlowRun();
    const sent: [unknown, string][] = [
      [1700000000, "2023-11-14T22:13:20.000000Z"],
      [1700000000123, "2023-11-14T22:13:20.123000Z"],
      [1700000000.5, "2023-11-14T22:13:20.500000Z"],
      ["1700000001", "2023-11-14T22:13:21.000000Z"],
      ["2023-11-14 22:13:22", "2023-11-14T22:13:22.000000Z"],
      ["2023-11-14t22:13:23z", "2023-11-14T22:13:23.000000Z"],
      ["2023-11-15T00:13:24.1234567+0200", "2023-11-14T22:13:24.123456Z"],
      ["2023-11-14T16:43:25,5-05:30", "2023-11-14T22:13:25.500000Z"],
      ["2023-11-15", "2023-11-15T00:00:00.000000Z"],
    ];
    const logs = sent.map(([timestamp], i) => ({ name: "dt", level: 20, message: `m${i}`, timestamp, flow_run_id: run.id }));
    expect((await api("POST", "/logs/", logs)).status).toBe(201);
    const read = await api("POST", "/logs/filter", { logs: { flow_run_id: { any_: [run.id] } }, sort: "TIMESTAMP_ASC" });
    expect(read.status).toBe(200);
    expect(read.body.map((l: any) => [l.message, l.timestamp])).toEqual(sent.map(([, utc], i) => [`m${i}`, utc]));
  });

  it("keep a sent offset in state details, in pydantic's JSON form, and UTC in the run's columns", async () => {
    const run = await newFlowRun({ state: { type: "SCHEDULED", state_details: { scheduled_time: "2031-01-01T02:00:00.000+02:00" } } });
    expect(run.state.state_details.scheduled_time).toBe("2031-01-01T02:00:00+02:00");
    expect(run.expected_start_time).toBe("2031-01-01T00:00:00.000000Z");
    expect(run.next_scheduled_start_time).toBe("2031-01-01T00:00:00.000000Z");

    const matches = async (before: unknown) => {
      const found = await api("POST", "/flow_runs/filter", { flow_runs: { id: { any_: [run.id] }, next_scheduled_start_time: { before_: before } } });
      expect(found.status).toBe(200);
      return found.body.length === 1;
    };
    expect(await matches("2031-01-01T00:00:00")).toBe(true); // naive: UTC
    expect(await matches("2031-01-01T01:59:59+02:00")).toBe(false);
    expect(await matches(1924992000)).toBe(true);
    expect(await matches(1924991999.999999)).toBe(false);
    expect(await matches("1924992000")).toBe(true);
  });

  it("store a task run's cache expiration in UTC, sent at creation or in a COMPLETED state", async () => {
    const run = await newFlowRun();
    const created = await api("POST", "/task_runs/", {
      flow_run_id: run.id,
      task_key: "t",
      dynamic_key: unique("k"),
      cache_expiration: "2031-01-01T02:00:00.5+02:00",
    });
    expect(created.body.cache_expiration).toBe("2031-01-01T00:00:00.500000Z");
    await api("POST", `/task_runs/${created.body.id}/set_state`, { state: { type: "RUNNING" } });
    const details = { cache_key: unique("cache"), cache_expiration: 1924999200 };
    const done = await api("POST", `/task_runs/${created.body.id}/set_state`, { state: { type: "COMPLETED", state_details: details } });
    expect(done.body.state.state_details.cache_expiration).toBe("2031-01-01T02:00:00Z");
    expect((await api("GET", `/task_runs/${created.body.id}`)).body.cache_expiration).toBe("2031-01-01T02:00:00.000000Z");
  });

  it("answer pydantic's error for a refused value", async () => {
    const detail = async (before: unknown) => {
      const res = await api("POST", "/flow_runs/filter", { flow_runs: { expected_start_time: { before_: before } } });
      expect(res.status).toBe(422);
      return res.body.exception_detail;
    };
    const loc = ["body", "flow_runs", "expected_start_time", "before_"];
    const parsing = (type: string, error: string, input: unknown) => {
      const lead = type === "datetime_parsing" ? "Input should be a valid datetime" : "Input should be a valid datetime or date";
      return [{ type, loc, msg: `${lead}, ${error}`, input, ctx: { error } }];
    };
    expect(await detail("2024-03-05T24:00:00Z")).toEqual(
      parsing("datetime_from_date_parsing", "unexpected extra characters at the end of the input", "2024-03-05T24:00:00Z"),
    );
    expect(await detail("2024-02-30")).toEqual(parsing("datetime_from_date_parsing", "day value is outside expected range", "2024-02-30"));
    expect(await detail("Tue, 05 Mar 2024 06:07:08 GMT")).toEqual(
      parsing("datetime_from_date_parsing", "invalid character in year", "Tue, 05 Mar 2024 06:07:08 GMT"),
    );
    expect(await detail("")).toEqual(parsing("datetime_from_date_parsing", "input is too short", ""));
    expect(await detail(1e20)).toEqual(parsing("datetime_parsing", "dates after 9999 are not supported as unix timestamps", 1e20));
    expect(await detail("0000-01-01T00:00:00Z")).toEqual(parsing("datetime_parsing", "year 0 is out of range", "0000-01-01T00:00:00Z"));
    expect(await detail(true)).toEqual([{ type: "datetime_type", loc, msg: "Input should be a valid datetime", input: true }]);
    expect(await detail({})).toEqual([{ type: "datetime_type", loc, msg: "Input should be a valid datetime", input: {} }]);
  });

  it("report a missing required datetime as missing", async () => {
    const res = await api("POST", "/flow_runs/history", { history_end: "2024-01-02T00:00:00Z", history_interval_seconds: 3600 });
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toHaveLength(1);
    expect(res.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "history_start"], msg: "Field required" });
  });

  it("read query parameters the same way", async () => {
    const run = await newFlowRun();
    expect((await api("GET", `/flow_runs/${run.id}/graph-v2?since=1700000000`)).status).toBe(200);
    const bad = await api("GET", `/flow_runs/${run.id}/graph-v2?since=yesterday`);
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "datetime_from_date_parsing", loc: ["query", "since"] });
  });

  it("refuse megabyte strings as pydantic does", async () => {
    const long = `2024-03-05T06:07:08.${"1".repeat(1 << 20)}`;
    expect(
      (await api("POST", "/flow_runs/filter", { flow_runs: { expected_start_time: { before_: long } }, limit: 1 })).status,
    ).toBe(200);
    for (const [text, error] of [
      [`2024-03-05T06:07:08Z${"x".repeat(1 << 20)}`, "unexpected extra characters at the end of the input"],
      ["9".repeat(1 << 20), "invalid date separator, expected `-`"],
      [`1.${"5".repeat(1 << 20)}e`, "invalid character in year"],
    ]) {
      const res = await api("POST", "/flow_runs/filter", { flow_runs: { expected_start_time: { before_: text } } });
      expect(res.status).toBe(422);
      expect(res.body.exception_detail[0].ctx).toEqual({ error });
    }
  });
});
