/**
 * The bump's failure-path cases (issue 20): planning runs its reads side by
 * side (listBranches, readPins then inspectImage of main's pin, checkForge);
 * each case makes one of them fail, fatally: while its siblings are still
 * running (`-first`: it fails at once, the others are slowed), once they have
 * all finished (`-last`: it is slowed, then fails), or at the very moment a
 * sibling finishes (`-together`: both wait for each other, then end in the
 * same tick; the race of issue 20, where a replay may hand the workflow the
 * two results in other batches than the run did). The activities
 * stay the world's own, wrapped: the failing read throws a typed BadInput
 * failure as the activity would, the slow ones wait before they run.
 * scripts/record-histories.ts records them and test/workflows/planFaults.test.ts
 * runs them live; their histories must replay without a determinism error.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { createActivities, type ActivityDeps } from '../src/activities/index.js';

/** The side-by-side reads of bump planning (src/workflows/bump/planBump.ts). */
export const PLANNING_READS = ['listBranches', 'readPins', 'inspectImage', 'checkForge'] as const;
export type PlanningRead = (typeof PLANNING_READS)[number];

export interface PlanningFault {
  /** `plan-fails-<read>-first` or `-last` */
  name: string;
  fails: PlanningRead;
  /** first: it fails while its siblings run; last: after they finished; together: as `partner` finishes */
  when: 'first' | 'last' | 'together';
}

export const PLANNING_FAULTS: PlanningFault[] = PLANNING_READS.flatMap((fails) =>
  (['first', 'last', 'together'] as const).map((when) => ({
    name: `plan-fails-${fails}-${when}`,
    fails,
    when,
  })),
);

/**
 * The sibling a `together` fault ends with: main's pins (whose result leads
 * on to main's labels, a command of its own) unless they are the failing read
 * or lead to it; then the branch list.
 */
export function partnerOf(fails: PlanningRead): PlanningRead {
  return fails === 'readPins' || fails === 'inspectImage' ? 'listBranches' : 'readPins';
}

/** How long a slowed read waits before it runs: several workflow tasks' worth. */
export const SLOW_MS = 1_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The world's activities with `fault` injected: the failing read refuses with
 * a non-retryable BadInput (its sibling chain still running, or done); the
 * others are slowed when it fails first (but main's pins, which inspectImage
 * waits for). Planning fails, so no branch is reached: inspectImage is only
 * ever main's.
 */
export function faultyActivities(deps: ActivityDeps, fault: PlanningFault): Record<string, unknown> {
  const real = createActivities(deps) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  const wrapped: Record<string, unknown> = { ...real };
  const partner = fault.when === 'together' ? partnerOf(fault.fails) : undefined;
  // the failing read and its partner each arrive, then both go on in the same tick
  let arrived = 0;
  let release: () => void = () => undefined;
  const bothThere = new Promise<void>((r) => (release = r));
  const meet = () => (++arrived === 2 ? release() : undefined, bothThere);
  for (const name of PLANNING_READS) {
    const run = real[name]!;
    wrapped[name] = async (input: unknown) => {
      if (name === partner) {
        const value = await run(input);
        await meet();
        return value;
      }
      if (name === fault.fails) {
        if (fault.when === 'last') await sleep(SLOW_MS);
        if (fault.when === 'together') await meet();
        throw ApplicationFailure.nonRetryable(
          `injected: ${name} refused the bump's input (planning fault ${fault.name})`,
          'BadInput',
        );
      }
      // main's pins lead to main's labels: not slowed when those fail first
      const leadsToFault = name === 'readPins' && fault.fails === 'inspectImage';
      if (fault.when === 'first' && !leadsToFault) await sleep(SLOW_MS);
      return run(input);
    };
  }
  return wrapped;
}

/** The failure the bump must end with: the injected one, surfaced. */
export function expectedFailure(fault: PlanningFault): RegExp {
  return new RegExp(`injected: ${fault.fails} refused`);
}
