/**
 * Retrying a call that failed for a moment (a registry answering 503 once):
 * how long to wait before the next attempt, or that it is time to give up.
 *
 * Exponential back-off with jitter: the n-th wait is drawn from the upper
 * half of min(maxMs, firstMs × 2^(n-1)), so callers retrying at once drift
 * apart yet each still backs off. A Retry-After the answer carried is
 * honoured when it is short (at most maxMs): the wait is at least that. A
 * longer one is an outage announced, not a blip: no more attempts. Nor when
 * the waits would add up to more than budgetMs.
 *
 * Exports:
 *   REGISTRY_BACKOFF: 5 attempts, 250 ms doubling, capped at 2 s, 6 s of waits at most
 *   nextDelay(policy, { failedAttempts, waitedMs, retryAfterMs?, random }): number | undefined
 * Pure: no I/O (the caller draws `random`, 0 ≤ random < 1).
 */

export interface BackoffPolicy {
  /** attempts in all, the first included */
  attempts: number;
  firstMs: number;
  maxMs: number;
  /** the most all the waits may add up to */
  budgetMs: number;
}

export const REGISTRY_BACKOFF: BackoffPolicy = { attempts: 5, firstMs: 250, maxMs: 2_000, budgetMs: 6_000 };

/** The wait before the next attempt, in ms; undefined: give up. */
export function nextDelay(
  policy: BackoffPolicy,
  at: { failedAttempts: number; waitedMs: number; retryAfterMs?: number | undefined; random: number },
): number | undefined {
  if (at.failedAttempts >= policy.attempts) return undefined;
  if (at.retryAfterMs !== undefined && at.retryAfterMs > policy.maxMs) return undefined;
  const ceiling = Math.min(policy.maxMs, policy.firstMs * 2 ** (at.failedAttempts - 1));
  const drawn = Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(at.random, 0), 1));
  const delay = Math.max(drawn, at.retryAfterMs ?? 0);
  return at.waitedMs + delay > policy.budgetMs ? undefined : delay;
}
