/**
 * The operator's CLI for the tag procedures (promote, rollback, cleanup, tags,
 * and status / approve / reject / list on their ids), run in-process against
 * the real dev server, a worker on a tag world (a real registry, images signed
 * by the real cosign, the GitHub stand-in for audit releases).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTagWorld, revisionOf, TAG_IMAGE, type TagWorld } from '../../src/sandbox/tagWorld.js';
import type { TagStatus } from '../../src/shared/messages.js';
import type { InspectResult } from '../../src/workflows/tags/inspectTags.js';
import { runCliWithoutConfig } from '../support/cli.js';
import { startTemporal } from '../support/temporal.js';
import { withTagWorker, type TagRun } from '../support/tags.js';

const IMAGE = `${TAG_IMAGE.registry}/${TAG_IMAGE.repository}`;
const QUEUE = `image-repo/${IMAGE}`;
const rev7 = (word: string) => revisionOf(word).slice(0, 7);
const short = (digest: string) => digest.slice(0, 19);
/** each step waits on the ones before it (one queue per repository): a hang fails it instead */
const STEP = { timeout: 40_000 };

const bumpflow = runCliWithoutConfig;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the tag CLI', () => {
  let env: TestWorkflowEnvironment;
  let world: TagWorld;
  let run: TagRun;
  let cliEnv: Record<string, string>;
  let stop: () => void;
  let worker: Promise<void>;
  type Pushed = 'prod0' | 'staging1' | 'staging2' | 'change_1_latest' | 'change_2_latest' | 'change_3_latest';
  const digests = {} as Record<Pushed, string>;

  const cli = (...args: string[]) => bumpflow(args, cliEnv);
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  before(async () => {
    [env, world] = await Promise.all([startTemporal(), createTagWorld()]);
    const released = new Promise<void>((r) => (stop = r));
    let ready!: () => void;
    const started = new Promise<void>((r) => (ready = r));
    worker = withTagWorker(env, world, async (r) => {
      run = r;
      ready();
      await released;
    });
    await Promise.race([started, worker]);
    cliEnv = { TEMPORAL_ADDRESS: env.address, BUMPFLOW_TASK_QUEUE: run.taskQueue };
    digests.prod0 = await world.push('prod', { revision: revisionOf('alpha-0') });
    digests.staging1 = await world.push('staging', { revision: revisionOf('bravo-1') });
  });
  after(async () => {
    stop?.();
    await worker;
    await world?.close();
    await env?.teardown();
  });

  it('refuses bad usage with exit 2 before it even connects', { timeout: 10_000 }, async () => {
    // an address where nothing listens: reaching for the server would be exit 3
    const offline = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const cases: [string[], RegExp][] = [
      [['promote', 'GHCR.io/Vexxhost/Magnum', '--from', 'staging', '--to', 'prod'], /lower-case repository/],
      [['promote', `${IMAGE}:prod`, '--from', 'staging', '--to', 'prod'], /without tag or digest/],
      [['promote', IMAGE, '--from', 'staging', '--to', 'prod', '--stamp', 'prod-{date}'], /no \{revision\}/],
      [['promote', IMAGE, '--from', 'staging', '--to', 'prod', '--stamp', '{nope}'], /unknown placeholder/],
      [['promote', IMAGE, '--from', 'staging', '--to', 'latest', '--cleanup'], /change_<N>_<tag>.*"staging"/],
      [['cleanup', IMAGE, '--tags', 'change_*', '--older-than', 'soon'], /positive duration.*"soon"/],
      [['cleanup', IMAGE, '--tags', 'change_*', '--older-than', '24h', '--keep', '-1'], /--keep: .*whole/],
      [['tags', 'not an image'], /without whitespace/],
    ];
    for (const [args, message] of cases) {
      const r = await bumpflow(args, offline);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it(
    'promotes: status shows the plan, a wrong digest is refused, the approval moves the tags',
    STEP,
    async () => {
      const started = await json<{ workflowId: string; queueId: string; url: string }>(
        'promote',
        IMAGE,
        '--from',
        'staging',
        '--to',
        'prod,latest',
      );
      assert.match(started.workflowId, /^promote\/ghcr\.io\/vexxhost\/magnum\/\d{8}T\d{6}Z-[a-f0-9]{4}$/);
      assert.equal(started.queueId, QUEUE);
      assert.match(started.url, /\/workflows\/promote%2Fghcr\.io/);
      const id = started.workflowId;
      await run.statusWhen(id, (s) => s.state === 'awaiting-approval');

      const status = await json<TagStatus>('status', id);
      assert.equal(status.state, 'awaiting-approval');
      assert.equal(status.plan?.digest, digests.staging1);
      const text = await cli('status', id);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /promote ghcr\.io\/vexxhost\/magnum .*: awaiting-approval/);
      assert.match(
        text.stdout,
        new RegExp(`prod\\s+${short(digests.prod0)}\\s+→\\s+${short(digests.staging1)}\\s+move`),
      );
      assert.match(text.stdout, new RegExp(`latest\\s+-\\s+→\\s+${short(digests.staging1)}\\s+create`));
      assert.match(text.stdout, new RegExp(`stamp: prod-\\d{8}-${rev7('bravo-1')}`));
      assert.match(text.stdout, /signature: verified by /);

      const wrong = await cli('approve', id, '--digest', `sha256:${'0'.repeat(64)}`);
      assert.equal(wrong.code, 1, wrong.stdout);
      assert.match(
        wrong.stderr,
        new RegExp(`the approval names sha256:0{64} but the planned digest is ${digests.staging1}`),
      );
      assert.equal(await world.digestOf('prod'), digests.prod0, 'nothing moved on a refused approval');

      const ok = await cli('approve', id, '--digest', digests.staging1, '--approver', 'ops');
      assert.equal(ok.code, 0, ok.stderr);
      const watched = await cli('status', id, '--watch', '--interval', '0.2');
      assert.equal(watched.code, 0, watched.stderr);
      assert.match(watched.stdout, /: done\n/);
      assert.match(watched.stdout, /approved by: ops/);
      for (const tag of ['prod', 'latest', status.plan!.stamp!])
        assert.equal(await world.digestOf(tag), digests.staging1, tag);
    },
  );

  it(
    'queues a rollback behind a promotion awaiting approval; rejecting the promotion lets it run',
    STEP,
    async () => {
      digests.staging2 = await world.push('staging', {
        revision: revisionOf('charlie-2'),
        salt: 'staging-2',
      });
      const older = `prod-20250101-${rev7('alpha-0')}`;
      await world.client.tagCreateOnly({ ...TAG_IMAGE, tag: older, digest: digests.prod0 });

      const promote = (
        await json<{ workflowId: string }>('promote', IMAGE, '--from', 'staging', '--to', 'prod')
      ).workflowId;
      await run.statusWhen(promote, (s) => s.state === 'awaiting-approval');
      const rollback = (await json<{ workflowId: string }>('rollback', IMAGE, '--alias', 'latest'))
        .workflowId;
      assert.match(rollback, /^rollback\/ghcr\.io\/vexxhost\/magnum\//);

      const queued = await cli('status', rollback);
      assert.equal(queued.code, 0, queued.stderr);
      assert.equal(queued.stdout, `rollback ${rollback}: queued: position 1 in ${QUEUE}, behind ${promote}`);
      const early = await cli('approve', rollback);
      assert.equal(early.code, 1);
      assert.match(early.stderr, /is queued .*: nothing to approve yet/);

      type Row = { workflowId: string; state?: string; procedure?: string };
      const rows = await until('the promotion awaiting approval in the list', async () => {
        const listed = await json<Row[]>('list');
        return listed.some((r) => r.workflowId === promote && r.state === 'awaiting-approval')
          ? listed
          : undefined;
      });
      assert.deepEqual(
        rows.filter((r) => r.workflowId === rollback).map((r) => [r.procedure, r.state]),
        [['rollback', 'queued']],
      );
      // bumps first, as before; the tag procedures after them
      const table = await cli('list');
      assert.match(table.stdout, /^no bumps match\n\nID +PROCEDURE +IMAGE +STATE/);
      assert.match(table.stdout, new RegExp(`${promote}\\s+promote\\s+${IMAGE}\\s+awaiting-approval`));
      assert.equal((await cli('list', '--procedure', 'bump')).stdout, 'no bumps match');
      assert.equal((await cli('list', '--procedure', 'mirror')).code, 2);
      const onlyRollbacks = await cli('list', '--procedure', 'rollback');
      assert.match(onlyRollbacks.stdout, new RegExp(`${rollback}\\s+rollback\\s+${IMAGE}\\s+queued`));
      assert.doesNotMatch(onlyRollbacks.stdout, new RegExp(promote));
      assert.equal(
        (await cli('list', '--procedure', 'promote', '--state', 'queued')).stdout,
        'no tag procedures match',
      );

      const noReason = await cli('reject', promote);
      assert.equal(noReason.code, 2, 'reject needs --reason');
      const rejected = await cli('reject', promote, '--reason', 'not this week');
      assert.equal(rejected.code, 0, rejected.stderr);
      const waiting = await run.statusWhen(rollback, (s) => s.state === 'awaiting-approval');
      assert.equal(waiting.plan?.digest, digests.prod0);
      const ended = await json<TagStatus & { reason?: string }>('status', promote);
      assert.equal(ended.state, 'rejected');
      assert.equal(ended.reason, 'not this week');
      assert.match((await cli('status', promote)).stdout, /: rejected\n[^]*reason: not this week$/);
      const text = await cli('status', rollback);
      assert.match(text.stdout, new RegExp(`why: ${older}`));

      assert.equal((await cli('approve', rollback)).code, 0);
      const done = await cli('status', rollback, '--watch', '--interval', '0.2');
      assert.match(done.stdout, /: done\n/);
      assert.equal(await world.digestOf('prod'), digests.prod0);
      assert.equal(await world.digestOf('latest'), digests.prod0);
      assert.equal((await cli('retry', rollback)).code, 1, 'nothing to retry once done');
    },
  );

  it('cleanup --dry-run prints the plan and deletes nothing', STEP, async () => {
    const old = '2020-01-01T00:00:00Z';
    for (const [tag, created] of [
      ['change_1_latest', old],
      ['change_2_latest', old],
      ['change_3_latest', new Date().toISOString()],
    ] as const)
      digests[tag] = await world.push(tag, { created, sign: false, salt: tag });
    const r = await cli('cleanup', IMAGE, '--tags', 'change_*_latest', '--older-than', '24h', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ended: dry-run/);
    assert.match(r.stdout, /clean-up: delete 2, keep 1/);
    assert.match(r.stdout, /delete\s+change_1_latest\s+sha256:\S+\s+\d+d/);
    assert.match(r.stdout, /delete\s+change_2_latest/);
    assert.match(r.stdout, /keep\s+change_3_latest/);
    for (const tag of ['change_1_latest', 'change_2_latest', 'change_3_latest'] as const)
      assert.equal(await world.digestOf(tag), digests[tag], `${tag} is still there`);
  });

  it('tags lists digests, stamps and signature status, through the worker', STEP, async () => {
    const r = await json<InspectResult & { workflowId: string }>('tags', IMAGE);
    assert.match(r.workflowId, /^tags\/ghcr\.io\/vexxhost\/magnum\//);
    const byTag = new Map(r.tags.map((t) => [t.tag, t]));
    const stamp = r.tags.find((t) => t.stamp?.revision === rev7('bravo-1'));
    assert.ok(stamp, `a stamp of bravo-1 among ${[...byTag.keys()].join(', ')}`);
    assert.match(stamp.tag, /^prod-\d{8}-/);
    assert.equal(stamp.digest, digests.staging1);
    assert.match(stamp.signature, /^verified by /);
    assert.deepEqual(byTag.get(`prod-20250101-${rev7('alpha-0')}`)?.stamp, {
      date: '20250101',
      revision: rev7('alpha-0'),
    });
    assert.equal(byTag.get('change_1_latest')?.signature, 'Unsigned');
    assert.equal(byTag.get('change_1_latest')?.created, '2020-01-01T00:00:00Z');
    assert.equal(byTag.get('prod')?.stamp, undefined);
    assert.ok(!r.tags.some((t) => t.tag.endsWith('.sig')), "cosign's own tags are not listed");
    const table = await cli('tags', IMAGE);
    assert.match(table.stdout, /change_1_latest\s+sha256:\S+\s+2020-01-01T00:00:00Z\s+-\s+Unsigned/);
    assert.match(
      table.stdout,
      new RegExp(
        `${stamp.tag}\\s+${short(digests.staging1)}\\s+\\S+\\s+\\d{8} ${rev7('bravo-1')}\\s+verified by`,
      ),
    );
  });

  it(
    'tags of a repository that does not exist says so, typed, with a worker running (issue 20 item 7)',
    STEP,
    async () => {
      const r = await cli('tags', 'ghcr.io/vexxhost/no-such-image');
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /reading the tags of ghcr\.io\/vexxhost\/no-such-image \(tags\/\S+\) failed: \w+: /,
      );
      assert.match(r.stderr, /vexxhost\/no-such-image/);
      assert.doesNotMatch(r.stderr, /Activity task failed|is a worker running/);
    },
  );
});
