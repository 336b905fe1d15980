/**
 * What the CLI knows of a bump before it acts on it: the `status` query when
 * a worker answers, else the search attributes (`BumpState`, `BumpBranch`)
 * that visibility keeps for the bump and its branch workflows.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { finalBranchStates, type BranchStatus } from '../../shared/bump.js';
import {
  branchStatusQuery,
  branchWorkflowId,
  BumpBranch,
  BumpState,
  statusQuery,
  WorkflowType,
  type BumpStatus,
} from '../../shared/messages.js';
import { closedRun, inputText, type ClosedRun } from '../kit/closedRun.js';
import { isNoWorker, withWorkerDeadline } from '../kit/connect.js';
import { refused, usage } from '../kit/exitCodes.js';

export interface BranchView {
  branch: string;
  tag: string;
  state: string;
  workflowId: string;
}

export interface BumpView {
  id: string;
  /** the bump's own state (`planning`, `blocked`, `running`, …), or how it ended */
  state: string | undefined;
  running: boolean;
  branches: BranchView[];
  /** `visibility` when no worker answered the status query */
  source: 'query' | 'visibility';
}

function notFound(id: string): Error {
  return usage(`no bump workflow with id ${id}`);
}

/**
 * A running branch's own status: the parent hears only of the states it acts
 * on (awaiting approval, blocked, pushing), so the branch is asked for the rest.
 * The parent's entry stands when the branch cannot answer.
 */
async function liveBranch(client: Client, b: BranchStatus): Promise<BranchStatus> {
  if (b.workflowId === undefined || finalBranchStates.includes(b.state)) return b;
  try {
    const own = await withWorkerDeadline(client, () =>
      client.workflow.getHandle(b.workflowId!).query(branchStatusQuery),
    );
    return (own.seq ?? 0) >= (b.seq ?? 0) ? own : b;
  } catch {
    return b;
  }
}

/** The status query (each running branch asked for its own), or undefined when no worker answered it. */
async function queryStatus(client: Client, id: string): Promise<BumpStatus | undefined> {
  try {
    const status = await withWorkerDeadline(client, () => client.workflow.getHandle(id).query(statusQuery));
    return { ...status, branches: await Promise.all(status.branches.map((b) => liveBranch(client, b))) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(id);
    if (isNoWorker(err)) return undefined;
    const closed = await closedRun(client, id);
    if (closed === undefined) throw err;
    return closedStatus(closed);
  }
}

/** A bump that ended before it could answer (refused at its input): its typed failure, from the server's record. */
function closedStatus(run: ClosedRun): BumpStatus {
  return {
    service: inputText(run, 'service'),
    targetRepo: inputText(run, 'targetRepo'),
    state: run.failure?.type === 'Rejected' ? 'rejected' : run.ended === 'completed' ? 'done' : 'failed',
    branches: [],
    error: run.failure ?? { type: 'Ended', message: `the bump ended (${run.ended}) before it answered` },
    refusals: [],
  };
}

/** The full status, for `status`: it needs a worker. */
export async function readStatus(client: Client, id: string): Promise<BumpStatus> {
  const status = await queryStatus(client, id);
  if (status === undefined) {
    throw refused(
      `no worker answered the status query of ${id} within 10 s: start one ('npm run worker', task queue as BUMPFLOW_TASK_QUEUE); meanwhile 'bumpflow list --branches --all' shows the states recorded in the search attributes`,
    );
  }
  return status;
}

async function fromVisibility(client: Client, id: string): Promise<BumpView> {
  if (/['"\\]/.test(id))
    throw usage(
      `expected a bump workflow id such as bump/vexxhost/atmosphere/magnum, found ${JSON.stringify(id)}`,
    );
  const description = await client.workflow
    .getHandle(id)
    .describe()
    .catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? notFound(id) : err;
    });
  const running = description.status.name === 'RUNNING';
  const branches: BranchView[] = [];
  const query = `WorkflowType = '${WorkflowType.bumpBranch}' AND ParentWorkflowId = '${id}'`;
  for await (const wf of client.workflow.list({ query })) {
    const tag = wf.workflowId.startsWith(`${id}/`) ? wf.workflowId.slice(id.length + 1) : wf.workflowId;
    const state =
      wf.status.name === 'RUNNING'
        ? (wf.typedSearchAttributes.get(BumpState) ?? 'pending')
        : `ended (${wf.status.name.toLowerCase()})`;
    branches.push({
      branch: wf.typedSearchAttributes.get(BumpBranch) ?? tag,
      tag,
      state,
      workflowId: wf.workflowId,
    });
  }
  const state = running
    ? description.typedSearchAttributes.get(BumpState)
    : `ended (${description.status.name.toLowerCase()})`;
  return { id, state, running, branches, source: 'visibility' };
}

/** The bump's state and its branches' states, from the worker if one answers, else from visibility. */
export async function readView(client: Client, id: string): Promise<BumpView> {
  const status = await queryStatus(client, id);
  if (status === undefined) return fromVisibility(client, id);
  const running = !['done', 'failed', 'rejected'].includes(status.state);
  const branches = status.branches.map((b) => ({
    branch: b.branch,
    tag: b.tag,
    state: b.state,
    workflowId: b.workflowId ?? branchWorkflowId(id, b.tag),
  }));
  return { id, state: status.state, running, branches, source: 'query' };
}

/** The branches in one of `states`, limited to those named (by branch or tag) when `names` is given. */
export function branchesIn(
  view: BumpView,
  states: readonly string[],
  names?: readonly string[],
): BranchView[] {
  return view.branches.filter(
    (b) => states.includes(b.state) && (!names || names.includes(b.branch) || names.includes(b.tag)),
  );
}

/** ` among main, stable/2025.1` when branches were named. */
export function among(names: readonly string[] | undefined): string {
  return names && names.length > 0 ? ` among ${names.join(', ')}` : '';
}

export const NO_WORKER_NOTE = 'it takes effect when a worker runs';

/** ` (now: main blocked, stable/2025.1 pr-opened)`, so the operator sees why nothing matched. */
export function currentStates(view: BumpView): string {
  if (view.branches.length === 0)
    return view.state ? ` (the bump is ${view.state}, no branch started yet)` : '';
  return ` (now: ${view.branches.map((b) => `${b.branch} ${b.state}`).join(', ')})`;
}
