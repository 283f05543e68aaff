/**
 * Which events an automation's event triggers care about, as Prefect's server decides it:
 * event names against `expect`/`after` globs (Python's case-sensitive fnmatch), resource labels
 * against `match`/`match_related` specifications, and the `for_each` bucket an event falls into.
 * Pure functions: the router's index and the AutomationTriggers object both use them.
 */
import type { StoredEvent } from "../../db/queries/events";
import type { StoredTrigger } from "./contract";

type Labels = Record<string, string>;
/** A ResourceSpecification: label → glob or list of globs (`!` negates); `{}` matches everything. */
export type ResourceSpec = Record<string, string | string[]>;

const GLOBS = new Map<string, RegExp>();

/** Python's fnmatch.fnmatchcase: `*`, `?`, `[seq]`, `[!seq]`; the whole value must match. */
export function fnmatch(value: string, pattern: string): boolean {
  let re = GLOBS.get(pattern);
  if (!re) {
    if (GLOBS.size > 10_000) GLOBS.clear();
    re = new RegExp(`^(?:${globSource(pattern)})$`, "su");
    GLOBS.set(pattern, re);
  }
  return re.test(value);
}

const escapeChar = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

function globSource(pattern: string): string {
  const chars = [...pattern];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === "*") {
      while (chars[i + 1] === "*") i++;
      out += ".*";
    } else if (c === "?") out += ".";
    else if (c === "[") {
      let j = i + 1;
      if (chars[j] === "!") j++;
      if (chars[j] === "]") j++;
      while (j < chars.length && chars[j] !== "]") j++;
      if (j >= chars.length) out += escapeChar(c);
      else {
        out += charClass(chars.slice(i + 1, j));
        i = j;
      }
    } else out += escapeChar(c);
  }
  return out;
}

/** A `[...]` set's body as a JS class; reversed ranges match nothing, as in Python. */
function charClass(body: string[]): string {
  const negate = body[0] === "!";
  const items = negate ? body.slice(1) : body;
  let cls = "";
  for (let k = 0; k < items.length; k++) {
    if (items[k + 1] === "-" && k + 2 < items.length) {
      const [lo, hi] = [items[k], items[k + 2]];
      if (lo.codePointAt(0)! <= hi.codePointAt(0)!) cls += `${escapeChar(lo)}-${escapeChar(hi)}`;
      k += 2;
    } else cls += escapeChar(items[k]);
  }
  if (!cls) return negate ? "." : "(?!)";
  return negate ? `[^${cls}]` : `[${cls}]`;
}

/** One expected label value: a glob, negated by a leading `!`; a missing label never matches. */
export function labelMatches(expected: string, value: string | undefined | null): boolean {
  if (value == null) return false;
  const negated = expected.startsWith("!");
  const matched = fnmatch(value, negated ? expected.slice(1) : expected);
  return negated ? !matched : matched;
}

/** Every label of `spec` matches the resource (a list of globs: any of them). */
export function specMatches(spec: ResourceSpec, resource: Labels): boolean {
  for (const [label, expected] of Object.entries(spec)) {
    const candidates = typeof expected === "string" ? [expected] : expected;
    if (!candidates.some((c) => labelMatches(c, resource[label]))) return false;
  }
  return true;
}

/** `{}` includes anything; otherwise one of the candidates must match. */
export function specIncludes(spec: ResourceSpec | undefined | null, candidates: Labels[]): boolean {
  if (!spec || Object.keys(spec).length === 0) return true;
  return candidates.some((r) => specMatches(spec, r));
}

/** `match` on the primary resource and each `match_related` spec on one related resource. */
export function coversResources(trigger: StoredTrigger, event: Pick<StoredEvent, "resource" | "related">): boolean {
  if (!specIncludes(trigger.match, [event.resource])) return false;
  const related = trigger.match_related;
  const specs: ResourceSpec[] = Array.isArray(related) ? related : related ? [related] : [];
  return specs.every((spec) => specIncludes(spec, event.related));
}

/** The event name is one the trigger expects (no `expect`: any event). */
export function expects(trigger: StoredTrigger, eventName: string): boolean {
  const expect: string[] = trigger.expect ?? [];
  return expect.length === 0 || expect.some((p) => labelMatches(p, eventName));
}

/** The event name opens a window (only when the trigger has `after` events). */
export function startsAfter(trigger: StoredTrigger, eventName: string): boolean {
  const after: string[] = trigger.after ?? [];
  return after.some((p) => labelMatches(p, eventName));
}

const PATTERNS = new WeakMap<StoredTrigger, RegExp>();
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/**
 * Prefect's `event_pattern`: expect ∪ after as literals with `*` → one or more characters,
 * matched at the start of the name (no `expect`: any non-empty name).
 */
export function eventPattern(trigger: StoredTrigger): RegExp {
  let re = PATTERNS.get(trigger);
  if (!re) {
    const expect: string[] = trigger.expect ?? [];
    const names = expect.length ? [...new Set([...expect, ...(trigger.after ?? [])])] : [];
    re = names.length ? new RegExp(`^(?:${names.map((n) => escapeRegExp(n).replace(/\\\*/g, ".+")).join("|")})`) : /^.+/;
    PATTERNS.set(trigger, re);
  }
  return re;
}

/** The patterns Prefect indexes a trigger under: `*` without `expect`, else expect ∪ after. */
export function indexPatterns(trigger: StoredTrigger): string[] {
  const expect: string[] = trigger.expect ?? [];
  return expect.length ? [...new Set([...expect, ...(trigger.after ?? [])])] : ["*"];
}

/** The events the engine records about a firing and its actions. */
const ENGINE_EVENT = /^prefect\.automation\.(triggered|action\.)/;
const NAMES_ENGINE_EVENTS = /^prefect\.automation\./;

/**
 * Our guard against automations firing on their own firings forever (Prefect has none): the
 * engine's events reach only triggers that name them (an expect/after pattern beginning
 * `prefect.automation.`, not `*` or `prefect.*` or no `expect`), and never the automation they
 * are about. Without it, one automation that expects every event fires on its own
 * `prefect.automation.triggered` event, whose payload nests the one before, without end.
 */
export function engineEventReaches(trigger: StoredTrigger, event: Pick<StoredEvent, "event" | "resource">, automationId?: string): boolean {
  if (!ENGINE_EVENT.test(event.event)) return true;
  if (automationId !== undefined && event.resource["prefect.resource.id"] === `prefect.automation.${automationId}`) return false;
  return [...(trigger.expect ?? []), ...(trigger.after ?? [])].some((p: string) => NAMES_ENGINE_EVENTS.test(p));
}

/** The event concerns this event trigger (Prefect's find_interested_triggers + covers, and our engine-event guard). */
export function covers(trigger: StoredTrigger, event: Pick<StoredEvent, "event" | "resource" | "related">, automationId?: string): boolean {
  if (!engineEventReaches(trigger, event, automationId)) return false;
  if (!indexPatterns(trigger).some((p) => fnmatch(event.event, p))) return false;
  if (!eventPattern(trigger).test(event.event)) return false;
  return coversResources(trigger, event);
}

/**
 * A label's value on the event: on the primary resource, or with `related:<role>:<label>` on the
 * first related resource in that role (missing → undefined).
 */
export function findResourceLabel(event: Pick<StoredEvent, "resource" | "related">, label: string): string | undefined {
  const cut = label.lastIndexOf(":");
  const head = cut < 0 ? "" : label.slice(0, cut);
  const relatedLabel = label.slice(cut + 1);
  const sep = head.indexOf(":");
  const directive = sep < 0 ? head : head.slice(0, sep);
  if (directive === "related") {
    const role = sep < 0 ? "" : head.slice(sep + 1);
    const first = event.related.find((r) => r["prefect.resource.role"] === role);
    if (first) return first[relatedLabel];
  }
  return event.resource[label];
}

/** The trigger's for_each labels in Prefect's order (sorted, deduplicated). */
export function forEachLabels(trigger: StoredTrigger): string[] {
  return [...new Set<string>(trigger.for_each ?? [])].sort();
}

/** The bucket key: each for_each label's value ("" when missing), labels sorted. */
export function bucketingKey(trigger: StoredTrigger, event: Pick<StoredEvent, "resource" | "related">): string[] {
  return forEachLabels(trigger).map((label) => findResourceLabel(event, label) || "");
}

/** A firing's triggering_labels: each for_each label with its bucket key value. */
export function triggeringLabels(trigger: StoredTrigger, key: string[]): Record<string, string> {
  return Object.fromEntries(forEachLabels(trigger).map((label, i) => [label, key[i] ?? ""]));
}

/** The trigger and every trigger nested in it, parents before children (Prefect's all_triggers). */
export function allTriggers(trigger: StoredTrigger): StoredTrigger[] {
  const children: StoredTrigger[] = trigger.type === "compound" || trigger.type === "sequence" ? trigger.triggers ?? [] : [];
  return [trigger, ...children.flatMap(allTriggers)];
}

/** Every event trigger inside the (nested) trigger. */
export function eventTriggers(trigger: StoredTrigger): StoredTrigger[] {
  return allTriggers(trigger).filter((t) => t.type === "event");
}
