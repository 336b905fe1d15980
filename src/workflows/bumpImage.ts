/**
 * bumpImage: one bump of one service across the target repo's branches.
 * Checks the service's current pin on main once (image, source repo, version
 * label), drafts one release note for every branch, and fans out one
 * bumpBranch child per branch. Signals sent here reach every child still
 * waiting, or the one a payload names.
 */
import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  log,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import {
  approveSignal,
  branchStatusSignal,
  branchWorkflowId,
  bumpInputSchema,
  BumpService,
  BumpState,
  rejectSignal,
  replaceNoteSignal,
  retrySignal,
  statusQuery,
  WorkflowType,
  type ApprovePayload,
  type BranchOutcome,
  type BranchStatus,
  type BumpInput,
  type BumpRequest,
  type BumpResult,
  type BumpStatus,
  type ReleaseNotePlan,
  type RejectPayload,
  type RetryPayload,
} from '../shared/messages.js';
import { FatalFailure } from '../shared/failures.js';
import { branchTag } from '../lib/branches.js';
import { parseReason, type Reason } from '../lib/reason.js';
import { draftNoteText, noteFileName, renderNote } from '../lib/releaseNote.js';
import { bumpDetails } from '../lib/details.js';
import { activitiesFor, errorInfo, pure } from './common.js';
import type { bumpBranch } from './bumpBranch.js';

function parseInput(raw: BumpRequest): BumpInput {
  const parsed = bumpInputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`expected a bump request {service, targetRepo, …}; ${problems}`, FatalFailure.BadInput);
  }
  return parsed.data;
}

function noteSlug(reason: Reason | undefined): string {
  if (reason === undefined) return 'digest';
  switch (reason.kind) {
    case 'commit':
      return reason.sha.slice(0, 10);
    case 'pull-request':
      return `pr-${reason.number}`;
    case 'dependency':
    case 'release':
      return `${reason.name}-${reason.version}`;
  }
}

export async function bumpImage(raw: BumpRequest): Promise<BumpResult> {
  const input = parseInput(raw);
  const acts = activitiesFor(input.retry, { untilDone: true });
  const selfId = workflowInfo().workflowId;
  const reason = input.reason === undefined ? undefined : pure(() => parseReason(input.reason!));
  const status: BumpStatus = { service: input.service, targetRepo: input.targetRepo, state: 'planning', branches: [] };
  const children = new Map<string, string>(); // branch → child workflow id

  function overallState(): string {
    if (status.state !== 'running') return status.state;
    const states = status.branches.map((b) => b.state);
    for (const s of ['blocked', 'awaiting-approval'] as const) if (states.includes(s)) return s;
    return 'running';
  }
  function report(): void {
    setCurrentDetails(bumpDetails(status));
    upsertSearchAttributes([
      { key: BumpService, value: input.service },
      { key: BumpState, value: overallState() },
    ]);
  }
  /** The children a payload addresses: the one it names, or all not yet decided. */
  function targets(branch: string | undefined): BranchStatus[] {
    if (branch === undefined) return status.branches;
    return status.branches.filter((b) => b.branch === branch || b.tag === branch);
  }
  function forward<T>(signal: Parameters<ReturnType<typeof getExternalWorkflowHandle>['signal']>[0], payload: T, to: BranchStatus[]): Promise<void> {
    return Promise.all(
      to.map((b) => {
        const id = children.get(b.branch);
        if (id === undefined) return undefined;
        return getExternalWorkflowHandle(id)
          .signal(signal as never, payload as never)
          .catch((err: unknown) => log.warn('could not signal a branch', { branch: b.branch, error: String(err) }));
      }),
    ).then(() => undefined);
  }

  setHandler(statusQuery, () => status);
  setHandler(branchStatusSignal, (s) => {
    const i = status.branches.findIndex((b) => b.branch === s.branch);
    if (i >= 0) status.branches[i] = s;
    else status.branches.push(s);
    report();
  });
  setHandler(approveSignal, async (p: ApprovePayload) => {
    const to = targets(p.branch).filter((b) => b.state === 'awaiting-approval');
    if (to.length === 0) {
      log.warn('approve reached no branch awaiting approval', { branch: p.branch });
      return;
    }
    if (p.note !== undefined && status.note !== undefined && p.note.trim() !== '') {
      const pushed = status.branches.filter((b) => ['pushing', 'opening-pr', 'pr-opened'].includes(b.state));
      if (pushed.length > 0) {
        log.warn('release note not replaced: some branches are already pushed', { branches: pushed.map((b) => b.branch) });
      } else {
        const text = p.note.trim();
        status.note = { ...status.note, text, content: pure(() => renderNote(status.note!.section, text)) };
        await forward(replaceNoteSignal, status.note, status.branches);
      }
    }
    const { note: _note, ...rest } = p;
    await forward(approveSignal, { ...rest, branch: undefined }, to);
  });
  setHandler(rejectSignal, (p: RejectPayload) => forward(rejectSignal, { ...p, branch: undefined }, targets(p.branch)));
  setHandler(retrySignal, (p: RetryPayload) =>
    forward(retrySignal, {}, targets(p.branch).filter((b) => b.state === 'blocked')),
  );

  report();
  try {
    const { branches } = await acts.listBranches({ repoUrl: input.targetRepo, requested: input.branches });
    const main = await acts.readPins({ repoUrl: input.targetRepo, branch: 'main', varsFile: input.varsFile, service: input.service });
    const facts = await acts.inspectImage({
      registry: main.registry,
      repository: main.repository,
      digest: main.digest,
      expectedVersion: main.tag,
    });
    status.image = main.image;
    status.sourceRepo = facts.source;
    const service = main.repository.split('/').pop() ?? input.service;
    const section = reason === undefined ? 'upgrade' : 'fixes';
    const text = pure(() => draftNoteText({ service, image: main.image, reason, section }));
    const hex16 = uuid4().replace(/-/g, '').slice(0, 16);
    const note: ReleaseNotePlan = {
      file: pure(() => noteFileName(service, noteSlug(reason), hex16)),
      section,
      text,
      content: pure(() => renderNote(section, text)),
    };
    status.note = note;
    status.branches = branches.map((branch) => ({
      branch,
      tag: pure(() => branchTag(branch)),
      state: 'pending',
      validation: [],
      refusals: [],
      notices: [],
    }));
    status.state = 'running';
    report();

    const handles: Array<Promise<ChildWorkflowHandle<typeof bumpBranch>>> = status.branches.map((b) => {
      const workflowId = branchWorkflowId(selfId, b.tag);
      children.set(b.branch, workflowId);
      b.workflowId = workflowId;
      return startChild<typeof bumpBranch>(WorkflowType.bumpBranch, {
        workflowId,
        staticSummary: `bump ${service} on ${b.branch}`,
        staticDetails: `Image \`${main.image}:${b.tag}\` in \`${input.varsFile}\` of ${input.targetRepo}; source ${facts.source}. Reason: ${input.reason ?? 'none given'}.`,
        args: [
          {
            parentWorkflowId: selfId,
            service,
            image: { registry: main.registry, repository: main.repository },
            targetRepo: input.targetRepo,
            varsFile: input.varsFile,
            branch: b.branch,
            tag: b.tag,
            sourceRepo: facts.source,
            reason: input.reason,
            note,
            approvalTimeout: input.approvalTimeout,
            retry: input.retry,
            branchCount: branches.length,
          },
        ],
      });
    });
    const settled = await Promise.allSettled(handles.map(async (h) => (await h).result()));
    const outcomes: BranchOutcome[] = settled.map((r, i) => {
      const branch = status.branches[i]!.branch;
      if (r.status === 'fulfilled') return r.value;
      return { branch, outcome: 'failed', error: errorInfo(r.reason) };
    });
    status.state = 'done';
    report();
    return { service, image: main.image, targetRepo: input.targetRepo, noteFile: note.file, branches: outcomes };
  } catch (err) {
    status.state = 'failed';
    status.error = errorInfo(err);
    report();
    throw err;
  }
}
