/**
 * `status`, `approve`, `reject` and `retry` for a tag procedure's id: the
 * procedure's `status` query (or its place in the queue), the gate's
 * `approvePlan` / `rejectPlan` updates (refused at once with the validator's
 * reason; the signals when no worker answers), the `retry` signal.
 */
import type { Client } from '@temporalio/client';
import { retrySignal, tagGate } from '../../shared/messages.js';
import { ExitCode, refused } from '../kit/exitCodes.js';
import { print } from '../kit/context.js';
import { approval, rejection, sendDecision } from '../kit/gateDecision.js';
import { follow } from '../kit/follow.js';
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
  const ended = (view: TagView) => view.kind === 'procedure' && ENDED.includes(view.status.state);
  const view = await follow(
    o,
    () => readTagView(client, id),
    (v) => (o.json ? JSON.stringify(data(v), null, o.watch ? 0 : 2) : render(id, v)),
    (_v, text) => console.log(text),
    ended,
  );
  // like a bump's --watch: the end is the answer, and a bad end is exit 1
  if (o.watch && view.kind === 'procedure' && ended(view) && ENDED_BADLY.includes(view.status.state))
    process.exitCode = ExitCode.failed;
}

export async function approveTag(
  client: Client,
  id: string,
  o: { digest?: string | undefined; approver?: string | undefined; json: boolean },
): Promise<void> {
  await runningTagStatus(client, id, 'approve');
  await sendDecision(client, id, tagGate, approval(o), o.json);
}

export async function rejectTag(
  client: Client,
  id: string,
  o: { reason: string; approver?: string | undefined; json: boolean },
): Promise<void> {
  await runningTagStatus(client, id, 'reject');
  await sendDecision(client, id, tagGate, rejection(o), o.json);
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
