/**
 * bumpBranch: one target branch of a bump. Resolve and validate the new
 * digest, show the plan, wait for a human, then push the bump branch and
 * open (or find) its pull request.
 */
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  metricMeter,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  approveSignal,
  approveUpdate,
  branchStatusQuery,
  branchStatusSignal,
  BumpBranch,
  BumpService,
  BumpState,
  rejectSignal,
  rejectUpdate,
  replaceNoteSignal,
  retrySignal,
  type ApprovePayload,
  type BranchOutcome,
  type BranchOutcomeKind,
  type BranchStatus,
  type BumpBranchInput,
  type ReleaseNotePlan,
  type RejectPayload,
} from '../shared/messages.js';
import { FatalFailure } from '../shared/failures.js';
import { formatImageRef } from '../lib/imageRef.js';
import { sourceBranchForVersion, workBranchName } from '../lib/branches.js';
import { parseReason } from '../lib/reason.js';
import { commitMessage, prBody, prTitle, type PlanText } from '../lib/pullRequest.js';
import { branchDetails } from '../lib/details.js';
import { renderNote } from '../lib/releaseNote.js';
import { activitiesFor, errorInfo, isFatal, pure } from './common.js';

/** Thrown inside the flow when a human rejects while the branch is blocked. */
class Rejected extends Error {}

export async function bumpBranch(input: BumpBranchInput): Promise<BranchOutcome> {
  const acts = activitiesFor(input.retry);
  const image = `${input.image.registry}/${input.image.repository}`;
  const reason = input.reason === undefined ? undefined : pure(() => parseReason(input.reason!));
  let note: ReleaseNotePlan = input.note;
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
  let decision: { kind: 'approve'; by: string } | { kind: 'reject'; by: string; reason: string } | undefined;
  let retryRequested = false;

  function report(): void {
    status.seq = (status.seq ?? 0) + 1;
    setCurrentDetails(branchDetails(status, input.sourceRepo, input.varsFile));
    upsertSearchAttributes([
      { key: BumpService, value: input.service },
      { key: BumpBranch, value: input.branch },
      { key: BumpState, value: status.state },
    ]);
    if (input.parentWorkflowId !== undefined) {
      getExternalWorkflowHandle(input.parentWorkflowId)
        .signal(branchStatusSignal, { ...status })
        .catch((err: unknown) => log.warn('could not report status to the parent', { error: String(err) }));
    }
  }

  function approvalProblem(p: ApprovePayload): string | undefined {
    if (status.state !== 'awaiting-approval') return `${input.branch} is ${status.state}, not awaiting approval`;
    if (p.branch !== undefined && p.branch !== input.branch && p.branch !== input.tag) {
      return `the approval names branch ${p.branch}, this workflow bumps ${input.branch}`;
    }
    if (p.digest !== undefined && p.digest !== status.newDigest) {
      return `the approval names ${p.digest} but the planned digest is ${status.newDigest ?? 'not known yet'}`;
    }
    if (p.note !== undefined && input.branchCount > 1) {
      return 'a replacement release note goes to the parent bump workflow, so that every branch gets the same note';
    }
    if (p.note !== undefined && p.note.trim() === '') return 'the replacement release note is empty';
    return undefined;
  }
  function rejectProblem(p: RejectPayload): string | undefined {
    if (p.branch !== undefined && p.branch !== input.branch && p.branch !== input.tag) {
      return `the rejection names branch ${p.branch}, this workflow bumps ${input.branch}`;
    }
    if (!['awaiting-approval', 'blocked', 'pending', 'resolving'].includes(status.state)) {
      return `${input.branch} is ${status.state}: too late to reject`;
    }
    return undefined;
  }
  function approve(p: ApprovePayload): void {
    if (p.note !== undefined) note = { ...note, text: p.note.trim(), content: renderNoteContent(note.section, p.note) };
    decision = { kind: 'approve', by: p.approver ?? 'unknown' };
  }
  function reject(p: RejectPayload): void {
    decision = { kind: 'reject', by: p.approver ?? 'unknown', reason: p.reason };
  }

  setHandler(branchStatusQuery, () => status);
  setHandler(approveSignal, (p) => {
    const problem = approvalProblem(p);
    if (problem !== undefined) {
      status.refusals.push(problem);
      report();
      return;
    }
    approve(p);
  });
  setHandler(approveUpdate, (p) => (approve(p), status), {
    validator: (p) => {
      const problem = approvalProblem(p);
      if (problem !== undefined) throw new Error(problem);
    },
  });
  setHandler(rejectSignal, (p) => {
    const problem = rejectProblem(p);
    if (problem !== undefined) {
      status.refusals.push(problem);
      report();
      return;
    }
    reject(p);
  });
  setHandler(rejectUpdate, (p) => (reject(p), status), {
    validator: (p) => {
      const problem = rejectProblem(p);
      if (problem !== undefined) throw new Error(problem);
    },
  });
  setHandler(retrySignal, () => {
    retryRequested = true;
  });
  setHandler(replaceNoteSignal, (plan) => {
    if (['pushing', 'opening-pr', 'pr-opened'].includes(status.state)) {
      status.refusals.push('the release note was replaced after this branch was pushed');
      report();
      return;
    }
    note = plan;
  });

  /** Runs an activity; when its retries run out on an outage, waits in `blocked` for `retry` or `reject`. */
  async function step<T>(run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const result = await run();
        if (status.lastError) {
          status.lastError = undefined;
          report();
        }
        return result;
      } catch (err) {
        if (isFatal(err)) throw err;
        const resumeState = status.state;
        status.lastError = errorInfo(err);
        status.state = 'blocked';
        retryRequested = false;
        report();
        await condition(() => retryRequested || decision?.kind === 'reject');
        if (decision?.kind === 'reject') throw new Rejected();
        status.state = resumeState;
        report();
      }
    }
  }

  function finish(outcome: BranchOutcomeKind, extra: Partial<BranchOutcome> = {}): BranchOutcome {
    status.state = outcome;
    report();
    metricMeter
      .createCounter('bumpflow_branch_outcomes', 'branches', 'Branches of bumps that ended, by outcome')
      .add(1, { service: input.service, outcome });
    return {
      branch: input.branch,
      outcome,
      oldDigest: status.oldDigest,
      newDigest: status.newDigest,
      prUrl: status.prUrl,
      prNumber: status.prNumber,
      commitSha: status.commitSha,
      ...extra,
    };
  }

  /** Resolves, validates and plans; returns false when the branch is already current. */
  async function plan(): Promise<boolean> {
    status.state = 'resolving';
    status.validation = [];
    status.plan = undefined;
    report();
    const pins = await step(() =>
      acts.readPins({ repoUrl: input.targetRepo, branch: input.branch, varsFile: input.varsFile, service: image }),
    );
    if (pins.tag !== input.tag) {
      throw ApplicationFailure.nonRetryable(
        `expected ${image} pinned with tag ${input.tag} on ${input.branch}, found tag ${pins.tag}: never bump a branch to another branch's image`,
        FatalFailure.LabelMismatch,
      );
    }
    status.keys = pins.keys;
    status.baseSha = pins.baseSha;
    status.oldDigest = pins.digest;
    const newDigest = await step(() => acts.resolveDigest({ ...input.image, tag: input.tag }));
    status.newDigest = newDigest;
    if (newDigest === pins.digest) return false;

    const newFacts = await step(() =>
      acts.inspectImage({ ...input.image, digest: newDigest, expectedVersion: input.tag, expectedSource: input.sourceRepo }),
    );
    // The old revision is for the reader's links only: an image that is gone from the registry must not stop the bump.
    const oldFacts = await step(() => acts.inspectImage({ ...input.image, digest: pins.digest, expectedVersion: input.tag })).catch(
      (err: unknown) => {
        if (isFatal(err)) return undefined;
        throw err;
      },
    );
    status.oldRevision = oldFacts?.revision;
    status.newRevision = newFacts.revision;
    status.validation.push(`org.opencontainers.image.version of the new image is ${newFacts.version}, the tag pinned on ${input.branch}`);
    const sourceBranch = sourceBranchForVersion(newFacts.version);
    status.sourceBranch = sourceBranch;
    const head = await step(() => acts.sourceHead({ sourceRepo: input.sourceRepo, branch: sourceBranch }));
    if (head !== newFacts.revision) {
      throw ApplicationFailure.nonRetryable(
        `expected the image's revision ${newFacts.revision.slice(0, 12)} to be the HEAD of ${sourceBranch} in ${input.sourceRepo}, found HEAD at ${head.slice(0, 12)}: the tag ${input.tag} is stale (a newer commit is not published yet)`,
        FatalFailure.StaleTag,
        { revision: newFacts.revision, head },
      );
    }
    status.validation.push(`the image's revision ${head.slice(0, 12)} is the HEAD of ${sourceBranch} in the source repo`);
    if (reason !== undefined) {
      const evidence = await step(() => acts.validateReason({ sourceRepo: input.sourceRepo, revision: newFacts.revision, reason }));
      status.validation.push(...evidence);
    }
    const text: PlanText = {
      service: input.service,
      branch: input.branch,
      image,
      tag: input.tag,
      oldDigest: pins.digest,
      newDigest,
      oldRevision: status.oldRevision,
      newRevision: newFacts.revision,
      sourceRepoUrl: input.sourceRepo.replace(/\.git$/, ''),
      reason,
      validation: status.validation,
      changedKeys: pins.keys,
      noteFile: note.file,
    };
    const ref = (digest: string) => formatImageRef({ ...input.image, tag: input.tag, digest });
    status.plan = {
      title: pure(() => prTitle(text)),
      body: pure(() => prBody(text)),
      commitMessage: pure(() => commitMessage(text)),
      workBranch: pure(() => workBranchName(input.service, input.tag)),
      changes: pins.keys.map((key) => `${key}: ${ref(pins.digest)} → ${ref(newDigest)}`),
    };
    return true;
  }

  report();
  try {
    // Plan, wait for a human, and re-plan if the tag moved while waiting.
    for (;;) {
      if (!(await plan())) return finish('no-op');
      if (input.approval?.required === false) {
        // The approval policy lets this branch go without a human (e.g. `main: required: false`).
        status.approvedBy = `policy (branch pattern ${input.approval.pattern ?? '?'} needs no approval)`;
        status.notices.push(`no approval needed: the approval policy's pattern ${input.approval.pattern ?? '?'} matches ${input.branch}`);
        break;
      }
      decision = undefined;
      status.state = 'awaiting-approval';
      report();
      const decided = await condition(() => decision !== undefined, input.approvalTimeout, {
        summary: `approval of ${input.branch} (expires after ${input.approvalTimeout})`,
      });
      if (!decided) return finish('expired', { reason: `no approval within ${input.approvalTimeout}` });
      if (decision!.kind === 'reject') throw new Rejected();
      status.approvedBy = decision!.by;
      const planned = status.newDigest!;
      const current = await step(() => acts.resolveDigest({ ...input.image, tag: input.tag }));
      if (current === planned) break;
      status.notices.push(`the tag ${input.tag} moved from ${planned} to ${current} while waiting: re-planned, approve again`);
    }

    const chosen = status.plan!;
    status.state = 'pushing';
    report();
    const date = new Date().toISOString();
    const pushed = await step(() =>
      acts.pushBump({
        repoUrl: input.targetRepo,
        baseBranch: input.branch,
        workBranch: chosen.workBranch,
        varsFile: input.varsFile,
        image,
        newDigest: status.newDigest!,
        note: { file: note.file, content: note.content },
        message: chosen.commitMessage,
        date,
      }),
    );
    if (pushed.alreadyCurrent) {
      status.notices.push(`${input.branch} already pins ${status.newDigest} (someone bumped it meanwhile)`);
      return finish('no-op');
    }
    status.commitSha = pushed.commitSha;
    status.state = 'opening-pr';
    report();
    const body = `${chosen.body}\n\nApproved by ${status.approvedBy ?? 'unknown'} in Temporal workflow \`${workflowInfo().workflowId}\`.\n`;
    const pr = await step(() =>
      acts.openPullRequest({ repoUrl: input.targetRepo, head: chosen.workBranch, base: input.branch, title: chosen.title, body }),
    );
    status.prNumber = pr.number;
    status.prUrl = pr.url;
    return finish('pr-opened');
  } catch (err) {
    if (err instanceof Rejected) {
      const reasonText = decision?.kind === 'reject' ? decision.reason : 'rejected';
      status.rejectedBecause = reasonText;
      return finish('rejected', { reason: reasonText });
    }
    const info = errorInfo(err);
    if (!isFatal(err) && !(err instanceof ApplicationFailure)) throw err;
    status.lastError = info;
    return finish('failed', { error: info });
  }
}

function renderNoteContent(section: 'fixes' | 'upgrade', text: string): string {
  return pure(() => renderNote(section, text.trim()));
}
