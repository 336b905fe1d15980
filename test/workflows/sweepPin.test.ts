/**
 * Issue 23, parts 2 and 3, on real parts: a target's image scope and the
 * references pinned by tag only. Atmosphere's real vars files (main and
 * stable/2025.1) in a git bare repo, a real distribution registry with token
 * auth holding a labelled index for every ghcr.io/vexxhost/ image:tag (pinned
 * or not), the Temporal dev server, the GitHub stand-in for the PRs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSweepWorld, type SweepWorld } from '../../src/sandbox/sweepWorld.js';
import { commitsOn, listBranches, readBranchFile, VARS_PATH } from '../../src/sandbox/gitFixtures.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';
import { parseRepoUrl } from '../../src/lib/kit/repoUrl.js';
import { pinWorkflowId } from '../../src/shared/ids.js';
import { pinStatusQuery, type PinResult, type PinStatus } from '../../src/shared/pin.js';
import { decidePin } from '../../src/cli/pin/pinActions.js';
import { startTemporal } from '../support/temporal.js';
import { withSweepWorker } from '../support/sweep.js';

const SLUG = 'sweeppin/atmosphere';
const BRANCHES = ['main', 'stable/2025.1'];
const SCOPE = ['ghcr.io/vexxhost/**'];
const ENTRYPOINT = 'ghcr.io/vexxhost/kubernetes-entrypoint:edge';

let env: TestWorkflowEnvironment;
let world: SweepWorld;

before(async () => {
  env = await startTemporal();
  world = await createSweepWorld({ slug: SLUG, branches: BRANCHES, publishUnpinned: true });
});
after(async () => {
  await world?.close();
  await env?.teardown();
});

/**
 * Independent of the code under test: `<branch> <key> <image>:<tag>` of every line of the
 * fixture whose value is a ghcr.io/vexxhost/ reference ending at its tag (no digest).
 */
function unpinnedInFixtures(): string[] {
  const re =
    /^ {2}([a-z0-9_]+): "\{\{ atmosphere_image_prefix \}\}(ghcr\.io\/vexxhost\/[a-z0-9._/-]+:[A-Za-z0-9._-]+)"$/;
  return BRANCHES.flatMap((branch) =>
    readFileSync(path.join(atmosphereDir, `${branch.replace('/', '-')}.yml`), 'utf8')
      .split('\n')
      .flatMap((line) => {
        const m = re.exec(line);
        return m ? [`${branch} ${m[1]} ${m[2]}`] : [];
      }),
  );
}

async function statusWhen(id: string, ok: (s: PinStatus) => boolean, what: string): Promise<PinStatus> {
  const handle = env.client.workflow.getHandle(id);
  let last: PinStatus | undefined;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    last = await handle.query(pinStatusQuery).catch(() => last);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 2)}`);
}

void test("a target's images: only those swept, third-party pins and references untouched and unreported; --image narrows within them, never widens", async () => {
  await withSweepWorker(env, world, async (run) => {
    const expected = unpinnedInFixtures();
    assert.equal(expected.length, 6, `main 5, stable/2025.1 1: ${expected.join('; ')}`);
    const { result } = await run.sweep({ report: true, imagePrefixes: [], images: SCOPE });
    assert.equal(result.scope, 'ghcr.io/vexxhost/**');
    // a third-party pin or reference in scope would be asked of its own registry, which this world does not serve
    assert.equal(result.counts.unavailable, 0, result.table);
    assert.equal(result.pairCount, world.pins.pairs.length);
    assert.equal(result.pinCount, world.pins.pinCount);
    assert.deepEqual(
      (result.unpinned ?? []).map((u) => `${u.branch} ${u.key} ${u.id}`),
      expected,
    );
    assert.match(
      result.table,
      /Unpinned \(by tag only, no digest: 6 references, not counted among the pins\):/,
    );
    assert.match(result.table, /^\d+ pins: 0 behind, \d+ current, 0 unavailable$/m);
    assert.equal(result.counts.behind + result.counts.current, result.pinCount, 'the unpinned are not pins');
    assert.equal(result.pins, undefined, 'a report starts no pin run');

    const narrowed = (
      await run.sweep({ report: true, imagePrefixes: ['ghcr.io/vexxhost/openvswitch'], images: SCOPE })
    ).result;
    assert.equal(narrowed.scope, 'ghcr.io/vexxhost/**, starting with ghcr.io/vexxhost/openvswitch');
    assert.deepEqual(
      (narrowed.unpinned ?? []).map((u) => `${u.branch} ${u.key} ${u.id}`),
      expected.filter((e) => e.includes('/openvswitch:')),
    );
    assert.equal(
      narrowed.pairCount,
      world.pins.pairs.filter((p) => p.repository === 'vexxhost/openvswitch').length,
    );

    // --image outside the target's images: nothing (quay.io is neither asked nor reported)
    const outside = (await run.sweep({ report: true, imagePrefixes: ['quay.io/'], images: SCOPE })).result;
    assert.equal(outside.pairCount, 0);
    assert.deepEqual(outside.unpinned, []);
    assert.equal(outside.counts.unavailable, 0);
  });
});

void test('--pin: one pin run per branch, each approved on its own; the verified digests written byte-exactly in one PR; a refused image left alone; a rejected run writes nothing', async () => {
  const key = parseRepoUrl(world.targetUrl).key;
  const mainId = pinWorkflowId(key, 'main');
  const stableId = pinWorkflowId(key, 'stable/2025.1');
  // the entrypoint's newest build lost its revision label: the pin run refuses it (LabelMissing), as a bump would
  await world.publish(ENTRYPOINT, 'unlabelled', ['revision']);
  const mainBefore = (await readBranchFile(world.git, SLUG, 'main', VARS_PATH))!;
  const headsBefore = await listBranches(world.git, SLUG);
  const started: string[] = [];
  await withSweepWorker(env, world, async (run) => {
    try {
      const { result } = await run.sweep({ pin: true, imagePrefixes: [], images: SCOPE });
      assert.deepEqual(
        (result.pins ?? []).map((p) => [p.branch, p.outcome, p.workflowId, p.images.length]),
        [
          ['main', 'started', mainId, 4],
          ['stable/2025.1', 'started', stableId, 1],
        ],
      );
      // the entrypoint's tag moved, and stable/2025.1 pins it by digest: the usual bump, beside the pin runs
      assert.deepEqual(
        result.bumps.map((b) => [b.service, b.branches.join(','), b.outcome]),
        [['kubernetes-entrypoint', 'stable/2025.1', 'started']],
      );
      started.push(...result.bumps.map((b) => b.workflowId));

      const waiting = await statusWhen(
        mainId,
        (s) => s.state === 'awaiting-approval',
        'main awaiting approval',
      );
      const rows = Object.fromEntries(waiting.rows.map((r) => [r.id, r]));
      assert.deepEqual(Object.keys(rows).sort(), [
        'ghcr.io/vexxhost/charts/cert-manager:v1.15.5',
        ENTRYPOINT,
        'ghcr.io/vexxhost/openvswitch:v3.3.6-6',
        'ghcr.io/vexxhost/pod-tls-sidecar:v1.0.0',
      ]);
      assert.equal(rows[ENTRYPOINT]!.state, 'refused');
      assert.equal(rows[ENTRYPOINT]!.refusal?.type, 'LabelMissing');
      assert.equal(rows[ENTRYPOINT]!.digest, undefined);
      const pinned = waiting.rows.filter((r) => r.id !== ENTRYPOINT);
      for (const r of pinned) {
        assert.equal(r.state, 'verified', JSON.stringify(r));
        assert.equal(r.digest, world.newest[r.id]!.digest, `${r.id}: the tag's digest now`);
        assert.ok(r.checks.some((c) => c.startsWith('org.opencontainers.image.version is')));
      }
      assert.deepEqual(rows['ghcr.io/vexxhost/openvswitch:v3.3.6-6']!.keys, [
        'openvswitch_db_server',
        'openvswitch_vswitchd',
      ]);
      assert.equal(waiting.workBranch, 'pin-digests-main');
      assert.deepEqual(await listBranches(world.git, SLUG), headsBefore, 'nothing pushed before approval');

      // a second sweep while both wait: each branch's run is found and skipped
      const again = (await run.sweep({ pin: true, imagePrefixes: [], images: SCOPE })).result;
      assert.deepEqual(
        (again.pins ?? []).map((p) => [p.branch, p.outcome]),
        [
          ['main', 'skipped'],
          ['stable/2025.1', 'skipped'],
        ],
      );
      assert.match(again.pins![0]!.reason ?? '', /already running as pin\/sweeppin\/atmosphere\/main/);

      await decidePin(env.client, mainId, { approver: 'ops', json: true });
      const done = (await env.client.workflow.getHandle(mainId).result()) as PinResult;
      assert.equal(done.state, 'pr-opened', JSON.stringify(done.error));
      assert.equal(done.approvedBy, 'ops');

      // byte-exact: main's file with `@<digest>` spliced after each verified reference, nothing else
      let expected = mainBefore;
      for (const r of pinned) expected = expected.split(`${r.id}"`).join(`${r.id}@${r.digest!}"`);
      assert.notEqual(expected, mainBefore);
      const pushed = await readBranchFile(world.git, SLUG, 'pin-digests-main', VARS_PATH);
      assert.equal(pushed, expected);
      assert.equal(
        pushed!.length - mainBefore.length,
        4 * (1 + 71),
        'four references, `@sha256:<64 hex>` each',
      );
      assert.ok(pushed!.includes(`${ENTRYPOINT}"`), 'the refused image is left as it was');
      const after = await listBranches(world.git, SLUG);
      assert.equal(after.main, headsBefore.main, 'main itself is never written');
      const commits = await commitsOn(world.git, SLUG, 'pin-digests-main', 'main');
      assert.equal(commits.length, 1);
      assert.deepEqual(commits[0]!.files, [VARS_PATH]);
      assert.match(commits[0]!.message, /^chore: pin 3 images by digest on main\n/);
      const pr = world.github.pulls.find((p) => p.head === 'pin-digests-main');
      assert.ok(pr, 'a PR of the work branch');
      assert.equal(pr.base, 'main');
      assert.equal(done.prNumber, pr.number);
      for (const r of pinned) assert.ok(pr.body.includes(r.digest!), `the PR names ${r.id}'s digest`);
      assert.match(pr.body, /Left alone: ghcr\.io\/vexxhost\/kubernetes-entrypoint:edge \(LabelMissing: /);

      // stable/2025.1: rejected, nothing written
      const stable = await statusWhen(
        stableId,
        (s) => s.state === 'awaiting-approval',
        'stable awaiting approval',
      );
      assert.deepEqual(
        stable.rows.map((r) => [r.id, r.keys.join(','), r.state]),
        [['ghcr.io/vexxhost/charts/cert-manager:v1.11.5', 'cert_manager_helm_chart', 'verified']],
      );
      await decidePin(env.client, stableId, {
        reason: 'not before the release',
        approver: 'ops',
        json: true,
      });
      const rejected = (await env.client.workflow.getHandle(stableId).result()) as PinResult;
      assert.equal(rejected.state, 'rejected');
      assert.equal(rejected.rejectedBecause, 'not before the release');
      const branches = await listBranches(world.git, SLUG);
      assert.equal(branches['pin-digests-2025.1'], undefined, 'no work branch');
      assert.equal(branches['stable/2025.1'], headsBefore['stable/2025.1']);
      assert.equal(world.github.pulls.filter((p) => p.base === 'stable/2025.1').length, 0, 'no PR');
    } finally {
      for (const id of [mainId, stableId, ...started])
        await env.client.workflow
          .getHandle(id)
          .terminate('end of the test')
          .catch(() => undefined);
    }
  });
});
