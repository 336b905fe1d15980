/**
 * The parent's `branchStatus` handler: a branch tells its bump its status,
 * and a person can send the same signal. Before Patches.reportConfirmed a
 * report was taken as sent (the newest report number wins). From it on a
 * report is a hint: the parent asks the branch it names (its own workflow,
 * lookAtWorkflow) and shows what the branch answers; a report no branch of
 * this bump sent — another workflow id, a report number the branch has not
 * reached, a state it is not in — is refused and recorded, never shown.
 * From Patches.reportsBatched the reports that arrive while a look is under
 * way wait for it and are then asked together, in one lookAtWorkflows for
 * every branch named: a bump's branches report at about the same time
 * (awaiting approval, then approved and pushing), and one look per report
 * was most of the parent's history and work.
 * A branch's end is its result's word (fanOut's settle), never a report's.
 */
import { setHandler } from '@temporalio/workflow';
import { branchStatusSignal, WorkflowType } from '../../shared/messages.js';
import { parsePayload } from '../../shared/payloads.js';
import { branchStatusSchema, finalBranchStates, type BranchStatus } from '../../shared/bump.js';
import type { WorkflowLook } from '../../activities/index.js';
import { lookAt, lookAtAll } from '../kit/index.js';
import type { BumpContext } from './bumpContext.js';

/** Why `sent` is no report of the branch `id`, whose status is `found`; undefined when it may be. */
function forgery(sent: BranchStatus, found: BranchStatus, id: string): string | undefined {
  const [s, f] = [sent.seq ?? 0, found.seq ?? 0];
  const from = sent.workflowId === id ? '' : ` from ${sent.workflowId ?? 'no workflow id'}`;
  const sameState = sent.state === found.state || finalBranchStates.includes(found.state);
  if (from === '' && (s < f || (s === f && sameState))) return undefined;
  return `branchStatus refused: ${sent.branch} is ${found.state} (report ${f}), not ${sent.state} (report ${s})${from}: no branch of this bump sent it`;
}

export function handleBranchReports(
  ctx: BumpContext,
  refuse: (problem: string) => void,
  confirm: boolean,
  batched = false,
): void {
  const { status } = ctx;
  /** Shows a branch's status, unless a newer one is shown (reports may arrive out of order). */
  const show = (s: BranchStatus): void => {
    const i = status.branches.findIndex((b) => b.branch === s.branch);
    if (i < 0 || (status.branches[i]!.seq ?? 0) >= (s.seq ?? 0)) return;
    status.branches[i] = s;
    ctx.report();
  };

  setHandler(branchStatusSignal, async (raw: unknown) => {
    const p = parsePayload(branchStatusSchema, raw, 'branchStatus');
    if (!p.ok) return refuse(p.problem);
    const sent = p.value;
    if (!status.branches.some((b) => b.branch === sent.branch))
      return refuse(`branchStatus refused: no branch ${sent.branch} in this bump`);
    if (!confirm) return show(sent);
    const id = ctx.children.get(sent.branch);
    if (id === undefined)
      return refuse(`branchStatus refused: ${sent.branch} has not started: no branch of this bump sent it`);
    if (!batched) return judge(sent.branch, id, [sent], await lookAt(lookInput(id)));
    const reports = pending.get(sent.branch) ?? [];
    reports.push(sent);
    pending.set(sent.branch, reports);
    if (!looking) await lookAtPending();
  });

  function lookInput(workflowId: string) {
    return { workflowId, type: WorkflowType.bumpBranch, query: 'branchStatus' };
  }

  /** Each report of `branch` (its workflow `id`) judged by what the branch answered; its status shown. */
  function judge(branch: string, id: string, reports: BranchStatus[], look: WorkflowLook | undefined): void {
    if (look === undefined) return; // unconfirmed (logged): the branch's next report, or its result, tells
    const found = parsePayload(branchStatusSchema, look.status, 'branchStatus');
    if (!found.ok)
      return refuse(
        `branchStatus refused: ${id} is ${look.found ? `a ${look.type} workflow` : 'no workflow'}, not the branch ${branch} of this bump`,
      );
    for (const sent of reports) {
      const forged = forgery(sent, found.value, id);
      if (forged !== undefined) refuse(forged);
    }
    if (!finalBranchStates.includes(found.value.state)) show(found.value);
  }

  /** Patches.reportsBatched: the reports waiting, by branch in order of arrival */
  const pending = new Map<string, BranchStatus[]>();
  let looking = false;
  /** Looks at every branch with reports waiting, in one activity, until none wait. */
  async function lookAtPending(): Promise<void> {
    looking = true;
    try {
      while (pending.size > 0) {
        const batch = [...pending].map(([branch, reports]) => ({
          branch,
          reports,
          id: ctx.children.get(branch)!,
        }));
        pending.clear();
        const looks = await lookAtAll(batch.map((b) => lookInput(b.id)));
        batch.forEach((b, i) => judge(b.branch, b.id, b.reports, looks[i]));
      }
    } finally {
      looking = false;
    }
  }
}
