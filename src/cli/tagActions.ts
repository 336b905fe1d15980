/**
 * `status`, `approve`, `reject` and `retry` for a tag procedure's id: the
 * procedure's `status` query (or its place in the queue), the gate's
 * `approvePlan` / `rejectPlan` updates (refused at once with the validator's
 * reason; the signals when no worker answers), the `retry` signal.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  retrySignal,
  tagGate,
  type ApprovePayload,
  type RejectPayload,
  type TagStatus,
} from '../shared/messages.js';
import { isNoWorker, withWorkerDeadline } from './connect.js';
import { ExitCode, refused } from './exitCodes.js';
import { print } from './context.js';
import { NO_WORKER_NOTE } from './bumpView.js';
import { ENDED, ENDED_BADLY, readTagView, runningTagStatus, type TagView } from './tagView.js';
import { formatQueued, formatTagStatus } from './tagFormat.js';

function render(id: string, view: TagView): string {
  if (view.kind === 'queued') return formatQueued(view);
  const text = formatTagStatus(id, view.status);
  return view.reason === undefined ? text : `${text}\nreason: ${view.reason}`;
}

function data(view: TagView): unknown {
  if (view.kind === 'procedure')
    return view.reason === undefined ? view.status : { ...view.status, reason: view.reason };
  const { kind: _kind, ...queued } = view;
  return queued;
}

/** `status <tag id> [--watch]`: the status (or the queue position); with --watch, redrawn until it ends. */
export async function showTagStatus(
  client: Client,
  id: string,
  o: { json: boolean; watch: boolean; intervalMs: number },
): Promise<void> {
  let last = '';
  for (;;) {
    const view = await readTagView(client, id);
    const text = o.json ? JSON.stringify(data(view), null, o.watch ? 0 : 2) : render(id, view);
    if (text !== last) console.log(text);
    last = text;
    const ended = view.kind === 'procedure' && ENDED.includes(view.status.state);
    // like a bump's --watch: the end is the answer, and a bad end is exit 1
    if (o.watch && ended && ENDED_BADLY.includes(view.status.state)) process.exitCode = ExitCode.failed;
    if (!o.watch || ended) return;
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}

async function decide<P>(
  client: Client,
  id: string,
  message: { update: UpdateDefinition<TagStatus, [P]>; signal: SignalDefinition<[P]>; payload: P },
  o: { json: boolean; verb: 'approved' | 'rejected'; signalName: string },
): Promise<void> {
  await runningTagStatus(client, id, o.verb === 'approved' ? 'approve' : 'reject');
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

export function approveTag(
  client: Client,
  id: string,
  o: { digest?: string | undefined; approver?: string | undefined; json: boolean },
): Promise<void> {
  const payload: ApprovePayload = {
    ...(o.digest ? { digest: o.digest } : {}),
    ...(o.approver ? { approver: o.approver } : {}),
  };
  return decide(
    client,
    id,
    { update: tagGate.approveUpdate, signal: tagGate.approveSignal, payload },
    { json: o.json, verb: 'approved', signalName: 'approve' },
  );
}

export function rejectTag(
  client: Client,
  id: string,
  o: { reason: string; approver?: string | undefined; json: boolean },
): Promise<void> {
  const payload: RejectPayload = { reason: o.reason, ...(o.approver ? { approver: o.approver } : {}) };
  return decide(
    client,
    id,
    { update: tagGate.rejectUpdate, signal: tagGate.rejectSignal, payload },
    { json: o.json, verb: 'rejected', signalName: 'reject' },
  );
}

export async function retryTag(client: Client, id: string, o: { json: boolean }): Promise<void> {
  const status = await runningTagStatus(client, id, 'retry');
  if (status.state !== 'blocked')
    throw refused(`the ${status.procedure} ${id} is ${status.state}, not blocked: nothing to retry`);
  await client.workflow.getHandle(id).signal(retrySignal, {});
  print(
    o.json,
    { retried: id, via: 'signal', step: status.step?.name },
    `asked ${id} to retry ${status.step?.name ?? 'its blocked step'}`,
  );
}
