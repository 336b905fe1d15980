/**
 * The sweep on real parts: Atmosphere's real vars files (main + 5 stable) in
 * a git bare repo, a real registry with token auth holding a labelled index
 * for every pinned image:tag, a few images behind on some branches.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { workflowFailed } from '../../src/cli/kit/exitCodes.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSweepWorld, type SweepWorld } from '../../src/sandbox/sweepWorld.js';
import { bumpWorkflowId } from '../../src/shared/messages.js';
import { parseRepoUrl } from '../../src/lib/kit/repoUrl.js';
import type { SweepResult } from '../../src/workflows/sweep/sweepInput.js';
import { startTemporal } from '../support/temporal.js';
import { requestsSince, withSweepWorker } from '../support/sweep.js';

const SLUG = 'sweeptest/atmosphere';
const MAGNUM = 'ghcr.io/vexxhost/magnum';
const KEYSTONE = 'ghcr.io/vexxhost/keystone';
const NOVA = 'ghcr.io/vexxhost/nova';
const GLANCE = 'ghcr.io/vexxhost/glance';
const BEHIND = [
  { image: MAGNUM, branch: 'main' },
  { image: MAGNUM, branch: 'stable/2025.1' },
  { image: KEYSTONE, branch: 'stable/2024.1', version: '2023.2' },
  { image: NOVA, branch: 'stable/2023.2', platform: 'linux/arm64' },
];

let env: TestWorkflowEnvironment;
let world: SweepWorld;

before(async () => {
  env = await startTemporal();
  world = await createSweepWorld({ slug: SLUG, behind: BEHIND });
});
after(async () => {
  await world?.close();
  await env?.teardown();
});

const behindSet = (r: SweepResult) => [...new Set(r.behind.map((p) => `${p.image} ${p.branch}`))].sort();
const expected = BEHIND.map((b) => `${b.image} ${b.branch}`).sort();
const repoKey = () => parseRepoUrl(world.targetUrl).key;

void test('sweeps every pin once per image:tag and reports exactly what is behind', async () => {
  await withSweepWorker(env, world, async (run) => {
    const from = world.front.requests.length;
    const tokensFrom = world.issuer.requests.length;
    const { result } = await run.sweep({ report: true });
    assert.deepEqual(behindSet(result), expected);
    assert.equal(result.counts.unavailable, 0, result.table);
    assert.equal(result.branches.length, 6);
    assert.equal(result.pairCount, world.pins.pairs.length);
    assert.equal(result.bumps.length, 0, 'a report starts nothing');
    // the platform pin stays a pin to that platform: the same platform's child of the new index
    const nova = result.behind.filter((p) => p.image === NOVA);
    assert.ok(nova.length > 0);
    for (const p of nova) {
      assert.equal(p.platform, 'linux/arm64');
      assert.equal(p.to, world.newest[p.id]!.children['linux/arm64']);
      assert.equal(p.digest, world.older[p.id]!.children['linux/arm64']);
    }
    for (const p of result.behind.filter((v) => v.image === MAGNUM)) {
      assert.equal(p.to, world.newest[p.id]!.digest);
      assert.equal(p.digest, world.older[p.id]!.digest);
    }
    // evidence: keystone's newest build says another version than its tag
    const keystone = result.behind.find((p) => p.image === KEYSTONE)!;
    assert.deepEqual(
      keystone.evidence?.find((e) => e.kind === 'version-label'),
      { kind: 'version-label', tag: '2024.1', version: '2023.2' },
    );
    assert.match(result.table, /version label 2023\.2 is not the tag 2024\.1/);
    // requests: one HEAD per distinct image:tag, a token per repository, reads for behind images only
    const asked = requestsSince(world, from);
    assert.equal(asked.headsByPair.size, world.pins.pairs.length);
    assert.ok(
      [...asked.headsByPair.values()].every((n) => n === 1),
      'each image:tag asked once',
    );
    const repos = new Set(world.pins.pairs.map((p) => p.repository));
    const tokens = world.issuer.requests.length - tokensFrom;
    assert.ok(
      tokens <= repos.size,
      `expected at most one token per repository (${repos.size}), found ${tokens}`,
    );
    const behindRepos = ['vexxhost/magnum', 'vexxhost/keystone', 'vexxhost/nova'];
    assert.deepEqual(
      asked.reads.filter((r) => !behindRepos.some((repo) => r.includes(`/v2/${repo}/`))),
      [],
      'no read beyond the HEADs for images that are current',
    );
  });
});

void test('starts one bump per service behind, for its behind branches, and skips a bump already running', async () => {
  await withSweepWorker(env, world, async (run) => {
    // a bump of nova already running: started under the id the CLI gives it, on a queue no worker polls
    const novaId = bumpWorkflowId(repoKey(), 'nova');
    await env.client.workflow.start('bumpImage', {
      taskQueue: `nobody-polls-${Date.now()}`,
      workflowId: novaId,
      args: [{ service: 'nova', targetRepo: world.targetUrl }],
    });
    const started: string[] = [];
    try {
      const { result } = await run.sweep();
      const byService = Object.fromEntries(result.bumps.map((b) => [b.service, b]));
      assert.deepEqual(Object.keys(byService).sort(), ['keystone', 'magnum', 'nova']);
      assert.equal(byService.nova!.outcome, 'skipped');
      assert.match(byService.nova!.reason ?? '', /already running/);
      assert.deepEqual(byService.magnum, {
        ...byService.magnum,
        outcome: 'started',
        workflowId: bumpWorkflowId(repoKey(), 'magnum'),
        branches: ['main', 'stable/2025.1'],
      });
      assert.equal(byService.keystone!.outcome, 'started');
      assert.deepEqual(byService.keystone!.branches, ['stable/2024.1']);
      for (const b of result.bumps.filter((x) => x.outcome === 'started')) {
        started.push(b.workflowId);
        const history = await env.client.workflow.getHandle(b.workflowId).fetchHistory();
        const attrs = history.events![0]!.workflowExecutionStartedEventAttributes!;
        const input = JSON.parse(Buffer.from(attrs.input!.payloads![0]!.data!).toString()) as {
          branches: string[];
        };
        assert.deepEqual(input.branches, b.branches);
        assert.equal(attrs.parentWorkflowExecution?.workflowId, `sweep/${SLUG}`);
      }
      // nothing else was started
      await assert.rejects(
        env.client.workflow.getHandle(bumpWorkflowId(repoKey(), 'glance')).describe(),
        WorkflowNotFoundError,
      );
    } finally {
      for (const id of [novaId, ...started])
        await env.client.workflow
          .getHandle(id)
          .terminate('end of the test')
          .catch(() => undefined);
    }
  });
});

void test('one image answering 503 is unavailable; everything else stands; a moved tag is seen next time', async () => {
  await withSweepWorker(env, world, async (run) => {
    world.front.failing.add('vexxhost/glance');
    let result: SweepResult;
    try {
      ({ result } = await run.sweep({ report: true }));
    } finally {
      world.front.failing.delete('vexxhost/glance');
    }
    assert.deepEqual(behindSet(result), expected);
    const glancePairs = world.pins.pairs.filter((p) => p.image === GLANCE).map((p) => p.id);
    assert.ok(glancePairs.length > 0);
    assert.deepEqual(result.unavailable.map((u) => u.id).sort(), glancePairs.sort());
    for (const u of result.unavailable)
      assert.equal(u.failure.type, 'RegistryUnavailable', u.failure.message);
    // the tag of heat:2024.2 moves: the next sweep (same worker, same client) sees it
    const heat = world.pins.pairs.find((p) => p.id === 'ghcr.io/vexxhost/heat:2024.2')!;
    const moved = await world.publish(heat.id, 'moved');
    const again = (await run.sweep({ report: true })).result;
    assert.equal(again.counts.unavailable, 0);
    const heatRows = again.behind.filter((p) => p.id === heat.id);
    assert.equal(heatRows.length, heat.pins.length);
    assert.ok(heatRows.every((p) => p.to === moved.digest && p.branch === 'stable/2024.2'));
  });
});

void test('a vars file outside the repository or a branch starting with `-` ends the sweep with its own typed BadInput, shown as the sweep failing (issue 20 item 7)', async () => {
  await withSweepWorker(env, world, async (run) => {
    for (const bad of [{ varsFile: '../../etc/passwd' }, { branches: ['-x'] }]) {
      const failed = await run.sweep({ report: true, ...bad }).then(
        () => assert.fail(`expected the sweep with ${JSON.stringify(bad)} to fail`),
        (err: unknown) => err,
      );
      assert.ok(failed instanceof WorkflowFailedError, String(failed));
      const shown = workflowFailed('the sweep', failed);
      assert.match(shown.message, /^the sweep failed: BadInput: /, shown.message);
      assert.match(shown.message, bad.varsFile ? /\.\.\/\.\.\/etc\/passwd/ : /"-x"|'-x'|-x/);
      assert.doesNotMatch(shown.message, /Activity task failed/);
      assert.equal(shown.exitCode, 2);
    }
  });
});
