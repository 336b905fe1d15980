/** The CLI's connection to Temporal, and the deadlines of its calls. */
import {
  Client,
  Connection,
  ServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { TemporalSettings } from '../../config.js';
import { unreachable } from './exitCodes.js';
import { clientIdentity } from './operator.js';

/** gRPC status codes (grpc.status), as the SDK's ServiceError carries them in `cause.code`. */
const FAILED_PRECONDITION = 9;
const DEADLINE_EXCEEDED = 4;

/** A query or update that a running worker answers in milliseconds; longer means no worker is polling. */
export const WORKER_DEADLINE_MS = 10_000;

export async function connect(settings: TemporalSettings): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: settings.address, connectTimeout: '5s' });
    return new Client({ connection, namespace: settings.namespace, identity: clientIdentity() });
  } catch (err) {
    throw unreachable(
      `cannot reach the Temporal server at ${settings.address} (${err instanceof Error ? err.message : String(err)}); set TEMPORAL_ADDRESS or start one with 'temporal server start-dev'`,
    );
  }
}

/** Runs one call that needs a worker, bounded so that a missing worker cannot make the CLI hang. */
export function withWorkerDeadline<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + WORKER_DEADLINE_MS, fn);
}

/**
 * True when the call failed because no worker answered. What the SDK throws then:
 * a query, `ServiceError` "Failed to query Workflow" caused by gRPC FAILED_PRECONDITION
 * ("no poller seen for task queue recently, worker may be down") or, under a deadline,
 * DEADLINE_EXCEEDED; an update, which otherwise waits for ever,
 * `WorkflowUpdateRPCTimeoutOrCancelledError` once the deadline passes.
 */
export function isNoWorker(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (!(err instanceof ServiceError)) return false;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return code === FAILED_PRECONDITION || code === DEADLINE_EXCEEDED;
}
