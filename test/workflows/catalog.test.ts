/**
 * VM image catalog updates on real parts: the real OSISM Ubuntu catalog in a
 * git bare repo, its URLs moved to the loopback distro mirror (dated build
 * directories, listings, GNU-binary SHA256SUMS), the Temporal dev server, the
 * git client's push, and the GitHub stand-in for the PR. Every pushed file is
 * compared whole with bytes the test builds itself from the committed text.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { catalogGate } from '../../src/shared/catalog.js';
import { CliError } from '../../src/cli/kit/exitCodes.js';
import { startTemporal } from '../support/temporal.js';
import {
  approveCatalog as approve,
  checksumOf,
  imageBlock as block,
  inCatalogWorld,
  inImage,
  swapsFor,
  type CatalogRun,
  type CatalogWorld,
} from '../support/catalog.js';

const sha256 = (bytes: Buffer) => checksumOf('sha256', bytes);
const DISABLED_SERIES = ['/trusty/', '/xenial/', '/bionic/', '/focal/', '/minimal/releases/xenial/'];

function disabledRequests(world: CatalogWorld): string[] {
  return world.mirror.requests.map((r) => r.path).filter((p) => DISABLED_SERIES.some((s) => p.startsWith(s)));
}

describe('updateCatalog', { timeout: 240_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const inWorld = <T>(
    slug: string,
    fn: (world: CatalogWorld, run: CatalogRun) => Promise<T>,
    transform?: (text: string) => string,
  ): Promise<T> => inCatalogWorld(env, slug, { transform }, fn);

  it('writes the newer builds of two images byte-exactly, opens one PR, and a rerun finds both again', async () => {
    await inWorld('osism/catalog-two', async (world, run) => {
      const old24 = world.mirror.latest('Ubuntu 24.04');
      const oldMin = world.mirror.latest('Ubuntu 22.04 Minimal');
      const new24 = world.mirror.publish('Ubuntu 24.04', '20260115');
      const newMin = world.mirror.publish('Ubuntu 22.04 Minimal', '20260201');
      const expected = inImage(
        inImage(world.text, 'Ubuntu 24.04', swapsFor(old24, new24, 'ubuntu-24.04')),
        'Ubuntu 22.04 Minimal',
        swapsFor(oldMin, newMin, 'ubuntu-22.04-minimal'),
      );

      const h = await run.start({ path: 'etc/images/ubuntu.yml' });
      const waiting = await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      const rows = Object.fromEntries(waiting.images.map((r) => [r.image, r]));
      assert.deepEqual(Object.keys(rows).sort(), [
        'Ubuntu 22.04',
        'Ubuntu 22.04 Minimal',
        'Ubuntu 24.04',
        'Ubuntu 24.04 Minimal',
      ]);
      assert.equal(rows['Ubuntu 24.04']!.change, 'update');
      assert.equal(rows['Ubuntu 24.04']!.new?.checksum, sha256(new24.bytes));
      assert.equal(rows['Ubuntu 24.04']!.old.checksum, sha256(old24.bytes));
      assert.equal(rows['Ubuntu 22.04 Minimal']!.new?.version, '20260201');
      assert.equal(rows['Ubuntu 22.04']!.change, 'unchanged');
      assert.equal(rows['Ubuntu 24.04 Minimal']!.change, 'unchanged');
      assert.equal(waiting.skipped.length, 7, 'the seven disabled images are left alone');
      assert.ok(waiting.skipped.every((s) => s.why === 'disabled: enable is false'));
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'nothing pushed before approval');

      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened');
      const branch = result.workBranch!;
      assert.equal(world.fileOn(branch), expected, 'the pushed catalog, whole');
      assert.equal(world.fileOn('main'), world.text, 'main untouched');
      const commits = world.commitsOn(branch);
      assert.equal(commits.length, 1, 'one commit on the work branch');
      assert.match(commits[0]!, /^Update 2 images in etc\/images\/ubuntu\.yml\n/);
      assert.match(commits[0]!, /Signed-off-by: bumpflow bot <bot@bumpflow\.test>/);
      assert.equal(world.github.pulls.length, 1, 'one PR');
      const pr = world.github.pulls[0]!;
      assert.equal(pr.head, branch);
      assert.equal(pr.base, 'main');
      assert.equal(result.prNumber, pr.number);
      assert.deepEqual(disabledRequests(world), [], 'no disabled image was read from the mirror');

      // the same new versions again: the same branch, the same commit, the same PR
      const again = await run.start({ path: 'etc/images/ubuntu.yml' });
      await run.statusWhen(again, (s) => s.state === 'awaiting-approval', 'the rerun awaiting approval');
      await approve(again);
      const second = await run.result(again);
      assert.equal(second.state, 'pr-opened');
      assert.equal(second.workBranch, branch);
      assert.equal(second.commitSha, result.commitSha);
      assert.equal(second.prNumber, result.prNumber);
      assert.equal(world.github.pulls.length, 1, 'still one PR');
      assert.ok(second.notices.some((n) => n.includes('already held this commit')));
    });
  });

  it('--keep 2 puts the new entry first and keeps the old one', async () => {
    await inWorld('osism/catalog-keep', async (world, run) => {
      const old24 = world.mirror.latest('Ubuntu 24.04');
      const new24 = world.mirror.publish('Ubuntu 24.04', '20260122');
      const { start, end } = block(world.text, 'Ubuntu 24.04');
      const entryAt = world.text.indexOf('      - version:', start);
      assert.ok(entryAt > start && entryAt < end);
      const oldEntry = world.text.slice(entryAt, end);
      const newEntry = inImage(
        `  - name: Ubuntu 24.04\n${oldEntry}`,
        'Ubuntu 24.04',
        swapsFor(old24, new24, 'ubuntu-24.04'),
      ).slice('  - name: Ubuntu 24.04\n'.length);
      const expected = world.text.slice(0, entryAt) + newEntry + oldEntry + world.text.slice(end);

      const h = await run.start({ path: 'etc/images/ubuntu.yml', keep: 2 });
      await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      await approve(h);
      const result = await run.result(h);
      assert.equal(result.state, 'pr-opened');
      assert.equal(world.fileOn(result.workBranch!), expected);
    });
  });

  it('fails typed (ChecksumNotFound) when a checksum file lacks the image, pushing nothing', async () => {
    await inWorld('osism/catalog-unlisted', async (world, run) => {
      world.mirror.publish('Ubuntu 24.04', '20260115');
      world.mirror.publish('Ubuntu 22.04', '20260130', { listed: false });
      const h = await run.start({ path: 'etc/images/ubuntu.yml' });
      const failure = await run.failure(h);
      assert.equal(failure.type, 'ChecksumNotFound');
      assert.match(failure.message, /Ubuntu 22\.04 \(line \d+\)/);
      assert.match(failure.message, /jammy-server-cloudimg-amd64\.img/);
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'no work branch');
      assert.equal(world.github.pulls.length, 0, 'no PR');
    });
  });

  it('fails typed (MalformedCatalog) on a bad catalog, naming the image and its line', async () => {
    const broken = (text: string) =>
      inImage(text, 'Ubuntu 24.04', [['        build_date: 2026-01-08\n', '']]);
    await inWorld(
      'osism/catalog-bad',
      async (world, run) => {
        const line = world.text.slice(0, world.text.indexOf("- version: '20260108'")).split('\n').length;
        const h = await run.start({ path: 'etc/images/ubuntu.yml' });
        const failure = await run.failure(h);
        assert.equal(failure.type, 'MalformedCatalog');
        assert.match(
          failure.message,
          new RegExp(`line ${line}: image #9 \\("Ubuntu 24\\.04"\\) versions\\.0\\.build_date: missing`),
        );
        assert.deepEqual(world.mirror.requests, [], 'nothing fetched');
        assert.deepEqual(Object.keys(world.branches()), ['main']);
      },
      broken,
    );
  });

  it('a dry run shows the table and pushes nothing; no newer build is a no-op', async () => {
    await inWorld('osism/catalog-dry', async (world, run) => {
      const quiet = await run.result(await run.start({ path: 'etc/images/ubuntu.yml' }));
      assert.equal(quiet.state, 'no-op');
      assert.ok(quiet.images.every((r) => r.change === 'unchanged'));

      world.mirror.publish('Ubuntu 24.04 Minimal', '20260112');
      const dry = await run.result(await run.start({ path: 'etc/images/ubuntu.yml', dryRun: true }));
      assert.equal(dry.state, 'dry-run');
      const row = dry.images.find((r) => r.image === 'Ubuntu 24.04 Minimal')!;
      assert.equal(row.change, 'update');
      assert.equal(row.new?.version, '20260112');
      assert.match(
        row.new?.mirrorUrl ?? '',
        /\/ubuntu-24\.04-minimal\/20260112-ubuntu-24\.04-minimal\.qcow2$/,
      );
      assert.ok(dry.workBranch?.startsWith('update-images-ubuntu-'));
      assert.deepEqual(Object.keys(world.branches()), ['main'], 'a dry run pushes nothing');
      assert.equal(world.github.pulls.length, 0);
    });
  });

  it('refuses a second update of the same catalog while one runs; a rejection pushes nothing', async () => {
    await inWorld('osism/catalog-once', async (world, run) => {
      world.mirror.publish('Ubuntu 22.04', '20260130');
      const h = await run.start({ path: 'etc/images/ubuntu.yml' });
      await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      await assert.rejects(run.start({ path: 'etc/images/ubuntu.yml' }), (err: unknown) => {
        assert.ok(err instanceof CliError);
        assert.match(
          err.message,
          /already running as catalog\/osism\/catalog-once\/etc\/images\/ubuntu\.yml/,
        );
        return true;
      });
      await assert.rejects(
        h.executeUpdate(catalogGate.approveUpdate, { args: [{ digest: `sha256:${'a'.repeat(64)}` }] }),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowUpdateFailedError);
          assert.match(err.cause?.message ?? '', /no image digest: drop "digest"/);
          return true;
        },
      );
      await h.signal(catalogGate.approveSignal, 'garbage' as never);
      await h.executeUpdate(catalogGate.rejectUpdate, { args: [{ reason: 'wait for the point release' }] });
      const result = await run.result(h);
      assert.equal(result.state, 'rejected');
      assert.equal(result.rejectedBecause, 'wait for the point release');
      assert.equal(result.refusals.length, 1, 'the malformed signal is refused and recorded');
      assert.deepEqual(Object.keys(world.branches()), ['main']);
      assert.equal(world.github.pulls.length, 0);
    });
  });
});
