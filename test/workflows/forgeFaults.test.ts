/**
 * Forge faults, through the GitHub stand-in's `onRequest` hook (the stand-in
 * is the one test double: GitHub cannot run here): a pull request that is
 * created but whose answer never reaches the worker, and a PR listing that
 * lags behind a creation. Either way the bump must end with exactly one PR
 * per branch and say pr-opened. Every wait has a deadline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { type BumpResult, approveSignal } from '../../src/shared/messages.js';
import { createForge, forgeOptionsFromEnvironment } from '../../src/clients/forge/index.js';
import { createScenario, type Scenario } from '../../src/sandbox/scenario.js';
import type { GitHubStandIn, StandInAnswer } from '../../src/sandbox/githubStandIn.js';
import { startTemporal } from '../support/temporal.js';
import { allIn, waitForStatus, withWorker } from '../support/bump.js';
import { assertOneCommitAndOnePrPerBranch, assertPrOpenedEverywhere } from '../support/outcomes.js';

const BRANCHES = ['main', 'stable/2025.1'];
/** The worker's deadline for one forge exchange in these tests (the default is 30 s). */
const FORGE_TIMEOUT_MS = 1500;
const retry = { maximumAttempts: 12, initialInterval: '200ms', maximumInterval: '1s' };

let env: TestWorkflowEnvironment;
before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

type HookRequest = Parameters<NonNullable<GitHubStandIn['onRequest']>>[0];
const isCreate = (req: HookRequest): boolean =>
  req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/pulls$/.test(req.path);
const isList = (req: HookRequest): boolean =>
  req.method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/pulls$/.test(req.path);
const headOf = (req: HookRequest): string =>
  new URLSearchParams(req.query).get('head')?.split(':').slice(1).join(':') ?? '';

/** The scenario with the worker's own forge client, but a short deadline per exchange. */
function withShortForgeTimeout(s: Scenario): Scenario {
  return {
    ...s,
    deps: {
      ...s.deps,
      forge: createForge({ ...forgeOptionsFromEnvironment(s.env), timeoutMs: FORGE_TIMEOUT_MS }),
    },
  };
}

/**
 * The first POST /pulls of each base branch is carried out on the stand-in
 * (the PR exists), but its answer is held past the worker's forge deadline,
 * so the worker gives up on it and the activity is retried.
 */
function loseFirstCreateAnswer(s: Scenario): { lost: string[] } {
  const lost: string[] = [];
  const previous = s.github.onRequest;
  s.github.onRequest = async (req) => {
    const base = (req.body as { base?: unknown } | undefined)?.base;
    if (!isCreate(req) || typeof base !== 'string' || lost.includes(base)) return previous?.(req);
    lost.push(base);
    // Carried out by the stand-in itself (this hook lets the repeated request through)...
    const done = await fetch(`${s.github.url}${req.path}`, {
      method: 'POST',
      headers: { authorization: `token ${s.env.GITHUB_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(req.body),
    });
    const answer: StandInAnswer = { status: done.status, body: await done.json() };
    // ...and its answer sent only after the worker stopped waiting for it.
    await new Promise((r) => setTimeout(r, FORGE_TIMEOUT_MS * 2));
    return answer;
  };
  return { lost };
}

/** Listings leave out a pull request for `lagMs` after its creation (as GitHub's search can). */
function lagListings(s: Scenario, lagMs: number): { lagged: number } {
  const counter = { lagged: 0 };
  const previous = s.github.onRequest;
  s.github.onRequest = async (req) => {
    if (isList(req)) {
      const fresh = s.github.pulls.some(
        (p) => p.head === headOf(req) && Date.now() - Date.parse(p.createdAt) < lagMs,
      );
      if (fresh) {
        counter.lagged += 1;
        return { status: 200, body: [] };
      }
    }
    return previous?.(req);
  };
  return counter;
}

/** How often the worker listed the open PRs of each work branch. */
function listingsPerHead(s: Scenario): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of s.github.requests) {
    if (r.method !== 'GET' || !/\/pulls$/.test(r.path)) continue;
    const head = new URLSearchParams(r.query).get('head')?.split(':').slice(1).join(':') ?? '';
    counts[head] = (counts[head] ?? 0) + 1;
  }
  return counts;
}

async function bumpToTheEnd(s: Scenario): Promise<BumpResult> {
  return withWorker(env, withShortForgeTimeout(s), async ({ start }) => {
    const handle: WorkflowHandle = await start({ service: 'magnum', branches: BRANCHES, retry });
    await waitForStatus(
      handle,
      allIn('awaiting-approval', BRANCHES.length),
      'every branch awaiting approval',
      90_000,
    );
    await handle.signal(approveSignal, { approver: 'ops' });
    await waitForStatus(
      handle,
      (st) => st.state === 'done' || st.state === 'failed',
      'the bump to end',
      90_000,
    );
    return (await handle.result()) as BumpResult;
  });
}

describe('forge faults', () => {
  it('a PR created whose answer is lost is found by the retry: one PR per branch, pr-opened', async () => {
    const s = await createScenario({ slug: 'lost-answer/atmosphere', branches: BRANCHES });
    try {
      const { lost } = loseFirstCreateAnswer(s);
      const result = await bumpToTheEnd(s);
      assert.deepEqual(
        [...lost].sort(),
        [...BRANCHES].sort(),
        'the first creation of every branch lost its answer',
      );
      assertPrOpenedEverywhere(result, s, BRANCHES);
      await assertOneCommitAndOnePrPerBranch(s, BRANCHES);
      // the worker looked again after the lost answer (a retry), rather than being answered late
      for (const [head, n] of Object.entries(listingsPerHead(s)))
        assert.ok(n >= 2, `${head} listed ${n} time(s)`);
    } finally {
      await s.close();
    }
  });

  it('a lost answer followed by listings that miss the new PR for 4 s still ends with one PR per branch, pr-opened', async () => {
    const s = await createScenario({ slug: 'lagging-list/atmosphere', branches: BRANCHES });
    try {
      const { lost } = loseFirstCreateAnswer(s);
      const lag = lagListings(s, 4000);
      const result = await bumpToTheEnd(s);
      assert.deepEqual(
        [...lost].sort(),
        [...BRANCHES].sort(),
        'the first creation of every branch lost its answer',
      );
      assert.ok(lag.lagged >= BRANCHES.length, `listings missed a new PR ${lag.lagged} time(s)`);
      assertPrOpenedEverywhere(result, s, BRANCHES);
      await assertOneCommitAndOnePrPerBranch(s, BRANCHES);
    } finally {
      await s.close();
    }
  });
});
