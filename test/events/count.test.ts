import { beforeAll, describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** Midnight UTC `n` days ago. */
const daysAgo = (n: number) => today - n * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

const tag = unique("counts");
const NAMES = [`${tag}.happened`, `${tag}.happened`, `${tag}.happened`, `${tag}.didnt`, `${tag}.didnt`, `${tag}.other`];
const RESOURCES = [
  { "prefect.resource.id": `${tag}.foo.1`, "prefect.resource.name": "Foo One" },
  { "prefect.resource.id": `${tag}.foo.2`, "prefect.name": "Foo Two" },
  { "prefect.resource.id": `${tag}.foo.3` },
];

/** 12 events a day for 5 days (5 days ago to yesterday), at hours 0..11. */
const events = [5, 4, 3, 2, 1].flatMap((n) =>
  Array.from({ length: 12 }, (_, i) => ({
    id: crypto.randomUUID(),
    occurred: iso(daysAgo(n) + i * 3_600_000 + i * 60_000),
    event: NAMES[i % NAMES.length],
    resource: RESOURCES[i % RESOURCES.length],
    related: [],
    payload: {},
  })),
);

const window = { occurred: { since: iso(daysAgo(5)), until: iso(daysAgo(0) - 1) }, event: { prefix: [`${tag}.`] } };

beforeAll(async () => {
  const res = await api("POST", "/events", events);
  expect(res.status).toBe(204);
});

async function count(countable: string, body: unknown) {
  const res = await api("POST", `/events/count-by/${countable}`, body);
  expect(res.status, res.text).toBe(200);
  return res.body as { value: string; label: string; count: number; start_time: string; end_time: string }[];
}

describe("POST /events/count-by/{countable}", () => {
  it("counts by day, one bucket per day of the window, valued by position", async () => {
    const counts = await count("day", { filter: window });
    expect(counts).toEqual(
      [5, 4, 3, 2, 1].map((n, i) => ({
        value: String(i),
        label: `${day(daysAgo(n))}T00:00:00+00:00`,
        count: 12,
        start_time: `${day(daysAgo(n))}T00:00:00.000000Z`,
        end_time: `${day(daysAgo(n))}T23:59:59.999999Z`,
      })),
    );
  });

  it("backfills empty buckets, and stops at the end of the current one", async () => {
    const counts = await count("day", { filter: { ...window, occurred: { since: iso(daysAgo(7)), until: iso(Date.now() + 3 * DAY) } } });
    // 7 days ago .. today: the future is not bucketed beyond today.
    expect(counts.map((c) => c.count)).toEqual([0, 0, 12, 12, 12, 12, 12, 0]);
    expect(counts.at(-1)!.label).toBe(`${day(today)}T00:00:00+00:00`);
  });

  it("counts by time in hours and in multi-unit intervals", async () => {
    const hours = await count("time", { filter: { ...window, occurred: { since: iso(daysAgo(1)), until: iso(daysAgo(0) - 1) } }, time_unit: "hour" });
    expect(hours).toHaveLength(24);
    expect(hours.map((c) => c.count)).toEqual([...Array(12).fill(1), ...Array(12).fill(0)]);
    expect(hours[3]).toEqual({
      value: "3",
      label: `${day(daysAgo(1))}T03:00:00+00:00`,
      count: 1,
      start_time: `${day(daysAgo(1))}T03:00:00.000000Z`,
      end_time: `${day(daysAgo(1))}T03:59:59.999999Z`,
    });
    const sixHours = await count("time", {
      filter: { ...window, occurred: { since: iso(daysAgo(1)), until: iso(daysAgo(0) - 1) } },
      time_unit: "hour",
      time_interval: 6,
    });
    expect(sixHours.map((c) => c.count)).toEqual([6, 6, 0, 0]);
    const halfDays = await count("time", { filter: window, time_unit: "day", time_interval: 0.5 });
    expect(halfDays).toHaveLength(10);
    expect(halfDays.map((c) => c.count)).toEqual([12, 0, 12, 0, 12, 0, 12, 0, 12, 0]);
    expect(halfDays[1].label).toBe(`${day(daysAgo(5))}T12:00:00+00:00`);
  });

  it("counts by event name, most frequent first", async () => {
    const counts = await count("event", { filter: window });
    expect(counts.map(({ value, label, count }) => ({ value, label, count }))).toEqual([
      { value: `${tag}.happened`, label: `${tag}.happened`, count: 30 },
      { value: `${tag}.didnt`, label: `${tag}.didnt`, count: 20 },
      { value: `${tag}.other`, label: `${tag}.other`, count: 10 },
    ]);
    const happened = events.filter((e) => e.event === `${tag}.happened`).map((e) => e.occurred.replace(/\.(\d+)Z$/, (_, f) => `.${f.padEnd(6, "0")}Z`));
    expect(counts[0].start_time).toBe(happened[0]);
    expect(counts[0].end_time).toBe(happened.at(-1));
  });

  it("counts by resource, labelled with the resource's name", async () => {
    const counts = await count("resource", { filter: window });
    expect(counts.map(({ value, label, count }) => ({ value, label, count }))).toEqual([
      { value: `${tag}.foo.1`, label: "Foo One", count: 20 },
      { value: `${tag}.foo.2`, label: "Foo Two", count: 20 },
      { value: `${tag}.foo.3`, label: `${tag}.foo.3`, count: 20 },
    ]);
  });

  it("answers Prefect's 422s for bad parameters", async () => {
    const tooMany = await api("POST", "/events/count-by/time", { filter: window, time_unit: "minute" });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body).toEqual({
      detail:
        "The given interval would create 7200 buckets, which is too many. Please increase the interval or reduce the time range to produce 1000 buckets or fewer.",
    });
    const badCountable = await api("POST", "/events/count-by/nope", { filter: window });
    expect(badCountable.status).toBe(422);
    expect(badCountable.body.exception_detail[0]).toMatchObject({ type: "enum", loc: ["path", "countable"] });
    expect((await api("POST", "/events/count-by/day", {})).status).toBe(422); // the filter is required
    expect((await api("POST", "/events/count-by/day", { filter: window, time_interval: 0.001 })).status).toBe(422);
    expect((await api("POST", "/events/count-by/day", { filter: window, time_unit: "month" })).status).toBe(422);
  });
});
