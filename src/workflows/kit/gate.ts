/**
 * The approval gate: one definition gives the signal handlers (Temporal UI,
 * a parent forwarding) and the update handlers (the CLI) the same validator.
 * A payload is parsed with its schema first; a malformed or misplaced one is
 * refused — recorded for the operator when it came as a signal, thrown by the
 * validator when it came as an update — and never fails a workflow task.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  approvePayloadSchema,
  parsePayload,
  rejectPayloadSchema,
  type ApprovePayload,
  type Parsed,
  type RejectPayload,
} from '../../shared/payloads.js';
import { parseDuration } from '../../lib/kit/duration.js';

export type Decision =
  { kind: 'approve'; by: string; payload: ApprovePayload } | { kind: 'reject'; by: string; reason: string };

export interface GateMessages<S> {
  approveSignal: SignalDefinition<[ApprovePayload]>;
  rejectSignal: SignalDefinition<[RejectPayload]>;
  approveUpdate: UpdateDefinition<S, [ApprovePayload]>;
  rejectUpdate: UpdateDefinition<S, [RejectPayload]>;
}

export interface GateOptions<S> {
  messages: GateMessages<S>;
  /** checks a well-formed approval against the workflow's state: a reason to refuse it, or undefined */
  approvalProblem: (p: ApprovePayload) => string | undefined;
  rejectionProblem: (p: RejectPayload) => string | undefined;
  /** takes what an accepted approval carries besides the decision (e.g. a replacement note) */
  onApprove?: (p: ApprovePayload) => void;
  /** records a refused signal where the operator sees it (status, UI) */
  refuse: (problem: string) => void;
  /** what the updates answer with */
  current: () => S;
}

export interface Gate {
  readonly decision: Decision | undefined;
  rejected(): boolean;
  /**
   * Waits for a decision: `approved`, `rejected`, or `expired` after `timeout`.
   * An earlier approval is forgotten (each plan is approved on its own); an earlier rejection stands.
   */
  wait(timeout: string, summary: string): Promise<'approved' | 'rejected' | 'expired'>;
}

export function createGate<S>(o: GateOptions<S>): Gate {
  let decision: Decision | undefined;

  function check<T>(
    parsed: Parsed<T>,
    problem: (p: T) => string | undefined,
  ): { ok: true; value: T } | { ok: false; problem: string } {
    if (!parsed.ok) return parsed;
    const found = problem(parsed.value);
    return found === undefined ? parsed : { ok: false, problem: found };
  }
  const approval = (raw: unknown) =>
    check(parsePayload(approvePayloadSchema, raw, 'approve'), o.approvalProblem);
  const rejection = (raw: unknown) =>
    check(parsePayload(rejectPayloadSchema, raw, 'reject'), o.rejectionProblem);
  function approve(p: ApprovePayload): void {
    o.onApprove?.(p);
    decision = { kind: 'approve', by: p.approver ?? 'unknown', payload: p };
  }
  function reject(p: RejectPayload): void {
    decision = { kind: 'reject', by: p.approver ?? 'unknown', reason: p.reason };
  }
  function asSignal<T>(validate: (raw: unknown) => Parsed<T>, take: (p: T) => void) {
    return (raw: unknown) => {
      const v = validate(raw);
      if (v.ok) take(v.value);
      else o.refuse(v.problem);
    };
  }
  function asUpdate<T>(validate: (raw: unknown) => Parsed<T>, take: (p: T) => void) {
    return {
      validator: (raw: unknown) => {
        const v = validate(raw);
        if (!v.ok) throw new Error(v.problem);
      },
      handler: (raw: unknown) => {
        const v = validate(raw);
        if (v.ok) take(v.value);
        return o.current();
      },
    };
  }

  setHandler(o.messages.approveSignal, asSignal(approval, approve));
  setHandler(o.messages.rejectSignal, asSignal(rejection, reject));
  const approveU = asUpdate(approval, approve);
  setHandler(o.messages.approveUpdate, approveU.handler, { validator: approveU.validator });
  const rejectU = asUpdate(rejection, reject);
  setHandler(o.messages.rejectUpdate, rejectU.handler, { validator: rejectU.validator });

  return {
    get decision() {
      return decision;
    },
    rejected: () => decision?.kind === 'reject',
    async wait(timeout, summary) {
      if (decision?.kind === 'approve') decision = undefined;
      // the one reading of a duration (`1d12h` too), as milliseconds: the same timer as Temporal's own reading of `72h`
      const decided = await condition(() => decision !== undefined, parseDuration(timeout), { summary });
      if (!decided) return 'expired';
      return decision!.kind === 'reject' ? 'rejected' : 'approved';
    },
  };
}
