/**
 * What every activity gets around it: BumpflowErrors leave as typed
 * ApplicationFailures (non-retryable when no retry can fix them), and long
 * activities heartbeat while they run, so the server notices a lost worker
 * within the heartbeat timeout (see src/workflows/kit/proxies.ts): those
 * listed, and every activity scheduled with a heartbeat timeout (the forge's
 * PR, check and audit-release calls), which would otherwise time out.
 *
 * A beat carries details: what the activity last gave `beatWith(details)`
 * (its progress, handed back to its next attempt as `info.heartbeatDetails`),
 * else what the previous attempt left, so a timer's beat never erases the
 * progress a retry resumes from.
 */
import { Context, log } from '@temporalio/activity';
import { BumpflowError } from '../../shared/failures.js';
import { toApplicationFailure } from '../../shared/temporalFailure.js';

export const HEARTBEAT_EVERY_MS = 2_000;

/** The running activity's context, or undefined when called outside one (e.g. a unit test). */
function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * The context to heartbeat on: a listed activity's, or one scheduled with a
 * heartbeat timeout; none for a local activity (it has no heartbeat: its
 * workflow task is what the server watches) or outside an activity.
 */
function heartbeatContext(listed: boolean): Context | undefined {
  const ctx = currentContext();
  if (ctx === undefined || ctx.info.isLocal) return undefined;
  return listed || (ctx.info.heartbeatTimeoutMs ?? 0) > 0 ? ctx : undefined;
}

/** The details each running activity last gave beatWith, by its context. */
const latestDetails = new WeakMap<Context, { details: unknown }>();

/**
 * Heartbeats `details` now, and makes them what every later beat of this
 * activity carries. Outside an activity, or in a local one, nothing.
 */
export function beatWith(details: unknown): void {
  const ctx = currentContext();
  if (ctx === undefined || ctx.info.isLocal) return;
  latestDetails.set(ctx, { details });
  ctx.heartbeat(details);
}

/** One beat: the details last given, else those of the previous attempt (none: a bare beat). */
function beat(ctx: Context): void {
  const latest = latestDetails.get(ctx);
  const previous: unknown = ctx.info.heartbeatDetails;
  const details = latest === undefined ? previous : latest.details;
  if (details === undefined) ctx.heartbeat();
  else ctx.heartbeat(details);
}

export function wrapActivities<T extends Record<string, (input: never) => Promise<unknown>>>(
  activities: T,
  options: { heartbeat: ReadonlySet<keyof T> },
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const listed = options.heartbeat.has(name);
    wrapped[name] = async (input: never) => {
      const ctx = heartbeatContext(listed);
      const timeoutMs = ctx?.info.heartbeatTimeoutMs ?? 0;
      // a beat well within a short heartbeat timeout, else every HEARTBEAT_EVERY_MS
      const everyMs = timeoutMs > 0 ? Math.min(HEARTBEAT_EVERY_MS, timeoutMs / 3) : HEARTBEAT_EVERY_MS;
      const timer = ctx === undefined ? undefined : setInterval(() => beat(ctx), everyMs);
      try {
        if (ctx !== undefined) beat(ctx);
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
        const own = currentContext();
        if (own !== undefined) latestDetails.delete(own);
      }
    };
  }
  return wrapped as T;
}
