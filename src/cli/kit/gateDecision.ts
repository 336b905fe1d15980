/**
 * `approve` and `reject` at the gate of a procedure with one approval (the
 * tag procedures, the retag from a manifest, the catalog update): the gate's
 * update, refused at once with the validator's reason; the signal when no
 * worker answers. The caller checks first that the procedure still runs.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { defineGateMessages } from '../../shared/gateMessages.js';
import type { ApprovePayload, RejectPayload } from '../../shared/payloads.js';
import { isNoWorker, withWorkerDeadline } from './connect.js';
import { refused } from './exitCodes.js';
import { print } from './context.js';
import { NO_WORKER_NOTE } from '../bump/bumpView.js';

export type GateMessages<S> = ReturnType<typeof defineGateMessages<S>>;

export type Decision =
  { kind: 'approve'; payload: ApprovePayload } | { kind: 'reject'; payload: RejectPayload };

/** An approval, bound to `digest` when given. */
export function approval(o: { digest?: string | undefined; approver?: string | undefined }): Decision {
  return {
    kind: 'approve',
    payload: { ...(o.digest ? { digest: o.digest } : {}), ...(o.approver ? { approver: o.approver } : {}) },
  };
}

export function rejection(o: { reason: string; approver?: string | undefined }): Decision {
  return { kind: 'reject', payload: { reason: o.reason, ...(o.approver ? { approver: o.approver } : {}) } };
}

/** How a decision reached the gate: the update (with the state it left), or the signal when no worker answered. */
export type GateDelivery = { via: 'update'; state: string } | { via: 'signal' };

/** Sends the decision (update first, the signal when no worker answers); a refusal by the gate is exit 1. */
export async function decideGate<S extends { state: string }>(
  client: Client,
  id: string,
  gate: GateMessages<S>,
  d: Decision,
): Promise<GateDelivery> {
  const handle = client.workflow.getHandle(id);
  try {
    const status = await withWorkerDeadline(client, () =>
      d.kind === 'approve'
        ? handle.executeUpdate(gate.approveUpdate, { args: [d.payload] })
        : handle.executeUpdate(gate.rejectUpdate, { args: [d.payload] }),
    );
    return { via: 'update', state: status.state };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw refused(`refused ${id}: ${err.cause?.message ?? err.message}`);
    if (!isNoWorker(err)) throw err;
    if (d.kind === 'approve') await handle.signal(gate.approveSignal, d.payload);
    else await handle.signal(gate.rejectSignal, d.payload);
    return { via: 'signal' };
  }
}

export async function sendDecision<S extends { state: string }>(
  client: Client,
  id: string,
  gate: GateMessages<S>,
  d: Decision,
  json: boolean,
): Promise<void> {
  const verb = d.kind === 'approve' ? 'approved' : 'rejected';
  const sent = await decideGate(client, id, gate, d);
  if (sent.via === 'update') print(json, { [verb]: id, via: 'update', state: sent.state }, `${verb} ${id}`);
  else
    print(
      json,
      { [verb]: id, via: 'signal' },
      `no worker answered; sent the ${d.kind} signal to ${id} instead: ${NO_WORKER_NOTE}`,
    );
}
