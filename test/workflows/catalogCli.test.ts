/**
 * The operator's CLI for catalog updates (`catalog`, and `status` / `approve`
 * / `reject` on its id), run in-process against the real dev server and a
 * worker on a catalog world (the real Ubuntu catalog in a git bare repo, the
 * loopback distro mirror, the GitHub stand-in for the PR).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CatalogStatus } from '../../src/shared/catalog.js';
import { runCliWithoutConfig } from '../support/cli.js';
import { startTemporal } from '../support/temporal.js';
import { createCatalogWorld, withCatalogWorker, type CatalogWorld } from '../support/catalog.js';

const bumpflow = runCliWithoutConfig;

const SLUG = 'osism/catalog-cli';
const ID = `catalog/${SLUG}/etc/images/ubuntu.yml`;

describe('the catalog CLI', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment;
  let world: CatalogWorld;
  before(async () => {
    env = await startTemporal();
    world = await createCatalogWorld(SLUG);
  });
  after(async () => {
    await world?.close();
    await env?.teardown();
  });

  it('starts, shows the table, refuses bad input and a second run, approves, follows to the PR', async () => {
    await withCatalogWorker(env, world, async (run) => {
      const cliEnv = {
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        BUMPFLOW_TASK_QUEUE: run.taskQueue,
      };
      const cli = (...args: string[]) => bumpflow(args, cliEnv);
      const base = ['catalog', '--repo', world.repoUrl, '--path', 'etc/images/ubuntu.yml'];
      world.mirror.publish('Ubuntu 24.04', '20260115');

      const secret = 'tok3nSecretValue';
      const creds = await cli(
        'catalog',
        '--repo',
        `https://me:${secret}@github.com/${SLUG}`,
        '--path',
        'x.yml',
      );
      assert.equal(creds.code, 2, creds.stderr);
      assert.ok(!creds.stderr.includes(secret), 'the credential is never shown back');
      assert.equal((await cli(...base, '--keep', '0')).code, 2);
      assert.equal((await cli(...base, '--path', '../etc/x.yml')).code, 2);

      const dry = await cli(...base, '--dry-run');
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, new RegExp(`\\(${ID.replace(/[/.]/g, '\\$&')}\\): dry-run`));
      assert.match(
        dry.stdout,
        /Ubuntu 24\.04\s+\d+\s+20260108 sha256:\w{12}\s+→\s+20260115 sha256:\w{12}\s+2026-01-15/,
      );
      assert.match(dry.stdout, /Ubuntu 22\.04\s+\d+\s+20260119 sha256:\w{12}\s+unchanged/);
      assert.match(dry.stdout, /left alone: Ubuntu 14\.04 \(disabled: enable is false\), /);
      assert.deepEqual(Object.keys(world.branches()), ['main']);

      const started = await cli(...base);
      assert.equal(started.code, 0, started.stderr);
      assert.match(started.stdout, /: awaiting-approval/);
      assert.ok(started.stdout.includes(`bumpflow approve ${ID}`), started.stdout);
      const twice = await cli(...base);
      assert.equal(twice.code, 2);
      assert.match(twice.stderr, /already running as catalog\/osism\/catalog-cli\/etc\/images\/ubuntu\.yml/);

      const status = await cli('status', ID, '--json');
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as CatalogStatus).state, 'awaiting-approval');
      assert.equal((await cli('approve', ID, '--digest', `sha256:${'b'.repeat(64)}`)).code, 2);
      assert.equal((await cli('reject', ID, '--reason', 'no', '--branch', 'main')).code, 2);

      const approved = await cli('approve', ID, '--approver', 'ops');
      assert.equal(approved.code, 0, approved.stderr);
      const watched = await cli('status', ID, '--watch', '--interval', '0.2', '--json');
      assert.equal(watched.code, 0, watched.stderr);
      const last = JSON.parse(watched.stdout.split('\n').at(-1)!) as CatalogStatus;
      assert.equal(last.state, 'pr-opened');
      assert.equal(last.approvedBy, 'ops');
      assert.equal(world.github.pulls.length, 1);
      const again = await cli('approve', ID);
      assert.equal(again.code, 1, 'nothing left to approve');
      assert.match(again.stderr, /is pr-opened: nothing to approve/);
    });
  });

  it('without --path updates every catalog of etc/images in one run; --path twice the two named (FILE column)', async () => {
    const slug = 'osism/catalog-cli-all';
    const all = await createCatalogWorld(slug, { catalogs: ['debian', 'ubuntu'] });
    try {
      await withCatalogWorker(env, all, async (run) => {
        const cli = (...args: string[]) =>
          bumpflow(args, {
            TEMPORAL_ADDRESS: env.address,
            TEMPORAL_NAMESPACE: env.namespace ?? 'default',
            BUMPFLOW_TASK_QUEUE: run.taskQueue,
          });
        all.mirror.publish('Ubuntu 24.04', '20260115');
        const ubuntu = 'etc/images/ubuntu.yml';
        const debian = 'etc/images/debian.yml';

        const every = await cli('catalog', '--repo', all.repoUrl, '--dry-run');
        assert.equal(every.code, 0, every.stderr);
        assert.ok(every.stdout.includes(`(catalog/${slug}/etc/images/): dry-run`), every.stdout);
        assert.match(every.stdout, /^FILE\s+IMAGE\s+LINE\s+OLD/m);
        assert.match(
          every.stdout,
          /^etc\/images\/ubuntu\.yml\s+Ubuntu 24\.04\s+\d+\s+20260108 sha256:\w{12}\s+→/m,
        );
        assert.match(
          every.stdout,
          /^etc\/images\/debian\.yml\s+Debian 12\s+\d+\s+\S+ sha\d+:\w{12}\s+unchanged/m,
        );
        assert.match(
          every.stdout,
          /left alone: .*etc\/images\/ubuntu\.yml: Ubuntu 14\.04 \(disabled: enable is false\)/,
        );

        const two = await cli(
          'catalog',
          '--repo',
          all.repoUrl,
          '--path',
          ubuntu,
          '--path',
          debian,
          '--dry-run',
        );
        assert.equal(two.code, 0, two.stderr);
        assert.ok(two.stdout.includes(`(catalog/${slug}/${ubuntu},${debian}): dry-run`), two.stdout);
        assert.match(two.stdout, /^FILE\s+IMAGE/m);

        const one = await cli('catalog', '--repo', all.repoUrl, '--path', debian, '--dry-run');
        assert.equal(one.code, 0, one.stderr);
        assert.ok(one.stdout.includes(`(catalog/${slug}/${debian}): `), one.stdout);
        assert.match(one.stdout, /^IMAGE\s+LINE\s+OLD/m);
        assert.doesNotMatch(one.stdout, /FILE/);
        assert.deepEqual(Object.keys(all.branches()), ['main']);
      });
    } finally {
      await all.close();
    }
  });
});
