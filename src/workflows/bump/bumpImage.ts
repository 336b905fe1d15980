/**
 * bumpImage: one bump of one service across the target repo's branches.
 *   1–4 plan     branches, main's pin, its labels, the forge's access, one release note
 *   5   fan out  one bumpBranch child per branch
 *   6   collect  every branch's outcome
 * Planning steps are blockable like the branches' (`blocked` → `retry`/`reject`).
 * Signals sent here reach every child still waiting, or the one a payload names.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import {
  bumpInputSchema,
  type BranchOutcome,
  type BumpInput,
  type BumpRequest,
  type BumpResult,
  type BumpStatus,
} from '../../shared/bump.js';
import { FatalFailure } from '../../shared/failures.js';
import { parseReason } from '../../lib/bump/reason.js';
import { bumpDetails } from '../../lib/bump/details.js';
import {
  activitiesFor,
  createBlocker,
  createNotifier,
  createReporter,
  errorInfo,
  onPatch,
  Patches,
  pure,
  recordRefusal,
  refuseUnknownSignals,
  Rejected,
  surfaced,
} from '../kit/index.js';
import type { BumpContext } from './bumpContext.js';
import { bumpSearchAttributes } from './searchAttributes.js';
import { forwardMessages } from './forwardMessages.js';
import { planBump } from './planBump.js';
import { fanOut } from './fanOut.js';
import { bumpAnnouncer } from './announce.js';

function parseInput(raw: BumpRequest): BumpInput {
  const parsed = bumpInputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
      .join('; ');
    throw ApplicationFailure.nonRetryable(
      `expected a bump request {service, targetRepo, …}; ${problems}`,
      FatalFailure.BadInput,
    );
  }
  return parsed.data;
}

/** The bump's state for the UI and search: `blocked`/`awaiting-approval` when any branch is. */
function overallState(status: BumpStatus): string {
  if (status.state !== 'running') return status.state;
  const states = status.branches.map((b) => b.state);
  for (const s of ['blocked', 'awaiting-approval'] as const) if (states.includes(s)) return s;
  return 'running';
}

export async function bumpImage(raw: BumpRequest): Promise<BumpResult> {
  const input = parseInput(raw);
  const lean = onPatch(Patches.leanHistory);
  const notifier = createNotifier({
    enabled: onPatch(Patches.notices),
    procedure: 'bump',
    subject: () => `${input.service} in ${input.targetRepo}`,
  });
  const settleSiblings = onPatch(Patches.settledSiblings);
  const lanes = onPatch(Patches.settledLanes);
  const retryShown = onPatch(Patches.retryShown);
  const reportConfirmed = onPatch(Patches.reportConfirmed);
  const reportsBatched = onPatch(Patches.reportsBatched);
  const announcer = bumpAnnouncer(notifier);
  const status: BumpStatus = {
    service: input.service,
    targetRepo: input.targetRepo,
    state: 'planning',
    branches: [],
    refusals: [],
  };
  const reporter = createReporter({
    status,
    details: bumpDetails,
    searchAttributes: (s) =>
      bumpSearchAttributes({
        service: input.service,
        targetRepo: input.targetRepo,
        image: s.image,
        state: overallState(s),
      }),
    onReport: (s) => announcer.look(s),
  });
  let rejectedBecause: string | undefined;
  const blocker = createBlocker({
    getState: () => status.state,
    setState: (s) => (status.state = s as BumpStatus['state']),
    setStep: (s) => (status.step = s),
    setLastError: (e) => (status.error = e),
    report: () => reporter.report(),
    rejected: () => rejectedBecause !== undefined,
  });
  const ctx: BumpContext = {
    input,
    reason: input.reason === undefined ? undefined : pure(() => parseReason(input.reason!)),
    acts: activitiesFor(input.retry, { localReads: lean }),
    lean,
    settle: settleSiblings,
    lanes,
    status,
    report: () => reporter.report(),
    step: (name, run, options) => blocker.step(name, run, options),
    children: new Map(),
  };
  forwardMessages(
    ctx,
    blocker,
    {
      rejected: () => rejectedBecause !== undefined,
      reject: (reason) => (rejectedBecause ??= reason),
    },
    retryShown,
    reportConfirmed,
    reportsBatched,
  );
  // a signal no handler takes is recorded, never dropped unseen (no new command: no notice, no report to anyone)
  refuseUnknownSignals(['approve', 'reject', 'retry', 'branchStatus'], (problem) => {
    recordRefusal(status.refusals, problem);
    reporter.reportFinal();
  });

  /** Records a child's final outcome; later (late) reports from it are ignored. */
  function settle(o: BranchOutcome): void {
    const b = status.branches.find((x) => x.branch === o.branch);
    if (b === undefined) return;
    b.state = o.outcome;
    b.seq = Number.MAX_SAFE_INTEGER;
    b.step = undefined;
    if (o.prUrl !== undefined) b.prUrl = o.prUrl;
    if (o.prNumber !== undefined) b.prNumber = o.prNumber;
    if (o.commitSha !== undefined) b.commitSha = o.commitSha;
    if (o.error !== undefined) b.lastError = o.error;
    if (o.outcome === 'rejected' && o.reason !== undefined) b.rejectedBecause = o.reason;
    reporter.report();
  }

  reporter.report();
  try {
    const plan = await planBump(ctx);
    status.state = 'running';
    reporter.report();
    const outcomes = await fanOut(ctx, plan, settle);
    status.state = 'done';
    reporter.reportFinal();
    announcer.end(outcomes);
    await notifier.settle();
    return {
      service: plan.service,
      image: plan.main.image,
      targetRepo: input.targetRepo,
      noteFile: plan.note.file,
      branches: outcomes,
    };
  } catch (err) {
    status.step = undefined;
    if (err instanceof Rejected) {
      status.state = 'rejected';
      reporter.reportFinal();
      await notifier.settle();
      throw ApplicationFailure.nonRetryable(
        `the bump was rejected while planning: ${rejectedBecause ?? 'rejected'}`,
        FatalFailure.Rejected,
      );
    }
    status.state = 'failed';
    status.error = errorInfo(err);
    reporter.reportFinal();
    announcer.failed(status.error.message);
    await notifier.settle();
    throw surfaced(err);
  }
}
