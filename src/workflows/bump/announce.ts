/**
 * What a bump tells its notice targets (kit/notices.ts). The parent speaks
 * for its branches, so eight branches waiting make one notice, not eight:
 * branches are told once none is still on its way (pending, resolving,
 * pushing, …), each branch at most once per state it enters, named in the
 * notice. The parent's own blocked planning step is told as the bump's.
 * At the end: the PRs opened, and the branches that failed.
 */
import type { BranchOutcome, BranchState, BumpStatus } from '../../shared/bump.js';
import type { NoticeFacts, Notifier } from '../kit/index.js';

/** Branch states from which a branch moves on by itself: the notice waits for it. */
const MOVING: readonly BranchState[] = ['pending', 'resolving', 'retrying', 'pushing', 'opening-pr'];
const TOLD = ['awaiting-approval', 'blocked'] as const;

export interface BumpAnnouncer {
  /** after each report: tells what waits for a person now and was not told */
  look(status: BumpStatus): void;
  /** the end of a bump that ran: its PRs, its failed branches */
  end(outcomes: readonly BranchOutcome[]): void;
  /** the bump itself failed */
  failed(error: string | undefined): void;
}

export function bumpAnnouncer(notifier: Notifier): BumpAnnouncer {
  /** branch → the state it was told in, while it stays there */
  const told = new Map<string, BranchState>();
  let own: string | undefined;

  return {
    look(status) {
      if (status.state === 'blocked' && own !== 'blocked')
        notifier.tellAnew('blocked', { step: status.step?.name, error: status.error?.message });
      own = status.state;
      for (const b of status.branches)
        if (told.has(b.branch) && told.get(b.branch) !== b.state) told.delete(b.branch);
      if (status.state !== 'running' || status.branches.some((b) => MOVING.includes(b.state))) return;
      for (const state of TOLD) {
        const fresh = status.branches.filter((b) => b.state === state && !told.has(b.branch));
        if (fresh.length === 0) continue;
        for (const b of fresh) told.set(b.branch, state);
        const names = fresh.map((b) => b.branch);
        const facts: NoticeFacts =
          state === 'blocked'
            ? { branches: names, step: fresh[0]!.step?.name, error: fresh[0]!.lastError?.message }
            : { branches: names };
        notifier.tellAnew(state, facts, `${state}:${names.join(',')}`);
      }
    },
    end(outcomes) {
      const failed = outcomes.filter((o) => o.outcome === 'failed');
      if (failed.length > 0)
        notifier.tell(
          'failed',
          { branches: failed.map((o) => o.branch), error: failed[0]!.error?.message },
          'failed',
        );
      const opened = outcomes.filter((o) => o.outcome === 'pr-opened' && o.prUrl !== undefined);
      if (opened.length > 0)
        notifier.tell(
          'pr-opened',
          {
            branches: opened.map((o) => o.branch),
            prs: opened.map((o) => ({ branch: o.branch, url: o.prUrl! })),
          },
          'pr-opened',
        );
    },
    failed(error) {
      notifier.tell('failed', { error }, 'failed');
    },
  };
}
