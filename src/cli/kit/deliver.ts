/**
 * Delivering a decision to a branch: the update (refused at once with the
 * reason), or — when no worker answers — the matching signal, which the
 * branch takes when a worker runs again.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { isNoWorker, withWorkerDeadline } from './connect.js';
import type { BranchView } from '../bump/bumpView.js';
import { ExitCode } from './exitCodes.js';
import { print } from './context.js';

export interface Delivery {
  branch: string;
  ok: boolean;
  /** `signal` when no worker answered and the signal was sent instead */
  via: 'update' | 'signal';
  message?: string;
}

export async function deliver<P>(
  client: Client,
  branches: readonly BranchView[],
  message: { update: UpdateDefinition<unknown, [P]>; signal: SignalDefinition<[P]>; payload: P },
  noWorker: boolean,
): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let signalOnly = noWorker;
  for (const b of branches) {
    const handle = client.workflow.getHandle(b.workflowId);
    if (!signalOnly) {
      try {
        await withWorkerDeadline(client, () =>
          handle.executeUpdate(message.update, { args: [message.payload] }),
        );
        out.push({ branch: b.branch, ok: true, via: 'update' });
        continue;
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          out.push({
            branch: b.branch,
            ok: false,
            via: 'update',
            message: err.cause?.message ?? err.message,
          });
          continue;
        }
        if (!isNoWorker(err)) throw err;
        // one branch without a worker means none has one: signal the rest at once
        signalOnly = true;
      }
    }
    await handle.signal(message.signal, message.payload);
    out.push({ branch: b.branch, ok: true, via: 'signal' });
  }
  return out;
}

/** One line per branch, and the note about signals when some were sent. */
export function describeDeliveries(
  verb: 'approved' | 'rejected',
  signal: string,
  results: readonly Delivery[],
): string {
  const lines = results
    .filter((r) => r.via === 'update')
    .map((r) => (r.ok ? `${verb} ${r.branch}` : `refused ${r.branch}: ${r.message}`));
  const signalled = results.filter((r) => r.via === 'signal').map((r) => r.branch);
  if (signalled.length > 0) {
    lines.push(
      `no worker answered; sent the ${signal} signal instead: it takes effect when a worker runs (${signalled.join(', ')})`,
    );
  }
  return lines.join('\n');
}

/** Delivers to every branch, prints the outcome, and exits 1 when any branch refused. */
export async function deliverAndReport<P>(
  client: Client,
  branches: readonly BranchView[],
  message: { update: UpdateDefinition<unknown, [P]>; signal: SignalDefinition<[P]>; payload: P },
  options: { noWorker: boolean; json: boolean; verb: 'approved' | 'rejected'; signalName: string },
): Promise<void> {
  const results = await deliver(client, branches, message, options.noWorker);
  print(options.json, results, describeDeliveries(options.verb, options.signalName, results));
  if (results.some((r) => !r.ok)) process.exitCode = ExitCode.failed;
}
