/** What a finished bump must leave behind, read from the real remotes and the stand-in, not from the workflows. */
import assert from 'node:assert/strict';
import type { BumpResult } from '../../src/shared/messages.js';
import type { Scenario } from '../../src/sandbox/scenario.js';
import { commitsOn } from '../../src/sandbox/gitFixtures.js';

/** Exactly one PR per branch on the stand-in, and exactly one commit on each PR's head branch. */
export async function assertOneCommitAndOnePrPerBranch(s: Scenario, branches: string[]): Promise<void> {
  assert.equal(
    s.github.pulls.length,
    branches.length,
    `exactly one PR per branch, found ${JSON.stringify(s.github.pulls.map((p) => `${p.head} → ${p.base}`))}`,
  );
  for (const branch of branches) {
    const pr = s.github.pulls.find((p) => p.base === branch);
    assert.ok(pr, `a PR for ${branch}`);
    assert.equal(
      (await commitsOn(s.git, s.slug, pr.head, branch)).length,
      1,
      `exactly one commit on ${pr.head}`,
    );
  }
}

/** The bump's result says pr-opened for every branch, naming the stand-in's PR for it and the commit at its head. */
export function assertPrOpenedEverywhere(result: BumpResult, s: Scenario, branches: string[]): void {
  assert.deepEqual(
    result.branches.map((b) => `${b.branch}: ${b.outcome}`).sort(),
    branches.map((b) => `${b}: pr-opened`).sort(),
    JSON.stringify(result.branches),
  );
  for (const outcome of result.branches) {
    const pr = s.github.pulls.find((p) => p.base === outcome.branch);
    assert.ok(pr, `a PR for ${outcome.branch}`);
    assert.equal(outcome.prNumber, pr.number, `the result names PR #${pr.number} for ${outcome.branch}`);
    assert.equal(outcome.commitSha, pr.headSha, `the result's commit for ${outcome.branch} is the PR's head`);
  }
}
