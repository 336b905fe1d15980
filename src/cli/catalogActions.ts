/**
 * `status`, `approve` and `reject` for a catalog update's id
 * (`catalog/<repo>/<path>`): its `status` query, and the gate's
 * `approveCatalog` / `rejectCatalog` updates (refused at once with the
 * validator's reason; the signals when no worker answers).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  CATALOG_ENDED,
  catalogGate,
  catalogStatusQuery,
  type CatalogState,
  type CatalogStatus,
} from '../shared/catalog.js';
import type { ApprovePayload, RejectPayload } from '../shared/payloads.js';
import { isNoWorker, withWorkerDeadline } from './connect.js';
import { ExitCode, refused, usage } from './exitCodes.js';
import { print } from './context.js';
import { NO_WORKER_NOTE } from './bumpView.js';
import { approvalHint, formatCatalogStatus } from './catalogFormat.js';

/** Ends an operator should hear about with exit code 1. */
export const CATALOG_ENDED_BADLY: readonly CatalogState[] = ['failed', 'rejected', 'expired'];

export async function readCatalogStatus(client: Client, id: string): Promise<CatalogStatus> {
  try {
    return await withWorkerDeadline(client, () => client.workflow.getHandle(id).query(catalogStatusQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw usage(`no catalog update with id ${id}`);
    if (isNoWorker(err))
      throw refused(
        `no worker answered the status query of ${id} within 10 s: start one ('npm run worker', task queue as BUMPFLOW_TASK_QUEUE)`,
      );
    throw err;
  }
}

/** The table, and how to approve when it waits; exit 1 for a failed, rejected or expired update. */
export function printCatalogStatus(id: string, s: CatalogStatus, json: boolean): void {
  const hint = s.state === 'awaiting-approval' ? `\n\n${approvalHint(id)}` : '';
  print(json, s, `${formatCatalogStatus(id, s)}${hint}`);
  if (CATALOG_ENDED_BADLY.includes(s.state)) process.exitCode = ExitCode.failed;
}

export async function showCatalogStatus(
  client: Client,
  id: string,
  o: { json: boolean; watch: boolean; intervalMs: number },
): Promise<void> {
  let last = '';
  for (;;) {
    const s = await readCatalogStatus(client, id);
    const ended = CATALOG_ENDED.includes(s.state);
    const text = JSON.stringify(s);
    if (text !== last) {
      // --watch --json: one line per change, so the output is a stream of JSON lines
      if (o.json && o.watch) console.log(text);
      else printCatalogStatus(id, s, o.json);
      if (CATALOG_ENDED_BADLY.includes(s.state)) process.exitCode = ExitCode.failed;
    }
    last = text;
    if (!o.watch || ended) return;
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}

async function decide<P>(
  client: Client,
  id: string,
  message: { update: UpdateDefinition<CatalogStatus, [P]>; signal: SignalDefinition<[P]>; payload: P },
  o: { json: boolean; verb: 'approved' | 'rejected'; signalName: string },
): Promise<void> {
  const before = await readCatalogStatus(client, id);
  if (CATALOG_ENDED.includes(before.state))
    throw refused(`the catalog update ${id} is ${before.state}: nothing to ${o.signalName}`);
  const handle = client.workflow.getHandle(id);
  try {
    const status = await withWorkerDeadline(client, () =>
      handle.executeUpdate(message.update, { args: [message.payload] }),
    );
    print(o.json, { [o.verb]: id, via: 'update', state: status.state }, `${o.verb} ${id}`);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw refused(`refused ${id}: ${err.cause?.message ?? err.message}`);
    if (!isNoWorker(err)) throw err;
    await handle.signal(message.signal, message.payload);
    print(
      o.json,
      { [o.verb]: id, via: 'signal' },
      `no worker answered; sent the ${o.signalName} signal to ${id} instead: ${NO_WORKER_NOTE}`,
    );
  }
}

export function approveCatalog(
  client: Client,
  id: string,
  o: { approver?: string | undefined; json: boolean },
): Promise<void> {
  const payload: ApprovePayload = o.approver ? { approver: o.approver } : {};
  return decide(
    client,
    id,
    { update: catalogGate.approveUpdate, signal: catalogGate.approveSignal, payload },
    { json: o.json, verb: 'approved', signalName: 'approve' },
  );
}

export function rejectCatalog(
  client: Client,
  id: string,
  o: { reason: string; approver?: string | undefined; json: boolean },
): Promise<void> {
  const payload: RejectPayload = { reason: o.reason, ...(o.approver ? { approver: o.approver } : {}) };
  return decide(
    client,
    id,
    { update: catalogGate.rejectUpdate, signal: catalogGate.rejectSignal, payload },
    { json: o.json, verb: 'rejected', signalName: 'reject' },
  );
}
