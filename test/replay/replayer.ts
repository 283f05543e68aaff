import { api } from "../helpers";

/**
 * Replays a golden transcript (real Prefect 3.8.3 SDK ↔ server traffic, test/fixtures/transcripts)
 * against our worker and lists every difference in status code or response shape.
 *
 * Server-made ids differ between the two servers, so ids are mapped as they appear: wherever the
 * transcript's response and ours hold a UUID at the same place, later requests have the
 * transcript's id replaced by ours. Timestamps, durations and generated names are compared by form,
 * everything else by value.
 */

export interface HttpEntry {
  seq: number;
  kind: "http";
  method: string;
  path: string;
  query: string;
  request_body: unknown;
  status: number;
  response_body: unknown;
  response_bytes: number;
  t: string;
}

export interface WsEntry {
  seq: number;
  kind: "websocket";
  path: string;
  client_messages: any[];
  t: string;
}

export type Entry = HttpEntry | WsEntry;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
/** Values that depend on the clock, not on behaviour: compared by type only. */
const CLOCK_KEYS = new Set([
  "total_run_time",
  "estimated_run_time",
  "estimated_start_time_delta",
  "delay_seconds",
  "sum_estimated_run_time",
  "sum_estimated_lateness",
]);
const GENERATED_NAME = /^[a-z]+-[a-z]+$/;

export interface ReplayOptions {
  /** Only replay these sequence numbers (default: all). */
  seqs?: (seq: number) => boolean;
}

export class Replayer {
  readonly ids = new Map<string, string>();
  readonly differences: string[] = [];

  constructor(private readonly options: ReplayOptions = {}) {}

  private mapIds(text: string): string {
    return text.replace(UUID_ANYWHERE, (id) => this.ids.get(id) ?? id);
  }

  private learnIds(theirs: unknown, ours: unknown): void {
    if (typeof theirs === "string" && typeof ours === "string") {
      if (UUID.test(theirs) && UUID.test(ours) && !this.ids.has(theirs) && theirs !== ours) this.ids.set(theirs, ours);
      return;
    }
    if (Array.isArray(theirs) && Array.isArray(ours)) {
      theirs.forEach((t, i) => this.learnIds(t, ours[i]));
      return;
    }
    if (theirs && ours && typeof theirs === "object" && typeof ours === "object") {
      for (const [k, v] of Object.entries(theirs)) this.learnIds(v, (ours as Record<string, unknown>)[k]);
    }
  }

  private differ(where: string, what: string): void {
    this.differences.push(`${where}: ${what}`);
  }

  private compare(where: string, theirs: unknown, ours: unknown, key = ""): void {
    if (theirs === null || theirs === undefined) {
      if (ours !== null && ours !== undefined) this.differ(where, `expected null, got ${JSON.stringify(ours)}`);
      return;
    }
    if (typeof theirs === "string") {
      if (typeof ours !== "string") return this.differ(where, `expected string ${JSON.stringify(theirs)}, got ${JSON.stringify(ours)}`);
      if (UUID.test(theirs)) {
        const expected = this.ids.get(theirs) ?? theirs;
        if (UUID.test(ours) && (expected === ours || !this.ids.has(theirs))) return;
        return this.differ(where, `expected id ${expected}, got ${ours}`);
      }
      if (ISO.test(theirs)) {
        if (!ISO.test(ours)) this.differ(where, `expected a timestamp, got ${ours}`);
        return;
      }
      if (key === "name" && GENERATED_NAME.test(theirs) && GENERATED_NAME.test(ours)) return;
      if (theirs !== this.mapIds(ours) && this.mapIds(theirs) !== ours) this.differ(where, `expected ${JSON.stringify(theirs)}, got ${JSON.stringify(ours)}`);
      return;
    }
    if (typeof theirs === "number") {
      if (typeof ours !== "number") return this.differ(where, `expected number ${theirs}, got ${JSON.stringify(ours)}`);
      if (!CLOCK_KEYS.has(key) && theirs !== ours) this.differ(where, `expected ${theirs}, got ${ours}`);
      return;
    }
    if (typeof theirs === "boolean") {
      if (theirs !== ours) this.differ(where, `expected ${theirs}, got ${JSON.stringify(ours)}`);
      return;
    }
    if (Array.isArray(theirs)) {
      if (!Array.isArray(ours)) return this.differ(where, `expected a list, got ${JSON.stringify(ours)}`);
      if (theirs.length !== ours.length) return this.differ(where, `expected ${theirs.length} items, got ${ours.length}`);
      theirs.forEach((t, i) => this.compare(`${where}[${i}]`, t, ours[i], key));
      return;
    }
    if (typeof ours !== "object" || ours === null || Array.isArray(ours))
      return this.differ(where, `expected an object, got ${JSON.stringify(ours)}`);
    const t = theirs as Record<string, unknown>;
    const o = ours as Record<string, unknown>;
    for (const k of Object.keys(t)) {
      if (!(k in o)) this.differ(`${where}.${k}`, "missing");
      else this.compare(`${where}.${k}`, t[k], o[k], k);
    }
    for (const k of Object.keys(o)) if (!(k in t)) this.differ(`${where}.${k}`, "unexpected field");
  }

  /** Our items in their order, where each of their items' id is already known to map to ours. */
  private alignById(theirs: any[], ours: any[]): any[] {
    const byOurId = new Map(ours.map((o) => [o?.id, o]));
    const aligned = theirs.map((t) => byOurId.get(this.ids.get(t?.id) ?? t?.id));
    return aligned.every((o) => o !== undefined) && aligned.length === ours.length ? aligned : ours;
  }

  async http(entry: HttpEntry): Promise<void> {
    const path = this.mapIds(entry.path) + (entry.query ? `?${this.mapIds(entry.query)}` : "");
    const body =
      entry.request_body === null || entry.request_body === undefined
        ? undefined
        : typeof entry.request_body === "string"
          ? entry.request_body
          : JSON.parse(this.mapIds(JSON.stringify(entry.request_body)));
    const res = await api(entry.method, path, body);
    const where = `seq ${entry.seq} ${entry.method} ${entry.path}`;
    if (res.status !== entry.status) this.differ(where, `status ${res.status}, expected ${entry.status}: ${res.text.slice(0, 300)}`);
    if (entry.status < 300 && res.status < 300) {
      // Ordered by id (random UUIDs): our ids differ from theirs, so their order cannot be replayed.
      const byId = /\/filter$/.test(entry.path) && (!body?.sort || body.sort === "ID_DESC");
      if (byId && Array.isArray(entry.response_body) && Array.isArray(res.body)) res.body = this.alignById(entry.response_body, res.body);
      this.learnIds(entry.response_body, res.body);
      if (entry.response_bytes === 0 && res.text !== "") this.differ(where, `expected an empty body, got ${res.text.slice(0, 100)}`);
      else this.compare(where, entry.response_body, res.body);
    }
  }

  /** Sends client events as the SDK's events client does (here through POST /events, synchronously). */
  async events(events: any[]): Promise<void> {
    if (!events.length) return;
    const body = JSON.parse(this.mapIds(JSON.stringify(events)));
    const res = await api("POST", "/events", body);
    if (res.status >= 300) this.differ("events", `POST /events answered ${res.status}: ${res.text.slice(0, 300)}`);
  }

  /**
   * The whole transcript in time order: HTTP exchanges at their arrival time, each WebSocket
   * event at its `occurred` time (the sessions ran in parallel with the HTTP traffic).
   */
  async run(entries: Entry[]): Promise<string[]> {
    type Step = { at: string; seq: number; http?: HttpEntry; event?: any };
    const steps: Step[] = [];
    for (const e of entries) {
      if (this.options.seqs && !this.options.seqs(e.seq)) continue;
      if (e.kind === "http") steps.push({ at: e.t, seq: e.seq, http: e });
      else if (e.path === "/events/in")
        for (const m of e.client_messages) if (m && m.event) steps.push({ at: m.occurred ?? e.t, seq: e.seq, event: m });
    }
    steps.sort((a, b) => (Date.parse(a.at) - Date.parse(b.at)) || a.seq - b.seq);
    let pending: any[] = [];
    for (const step of steps) {
      if (step.event) {
        pending.push(step.event);
        continue;
      }
      await this.events(pending);
      pending = [];
      await this.http(step.http!);
    }
    await this.events(pending);
    return this.differences;
  }
}
