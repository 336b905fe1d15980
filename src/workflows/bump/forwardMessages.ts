/**
 * The parent's message handlers. Every payload is parsed with its schema; a
 * malformed one, or one naming no branch of this bump, is refused and shown
 * in the parent's status (a branch's reports: branchReports.ts). A valid one
 * reaches the children it addresses (all still waiting, or the one named);
 * `retry` also restarts the parent's own blocked planning step.
 */
import { getExternalWorkflowHandle, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import {
  approveSignal,
  rejectSignal,
  replaceNoteSignal,
  retrySignal,
  statusQuery,
} from '../../shared/messages.js';
import {
  approvePayloadSchema,
  parsePayload,
  rejectPayloadSchema,
  retryPayloadSchema,
} from '../../shared/payloads.js';
import type { BranchStatus, BumpStatus } from '../../shared/bump.js';
import { renderNote } from '../../lib/bump/releaseNote.js';
import { pure, recordRefusal, type Blocker, type Gate } from '../kit/index.js';
import { targets, type BumpContext } from './bumpContext.js';
import { handleBranchReports } from './branchReports.js';

const PUSHED: readonly string[] = ['pushing', 'opening-pr', 'pr-opened'];

export function forwardMessages(
  ctx: BumpContext,
  blocker: Blocker,
  gate: Pick<Gate, 'rejected'> & { reject(reason: string): void },
  /** Patches.retryShown: branches a retry is forwarded to show `retrying` at once */
  showRetrying = false,
  /** Patches.reportConfirmed: a branch's report is asked of the branch before it is shown */
  confirmReports = false,
  /** Patches.reportsBatched: the reports that arrive together are asked of their branches in one look */
  batchLooks = false,
): void {
  const { status } = ctx;
  const refuse = (problem: string): void => {
    recordRefusal(status.refusals, problem);
    ctx.report();
  };
  /** The branches a payload names, or a refusal when it names one this bump does not have. */
  const addressed = (what: string, branch: string | undefined): BranchStatus[] | undefined => {
    const to = targets(status, branch);
    if (branch !== undefined && to.length === 0) {
      refuse(
        `${what} refused: no branch ${branch} in this bump (branches: ${status.branches.map((b) => b.branch).join(', ') || 'none yet'})`,
      );
      return undefined;
    }
    return to;
  };
  function forward<T>(signal: SignalDefinition<[T]>, payload: T, to: BranchStatus[]): Promise<void> {
    return Promise.all(
      to.map((b) => {
        const id = ctx.children.get(b.branch);
        if (id === undefined) return undefined;
        return getExternalWorkflowHandle(id)
          .signal(signal, payload)
          .catch((err: unknown) =>
            log.warn('could not signal a branch', { branch: b.branch, error: String(err) }),
          );
      }),
    ).then(() => undefined);
  }

  setHandler(statusQuery, (): BumpStatus => status);
  handleBranchReports(ctx, refuse, confirmReports, batchLooks);
  setHandler(approveSignal, async (raw: unknown) => {
    const p = parsePayload(approvePayloadSchema, raw, 'approve');
    if (!p.ok) return refuse(p.problem);
    const to = addressed('approve', p.value.branch)?.filter((b) => b.state === 'awaiting-approval');
    if (to === undefined) return;
    if (to.length === 0)
      return refuse(
        `approve refused: no branch${p.value.branch ? ` ${p.value.branch}` : ''} is awaiting approval`,
      );
    const text = p.value.note?.trim();
    if (text !== undefined && text !== '' && status.note !== undefined) {
      const pushed = status.branches.filter((b) => PUSHED.includes(b.state));
      if (pushed.length > 0) {
        refuse(`the release note was not replaced: ${pushed.map((b) => b.branch).join(', ')} already pushed`);
      } else {
        status.note = { ...status.note, text, content: pure(() => renderNote(status.note!.section, text)) };
        await forward(replaceNoteSignal, status.note, status.branches);
      }
    }
    const { note: _note, ...rest } = p.value;
    await forward(approveSignal, { ...rest, branch: undefined }, to);
  });
  setHandler(rejectSignal, async (raw: unknown) => {
    const p = parsePayload(rejectPayloadSchema, raw, 'reject');
    if (!p.ok) return refuse(p.problem);
    if (blocker.isBlocked() && p.value.branch === undefined) gate.reject(p.value.reason);
    const to = addressed('reject', p.value.branch);
    if (to !== undefined) await forward(rejectSignal, { ...p.value, branch: undefined }, to);
  });
  setHandler(retrySignal, async (raw: unknown) => {
    const p = parsePayload(retryPayloadSchema, raw, 'retry');
    if (!p.ok) return refuse(p.problem);
    if (p.value.branch === undefined && blocker.retry()) return;
    const to = addressed('retry', p.value.branch)?.filter((b) => b.state === 'blocked');
    if (to === undefined) return;
    if (to.length === 0)
      return refuse(`retry refused: nothing${p.value.branch ? ` on ${p.value.branch}` : ''} is blocked`);
    if (showRetrying) {
      // the branch's own report follows (a newer seq replaces this); until then the status says what happens
      for (const b of to) b.state = 'retrying';
      ctx.report();
    }
    await forward(retrySignal, {}, to);
  });
}
