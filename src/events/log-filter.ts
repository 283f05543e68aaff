import { normalizeUuid } from "../lib/ids";
import { toIso } from "../lib/time";
import { parseTextSearch } from "../db/filters/logs";
import type { Log, LogFilter } from "../schemas/prefect.gen";

/**
 * Whether a log belongs to a /logs/out subscriber (Prefect's `log_matches_filter`): level bounds,
 * timestamp bounds, flow run ids, task run ids (and task_run_id.is_null_), all required. The text
 * search is applied as well, with the meaning it has for POST /logs/filter (message and logger
 * name, case-insensitive), where Prefect's live stream leaves it out.
 */
export function logMatches(f: LogFilter, log: Log): boolean {
  if (f.level) {
    if (f.level.ge_ != null && log.level < f.level.ge_) return false;
    if (f.level.le_ != null && log.level > f.level.le_) return false;
  }
  if (f.timestamp) {
    const ts = toIso(log.timestamp);
    if (f.timestamp.before_ != null && ts > toIso(f.timestamp.before_)) return false;
    if (f.timestamp.after_ != null && ts < toIso(f.timestamp.after_)) return false;
  }
  if (f.flow_run_id?.any_ != null) {
    if (!log.flow_run_id || !f.flow_run_id.any_.map(normalizeUuid).includes(normalizeUuid(log.flow_run_id))) return false;
  }
  if (f.task_run_id) {
    if (f.task_run_id.any_ != null) {
      if (!log.task_run_id || !f.task_run_id.any_.map(normalizeUuid).includes(normalizeUuid(log.task_run_id))) return false;
    }
    if (f.task_run_id.is_null_ != null && f.task_run_id.is_null_ !== (log.task_run_id == null)) return false;
  }
  if (f.text?.query?.trim()) {
    const { include, exclude, required } = parseTextSearch(f.text.query);
    const text = `${log.message} ${log.name}`.toLowerCase();
    const has = (t: string) => text.includes(t.toLowerCase());
    if (include.length && !include.some(has)) return false;
    if (exclude.length && exclude.some(has)) return false;
    if (required.length && !required.every(has)) return false;
  }
  return true;
}
