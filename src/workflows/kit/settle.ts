/**
 * Side-by-side steps, settled before anything is decided (Patches.settledSiblings).
 * `Promise.all` rejects at the first failure while its siblings still run:
 * the failure's commands (a notice, a report) then race their continuations,
 * and a replay, which may hand the workflow those results in other batches,
 * issues the commands in another order (issue 20). `settleAll` waits until
 * every step has settled, then returns the values, or throws the failure of
 * the lowest index: the same one whatever order the steps ended in. Pure.
 */

/** The values of side-by-side steps, as `Promise.all` types them. */
export type SettledValues<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/** Every step settled, then the values, or the first failure by index (never by time). */
export async function settleAll<T extends readonly unknown[] | []>(steps: T): Promise<SettledValues<T>> {
  const results = await Promise.allSettled(steps);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as SettledValues<T>;
}

/**
 * The side-by-side steps of a run: settled (`settleAll`) on runs from
 * Patches.settledSiblings on, `Promise.all` on the runs started before it, so
 * their histories keep replaying.
 */
export function sideBySide<T extends readonly unknown[] | []>(
  settle: boolean,
  steps: T,
): Promise<SettledValues<T>> {
  return settle ? settleAll(steps) : (Promise.all(steps) as Promise<SettledValues<T>>);
}
