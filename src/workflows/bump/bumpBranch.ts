/**
 * bumpBranch: one target branch of a bump, as the procedure's numbered steps.
 *   1 plan      read pins, resolve, check labels, staleness and reason, write the plan
 *   2 approve   the policy or a human (the gate); re-plan if the tag moved meanwhile
 *   3 push      the bump branch, one commit, signed off
 *   4 open PR   find-or-create, one per branch
 * Outages wait in `blocked` for `retry`; malformed messages are refused, never fatal.
 */
import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  approveSignal,
  approveUpdate,
  branchStatusQuery,
  branchStatusSignal,
  rejectSignal,
  rejectUpdate,
  replaceNoteSignal,
  retrySignal,
} from '../../shared/messages.js';
import {
  parsePayload,
  retryPayloadSchema,
  type ApprovePayload,
  type RejectPayload,
} from '../../shared/payloads.js';
import {
  branchStates,
  bumpBranchInputSchema,
  releaseNotePlanSchema,
  type BranchOutcome,
  type BranchOutcomeKind,
  type BranchStatus,
  type BumpBranchInput,
} from '../../shared/bump.js';
import { parseReason } from '../../lib/bump/reason.js';
import { renderNote } from '../../lib/bump/releaseNote.js';
import { branchDetails } from '../../lib/bump/details.js';
import {
  activitiesFor,
  countBranchOutcome,
  createBlocker,
  createGate,
  createReporter,
  errorInfo,
  isFatal,
  onPatch,
  parseInput,
  Patches,
  pure,
  recordRefusal,
  refuseUnknownSignals,
  Rejected,
} from '../kit/index.js';
import { branchSearchAttributes } from './searchAttributes.js';
import { parentTeller } from './parentReports.js';
import type { BranchContext } from './branchContext.js';
import { planBranch } from './planBranch.js';
import { approveBranch } from './approveBranch.js';
import { replacementProblem } from './noteReplacement.js';
import { openPullRequest, pushBranch } from './pushBranch.js';

/** From `pushing` on, a branch is decided: too late to reject or to replace its note. */
const DECIDED: readonly string[] = branchStates.slice(branchStates.indexOf('pushing'));

/** What a branch's input must be, for a BadInput failure of one started by hand. */
const EXPECTED = 'a branch of a bump {service, image, branch, tag, note, …}';

export async function bumpBranch(raw: BumpBranchInput): Promise<BranchOutcome> {
  const input = parseInput(bumpBranchInputSchema, raw, EXPECTED);
  const lean = onPatch(Patches.leanHistory);
  const settle = onPatch(Patches.settledSiblings);
  const lanes = onPatch(Patches.settledLanes);
  const tell = parentTeller(lean);
  const image = `${input.image.registry}/${input.image.repository}`;
  let note = input.note;
  const status: BranchStatus = {
    branch: input.branch,
    tag: input.tag,
    state: 'pending',
    workflowId: workflowInfo().workflowId,
    image,
    validation: [],
    refusals: [],
    notices: [],
  };
  const reporter = createReporter({
    status,
    details: (s) => branchDetails(s, input.sourceRepo, input.varsFile),
    searchAttributes: (s) => branchSearchAttributes(input, s),
    onReport: (s) => {
      s.seq = (s.seq ?? 0) + 1;
      if (input.parentWorkflowId === undefined || !tell(s)) return;
      getExternalWorkflowHandle(input.parentWorkflowId)
        .signal(branchStatusSignal, { ...s })
        .catch((err: unknown) => log.warn('could not report status to the parent', { error: String(err) }));
    },
  });
  const report = () => reporter.report();
  const refuse = (problem: string) => (recordRefusal(status.refusals, problem), report());
  const namesOther = (branch: string | undefined) =>
    branch !== undefined && branch !== input.branch && branch !== input.tag;

  const gate = createGate({
    messages: { approveSignal, rejectSignal, approveUpdate, rejectUpdate },
    current: () => status,
    refuse,
    approvalProblem: (p: ApprovePayload) => {
      if (status.state !== 'awaiting-approval')
        return `${input.branch} is ${status.state}, not awaiting approval`;
      if (namesOther(p.branch))
        return `the approval names branch ${p.branch}, this workflow bumps ${input.branch}`;
      if (p.digest !== undefined && p.digest !== status.newDigest)
        return `the approval names ${p.digest} but the planned digest is ${status.newDigest ?? 'not known yet'}`;
      if (p.note !== undefined && input.branchCount > 1)
        return 'a replacement release note goes to the parent bump workflow, so that every branch gets the same note';
      if (p.note !== undefined && p.note.trim() === '') return 'the replacement release note is empty';
      return undefined;
    },
    rejectionProblem: (p: RejectPayload) => {
      if (namesOther(p.branch))
        return `the rejection names branch ${p.branch}, this workflow bumps ${input.branch}`;
      if (DECIDED.includes(status.state)) return `${input.branch} is ${status.state}: too late to reject`;
      return undefined;
    },
    onApprove: (p) => {
      if (p.note !== undefined)
        note = {
          ...note,
          text: p.note.trim(),
          content: pure(() => renderNote(note.section, p.note!.trim())),
        };
    },
  });
  const blocker = createBlocker({
    getState: () => status.state,
    setState: (s) => (status.state = s as BranchStatus['state']),
    setStep: (s) => (status.step = s),
    setLastError: (e) => (status.lastError = e),
    report,
    rejected: () => gate.rejected(),
  });

  setHandler(branchStatusQuery, () => status);
  setHandler(retrySignal, (raw: unknown) => {
    const p = parsePayload(retryPayloadSchema, raw, 'retry');
    if (!p.ok) return refuse(p.problem);
    if (namesOther(p.value.branch))
      return refuse(`the retry names branch ${p.value.branch}, this workflow bumps ${input.branch}`);
    if (!blocker.retry()) refuse(`retry refused: ${input.branch} is ${status.state}, not blocked`);
  });
  setHandler(replaceNoteSignal, (raw: unknown) => {
    const p = parsePayload(releaseNotePlanSchema, raw, 'replaceNote');
    if (!p.ok) return refuse(p.problem);
    // the parent sends the same note to every branch: only its text may differ from the planned one
    const problem = replacementProblem(note, p.value);
    if (problem !== undefined) return refuse(`replaceNote refused: ${problem}`);
    if (DECIDED.includes(status.state))
      return refuse('the release note was replaced after this branch was pushed');
    note = p.value;
  });
  // a signal no handler takes is recorded, never dropped unseen (without telling the parent: no new command)
  refuseUnknownSignals(['approve', 'reject', 'retry', 'replaceNote'], (problem) => {
    recordRefusal(status.refusals, problem);
    reporter.reportFinal();
  });

  const ctx: BranchContext = {
    input,
    image,
    reason: input.reason === undefined ? undefined : pure(() => parseReason(input.reason!)),
    acts: activitiesFor(input.retry, { localReads: lean }),
    lean,
    settle,
    lanes,
    status,
    report,
    step: (name, run, options) => blocker.step(name, run, options),
    note: () => note,
  };

  function finish(outcome: BranchOutcomeKind, extra: Partial<BranchOutcome> = {}): BranchOutcome {
    status.state = outcome;
    status.step = undefined;
    reporter.reportFinal();
    countBranchOutcome(input.service, outcome);
    const { oldDigest, newDigest, prUrl, prNumber, commitSha } = status;
    return { branch: input.branch, outcome, oldDigest, newDigest, prUrl, prNumber, commitSha, ...extra };
  }

  if (!lean) report(); // the lean path shows its first state, resolving, in the same task
  try {
    for (;;) {
      if (!(await planBranch(ctx))) return finish('no-op');
      const approval = await approveBranch(ctx, gate);
      if (approval === 'expired')
        return finish('expired', { reason: `no approval within ${input.approvalTimeout}` });
      if (approval === 'rejected') throw new Rejected();
      if (approval === 'approved') break;
    }
    if (!(await pushBranch(ctx, new Date().toISOString()))) return finish('no-op');
    await openPullRequest(ctx);
    return finish('pr-opened');
  } catch (err) {
    if (err instanceof Rejected) {
      const reason = gate.decision?.kind === 'reject' ? gate.decision.reason : 'rejected';
      status.rejectedBecause = reason;
      return finish('rejected', { reason });
    }
    if (!isFatal(err) && !(err instanceof ApplicationFailure)) throw err;
    status.lastError = errorInfo(err);
    return finish('failed', { error: status.lastError });
  }
}
