/**
 * What a procedure with one approval is built on (the tag procedures, the
 * retag from a manifest, the catalog update): its status and reporter (UI
 * details, search attributes), the approval gate (signals for the UI, updates
 * for the CLI, both parsed at the handler), the blockable step with its
 * `retry` signal, and the `status` query. A procedure's context adds its
 * activities and its result; the procedure is then only its steps.
 */
import { setHandler } from '@temporalio/workflow';
import type { QueryDefinition, SearchAttributeUpdatePair } from '@temporalio/common';
import type { ErrorInfo, StepInfo } from '../../shared/bump.js';
import { retrySignal } from '../../shared/messages.js';
import {
  parsePayload,
  retryPayloadSchema,
  type ApprovePayload,
  type RejectPayload,
} from '../../shared/payloads.js';
import { createBlocker, type Blocker } from './blockable.js';
import { createGate, type Gate, type GateMessages } from './gate.js';
import { createReporter, recordRefusal } from './status.js';
import { createNotifier, waitingStateTeller, type Notifier } from './notices.js';
import { onPatch, Patches } from './patches.js';
import { refuseUnknownSignals } from './unknownSignals.js';
import type { NoticePr, NoticeProcedure } from '../../shared/notices.js';

/** What the kit reads and writes of a procedure's status. */
export interface ProcedureStatus<State extends string> {
  state: State;
  step?: StepInfo | undefined;
  error?: ErrorInfo | undefined;
  rejectedBecause?: string | undefined;
  refusals: string[];
}

/** What an end may carry: a failure's error, a rejection's (or expiry's) reason. */
export interface EndExtra {
  reason?: string | undefined;
  error?: ErrorInfo | undefined;
}

export interface ProcedureOptions<
  S extends ProcedureStatus<State>,
  State extends string,
  R,
  E extends EndExtra,
> {
  status: S;
  details: (s: S) => string;
  searchAttributes: (s: S) => SearchAttributeUpdatePair[];
  gate: GateMessages<S>;
  statusQuery: QueryDefinition<S>;
  /** how messages name it: `the retag`, `the catalog update` */
  the: string;
  /** the refusal of a payload's `branch` */
  noBranch: string;
  /** the refusal of an approval's `note` */
  noNote: string;
  /** states in which the plan is being carried out: too late to reject it */
  decided: readonly State[];
  /** what else a well-formed approval is checked for (after the state, `branch` and `note`) */
  approvalProblem?: (p: ApprovePayload) => string | undefined;
  /** what else a rejection is checked for (after `branch` and `decided`) */
  rejectionProblem?: (p: RejectPayload) => string | undefined;
  /** the result of an end, once the status holds it */
  result: (state: State, extra: E) => R;
  /** who is told when it waits, fails or opens a PR (on runs from Patches.notices on) */
  notify: {
    procedure: NoticeProcedure;
    subject: (s: S) => string;
    /** the PRs an end in `pr-opened` opened */
    prs?: (s: S) => NoticePr[];
  };
}

export interface Procedure<State extends string, R, E extends EndExtra> {
  gate: Gate;
  step: Blocker['step'];
  /** records a refused message in the status, and reports */
  refuse(problem: string): void;
  report(): void;
  enter(state: State): void;
  /** The end: the state, no step, the error and a rejection's reason kept; the last report; the result. */
  finish(state: State, extra?: E): R;
  /** Waits for the notices told (see kit/notices.ts): before the workflow ends. */
  settleNotices(): Promise<void>;
  /**
   * Refuses and records any signal no handler takes (besides the gate's,
   * `retry` and `also`). Called last, once every handler is set: a signal
   * that came with the start would otherwise go to it.
   */
  refuseOtherSignals(also?: readonly string[]): void;
}

export function createProcedure<
  S extends ProcedureStatus<State>,
  State extends string,
  R,
  E extends EndExtra,
>(o: ProcedureOptions<S, State, R, E>): Procedure<State, R, E> {
  const { status } = o;
  const notifier: Notifier = createNotifier({
    enabled: onPatch(Patches.notices),
    procedure: o.notify.procedure,
    subject: () => o.notify.subject(status),
  });
  const tellWaiting = waitingStateTeller(notifier);
  const reporter = createReporter({
    status,
    details: o.details,
    searchAttributes: o.searchAttributes,
    onReport: (s) =>
      tellWaiting(s.state, () =>
        s.state === 'blocked' ? { step: s.step?.name, error: s.error?.message } : {},
      ),
  });
  const report = () => reporter.report();
  const refuse = (problem: string) => (recordRefusal(status.refusals, problem), report());
  const gate = createGate({
    messages: o.gate,
    current: () => status,
    refuse,
    approvalProblem: (p) => {
      if (status.state !== 'awaiting-approval') return `${o.the} is ${status.state}, not awaiting approval`;
      if (p.branch !== undefined) return o.noBranch;
      if (p.note !== undefined) return o.noNote;
      return o.approvalProblem?.(p);
    },
    rejectionProblem: (p) => {
      if (p.branch !== undefined) return o.noBranch;
      if (o.decided.includes(status.state)) return `${o.the} is ${status.state}: too late to reject`;
      return o.rejectionProblem?.(p);
    },
  });
  const blocker = createBlocker({
    getState: () => status.state,
    setState: (s) => (status.state = s as State),
    setStep: (s) => (status.step = s),
    setLastError: (e) => (status.error = e),
    report,
    rejected: () => gate.rejected(),
  });
  setHandler(o.statusQuery, () => status);
  setHandler(retrySignal, (raw: unknown) => {
    const p = parsePayload(retryPayloadSchema, raw, 'retry');
    if (!p.ok) return refuse(p.problem);
    if (p.value.branch !== undefined) return refuse(o.noBranch);
    if (!blocker.retry()) refuse(`retry refused: ${o.the} is ${status.state}, not blocked`);
  });

  return {
    gate,
    step: (name, run, options) => blocker.step(name, run, options),
    refuse,
    report,
    enter(state) {
      status.state = state;
      report();
    },
    finish(state, extra = {} as E) {
      status.state = state;
      status.step = undefined;
      if (extra.error !== undefined) status.error = extra.error;
      if (state === 'rejected' && extra.reason !== undefined) status.rejectedBecause = extra.reason;
      reporter.reportFinal();
      if (state === 'failed') notifier.tell('failed', { error: status.error?.message });
      if (state === 'pr-opened') notifier.tell('pr-opened', { prs: o.notify.prs?.(status) });
      return o.result(state, extra);
    },
    settleNotices: () => notifier.settle(),
    refuseOtherSignals(also = []) {
      // recorded without a command (no notice told): a run may already hold such a signal
      refuseUnknownSignals(['approve', 'reject', 'retry', ...also], (problem) => {
        recordRefusal(status.refusals, problem);
        reporter.reportFinal();
      });
    },
  };
}
