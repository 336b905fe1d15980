/**
 * A command that starts a workflow and waits for its end (`sweep`, `bump
 * --wait`) says so when no worker picks it up, as `status` and `approve` say
 * that no worker answers: after NOTICE_AFTER_MS without the run's first
 * workflow task started, a notice on stderr naming the task queue, how long
 * it has waited and how to start a worker; again every REPEAT_MS while none
 * does, and once when one does. The command keeps waiting: the run is
 * durable and starts when a worker polls the queue (Ctrl-C stops the waiting
 * only; `--no-wait` starts it and returns).
 */
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { setTimeout as sleep } from 'node:timers/promises';

export const NOTICE_AFTER_MS = 5_000;
const REPEAT_MS = 60_000;
const CHECK_EVERY_MS = 2_000;

const STARTED = proto.temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED;

/** True once a worker took the run's first workflow task (or the run closed); undefined when the server cannot say. */
export async function pickedUp(handle: WorkflowHandle): Promise<boolean | undefined> {
  try {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return true;
    // started, then scheduled: 2 events; a task started adds its own
    return d.historyLength > 2 || d.raw.pendingWorkflowTask?.state === STARTED;
  } catch {
    return undefined;
  }
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function noWorkerNotice(what: string, taskQueue: string, waitedMs: number): string {
  return [
    `no worker has picked up ${what} on task queue ${taskQueue} after ${seconds(waitedMs)}`,
    `  start one where it reaches Temporal: 'npm run worker' with BUMPFLOW_TASK_QUEUE=${taskQueue} (or the worker image)`,
    `  still waiting: Ctrl-C stops the waiting only; the run starts when a worker polls ${taskQueue}`,
  ].join('\n');
}

/**
 * `waiting` (the run's result), with the notices on stderr while no worker has
 * picked the run up; settles as `waiting` does.
 */
export async function waitTellingPickup<T>(
  handle: WorkflowHandle,
  taskQueue: string,
  waiting: Promise<T>,
  o: { noticeAfterMs?: number; say?: (text: string) => void } = {},
): Promise<T> {
  const say = o.say ?? ((text: string) => console.error(text));
  const first = o.noticeAfterMs ?? NOTICE_AFTER_MS;
  const since = Date.now();
  const stop = new AbortController();
  // told: a notice was printed; heard: that a worker took the run was said since
  const state = { told: false, heard: false };
  const watch = async () => {
    let noticeAt = first;
    await sleep(first, undefined, { signal: stop.signal });
    for (;;) {
      const picked = await pickedUp(handle);
      const waited = Date.now() - since;
      if (picked === true) {
        if (state.told) say(`a worker picked up ${handle.workflowId} after ${seconds(waited)}`);
        state.heard = true;
        return;
      }
      if (picked === false && waited >= noticeAt) {
        say(noWorkerNotice(handle.workflowId, taskQueue, waited));
        state.told = true;
        noticeAt = waited + REPEAT_MS;
      }
      await sleep(CHECK_EVERY_MS, undefined, { signal: stop.signal });
    }
  };
  const watching = watch().catch(() => undefined); // aborted, or the server gone: the wait says so itself
  let result: T;
  try {
    result = await waiting;
  } finally {
    stop.abort();
    await watching;
  }
  // it ended between two looks: after a notice, the operator hears that a worker took it
  if (state.told && !state.heard) say(`a worker picked up ${handle.workflowId} and ran it`);
  return result;
}
