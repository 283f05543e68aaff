import { d1Of, type Db } from "../client";

/*
 * The automations engine's idempotency records (table automation_action_run): a queue message's
 * action runs only under a claim on its (automation, action index, invocation).
 */

export interface ActionRunKey {
  automation_id: string;
  action_index: number;
  invocation: string;
}

/** What a delivery of a message may do: run the action, ack it (already done), or come back later (running elsewhere). */
export type Claim = "claimed" | "done" | "busy";

const KEY = "automation_id = ?1 AND action_index = ?2 AND invocation = ?3";
const keyArgs = (k: ActionRunKey) => [k.automation_id, k.action_index, k.invocation] as const;

/**
 * Claims the action for this delivery: a new record, or one whose last attempt failed with a
 * retryable error, or one claimed before `staleBefore` (a delivery that died mid-action).
 */
export async function claimActionRun(db: Db, key: ActionRunKey, now: string, staleBefore: string): Promise<Claim> {
  const d1 = d1Of(db);
  const claimed = await d1
    .prepare(
      `INSERT INTO automation_action_run (automation_id, action_index, invocation, status, attempts, claimed, updated)
       VALUES (?1, ?2, ?3, 'running', 1, ?4, ?4)
       ON CONFLICT (automation_id, action_index, invocation) DO UPDATE
         SET status = 'running', attempts = attempts + 1, claimed = excluded.claimed, updated = excluded.updated
         WHERE status = 'retrying' OR (status = 'running' AND claimed < ?5)
       RETURNING status`,
    )
    .bind(...keyArgs(key), now, staleBefore)
    .first();
  if (claimed) return "claimed";
  const row = await d1.prepare(`SELECT status FROM automation_action_run WHERE ${KEY}`).bind(...keyArgs(key)).first<{ status: string }>();
  return row?.status === "running" ? "busy" : "done";
}

/** The statement ending a claimed run as executed or failed (to batch with its events). */
export function finishActionRunStatement(db: Db, key: ActionRunKey, status: "executed" | "failed", now: string): D1PreparedStatement {
  return d1Of(db).prepare(`UPDATE automation_action_run SET status = ?4, updated = ?5 WHERE ${KEY}`).bind(...keyArgs(key), status, now);
}

/** Gives a claimed run back after a retryable error, noting the error. */
export async function releaseActionRun(db: Db, key: ActionRunKey, error: string, now: string): Promise<void> {
  await d1Of(db)
    .prepare(`UPDATE automation_action_run SET status = 'retrying', error = ?4, updated = ?5 WHERE ${KEY} AND status = 'running'`)
    .bind(...keyArgs(key), error, now)
    .run();
}

/**
 * Marks a dead-lettered action failed unless it ended already or a live claim still runs it:
 * answers its last retryable error (null when none was recorded), or undefined when left alone.
 */
export async function deadLetterActionRun(db: Db, key: ActionRunKey, now: string, staleBefore: string): Promise<{ error: string | null; attempts: number } | undefined> {
  const row = await d1Of(db)
    .prepare(
      `INSERT INTO automation_action_run (automation_id, action_index, invocation, status, attempts, claimed, updated)
       VALUES (?1, ?2, ?3, 'failed', 0, ?4, ?4)
       ON CONFLICT (automation_id, action_index, invocation) DO UPDATE
         SET status = 'failed', updated = excluded.updated
         WHERE status = 'retrying' OR (status = 'running' AND claimed < ?5)
       RETURNING error, attempts`,
    )
    .bind(...keyArgs(key), now, staleBefore)
    .first<{ error: string | null; attempts: number }>();
  return row ?? undefined;
}

/** Deletes up to `limit` records last updated before `before` (through ix_automation_action_run_updated); answers how many. */
export async function deleteOldActionRuns(db: Db, before: string, limit: number): Promise<number> {
  const r = await d1Of(db)
    .prepare(
      `DELETE FROM automation_action_run WHERE rowid IN (SELECT rowid FROM automation_action_run WHERE updated < ?1 ORDER BY updated LIMIT ?2)`,
    )
    .bind(before, limit)
    .run();
  return r.meta.changes ?? 0;
}
