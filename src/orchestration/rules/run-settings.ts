/**
 * Retry settings as Prefect reads them from a run's empirical policy: the current fields
 * (`retries`, `retry_delay`) fall back to the deprecated ones (`max_retries`, `retry_delay_seconds`).
 */

export function flowRunSettings(policy: Record<string, any>): { retries: number | null; retryDelay: number } {
  const retries = !policy.retries && policy.max_retries ? policy.max_retries : (policy.retries ?? null);
  const retryDelay = !policy.retry_delay && policy.retry_delay_seconds ? policy.retry_delay_seconds : policy.retry_delay;
  return { retries, retryDelay: Number(retryDelay) || 0 };
}

export function taskRunSettings(policy: Record<string, any>): {
  retries: number | null;
  retryDelay: number | number[];
  jitterFactor: number | null;
} {
  const retries = policy.retries || (policy.max_retries ? policy.max_retries : policy.retries ?? null);
  const retryDelay = policy.retry_delay || (policy.retry_delay_seconds ? policy.retry_delay_seconds : policy.retry_delay ?? 0);
  return { retries, retryDelay: retryDelay ?? 0, jitterFactor: policy.retry_jitter_factor ?? null };
}
