/** Waiting on a bump's status (the demo and the tests): polls the `status` query, explains a timeout. */
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery, type BumpStatus } from '../shared/messages.js';

export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: BumpStatus) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<BumpStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: BumpStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // the first workflow task may not have run yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 2)}\n${await pendingWork(handle, last)}`,
  );
}

/** What each workflow of the bump is waiting on (pending activities and their last failures), for a timeout message. */
async function pendingWork(handle: WorkflowHandle, last: BumpStatus | undefined): Promise<string> {
  const ids = [
    handle.workflowId,
    ...(last?.branches ?? []).flatMap((b) => (b.workflowId ? [b.workflowId] : [])),
  ];
  const lines: string[] = [];
  for (const id of ids) {
    try {
      const d = await handle.client.getHandle(id).describe();
      const pending = (d.raw.pendingActivities ?? []).map(
        (a) =>
          `${a.activityType?.name ?? '?'} attempt ${a.attempt ?? 0} state ${String(a.state)}: ${a.lastFailure?.message ?? 'no failure yet'}`,
      );
      lines.push(`${id} (${d.status.name}): ${pending.length ? pending.join('; ') : 'no pending activity'}`);
    } catch (err) {
      lines.push(`${id}: ${String(err)}`);
    }
  }
  return lines.join('\n');
}

export function allIn(state: string, count: number) {
  return (s: BumpStatus) => s.branches.length === count && s.branches.every((b) => b.state === state);
}
