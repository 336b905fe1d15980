/**
 * `status`, `approve` and `reject` for a catalog update's id
 * (`catalog/<repo>/<path>`): its `status` query, and the gate's
 * `approveCatalog` / `rejectCatalog` updates (refused at once with the
 * validator's reason; the signals when no worker answers).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  CATALOG_ENDED,
  catalogGate,
  catalogStatusQuery,
  type CatalogState,
  type CatalogStatus,
} from '../../shared/catalog.js';
import { isNoWorker, withWorkerDeadline } from '../kit/connect.js';
import { ExitCode, refused, usage } from '../kit/exitCodes.js';
import { print } from '../kit/context.js';
import { approval, rejection, sendDecision } from '../kit/gateDecision.js';
import { follow } from '../kit/follow.js';
import { approvalHint, formatCatalogStatus } from './catalogFormat.js';
import { closedOrRethrow } from '../kit/closedRun.js';

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
    return closedOrRethrow(client, id, err);
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
  await follow(
    o,
    () => readCatalogStatus(client, id),
    (s) => JSON.stringify(s),
    (s, text) => {
      // --watch --json: one line per change, so the output is a stream of JSON lines
      if (o.json && o.watch) console.log(text);
      else printCatalogStatus(id, s, o.json);
      if (CATALOG_ENDED_BADLY.includes(s.state)) process.exitCode = ExitCode.failed;
    },
    (s) => CATALOG_ENDED.includes(s.state),
  );
}

async function running(client: Client, id: string, verb: string): Promise<void> {
  const before = await readCatalogStatus(client, id);
  if (CATALOG_ENDED.includes(before.state))
    throw refused(`the catalog update ${id} is ${before.state}: nothing to ${verb}`);
}

export async function approveCatalog(
  client: Client,
  id: string,
  o: { approver?: string | undefined; json: boolean },
): Promise<void> {
  await running(client, id, 'approve');
  await sendDecision(client, id, catalogGate, approval({ approver: o.approver }), o.json);
}

export async function rejectCatalog(
  client: Client,
  id: string,
  o: { reason: string; approver?: string | undefined; json: boolean },
): Promise<void> {
  await running(client, id, 'reject');
  await sendDecision(client, id, catalogGate, rejection(o), o.json);
}
