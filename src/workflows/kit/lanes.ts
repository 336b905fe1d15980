/**
 * Side-by-side reads whose failures may block (Patches.settledLanes). With
 * local activities, two reads that end in separate workflow tasks of a run
 * may end in ONE activation of its replay: their continuations then
 * interleave by how many promise hops each takes, not by time, and a read
 * that goes `blocked` (a report, a notice) while a sibling goes on to its
 * next read issues its commands in another order than the run did (issue 20:
 * `planNotice` vs `inspectImage`, `targets.map is not a function`).
 *
 * So the lanes run in two phases. First every lane runs with a step that only
 * records (no blocking, no report, no notice): a failed step ends its lane.
 * Once every lane has settled, a failure that cannot block ends the run (the
 * lowest lane's); then the lanes that failed run again one after another, in
 * lane order, with the real blockable step: steps that already succeeded
 * return their recorded value, the step that failed goes straight to
 * `blocked` with its recorded error. Only one lane ever issues commands at a
 * time, so a replay issues them in the same order. Deterministic code only.
 */
import { waitsOn, type Blocker, type StepOptions } from './blockable.js';

export type Step = Blocker['step'];
/** One lane of reads, each through `step`. */
export type Lane<T> = (step: Step) => Promise<T>;

type Recorded = { ok: true; value: unknown } | { ok: false; error: unknown; options: StepOptions };

export async function settleLanes<T extends readonly unknown[]>(
  step: Step,
  lanes: { readonly [K in keyof T]: Lane<T[K]> },
): Promise<T> {
  const recorded = new Map<string, Recorded>();
  const recording: Step = async (name, run, options = {}) => {
    try {
      const value = await run();
      recorded.set(name, { ok: true, value });
      return value;
    } catch (error) {
      recorded.set(name, { ok: false, error, options });
      throw error;
    }
  };
  const first = await Promise.allSettled((lanes as readonly Lane<unknown>[]).map((lane) => lane(recording)));
  // a failure no step may block on (or not a step's at all) ends the run: the lowest lane's
  for (const r of first) {
    if (r.status === 'fulfilled') continue;
    const failedStep = [...recorded.values()].find((x) => !x.ok && x.error === r.reason);
    const blocks =
      failedStep !== undefined && !failedStep.ok && waitsOn(r.reason, failedStep.options.blockOn);
    if (!blocks) throw r.reason;
  }
  const replaying: Step = (name, run, options = {}) => {
    const seen = recorded.get(name);
    if (seen?.ok) return Promise.resolve(seen.value as never);
    recorded.delete(name);
    return step(name, run, seen === undefined ? options : { ...options, firstError: seen.error });
  };
  const values: unknown[] = [];
  for (const [i, r] of first.entries()) {
    values.push(
      r.status === 'fulfilled' ? r.value : await (lanes as readonly Lane<unknown>[])[i]!(replaying),
    );
  }
  return values as unknown as T;
}
