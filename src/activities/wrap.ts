/**
 * What every activity gets around it: BumpflowErrors leave as typed
 * ApplicationFailures (non-retryable when no retry can fix them), and long
 * activities heartbeat while they run, so the server notices a lost worker
 * within the heartbeat timeout (see src/workflows/kit/proxies.ts).
 */
import { Context, log } from '@temporalio/activity';
import { BumpflowError } from '../shared/failures.js';
import { toApplicationFailure } from '../shared/temporalFailure.js';

export const HEARTBEAT_EVERY_MS = 2_000;

/** The running activity's context, or undefined when called outside one (e.g. a unit test). */
function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function wrapActivities<T extends Record<string, (input: never) => Promise<unknown>>>(
  activities: T,
  options: { heartbeat: ReadonlySet<keyof T> },
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const beats = options.heartbeat.has(name);
    wrapped[name] = async (input: never) => {
      // a local activity has no heartbeat: its workflow task is what the server watches
      const found = beats ? currentContext() : undefined;
      const ctx = found?.info.isLocal === true ? undefined : found;
      const timer = ctx === undefined ? undefined : setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        ctx?.heartbeat();
        return await fn(input);
      } catch (err) {
        if (err instanceof BumpflowError) {
          log.warn('activity failed', {
            activity: name,
            type: err.type,
            retryable: err.retryable,
            message: err.message,
          });
          throw toApplicationFailure(err);
        }
        throw err;
      } finally {
        if (timer !== undefined) clearInterval(timer);
      }
    };
  }
  return wrapped as T;
}
