/**
 * The parent's `branchStatus` handler: a branch tells its bump its status,
 * and a person can send the same signal. Before Patches.reportConfirmed a
 * report was taken as sent (the newest report number wins). From it on a
 * report is a hint: the parent asks the branch it names (its own workflow,
 * lookAtWorkflow) and shows what the branch answers; a report no branch of
 * this bump sent — another workflow id, a report number the branch has not
 * reached, a state it is not in — is refused and recorded, never shown.
 * A branch's end is its result's word (fanOut's settle), never a report's.
 */
import { setHandler } from '@temporalio/workflow';
import { branchStatusSignal, WorkflowType } from '../../shared/messages.js';
import { parsePayload } from '../../shared/payloads.js';
import { branchStatusSchema, finalBranchStates, type BranchStatus } from '../../shared/bump.js';
import { lookAt } from '../kit/index.js';
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
    const look = await lookAt({ workflowId: id, type: WorkflowType.bumpBranch, query: 'branchStatus' });
    if (look === undefined) return; // unconfirmed (logged): the branch's next report, or its result, tells
    const found = parsePayload(branchStatusSchema, look.status, 'branchStatus');
    if (!found.ok)
      return refuse(
        `branchStatus refused: ${id} is ${look.found ? `a ${look.type} workflow` : 'no workflow'}, not the branch ${sent.branch} of this bump`,
      );
    const forged = forgery(sent, found.value, id);
    if (forged !== undefined) refuse(forged);
    if (!finalBranchStates.includes(found.value.state)) show(found.value);
  });
}
