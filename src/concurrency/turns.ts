import type { Bindings } from "../env";

/**
 * A proposal's turn at one run's state (src/concurrency/run-turns.ts), taken only once the
 * proposal has lost a race: the uncontended path never calls the Durable Object.
 */
export interface RunTurn {
  readonly held: boolean;
  /** Waits for the turn; answers what the previous holder handed over. Without a turn (waited too long, object unreachable) the proposal goes on optimistically. */
  take(): Promise<string | null>;
  /** Gives the turn back, if held, leaving `handover` (the run's snapshot text) to the next holder. */
  give(handover: string | null): Promise<void>;
}

export function runTurn(env: Bindings, kind: "flow_run" | "task_run", runId: string): RunTurn {
  let token: string | null = null;
  const stub = () => env.RUN_TURNS.get(env.RUN_TURNS.idFromName(`${kind}:${runId}`));
  return {
    get held() {
      return token !== null;
    },
    async take() {
      try {
        const turn = await stub().take();
        token = turn?.token ?? null;
        return turn?.handed ?? null;
      } catch (err) {
        console.error("run turns: no turn taken", err);
        return null;
      }
    },
    async give(handover) {
      if (token === null) return;
      const held = token;
      token = null;
      // A turn not given back ends with its lease.
      await stub().give(held, handover).catch((err) => console.error("run turns: turn not given back", err));
    },
  };
}
