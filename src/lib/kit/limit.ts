/**
 * At most `n` tasks at a time per key (a registry host): the rest wait in
 * order. p-limit is not a dependency of bumpflow and limits one pool only.
 *
 * Exports:
 *   limitPerKey(n): (key, task) => Promise<result of task>
 *     a task that throws frees its slot and rejects only its own promise.
 * Pure TS, no I/O.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';

export type KeyedLimit = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function limitPerKey(n: number): KeyedLimit {
  if (!Number.isSafeInteger(n) || n < 1)
    throw fatal(FatalFailure.BadInput, `expected a concurrency limit of 1 or more, found ${String(n)}`, {
      n,
    });
  const lanes = new Map<string, { active: number; waiting: (() => void)[] }>();
  return async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const lane = lanes.get(key) ?? { active: 0, waiting: [] };
    lanes.set(key, lane);
    if (lane.active >= n) await new Promise<void>((resolve) => lane.waiting.push(resolve));
    else lane.active += 1;
    try {
      return await task();
    } finally {
      const next = lane.waiting.shift();
      if (next !== undefined) next();
      else {
        lane.active -= 1;
        if (lane.active === 0) lanes.delete(key);
      }
    }
  };
}
