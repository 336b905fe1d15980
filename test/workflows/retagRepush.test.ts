/**
 * A retag conflict is repushed at the same commit (item 4): the commit's run
 * ends with a conflict that names `--repush IMAGE`; that command, at the same
 * commit, starts a repush run of its own (`…@<commit>/repush-<hash>`) that
 * plans only the named image's entries, waits for approval and moves exactly
 * that tag (skopeo reads back); every other tag stays as it was. The same
 * repush again runs anew and is a no-op: the tag is already where it put it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { RetagResult, RetagStatus } from '../../src/shared/messages.js';
import {
  bumpflow,
  startRetagSuite,
  type RetagSuite,
  MANIFESTS,
  MIRROR_ARG,
  type RetagWorld,
} from '../support/retagWorld.js';

const STEP = { timeout: 120_000 };
const TASK_QUEUE = `bumpflow-retag-repush-${process.pid}`;
type Json<T> = T & { workflowId: string };

describe('retag: --repush after the commit’s run ended', () => {
  let world: RetagWorld;
  let cliEnv: Record<string, string>;
  const sources = new Map<string, string>();
  const cli = (...args: string[]) => bumpflow(args, cliEnv);
  const retag = (...args: string[]) =>
    cli(
      'retag',
      '--manifest',
      world.repoUrl,
      '--path',
      MANIFESTS['4.0'].path,
      '--mirror',
      MIRROR_ARG,
      ...args,
    );
  const json = <T>(r: { code: number; stdout: string; stderr: string }): Json<T> => {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout) as Json<T>;
  };
  /** skopeo: the digest of the bytes the registry serves for repository:tag */
  const skopeoDigest = (repository: string, tag: string) =>
    `sha256:${createHash('sha256')
      .update(world.raw(repository, `:${tag}`))
      .digest('hex')}`;
  const tagsOfAll = () =>
    Object.fromEntries(world.entries('4.0').map((e) => [e.repository, world.tagsOf(e.repository)]));

  let suite: RetagSuite | undefined;
  before(async () => {
    suite = await startRetagSuite(TASK_QUEUE, sources);
    ({ world, cliEnv } = suite);
  });
  after(() => suite?.close());

  it(
    'the conflict run, then the repush run at the same commit moves exactly the named image',
    STEP,
    async () => {
      const entries = world.entries('4.0');
      const conflict = entries[1]!;
      const other = await world.push(conflict.repository, conflict.tag, 'another build');

      // 1 the commit's run: approved, done, the conflict left alone and named
      const planned = json<RetagStatus>(await retag('--ref', 'main', '--json'));
      assert.equal(planned.state, 'awaiting-approval');
      assert.equal((await cli('approve', planned.workflowId)).code, 0);
      const commit = planned.commit!;
      const first = json<RetagResult>(await retag('--ref', commit, '--wait', '--json'));
      assert.equal(first.workflowId, planned.workflowId);
      assert.equal(first.state, 'done');
      const hint = first.entries[1]?.error?.message ?? '';
      assert.equal(first.entries[1]?.outcome, 'conflict');
      assert.match(hint, new RegExp(`--repush ${conflict.name.replace(/[.]/g, '\\.')} to move it`));
      assert.equal(skopeoDigest(conflict.repository, conflict.tag), other);
      const before = tagsOfAll();
      const digestsBefore = entries.map((e) =>
        world.tagsOf(e.repository).map((t) => [t, skopeoDigest(e.repository, t)]),
      );

      // 2 what the conflict says to do, at the same commit: a run of its own, only the named image
      const repush = json<RetagStatus>(await retag('--ref', commit, '--repush', conflict.name, '--json'));
      assert.match(
        repush.workflowId,
        new RegExp(`^${planned.workflowId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/repush-[0-9a-f]{12}$`),
      );
      assert.equal(repush.state, 'awaiting-approval', 'a move waits for a human');
      assert.deepEqual(
        repush.plan?.steps.map((s) => [s.entry.index, s.action, s.targetDigest]),
        entries.filter((e) => e.name === conflict.name).map((e) => [e.index, 'repush', other]),
      );
      assert.equal(skopeoDigest(conflict.repository, conflict.tag), other, 'not moved before approval');
      assert.equal((await cli('approve', repush.workflowId)).code, 0);
      const moved = json<RetagResult>(
        await retag('--ref', commit, '--repush', conflict.name, '--wait', '--json'),
      );
      assert.equal(moved.workflowId, repush.workflowId, 'the same repush attaches while it runs');
      assert.equal(moved.state, 'done');
      assert.deepEqual(
        moved.entries.map((e) => [e.index, e.outcome]),
        [[conflict.index, 'repushed']],
      );
      assert.equal(skopeoDigest(conflict.repository, conflict.tag), sources.get(conflict.repository));
      assert.deepEqual(tagsOfAll(), before, 'no tag created or deleted');
      const digestsAfter = entries.map((e) =>
        world.tagsOf(e.repository).map((t) => [t, skopeoDigest(e.repository, t)]),
      );
      const changed = digestsAfter.flatMap((tags, i) =>
        tags
          .filter(([, d], j) => digestsBefore[i]![j]![1] !== d)
          .map(([t]) => `${entries[i]!.repository}:${t}`),
      );
      assert.deepEqual([...new Set(changed)], [`${conflict.repository}:${conflict.tag}`]);

      // 3 the same repush again: a new run of the same id, planned anew, nothing to write
      const again = json<RetagResult>(await retag('--ref', commit, '--repush', conflict.name, '--json'));
      assert.equal(again.workflowId, repush.workflowId);
      assert.equal(again.state, 'no-op');
      assert.equal(again.plan?.writes, 0);
      assert.equal(skopeoDigest(conflict.repository, conflict.tag), sources.get(conflict.repository));

      // 4 without --repush the commit's run stays one
      const refused = await retag('--ref', commit);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /already ran .*one run per manifest commit/);
    },
  );
});
