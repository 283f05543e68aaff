import { normalizeUuid } from "../../lib/ids";
import { toIso } from "../../lib/time";
import type {
  EventAnyResourceFilter,
  EventFilter,
  EventNameFilter,
  EventRelatedFilter,
  EventResourceFilter,
} from "../../schemas/prefect.gen";
import type { StoredEvent } from "../queries/events";
import { parseTextSearch } from "./logs";
import { BoundedCache } from "../../lib/bounded-cache";

/**
 * Prefect's EventFilter, both as SQL over `event`/`event_resource` (events-sql.ts: POST
 * /events/filter, counts, backfill) and in memory (here: the live /events/out stream), with one
 * meaning for both:
 *
 * - sub-filters are ANDed; a list given empty (`prefix: []`, `id: []` …) constrains nothing, as
 *   Prefect tests the lists for truthiness; `related` and `any_resource` may be lists, each ANDed;
 * - label values are patterns: `*` and `?` are wildcards, a leading `!` negates, a label the
 *   resource lacks never matches (negated or not), an empty list of values matches nothing;
 * - `resource` is the primary resource; `related` looks at related resources only (unless `role`
 *   is given, which may name the primary's empty role); `any_resource` looks at all of them;
 * - matching is case-sensitive (Prefect's in-memory matching; PostgreSQL's LIKE), and a name or id
 *   prefix is a plain prefix;
 * - `text` searches the event name, resource, related resources and payload (as stored JSON),
 *   case-insensitively: any bare term, no `-`/`!` term, every `+` term.
 */

/** A filter with Prefect's defaults applied: the occurred window is always bounded. */
export interface ResolvedEventFilter {
  occurred: { since: string; until: string };
  event?: EventNameFilter | null;
  resource?: EventResourceFilter | null;
  related?: EventRelatedFilter | EventRelatedFilter[] | null;
  any_resource?: EventAnyResourceFilter | EventAnyResourceFilter[] | null;
  id: { id: string[] | null };
  text?: { query: string } | null;
  order: "ASC" | "DESC";
  /** Only events received since then (not part of Prefect's filter: a subscriber's catch-up). */
  receivedSince?: string;
}

const DAY_MS = 86_400_000;

/** Prefect's default window: from the start of today (UTC) 180 days back, until now. */
export function resolveEventFilter(f: EventFilter | null | undefined, now = new Date()): ResolvedEventFilter {
  const startOfToday = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const since = f?.occurred?.since ? toIso(f.occurred.since) : toIso(startOfToday - 180 * DAY_MS);
  const until = f?.occurred?.until ? toIso(f.occurred.until) : toIso(now);
  const ids = f?.id?.id;
  return {
    occurred: { since, until },
    event: f?.event ?? null,
    resource: f?.resource ?? null,
    related: f?.related ?? null,
    any_resource: f?.any_resource ?? null,
    id: { id: ids ? ids.map(normalizeUuid) : null },
    text: f?.text ?? null,
    order: f?.order ?? "DESC",
  };
}

/** Limits how far back the filter looks (the /events/out backfill's maximum). */
export function clampSince(f: ResolvedEventFilter, maxLookbackMs: number, now = Date.now()): ResolvedEventFilter {
  const earliest = toIso(now - maxLookbackMs);
  return { ...f, occurred: { ...f.occurred, since: f.occurred.since < earliest ? earliest : f.occurred.since } };
}

export const nonEmpty = <T>(v: T[] | null | undefined): v is T[] => Array.isArray(v) && v.length > 0;
export const listOf = <T>(v: T | T[] | null | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

/** The most rows the filter can match, whatever the page size (Prefect's `logical_limit`). */
export function logicalLimit(f: ResolvedEventFilter): number {
  return nonEmpty(f.id.id) ? f.id.id.length : Number.MAX_SAFE_INTEGER;
}

// ---------------------------------------------------------------------------------------------
// Label specifications
// ---------------------------------------------------------------------------------------------

export type Spec = Record<string, string | string[]>;

/** A spec's values as lists; a falsy value (empty string or list) reads as an empty list. */
function specValues(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return Array.isArray(value) ? value : [value];
}

export interface SplitSpec {
  ids: string[];
  roles: string[];
  /** Other labels, each with its patterns (an empty list matches nothing). */
  labels: [string, string[]][];
}

/**
 * As Prefect reads a spec against event_resource rows: `prefect.resource.id` (and, for related
 * and any-resource filters, `prefect.resource.role`) are taken out and matched against the row's
 * columns — given empty, they constrain nothing; every other label is matched in the row's labels.
 */
export function splitSpec(spec: Spec, popRole: boolean): SplitSpec {
  const rest: Spec = { ...spec };
  const ids = specValues(rest["prefect.resource.id"]);
  delete rest["prefect.resource.id"];
  let roles: string[] = [];
  if (popRole) {
    roles = specValues(rest["prefect.resource.role"]);
    delete rest["prefect.resource.role"];
  }
  const labels = Object.entries(rest).map(([k, v]): [string, string[]] => [k, typeof v === "string" ? [v] : v]);
  return { ids, roles, labels };
}

export const isEmptySpec = (spec: Spec | null | undefined): spec is null | undefined => !spec || Object.keys(spec).length === 0;

function wildcardRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

/** Compiled label patterns; a client's long pattern is compiled on each use rather than kept. */
export const labelPatterns = new BoundedCache<RegExp>(1000, 1000);

/** One label pattern against a value (Prefect's `matches`): a missing value never matches. */
export function labelMatches(expected: string, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  const negated = expected.startsWith("!");
  const pattern = negated ? expected.slice(1) : expected;
  const hit = labelPatterns.getOrSet(pattern, () => wildcardRegex(pattern)).test(value);
  return negated ? !hit : hit;
}

// ---------------------------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------------------------

interface Candidate {
  id: string;
  role: string;
  labels: Record<string, string>;
}

function candidatesOf(e: StoredEvent): { primary: Candidate; related: Candidate[] } {
  return {
    primary: { id: e.resource["prefect.resource.id"], role: "", labels: e.resource },
    related: e.related.map((r) => ({ id: r["prefect.resource.id"], role: r["prefect.resource.role"] ?? "", labels: r })),
  };
}

function specMatches(split: SplitSpec, c: Candidate): boolean {
  if (split.ids.length && !split.ids.some((p) => labelMatches(p, c.id))) return false;
  if (split.roles.length && !split.roles.includes(c.role)) return false;
  return split.labels.every(([label, patterns]) => {
    if (label === "prefect.resource.id" || label === "prefect.resource.role") return false;
    return patterns.some((p) => labelMatches(p, c.labels[label]));
  });
}

function nameMatches(f: EventNameFilter, name: string): boolean {
  if (nonEmpty(f.prefix) && !f.prefix.some((p) => name.startsWith(p))) return false;
  if (nonEmpty(f.exclude_prefix) && f.exclude_prefix.some((p) => name.startsWith(p))) return false;
  if (nonEmpty(f.name) && !f.name.includes(name)) return false;
  if (nonEmpty(f.exclude_name) && f.exclude_name.includes(name)) return false;
  return true;
}

function resourceMatches(f: EventResourceFilter, c: Candidate): boolean {
  if (nonEmpty(f.id) && !f.id.includes(c.id)) return false;
  if (nonEmpty(f.id_prefix) && !f.id_prefix.some((p) => c.id.startsWith(p))) return false;
  if (!isEmptySpec(f.labels) && !specMatches(splitSpec(f.labels, false), c)) return false;
  return true;
}

export function relatedConstrains(f: EventRelatedFilter): boolean {
  return nonEmpty(f.id) || nonEmpty(f.role) || nonEmpty(f.resources_in_roles) || !isEmptySpec(f.labels);
}

function relatedMatches(f: EventRelatedFilter, e: StoredEvent): boolean {
  if (!relatedConstrains(f)) return true;
  const { primary, related } = candidatesOf(e);
  // Without a role to look for, the primary resource (role "") is never a related one.
  const candidates = nonEmpty(f.role) ? [primary, ...related] : related;
  const split = isEmptySpec(f.labels) ? null : splitSpec(f.labels, true);
  return candidates.some((c) => {
    if (!nonEmpty(f.role) && c.role === "") return false;
    if (nonEmpty(f.id) && !f.id.includes(c.id)) return false;
    if (nonEmpty(f.role) && !f.role.includes(c.role)) return false;
    if (nonEmpty(f.resources_in_roles) && !f.resources_in_roles.some(([id, role]) => c.id === id && c.role === role)) return false;
    if (split && !specMatches(split, c)) return false;
    return true;
  });
}

function anyResourceMatches(f: EventAnyResourceFilter, e: StoredEvent): boolean {
  if (!nonEmpty(f.id) && !nonEmpty(f.id_prefix) && isEmptySpec(f.labels)) return true;
  const { primary, related } = candidatesOf(e);
  const split = isEmptySpec(f.labels) ? null : splitSpec(f.labels, true);
  return [primary, ...related].some((c) => {
    if (nonEmpty(f.id) && !f.id.includes(c.id)) return false;
    if (nonEmpty(f.id_prefix) && !f.id_prefix.some((p) => c.id.startsWith(p))) return false;
    if (split && !specMatches(split, c)) return false;
    return true;
  });
}

/** The text a text filter searches, as the SQL side concatenates it. */
function searchableText(e: StoredEvent): string {
  return `${e.event} ${JSON.stringify(e.resource)} ${JSON.stringify(e.related)} ${JSON.stringify(e.payload)}`.toLowerCase();
}

function textMatches(query: string, e: StoredEvent): boolean {
  if (!query.trim()) return true;
  const { include, exclude, required } = parseTextSearch(query);
  const text = searchableText(e);
  const has = (t: string) => text.includes(t.toLowerCase());
  if (include.length && !include.some(has)) return false;
  if (exclude.length && exclude.some(has)) return false;
  if (required.length && !required.every(has)) return false;
  return true;
}

/** Does the event match the filter? (the live stream's test; the SQL below means the same) */
export function eventMatches(f: ResolvedEventFilter, e: StoredEvent): boolean {
  if (e.occurred < f.occurred.since || e.occurred > f.occurred.until) return false;
  if (f.event && !nameMatches(f.event, e.event)) return false;
  if (f.resource && !resourceMatches(f.resource, candidatesOf(e).primary)) return false;
  if (!listOf(f.related).every((r) => relatedMatches(r, e))) return false;
  if (!listOf(f.any_resource).every((r) => anyResourceMatches(r, e))) return false;
  if (nonEmpty(f.id.id) && !f.id.id.includes(e.id)) return false;
  if (f.text && !textMatches(f.text.query, e)) return false;
  return true;
}
