/**
 * What a bump tells (src/workflows/bump/announce.ts), decided from its status
 * as the parent sees it: branches batched once none is on its way, each
 * branch once per state it enters, the parent's own blocked planning step,
 * the end's PRs and failures. A recording notifier stands in for the
 * workflow's (which sends activities): the decisions are what is tested here;
 * test/workflows/notices.test.ts sends them for real.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bumpAnnouncer } from '../../src/workflows/bump/announce.js';
import type { NoticeFacts, Notifier } from '../../src/workflows/kit/notices.js';
import { occasionKeys } from '../../src/workflows/kit/occasions.js';
import type { BranchState, BumpStatus } from '../../src/shared/bump.js';
import type { NoticeState } from '../../src/shared/notices.js';

interface Told {
  state: NoticeState;
  facts: NoticeFacts;
  key: string;
}

function recording(): Notifier & { told: Told[] } {
  const told: Told[] = [];
  const keys = new Set<string>();
  const occasion = occasionKeys();
  const tell: Notifier['tell'] = (state, facts = {}, key = state) => {
    if (keys.has(key)) return;
    keys.add(key);
    told.push({ state, facts, key });
  };
  return {
    told,
    tell,
    tellAnew: (state, facts, base = state) => tell(state, facts, occasion(base)),
    settle: () => Promise.resolve(),
  };
}

function status(state: BumpStatus['state'], branches: Record<string, BranchState>): BumpStatus {
  return {
    service: 'magnum',
    targetRepo: 'https://github.com/vexxhost/atmosphere',
    state,
    refusals: [],
    branches: Object.entries(branches).map(([branch, s]) => ({
      branch,
      tag: branch.replace('stable/', ''),
      state: s,
      validation: [],
      refusals: [],
      notices: [],
      ...(s === 'blocked'
        ? {
            step: { name: 'open or find the PR', retries: 0 },
            lastError: { type: 'AuthRefused', message: 'no' },
          }
        : {}),
    })),
  };
}

describe('what a bump tells', () => {
  it('waits until no branch is on its way, then names every branch awaiting approval in one notice', () => {
    const n = recording();
    const a = bumpAnnouncer(n);
    a.look(status('running', { main: 'awaiting-approval', 'stable/2025.1': 'pending' }));
    a.look(status('running', { main: 'awaiting-approval', 'stable/2025.1': 'resolving' }));
    assert.equal(n.told.length, 0, 'a branch still resolving: nothing yet');
    a.look(status('running', { main: 'awaiting-approval', 'stable/2025.1': 'awaiting-approval' }));
    a.look(status('running', { main: 'awaiting-approval', 'stable/2025.1': 'awaiting-approval' }));
    assert.equal(n.told.length, 1);
    assert.equal(n.told[0]!.state, 'awaiting-approval');
    assert.deepEqual(n.told[0]!.facts.branches, ['main', 'stable/2025.1']);
  });

  it('tells a branch blocked with its step and error, and tells it again only once it left and came back', () => {
    const n = recording();
    const a = bumpAnnouncer(n);
    a.look(status('running', { main: 'blocked', 'stable/2025.1': 'pushing' }));
    assert.equal(n.told.length, 0, 'another branch pushing: wait for it');
    a.look(status('running', { main: 'blocked', 'stable/2025.1': 'pr-opened' }));
    assert.deepEqual(
      n.told.map((t) => [t.state, t.facts.branches, t.facts.step, t.facts.error]),
      [['blocked', ['main'], 'open or find the PR', 'no']],
    );
    a.look(status('running', { main: 'blocked', 'stable/2025.1': 'pr-opened' }));
    assert.equal(n.told.length, 1, 'a report that changes nothing tells nothing');
    a.look(status('running', { main: 'retrying', 'stable/2025.1': 'pr-opened' }));
    a.look(status('running', { main: 'blocked', 'stable/2025.1': 'pr-opened' }));
    assert.equal(n.told.length, 2, 'blocked anew after a retry: told again');
    assert.notEqual(n.told[1]!.key, n.told[0]!.key, 'under its own key');
  });

  it("tells the bump's own blocked planning step, and its end: the PRs and the failed branches", () => {
    const n = recording();
    const a = bumpAnnouncer(n);
    a.look({ ...status('blocked', {}), step: { name: 'list the branches', retries: 0 } });
    a.look({ ...status('blocked', {}), step: { name: 'list the branches', retries: 0 } });
    a.end([
      { branch: 'main', outcome: 'pr-opened', prUrl: 'https://github.com/o/r/pull/1' },
      { branch: 'stable/2025.1', outcome: 'failed', error: { type: 'GitUnavailable', message: 'down' } },
      { branch: 'stable/2024.2', outcome: 'no-op' },
    ]);
    assert.deepEqual(
      n.told.map((t) => [t.state, t.facts.branches ?? [], t.facts.step ?? t.facts.error ?? '']),
      [
        ['blocked', [], 'list the branches'],
        ['failed', ['stable/2025.1'], 'down'],
        ['pr-opened', ['main'], ''],
      ],
    );
    assert.deepEqual(n.told[2]!.facts.prs, [{ branch: 'main', url: 'https://github.com/o/r/pull/1' }]);
  });
});
