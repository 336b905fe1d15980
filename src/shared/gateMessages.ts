/** The approval gate's message definitions, shared by every procedure. Pure. */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovePayload, RejectPayload } from './payloads.js';

/**
 * The approval gate's messages: a signal (the UI, or the parent forwarding) and
 * an update (the CLI, refused at once with the reason) for each decision.
 * The payload types say what a valid one holds; handlers receive `unknown`
 * and parse it (approvePayloadSchema, rejectPayloadSchema).
 */
export function defineGateMessages<S>(names: {
  approve: string;
  reject: string;
  approveUpdate: string;
  rejectUpdate: string;
}) {
  return {
    approveSignal: defineSignal<[ApprovePayload]>(names.approve),
    rejectSignal: defineSignal<[RejectPayload]>(names.reject),
    approveUpdate: defineUpdate<S, [ApprovePayload]>(names.approveUpdate),
    rejectUpdate: defineUpdate<S, [RejectPayload]>(names.rejectUpdate),
  };
}

/** A procedure's gate under the names most use: the `approve` / `reject` signals, the `approve<Name>` / `reject<Name>` updates. */
export function namedGateMessages<S>(name: string) {
  return defineGateMessages<S>({
    approve: 'approve',
    reject: 'reject',
    approveUpdate: `approve${name}`,
    rejectUpdate: `reject${name}`,
  });
}
