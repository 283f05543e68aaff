import { sql } from "drizzle-orm";
import { log } from "../schema";
import { scalar, spliced, uuid, type Cond, type FilterSpec } from "./core";
import { everyMatches, LIKE, someMatches } from "./patterns";

/** Prefect's text-search query: bare terms (any may match), `-`/`!` terms (none may), `+` terms (all must). */
export interface TextSearchQuery {
  include: string[];
  exclude: string[];
  required: string[];
}

function unescapePhrase(phrase: string): string {
  return phrase.replace(/\\(["\\])/g, "$1");
}

export function parseTextSearch(query: string): TextSearchQuery {
  const out: TextSearchQuery = { include: [], exclude: [], required: [] };
  const add = (prefix: string | null, term: string) =>
    (prefix === "-" || prefix === "!" ? out.exclude : prefix === "+" ? out.required : out.include).push(term);
  let i = 0;
  while (i < query.length) {
    if (/\s/.test(query[i])) {
      i++;
      continue;
    }
    let prefix: string | null = null;
    if ("-!+".includes(query[i])) {
      // A prefix counts only when a term follows it directly; otherwise the character is skipped.
      if (i + 1 < query.length && !/\s/.test(query[i + 1])) prefix = query[i++];
      else {
        i++;
        continue;
      }
    }
    if (query[i] === '"') {
      const start = ++i;
      while (i < query.length && query[i] !== '"') i += query[i] === "\\" && i + 1 < query.length ? 2 : 1;
      const phrase = unescapePhrase(query.slice(start, i));
      if (i < query.length) i++;
      if (phrase.trim()) add(prefix, phrase);
      continue;
    }
    const start = i;
    while (i < query.length && !/\s/.test(query[i]) && query[i] !== '"') i++;
    if (i > start) add(prefix, query.slice(start, i));
  }
  return out;
}

/** Searched text: the message and the logger name, as Prefect concatenates them. */
const searchable = sql`(${log.message} || ' ' || ${log.name})`;

function textConds(sub: Record<string, any>): Cond[] {
  const query: string = sub.query ?? "";
  if (!query.trim()) return [];
  const { include, exclude, required } = parseTextSearch(query);
  const out: Cond[] = [];
  const contains = (t: string) => ({ pattern: `%${t}%` });
  if (include.length) out.push(someMatches(searchable, include.map(contains), LIKE));
  if (exclude.length) out.push(sql`NOT ${someMatches(searchable, exclude.map(contains), LIKE)}`);
  if (required.length) out.push(everyMatches(searchable, required.map((t) => `%${t}%`), LIKE));
  return out;
}

/**
 * LogFilter: level, timestamp, flow_run_id, task_run_id, text. As in Prefect, the text search's
 * conditions join the log filter's own list (under its operator), and an empty query adds none.
 */
export const logFilterSpec: FilterSpec = {
  level: scalar(log.level),
  timestamp: scalar(log.timestamp),
  flow_run_id: uuid(log.flow_run_id),
  task_run_id: uuid(log.task_run_id),
  text: spliced(textConds),
};
