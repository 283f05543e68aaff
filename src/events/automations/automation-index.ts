import type { StoredEvent } from "../../db/queries/events";
import type { LoadedAutomation, StoredTrigger } from "./contract";
import { covers, eventTriggers, fnmatch, indexPatterns } from "./matching";

/**
 * The enabled automations by the event names their event triggers care about (Prefect's
 * `_triggers_by_expect`: expect ∪ after, or any name without `expect`). Names without glob
 * characters are looked up in a map, so an event that concerns no automation costs one map
 * lookup plus a glob test per globbed pattern; candidates are then checked in full (`covers`:
 * name, `match`, `match_related`).
 */
export interface AutomationIndex {
  byName: Map<string, IndexedTrigger[]>;
  /** Triggers indexed under a glob (`*`, `?`, `[...]`), with those globs. */
  globbed: { trigger: IndexedTrigger; patterns: string[] }[];
  automations: number;
}

interface IndexedTrigger {
  automation: LoadedAutomation;
  trigger: StoredTrigger;
}

const GLOB_CHARS = /[*?[]/;

export function buildAutomationIndex(automations: LoadedAutomation[]): AutomationIndex {
  const index: AutomationIndex = { byName: new Map(), globbed: [], automations: 0 };
  for (const automation of automations) {
    if (!automation.enabled) continue;
    const triggers = eventTriggers(automation.trigger as StoredTrigger);
    if (triggers.length) index.automations++;
    for (const trigger of triggers) {
      const entry = { automation, trigger };
      const patterns = indexPatterns(trigger);
      const globs = patterns.filter((p) => GLOB_CHARS.test(p));
      if (globs.length) index.globbed.push({ trigger: entry, patterns: globs });
      for (const name of patterns) {
        if (GLOB_CHARS.test(name)) continue;
        const list = index.byName.get(name);
        if (list) list.push(entry);
        else index.byName.set(name, [entry]);
      }
    }
  }
  return index;
}

/** Events Prefect's triggers never see. */
const IGNORED_EVENTS = new Set(["prefect.log.write"]);

/**
 * For each automation one of whose event triggers covers at least one of `events`: the
 * automation and those events, in their order. Empty when nothing matches (no allocation per
 * automation).
 */
export function automationsConcerned(index: AutomationIndex, events: StoredEvent[]): Map<string, { automation: LoadedAutomation; events: StoredEvent[] }> {
  const out = new Map<string, { automation: LoadedAutomation; events: StoredEvent[] }>();
  if (!index.automations) return out;
  for (const event of events) {
    if (IGNORED_EVENTS.has(event.event)) continue;
    let seen: Set<string> | undefined;
    const consider = ({ automation, trigger }: IndexedTrigger) => {
      if (seen?.has(automation.id) || !covers(trigger, event, automation.id)) return;
      (seen ??= new Set()).add(automation.id);
      const entry = out.get(automation.id);
      if (entry) entry.events.push(event);
      else out.set(automation.id, { automation, events: [event] });
    };
    const named = index.byName.get(event.event);
    if (named) for (const t of named) consider(t);
    for (const { trigger, patterns } of index.globbed) {
      if (patterns.some((p) => fnmatch(event.event, p))) consider(trigger);
    }
  }
  return out;
}
