/**
 * `status`, `approve`, `reject` and `retry` for a pin run's id
 * (`pin/<repo>/<branch>`, started by `sweep --pin`): its `status` query, the
 * gate's `approvePin` / `rejectPin` updates (refused at once with the
 * validator's reason; the signals when no worker answers), the `retry`
 * signal when it is blocked.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { PIN_ENDED, pinGate, pinStatusQuery, type PinState, type PinStatus } from '../../shared/pin.js';
import { retrySignal } from '../../shared/messages.js';
import { isNoWorker, withWorkerDeadline } from '../kit/connect.js';
import { ExitCode, refused, usage } from '../kit/exitCodes.js';
import { print } from '../kit/context.js';
import { approval, rejection, sendDecision } from '../kit/gateDecision.js';
import { follow } from '../kit/follow.js';
import { closedOrRethrow } from '../kit/closedRun.js';
import { formatPinStatus } from './pinFormat.js';
import { approvalHint } from '../catalog/catalogFormat.js';

const ENDED_BADLY: readonly PinState[] = ['failed', 'rejected', 'expired'];

async function readPinStatus(client: Client, id: string): Promise<PinStatus> {
  try {
    return await withWorkerDeadline(client, () => client.workflow.getHandle(id).query(pinStatusQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw usage(`no pin run with id ${id}`);
    if (isNoWorker(err))
      throw refused(
        `no worker answered the status query of ${id} within 10 s: start one ('npm run worker', task queue as BUMPFLOW_TASK_QUEUE)`,
      );
    return closedOrRethrow(client, id, err);
  }
}

export async function showPinStatus(
  client: Client,
  id: string,
  o: { json: boolean; watch: boolean; intervalMs: number },
): Promise<void> {
  await follow(
    o,
    () => readPinStatus(client, id),
    (s) => JSON.stringify(s),
    (s, text) => {
      if (o.json && o.watch) console.log(text);
      else {
        const hint = s.state === 'awaiting-approval' ? `\n\n${approvalHint(id)}` : '';
        print(o.json, s, `${formatPinStatus(id, s)}${hint}`);
      }
      if (ENDED_BADLY.includes(s.state)) process.exitCode = ExitCode.failed;
    },
    (s) => PIN_ENDED.includes(s.state),
  );
}

async function running(client: Client, id: string, verb: string): Promise<PinStatus> {
  const before = await readPinStatus(client, id);
  if (PIN_ENDED.includes(before.state))
    throw refused(`the pin run ${id} is ${before.state}: nothing to ${verb}`);
  return before;
}

export async function decidePin(
  client: Client,
  id: string,
  o: { reason?: string | undefined; approver?: string | undefined; json: boolean },
): Promise<void> {
  await running(client, id, o.reason === undefined ? 'approve' : 'reject');
  const decision =
    o.reason === undefined
      ? approval({ approver: o.approver })
      : rejection({ reason: o.reason, approver: o.approver });
  await sendDecision(client, id, pinGate, decision, o.json);
}

export async function retryPin(client: Client, id: string, o: { json: boolean }): Promise<void> {
  const status = await running(client, id, 'retry');
  if (status.state !== 'blocked')
    throw refused(`the pin run ${id} is ${status.state}, not blocked: nothing to retry`);
  await client.workflow.getHandle(id).signal(retrySignal, {});
  print(
    o.json,
    { retried: id, via: 'signal', step: status.step?.name },
    `asked ${id} to retry ${status.step?.name ?? 'its blocked step'}`,
  );
}
