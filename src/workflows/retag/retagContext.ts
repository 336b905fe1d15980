/**
 * What the retag from a manifest is built on: its status and reporter (UI
 * details, search attributes), the approval gate (signals for the UI, updates
 * for the CLI, parsed at the handler), the blockable step with its `retry`
 * signal, the `status` query, and the `retagEntryDone` signal its entries'
 * children send (parsed, a bad or unknown one refused and recorded).
 */
import { setHandler } from '@temporalio/workflow';
import { Procedure, State, Target } from '../../shared/searchAttributes.js';
import { retrySignal } from '../../shared/messages.js';
import { parsePayload, retryPayloadSchema } from '../../shared/payloads.js';
import { retagEntryDoneSignal, retagGate, retagStatusQuery } from '../../shared/tagMessages.js';
import {
  retagEntryDoneSchema,
  type RetagEntryDone,
  type RetagManifestInput,
  type RetagResult,
  type RetagState,
  type RetagStatus,
} from '../../shared/retag.js';
import {
  binder,
  createBlocker,
  createGate,
  createReporter,
  recordRefusal,
  type Blocker,
  type Gate,
} from '../kit/index.js';
import { retagDetails } from './retagDetails.js';

export function retagActivitiesFor(retry: RetagManifestInput['retry']) {
  const bind = binder(retry);
  return {
    readRetagManifest: bind('readRetagManifest', 'git', (i) => `read ${i.path} at ${i.ref} of ${i.repoUrl}`),
    resolveRetagEntries: bind(
      'resolveRetagEntries',
      'registry',
      (i) => `resolve the source and target tags of ${i.entries.length} entries`,
    ),
    requestRetagImages: bind(
      'requestRetagImages',
      'registry',
      (i) => `ask the repositories' queues for ${i.requests.length} write(s)`,
    ),
  };
}

export interface RetagContext {
  input: RetagManifestInput;
  status: RetagStatus;
  acts: ReturnType<typeof retagActivitiesFor>;
  gate: Gate;
  step: Blocker['step'];
  /** the children's words, by child id, as they come */
  done: Map<string, RetagEntryDone>;
  enter(state: RetagState): void;
  report(): void;
  finish(state: RetagState, extra?: Partial<RetagResult>): RetagResult;
}

const DECIDED: readonly RetagState[] = ['writing'];

export function createRetagContext(input: RetagManifestInput, repoKey: string): RetagContext {
  const status: RetagStatus = {
    procedure: 'retag',
    repoUrl: input.repoUrl,
    path: input.path,
    ref: input.ref,
    state: 'reading',
    entries: [],
    pending: [],
    notices: [],
    refusals: [],
  };
  const reporter = createReporter({
    status,
    details: retagDetails,
    searchAttributes: (s) => [
      { key: Procedure, value: 'retag' },
      { key: Target, value: repoKey },
      { key: State, value: s.state },
    ],
  });
  const report = () => reporter.report();
  const refuse = (problem: string) => (recordRefusal(status.refusals, problem), report());
  const done = new Map<string, RetagEntryDone>();
  const gate = createGate({
    messages: retagGate,
    current: () => status,
    refuse,
    approvalProblem: (p) => {
      if (status.state !== 'awaiting-approval') return `the retag is ${status.state}, not awaiting approval`;
      if (p.branch !== undefined) return 'a retag has no branches: drop "branch"';
      if (p.note !== undefined) return 'a retag has no release note: drop "note"';
      if (p.digest !== undefined) return 'a retag writes many digests: drop "digest" and approve the plan';
      return undefined;
    },
    rejectionProblem: (p) => {
      if (p.branch !== undefined) return 'a retag has no branches: drop "branch"';
      if (DECIDED.includes(status.state)) return `the retag is ${status.state}: too late to reject`;
      return undefined;
    },
  });
  const blocker = createBlocker({
    getState: () => status.state,
    setState: (s) => (status.state = s as RetagState),
    setStep: (s) => (status.step = s),
    setLastError: (e) => (status.error = e),
    report,
    rejected: () => gate.rejected(),
  });
  setHandler(retagStatusQuery, () => status);
  setHandler(retrySignal, (raw: unknown) => {
    const p = parsePayload(retryPayloadSchema, raw, 'retry');
    if (!p.ok) return refuse(p.problem);
    if (p.value.branch !== undefined) return refuse('a retag has no branches: drop "branch"');
    if (!blocker.retry()) refuse(`retry refused: the retag is ${status.state}, not blocked`);
  });
  setHandler(retagEntryDoneSignal, (raw: unknown) => {
    const p = parsePayload(retagEntryDoneSchema, raw, 'retagEntryDone');
    if (!p.ok) return refuse(p.problem);
    if (!status.pending.includes(p.value.workflowId) && !done.has(p.value.workflowId))
      return refuse(`retagEntryDone refused: ${p.value.workflowId} is not an entry this retag asked for`);
    // a child run again (a retried request) says the same: the first word stands
    if (!done.has(p.value.workflowId)) done.set(p.value.workflowId, p.value);
  });

  return {
    input,
    status,
    acts: retagActivitiesFor(input.retry),
    gate,
    step: (name, run, options) => blocker.step(name, run, options),
    done,
    report,
    enter(state) {
      status.state = state;
      report();
    },
    finish(state, extra = {}) {
      status.state = state;
      status.step = undefined;
      if (extra.error !== undefined) status.error = extra.error;
      if (state === 'rejected' && extra.reason !== undefined) status.rejectedBecause = extra.reason;
      reporter.reportFinal();
      return {
        procedure: 'retag',
        repoUrl: input.repoUrl,
        path: input.path,
        ref: input.ref,
        commit: status.commit,
        state,
        plan: status.plan,
        entries: status.entries,
        ...extra,
      };
    },
  };
}
