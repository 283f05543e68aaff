import { sql, type SQL } from "drizzle-orm";
import type { EventAnyResourceFilter, EventNameFilter, EventRelatedFilter, EventResourceFilter } from "../../schemas/prefect.gen";
import { inList, notInList } from "../lists";
import {
  isEmptySpec,
  listOf,
  nonEmpty,
  relatedConstrains,
  splitSpec,
  type ResolvedEventFilter,
  type SplitSpec,
  type Spec,
} from "./events";
import { balanced } from "./core";
import { parseTextSearch } from "./logs";
import { encodePatterns, GLOB, matchesEncoded, someMatches, type PatternItem } from "./patterns";

/**
 * Prefect's EventFilter as SQL over `event` and `event_resource` (POST /events/filter, counts,
 * the /events/out backfill), meaning what `eventMatches` (events.ts) means in memory. Every list
 * is bound as one JSON parameter, so filters of any size fit D1's 100 parameters: a list of more
 * than INLINE related (or any-resource) filters is bound whole too, as the rows it asks for.
 */

const TRUE = sql`1`;

// Lists are bound as one JSON parameter each (D1 binds at most 100 parameters a statement).
const json = (v: unknown) => JSON.stringify(v);

const EV = {
  id: sql.raw(`"event"."id"`),
  occurred: sql.raw(`"event"."occurred"`),
  received: sql.raw(`"event"."received"`),
  event: sql.raw(`"event"."event"`),
  resourceId: sql.raw(`"event"."resource_id"`),
  resource: sql.raw(`"event"."resource"`),
  related: sql.raw(`"event"."related"`),
  payload: sql.raw(`"event"."payload"`),
};
const ER = {
  occurred: sql.raw(`"event_resource"."occurred"`),
  resourceId: sql.raw(`"event_resource"."resource_id"`),
  role: sql.raw(`"event_resource"."resource_role"`),
  resource: sql.raw(`"event_resource"."resource"`),
  eventId: sql.raw(`"event_resource"."event_id"`),
};

const anyPrefix = (col: SQL, prefixes: string[]): SQL =>
  sql`EXISTS (SELECT 1 FROM json_each(${json(prefixes)}) AS p WHERE substr(${col}, 1, length(p.value)) = p.value)`;

/** Label patterns as pattern items: a leading `!` negates. */
const patternItems = (patterns: string[]): PatternItem[] =>
  patterns.map((p) => (p.startsWith("!") ? { pattern: p.slice(1), negated: true } : { pattern: p }));

/** Any of the label patterns matches the column (a NULL column matches none). */
const patternsMatch = (col: SQL, patterns: string[]): SQL => someMatches(col, patternItems(patterns), GLOB);

/**
 * Every other label of the spec has a value matching one of its patterns: the labels and their
 * encoded patterns bound as one JSON parameter, however many there are. A label given no
 * patterns matches nothing; a label the resource lacks never matches.
 */
function labelsMatch(labels: [string, string[]][]): SQL {
  return labelsMatchIn(sql`${json(encodedLabels(labels))}`);
}

const encodedLabels = (labels: [string, string[]][]) => labels.map(([label, patterns]) => [label, encodePatterns(patternItems(patterns), GLOB)]);

/** labelsMatch over a JSON list (an SQL expression) of labels with their encoded patterns. */
function labelsMatchIn(list: SQL): SQL {
  const value = sql`(SELECT value FROM json_each(${ER.resource}) WHERE key = json_extract(lb.value, '$[0]'))`;
  const hit = matchesEncoded(value, sql`json_extract(lb.value, '$[1].s')`, sql`json_extract(lb.value, '$[1].l')`, GLOB);
  return sql`NOT EXISTS (SELECT 1 FROM json_each(${list}) AS lb WHERE NOT ${hit})`;
}

function specConds(split: SplitSpec): SQL[] {
  const out: SQL[] = [];
  if (split.ids.length) out.push(patternsMatch(ER.resourceId, split.ids));
  if (split.roles.length) out.push(inList(ER.role, split.roles));
  if (split.labels.length) out.push(labelsMatch(split.labels));
  return out;
}

const and = (conds: SQL[]): SQL => (conds.length ? balanced(conds, "AND") : TRUE);

/** Events with an event_resource row (in the filter's window) meeting every condition. */
function withResourceRow(f: ResolvedEventFilter, conds: SQL[]): SQL {
  return sql`${EV.id} IN (SELECT ${ER.eventId} FROM "event_resource" WHERE ${and([
    sql`${ER.occurred} >= ${f.occurred.since}`,
    sql`${ER.occurred} <= ${f.occurred.until}`,
    ...conds,
  ])})`;
}

function nameConds(f: EventNameFilter): SQL[] {
  const out: SQL[] = [];
  if (nonEmpty(f.prefix)) out.push(anyPrefix(EV.event, f.prefix));
  if (nonEmpty(f.exclude_prefix)) out.push(sql`NOT ${anyPrefix(EV.event, f.exclude_prefix)}`);
  if (nonEmpty(f.name)) out.push(inList(EV.event, f.name));
  if (nonEmpty(f.exclude_name)) out.push(notInList(EV.event, f.exclude_name));
  return out;
}

function resourceConds(rf: ResolvedEventFilter, f: EventResourceFilter): SQL[] {
  const out: SQL[] = [];
  if (nonEmpty(f.id)) out.push(inList(EV.resourceId, f.id));
  if (nonEmpty(f.id_prefix)) out.push(anyPrefix(EV.resourceId, f.id_prefix));
  if (!isEmptySpec(f.labels)) out.push(withResourceRow(rf, [sql`${ER.role} = ''`, ...specConds(splitSpec(f.labels, false))]));
  return out;
}

function relatedConds(rf: ResolvedEventFilter, f: EventRelatedFilter): SQL[] {
  const conds: SQL[] = [];
  if (nonEmpty(f.id)) conds.push(inList(ER.resourceId, f.id));
  if (nonEmpty(f.role)) conds.push(inList(ER.role, f.role));
  if (nonEmpty(f.resources_in_roles))
    conds.push(
      sql`EXISTS (SELECT 1 FROM json_each(${json(f.resources_in_roles)}) AS p WHERE json_extract(p.value, '$[0]') = ${ER.resourceId} AND json_extract(p.value, '$[1]') = ${ER.role})`,
    );
  if (!isEmptySpec(f.labels)) conds.push(and(specConds(splitSpec(f.labels, true))));
  if (!conds.length) return [];
  if (!nonEmpty(f.role)) conds.push(sql`${ER.role} != ''`);
  return [withResourceRow(rf, conds)];
}

function anyResourceConds(rf: ResolvedEventFilter, f: EventAnyResourceFilter): SQL[] {
  const conds: SQL[] = [];
  if (nonEmpty(f.id)) conds.push(inList(ER.resourceId, f.id));
  if (nonEmpty(f.id_prefix)) conds.push(anyPrefix(ER.resourceId, f.id_prefix));
  if (!isEmptySpec(f.labels)) conds.push(and(specConds(splitSpec(f.labels, true))));
  return conds.length ? [withResourceRow(rf, conds)] : [];
}

/** Up to this many related (or any-resource) filters become one subquery each; more are bound as one list. */
const INLINE = 3;

/**
 * What one related or any-resource filter asks of an event_resource row, as JSON (absent fields
 * constrain nothing): ids, id prefixes, roles, (id, role) pairs, the label spec's id patterns,
 * roles and other labels (patterns encoded), and `np`: not the primary resource.
 */
interface RowSpec {
  id?: string[];
  idp?: string[];
  role?: string[];
  rir?: string[][];
  sid?: ReturnType<typeof encodePatterns>;
  srole?: string[];
  lab?: ReturnType<typeof encodedLabels>;
  np: 0 | 1;
}

function labelsSpec(labels: Spec | null | undefined): Partial<RowSpec> {
  if (isEmptySpec(labels)) return {};
  const split = splitSpec(labels, true);
  return {
    ...(split.ids.length ? { sid: encodePatterns(patternItems(split.ids), GLOB) } : {}),
    ...(split.roles.length ? { srole: split.roles } : {}),
    ...(split.labels.length ? { lab: encodedLabels(split.labels) } : {}),
  };
}

const relatedSpec = (f: EventRelatedFilter): RowSpec => ({
  ...(nonEmpty(f.id) ? { id: f.id } : {}),
  ...(nonEmpty(f.role) ? { role: f.role } : {}),
  ...(nonEmpty(f.resources_in_roles) ? { rir: f.resources_in_roles } : {}),
  ...labelsSpec(f.labels),
  np: nonEmpty(f.role) ? 0 : 1,
});

const anyResourceConstrains = (f: EventAnyResourceFilter) => nonEmpty(f.id) || nonEmpty(f.id_prefix) || !isEmptySpec(f.labels);

const anyResourceSpec = (f: EventAnyResourceFilter): RowSpec => ({
  ...(nonEmpty(f.id) ? { id: f.id } : {}),
  ...(nonEmpty(f.id_prefix) ? { idp: f.id_prefix } : {}),
  ...labelsSpec(f.labels),
  np: 0,
});

/** Events having, for every spec of the list, an event_resource row (in the window) that meets it. */
function everySpecMet(rf: ResolvedEventFilter, specs: RowSpec[]): SQL {
  const at = (path: string) => sql.raw(`json_extract(r.value, '$.${path}')`);
  const each = (path: string) => sql.raw(`json_each(r.value, '$.${path}')`);
  const row = and([
    sql`${ER.eventId} = ${EV.id}`,
    sql`${ER.occurred} >= ${rf.occurred.since}`,
    sql`${ER.occurred} <= ${rf.occurred.until}`,
    sql`${at("id")} IS NULL OR ${ER.resourceId} IN (SELECT value FROM ${each("id")})`,
    sql`${at("idp")} IS NULL OR EXISTS (SELECT 1 FROM ${each("idp")} AS x WHERE substr(${ER.resourceId}, 1, length(x.value)) = x.value)`,
    sql`${at("role")} IS NULL OR ${ER.role} IN (SELECT value FROM ${each("role")})`,
    sql`${at("rir")} IS NULL OR EXISTS (SELECT 1 FROM ${each("rir")} AS x WHERE json_extract(x.value, '$[0]') = ${ER.resourceId} AND json_extract(x.value, '$[1]') = ${ER.role})`,
    sql`${at("sid")} IS NULL OR ${matchesEncoded(ER.resourceId, at("sid.s"), at("sid.l"), GLOB)}`,
    sql`${at("srole")} IS NULL OR ${ER.role} IN (SELECT value FROM ${each("srole")})`,
    sql`${at("lab")} IS NULL OR ${labelsMatchIn(at("lab"))}`,
    sql`NOT ${at("np")} OR ${ER.role} != ''`,
  ]);
  return sql`NOT EXISTS (SELECT 1 FROM json_each(${json(specs)}) AS r WHERE NOT EXISTS (SELECT 1 FROM "event_resource" WHERE ${row}))`;
}

function relatedListConds(rf: ResolvedEventFilter, filters: EventRelatedFilter[]): SQL[] {
  const constraining = filters.filter(relatedConstrains);
  if (constraining.length <= INLINE) return constraining.flatMap((f) => relatedConds(rf, f));
  return [everySpecMet(rf, constraining.map(relatedSpec))];
}

function anyResourceListConds(rf: ResolvedEventFilter, filters: EventAnyResourceFilter[]): SQL[] {
  const constraining = filters.filter(anyResourceConstrains);
  if (constraining.length <= INLINE) return constraining.flatMap((f) => anyResourceConds(rf, f));
  return [everySpecMet(rf, constraining.map(anyResourceSpec))];
}

function textConds(query: string): SQL[] {
  if (!query.trim()) return [];
  const { include, exclude, required } = parseTextSearch(query);
  const text = sql`lower(${EV.event} || ' ' || ${EV.resource} || ' ' || ${EV.related} || ' ' || ${EV.payload})`;
  // Any / none / every term of a list (bound as one JSON parameter) is in the text.
  const found = (terms: string[]) => sql`SELECT 1 FROM json_each(${json(terms)}) AS term WHERE instr(${text}, lower(term.value)) > 0`;
  const missing = (terms: string[]) => sql`SELECT 1 FROM json_each(${json(terms)}) AS term WHERE instr(${text}, lower(term.value)) = 0`;
  const out: SQL[] = [];
  if (include.length) out.push(sql`EXISTS (${found(include)})`);
  if (exclude.length) out.push(sql`NOT EXISTS (${found(exclude)})`);
  if (required.length) out.push(sql`NOT EXISTS (${missing(required)})`);
  return out;
}

/** The WHERE condition over `event` for a filter. */
export function eventFilterWhere(f: ResolvedEventFilter): SQL {
  const conds: SQL[] = [sql`${EV.occurred} >= ${f.occurred.since}`, sql`${EV.occurred} <= ${f.occurred.until}`];
  if (f.event) conds.push(...nameConds(f.event));
  if (f.resource) conds.push(...resourceConds(f, f.resource));
  conds.push(...relatedListConds(f, listOf(f.related)), ...anyResourceListConds(f, listOf(f.any_resource)));
  if (nonEmpty(f.id.id)) conds.push(inList(EV.id, f.id.id));
  if (f.text) conds.push(...textConds(f.text.query));
  if (f.receivedSince) conds.push(sql`${EV.received} >= ${f.receivedSince}`);
  return and(conds);
}
