/**
 * Which branches of a bump a decision goes to: for `approve`, those awaiting
 * approval; for `reject`, those not yet decided — or the bump itself while it
 * is blocked planning, before any branch started. Exit 1 when the bump has
 * ended or nothing matches, naming the states as they are. Shared by the
 * commands (src/cli/commands/approve.ts, reject.ts) and src/client.ts.
 */
import type { Client } from '@temporalio/client';
import { among, branchesIn, currentStates, readView, type BranchView, type BumpView } from './bumpView.js';
import { refused, usage } from '../kit/exitCodes.js';

const UNDECIDED = ['pending', 'resolving', 'awaiting-approval', 'blocked'] as const;

export interface DecisionTargets {
  view: BumpView;
  branches: BranchView[];
  /** no worker answered the status query: the decisions go as signals */
  noWorker: boolean;
}

/** An approval bound to a digest names exactly one branch (the digest is that branch's plan): exit 2 otherwise. */
export function checkDigestBranches(digest: string | undefined, names: readonly string[] | undefined): void {
  if (digest && (names?.length ?? 0) !== 1)
    throw usage(
      `--digest: expected exactly one --branch beside it (it binds the approval to that branch's planned digest), found ${names?.length ?? 0}`,
    );
}

/** The running bump's branches awaiting approval (only those named, by branch or tag, when `names` is given). */
export async function awaitingApproval(
  client: Client,
  id: string,
  names?: readonly string[],
): Promise<DecisionTargets> {
  const view = await readView(client, id);
  if (!view.running) throw refused(`the bump ${id} is ${view.state}: nothing to approve`);
  const branches = branchesIn(view, ['awaiting-approval'], names);
  if (branches.length === 0)
    throw refused(`no branch of ${id} is awaiting approval${among(names)}${currentStates(view)}`);
  return { view, branches, noWorker: view.source === 'visibility' };
}

/**
 * The running bump's undecided branches (those named); `wholeBump` when none
 * started yet, none was named and the bump is blocked planning: the bump
 * itself takes the rejection (its `reject` signal).
 */
export async function undecided(
  client: Client,
  id: string,
  names?: readonly string[],
): Promise<DecisionTargets & { wholeBump: boolean }> {
  const view = await readView(client, id);
  if (!view.running) throw refused(`the bump ${id} is ${view.state}: nothing to reject`);
  const branches = branchesIn(view, UNDECIDED, names);
  const wholeBump = branches.length === 0 && !names && view.state === 'blocked';
  if (branches.length === 0 && !wholeBump)
    throw refused(`no undecided branch of ${id}${among(names)}${currentStates(view)}`);
  return { view, branches, noWorker: view.source === 'visibility', wholeBump };
}
