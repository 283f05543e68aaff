/**
 * Prefect 3.8 server settings the concurrency code follows (their defaults), and Prefect's
 * jittered retry interval.
 */
import { versionAtLeast } from "../lib/python";

/** PREFECT_SERVER_TASKS_TAG_CONCURRENCY_SLOT_WAIT_SECONDS. */
export const TAG_SLOT_WAIT_SECONDS = 10;
/** PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS. */
export const MAX_SLOT_WAIT_SECONDS = 30;
/** PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS: AwaitingConcurrencySlot reschedules this far ahead. */
export const DEPLOYMENT_SLOT_WAIT_SECONDS = 30;
/** PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION, used when a deployment sets no grace period. */
export const INITIAL_DEPLOYMENT_LEASE_SECONDS = 300;
/** v1 clients cannot renew leases: theirs (and the task rule's) last ~100 years. */
export const V1_LEASE_SECONDS = 100 * 365 * 24 * 3600;
/** Lease duration bounds and default of the v2 API. */
export const DEFAULT_LEASE_SECONDS = 300;
/** A provisional hold of a multi-limit increment without lease expires after this. */
export const PENDING_HOLD_SECONDS = 60;

/** Workers of these versions take deployment slots themselves (the server then does not). */
export const WORKER_VERSIONS_THAT_MANAGE_DEPLOYMENT_CONCURRENCY = new Set(["3.0.0rc20", "3.0.0", "3.0.1", "3.0.2", "3.0.3"]);
/** Clients from this version on renew deployment concurrency leases. */
export const MIN_CLIENT_VERSION_FOR_LEASING = "3.4.11";

/**
 * Whether the client renews deployment leases. Prefect reads the version from the User-Agent
 * (`prefect/3.8.3 (API 0.8.4)`, see `clientVersionOf`) and takes a request without one as 2.0.0;
 * here a null version is taken as a current client, because the orchestration routes do not pass
 * the User-Agent's version on yet — and a current SDK whose lease were dropped at RUNNING would
 * cancel its own flow run when renewing it fails.
 */
export const clientRenewsLeases = (clientVersion: string | null) =>
  clientVersion === null || versionAtLeast(clientVersion, MIN_CLIENT_VERSION_FOR_LEASING);

/** The Prefect client version of a User-Agent header, as Prefect's server parses it (null when none). */
export function clientVersionOf(userAgent: string | null | undefined): string | null {
  const m = /^prefect\/(\d+\.\d+\.\d+(?:[a-z.+0-9]+)?) \(API \S+\)$/.exec(userAgent ?? "");
  return m ? m[1] : null;
}

/**
 * Prefect's clamped_poisson_interval: an exponentially distributed interval around `average`,
 * at most `average × (1 + factor)` and at least the lower bound that keeps the mean.
 */
export function clampedPoissonInterval(average: number, factor = 0.3, random = Math.random): number {
  if (!(average > 0)) return 0;
  const k = 1 + factor;
  const lowerMultiple = k >= 50 ? 0 : Math.log2(Math.max(2 ** k / (2 ** k - 1), 1e-10));
  const cdf = (x: number) => 1 - Math.exp(-x / average);
  const lo = cdf(Math.max(0, average * lowerMultiple));
  const hi = cdf(average * k);
  const u = lo + random() * (hi - lo);
  return -Math.log(Math.max(1 - u, 1e-10)) * average;
}
