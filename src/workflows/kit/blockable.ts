/**
 * The blockable step: an activity whose retries ran out on an outage does not
 * fail the workflow. It waits in `blocked`, showing the step and its error,
 * until `retry` (then `retrying` while the step runs again) or a rejection.
 * Whatever was done before the step is kept.
 */
import { condition } from '@temporalio/workflow';
import type { ErrorInfo, StepInfo } from '../../shared/bump.js';
import { FatalFailure } from '../../shared/failures.js';
import { errorInfo, isFatal } from './failures.js';

/** Thrown out of a step when a human rejects while it is blocked. */
export class Rejected extends Error {}

export interface BlockableOptions {
  getState(): string;
  /** `blocked`, `retrying`, or the state the step ran in once it passes */
  setState(state: 'blocked' | 'retrying' | string): void;
  setStep(step: StepInfo | undefined): void;
  setLastError(error: ErrorInfo | undefined): void;
  report(): void;
  /** a rejection ends a blocked wait */
  rejected(): boolean;
}

export interface StepOptions {
  /** fatal types that block rather than fail (beside HostNotFound, which always blocks) */
  blockOn?: readonly string[];
  /** the step's first run already failed with this (kit/lanes.ts): go straight to deciding on it */
  firstError?: unknown;
}

export interface Blocker {
  /**
   * Runs `run`; when it fails with an outage (or a fatal type listed in `blockOn`,
   * e.g. a forge token that an operator can fix in the worker's environment),
   * waits in `blocked` for `retry` or a rejection.
   */
  step<T>(name: string, run: () => Promise<T>, options?: StepOptions): Promise<T>;
  /** Asks a blocked step to run again; false when nothing is blocked. */
  retry(): boolean;
  isBlocked(): boolean;
}

/**
 * Fatal types every blockable step waits on (no retries are spent on them;
 * an operator fixes the name or DNS, then `retry`).
 */
const ALWAYS_BLOCK_ON: readonly string[] = [FatalFailure.HostNotFound];

/** True when `err` makes a step wait in `blocked`: an outage, or a fatal type it blocks on. */
export function waitsOn(err: unknown, blockOn: readonly string[] = []): boolean {
  if (!isFatal(err)) return true;
  const { type } = errorInfo(err);
  return ALWAYS_BLOCK_ON.includes(type) || blockOn.includes(type);
}

export function createBlocker(o: BlockableOptions): Blocker {
  // steps may run side by side (independent reads): how many of them wait in `blocked`
  let blocked = 0;
  let retryRequested = false;

  return {
    isBlocked: () => blocked > 0,
    retry() {
      if (blocked === 0) return false;
      retryRequested = true;
      return true;
    },
    async step(name, run, options = {}) {
      const resumeState = o.getState();
      let retries = 0;
      let firstError = options.firstError;
      for (;;) {
        try {
          if (firstError !== undefined) {
            const err = firstError;
            firstError = undefined;
            throw err;
          }
          const result = await run();
          if (retries > 0) {
            o.setState(resumeState);
            o.setStep(undefined);
            o.setLastError(undefined);
            o.report();
          }
          return result;
        } catch (err) {
          const info = errorInfo(err);
          if (!waitsOn(err, options.blockOn)) throw err;
          o.setLastError(info);
          o.setStep({ name, retries, lastError: info });
          o.setState('blocked');
          blocked += 1;
          retryRequested = false;
          o.report();
          await condition(() => retryRequested || o.rejected());
          blocked -= 1;
          if (o.rejected()) throw new Rejected(`rejected while blocked on ${name}`);
          retries += 1;
          o.setState('retrying');
          o.setStep({ name, retries, lastError: info });
          o.report();
        }
      }
    },
  };
}
