/**
 * The fault injector of the procedures' failure-path cases (issue 20; the
 * bump's planning has its own, bumpFaultHistoryCases.ts): one activity of a
 * procedure fails, typed, as the activity itself would fail. The cases of
 * each procedure (tagFaultHistoryCases.ts, retagFaultHistoryCases.ts,
 * sweepFaultHistoryCases.ts, catalogFaultHistoryCases.ts) name the activity,
 * which of its calls fails and, where the workflow runs its calls side by
 * side, when: while its siblings still run (`first`: it fails at once, they
 * are slowed), once they have all finished (`last`: it waits for them), or as
 * one of them finishes (`together`: both go on in the same tick). The
 * recorders record the cases (record-*-histories.ts), and
 * test/workflows/procedureFaults.test.ts runs them live, with and without
 * the workflow cache; their histories must replay and hold no WorkflowTaskFailed.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createActivities, type ActivityDeps } from '../src/activities/index.js';

export type FaultWhen = 'alone' | 'first' | 'last' | 'together';

export interface Fault {
  /** the activity made to fail (by the name the worker registers) */
  activity: string;
  /** `alone`: a call no sibling runs beside; else how it meets the side-by-side calls of the same activity */
  when: FaultWhen;
  /** which call of the activity fails, counting first attempts from 1 (default 1); its retries fail too */
  nth?: number;
  /** only the calls whose input this accepts are counted (and slowed, and met); default: every call */
  match?: (input: unknown) => boolean;
  /** the side-by-side calls of the activity, the failing one included (`last` waits for the others) */
  siblings?: number;
  /** an outage (retryable, RegistryUnavailable) the workflow's retries must run out on; default fatal */
  outage?: boolean;
  /** the fatal failure's type; default BadInput (no step blocks on it) */
  type?: string;
}

/** The fatal type a case fails with unless it names another. */
export const FAULT_TYPE = 'BadInput';
export const OUTAGE_TYPE = 'RegistryUnavailable';

/** How long a slowed sibling waits after the failure: several workflow tasks' worth. */
export const SLOW_MS = 1_500;
/** How long a `last` failure waits after its siblings returned, so their completions reach the server first. */
const SETTLE_MS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The message of the injected failure: what a case's expected failure matches. */
export function faultMessage(caseName: string, fault: Fault): string {
  return `injected: ${fault.activity} ${fault.outage ? 'unavailable' : 'refused'} (fault case ${caseName})`;
}

/** Matches the injected failure's message (as surfaced, or inside an activity failure). */
export function expectedFault(caseName: string, fault: Fault): RegExp {
  return new RegExp(`injected: ${fault.activity} (refused|unavailable) \\(fault case ${caseName}\\)`);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

type Activity = (input: unknown) => Promise<unknown>;

/**
 * The world's activities with `fault` injected into one of them. The failing
 * call throws a typed ApplicationFailure (fatal, or an outage); the other
 * calls of the activity run the world's own, slowed after the failure
 * (`first`), waited for (`last`), or one of them met (`together`).
 */
export function faultyActivities(
  deps: ActivityDeps,
  caseName: string,
  fault: Fault,
): Record<string, unknown> {
  const real = createActivities(deps) as unknown as Record<string, Activity>;
  const run = real[fault.activity];
  if (run === undefined) throw new Error(`expected an activity ${fault.activity}, the worker has none`);
  const nth = fault.nth ?? 1;
  const message = faultMessage(caseName, fault);
  const failing = new Set<string>();
  let counted = 0;
  let siblingsDone = 0;
  const failed = deferred();
  const othersDone = deferred();
  // `together`: the failing call and its partner (the first sibling to arrive) each arrive, then both go on
  let partnerTaken = false;
  let arrived = 0;
  const bothThere = deferred();
  const meet = (): Promise<void> => {
    arrived += 1;
    if (arrived === 2) bothThere.resolve();
    return bothThere.promise;
  };
  const refuse = (): never => {
    failed.resolve();
    throw fault.outage
      ? ApplicationFailure.retryable(message, OUTAGE_TYPE)
      : ApplicationFailure.nonRetryable(message, fault.type ?? FAULT_TYPE);
  };

  const wrapped = async (input: unknown): Promise<unknown> => {
    if (!(fault.match?.(input) ?? true)) return run(input);
    const info = Context.current().info;
    const key = `${info.workflowExecution?.runId ?? info.workflowType}/${info.activityId}`;
    if (failing.has(key)) return refuse(); // a retry of the failing call
    if (info.attempt === 1) counted += 1;
    if (info.attempt === 1 && counted === nth) {
      failing.add(key);
      if (fault.when === 'last') {
        await othersDone.promise;
        await sleep(SETTLE_MS);
      }
      if (fault.when === 'together') await meet();
      return refuse();
    }
    // a sibling: the other calls of the activity
    if (fault.when === 'first' && counted > nth) {
      await failed.promise;
      await sleep(SLOW_MS);
    }
    const partner = fault.when === 'together' && !partnerTaken && counted !== nth;
    if (partner) partnerTaken = true;
    try {
      return await run(input);
    } finally {
      if (partner) await meet();
      siblingsDone += 1;
      if (siblingsDone >= (fault.siblings ?? 1) - 1) othersDone.resolve();
    }
  };
  if ((fault.siblings ?? 1) <= 1) othersDone.resolve();
  return { ...real, [fault.activity]: wrapped };
}
