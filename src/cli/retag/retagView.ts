/**
 * What the CLI knows of a retag from a manifest: its `status` query (and, once
 * it ended, its result); waiting until its plan is known; `status`, `approve`,
 * `reject` and `retry` for a retag id (the gate's updates, refused at once with
 * the reason; the signals when no worker answers).
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  retagGate,
  retagStatusQuery,
  retrySignal,
  type RetagResult,
  type RetagState,
  type RetagStatus,
} from '../../shared/messages.js';
import { isNoWorker, withWorkerDeadline } from '../kit/connect.js';
import { ExitCode, refused, usage, workflowFailed } from '../kit/exitCodes.js';
import { print } from '../kit/context.js';
import { approval, rejection, sendDecision } from '../kit/gateDecision.js';
import { formatRetagResult, formatRetagStatus, type RetagTextOptions } from './retagFormat.js';
import { ENDED, ENDED_BADLY as TAG_ENDED_BADLY } from '../tags/tagView.js';
import { closedOrRethrow } from '../kit/closedRun.js';

// the tag procedures' ends are the retag's too
export const RETAG_ENDED = ENDED as readonly RetagState[];
const ENDED_BADLY = TAG_ENDED_BADLY as readonly RetagState[];
/** States from which the plan is there to show. */
const PLANNED: readonly RetagState[] = ['awaiting-approval', 'writing', ...RETAG_ENDED];

/** The live status; undefined when no such workflow exists. */
export async function readRetagStatus(client: Client, id: string): Promise<RetagStatus | undefined> {
  try {
    return await withWorkerDeadline(client, () => client.workflow.getHandle(id).query(retagStatusQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    if (isNoWorker(err))
      throw refused(
        `no worker answered the status query of ${id} within 10 s: start one ('npm run worker', task queue as BUMPFLOW_TASK_QUEUE)`,
      );
    return closedOrRethrow(client, id, err);
  }
}

/** The result once it ended; a failed workflow's typed failure as exit 1. */
export async function retagResult(client: Client, id: string): Promise<RetagResult> {
  try {
    return (await client.workflow.getHandle(id).result()) as RetagResult;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    // a bad manifest (or input) is bad input, as a bad argument is: exit 2
    throw workflowFailed(id, err);
  }
}

/** Polls until the plan is known (or the run ended before one: a bad manifest). */
export async function whenPlanned(client: Client, id: string, timeoutMs = 120_000): Promise<RetagStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await readRetagStatus(client, id);
    if (s !== undefined && (PLANNED.includes(s.state) || s.state === 'blocked')) return s;
    if (Date.now() > deadline)
      throw refused(`${id} has no plan after ${timeoutMs / 1000} s (state ${s?.state ?? 'not started'})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function reportRetagResult(
  id: string,
  result: RetagResult,
  json: boolean,
  text: RetagTextOptions = {},
): void {
  print(json, { workflowId: id, ...result }, formatRetagResult(id, result, text));
  if (ENDED_BADLY.includes(result.state)) process.exitCode = ExitCode.failed;
}

export async function showRetagStatus(
  client: Client,
  id: string,
  json: boolean,
  text: RetagTextOptions = {},
): Promise<void> {
  const s = await readRetagStatus(client, id);
  if (s === undefined) throw usage(`no retag with id ${id}`);
  print(json, s, formatRetagStatus(id, s, text));
}

async function running(client: Client, id: string, verb: string): Promise<RetagStatus> {
  const s = await readRetagStatus(client, id);
  if (s === undefined) throw usage(`no retag with id ${id}`);
  if (RETAG_ENDED.includes(s.state)) throw refused(`the retag ${id} is ${s.state}: nothing to ${verb}`);
  return s;
}

export async function approveRetag(
  client: Client,
  id: string,
  o: { approver?: string | undefined; json: boolean },
): Promise<void> {
  await running(client, id, 'approve');
  await sendDecision(client, id, retagGate, approval({ approver: o.approver }), o.json);
}

export async function rejectRetag(
  client: Client,
  id: string,
  o: { reason: string; approver?: string | undefined; json: boolean },
): Promise<void> {
  await running(client, id, 'reject');
  await sendDecision(client, id, retagGate, rejection(o), o.json);
}

export async function retryRetag(client: Client, id: string, json: boolean): Promise<void> {
  const s = await running(client, id, 'retry');
  if (s.state !== 'blocked') throw refused(`the retag ${id} is ${s.state}, not blocked: nothing to retry`);
  await client.workflow.getHandle(id).signal(retrySignal, {});
  print(
    json,
    { retried: id, via: 'signal', step: s.step?.name },
    `asked ${id} to retry ${s.step?.name ?? 'its blocked step'}`,
  );
}
