import { describe, expect, it } from "vitest";
import { Replayer, type Entry } from "./replayer";
import flowsTasks from "../fixtures/transcripts/01_flows_tasks.json";
import retries from "../fixtures/transcripts/02_retries_failures.json";
import subflows from "../fixtures/transcripts/03_subflows.json";
import logs from "../fixtures/transcripts/04_logs.json";
import stateHistory from "../fixtures/transcripts/06_state_history.json";
import errors from "../fixtures/transcripts/15_errors.json";

/**
 * Each golden transcript replayed through HTTP: the SDK's requests in order (task-run events at
 * their time) must get the statuses and response shapes Prefect's own server answered.
 */
const cases: [string, Entry[]][] = [
  ["01 flows and tasks", flowsTasks as Entry[]],
  ["02 retries and failures", retries as Entry[]],
  ["03 subflows", subflows as Entry[]],
  ["04 logs", logs as Entry[]],
  ["06 state history", stateHistory as Entry[]],
  ["15 errors", errors as Entry[]],
];

describe("golden transcripts replay", () => {
  for (const [name, entries] of cases) {
    it(name, async () => {
      const differences = await new Replayer().run(entries);
      expect(differences).toEqual([]);
    });
  }
});
