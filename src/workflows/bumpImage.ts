/**
 * bumpImage: one bump of one service across the target repo's branches.
 * Checks the service's current pin on main once (image, source repo, version
 * label), drafts one release note for every branch, and fans out one
 * bumpBranch child per branch. Signals sent here reach every child still
 * waiting, or the one a payload names.
 */
import {
  ActivityFailure,
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
import { approvalFor } from '../lib/approvalPolicy.js';
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

  /** Records a child's final outcome in the status; later (late) reports from it are ignored. */
  function settle(o: BranchOutcome): void {
    const b = status.branches.find((x) => x.branch === o.branch);
    if (b === undefined) return;
    b.state = o.outcome;
    b.seq = Number.MAX_SAFE_INTEGER;
    if (o.prUrl !== undefined) b.prUrl = o.prUrl;
    if (o.prNumber !== undefined) b.prNumber = o.prNumber;
    if (o.commitSha !== undefined) b.commitSha = o.commitSha;
    if (o.error !== undefined) b.lastError = o.error;
    if (o.outcome === 'rejected' && o.reason !== undefined) b.rejectedBecause = o.reason;
    report();
  }

  setHandler(statusQuery, () => status);
  setHandler(branchStatusSignal, (s) => {
    const i = status.branches.findIndex((b) => b.branch === s.branch);
    const known = i >= 0 ? status.branches[i]! : undefined;
    if (known !== undefined && (known.seq ?? 0) >= (s.seq ?? 0)) return; // an older report that arrived late
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
            approval: (() => {
              const a = approvalFor(input.approvalPolicy, b.branch);
              return { required: a.required, pattern: a.rule?.pattern };
            })(),
            retry: input.retry,
            branchCount: branches.length,
          },
        ],
      });
    });
    // Each child's result is the last word on its branch, whatever its status signals said.
    const settled = await Promise.allSettled(
      handles.map(async (h, i) => {
        const branch = status.branches[i]!.branch;
        const outcome: BranchOutcome = await (await h).result().catch((err: unknown) => ({ branch, outcome: 'failed' as const, error: errorInfo(err) }));
        settle(outcome);
        return outcome;
      }),
    );
    const outcomes: BranchOutcome[] = settled.map((r, i) =>
      r.status === 'fulfilled' ? r.value : { branch: status.branches[i]!.branch, outcome: 'failed', error: errorInfo(r.reason) },
    );
    status.state = 'done';
    report();
    return { service, image: main.image, targetRepo: input.targetRepo, noteFile: note.file, branches: outcomes };
  } catch (err) {
    status.state = 'failed';
    status.error = errorInfo(err);
    report();
    // Fail with the typed reason itself (not "activity task failed"), so the UI and `result()` show it first.
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        message: cause.message,
        type: cause.type ?? undefined,
        nonRetryable: true,
        details: cause.details ?? undefined,
        cause,
      });
    }
    throw err;
  }
}
