/**
 * Retag from a reviewed manifest, end to end on real parts: the three real
 * StarlingX manifests in a git bare repo, images pushed to the real registry
 * (with auth) under the manifests' names through the --mirror mapping, the CLI
 * run in-process against the dev server and a worker, skopeo reading back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RetagResult, RetagStatus } from '../../src/shared/messages.js';
import {
  bumpflow,
  startRetagSuite,
  type RetagSuite,
  MANIFEST_DIR,
  MANIFESTS,
  MIRROR_ARG,
  type RetagWorld,
} from '../support/retagWorld.js';

const STEP = { timeout: 90_000 };
const TASK_QUEUE = `bumpflow-retag-${process.pid}`;

describe('retag from a reviewed manifest', () => {
  let world: RetagWorld;
  let cliEnv: Record<string, string>;
  /** source digest per repository (every source of 4.0 but dex's) */
  const sources = new Map<string, string>();
  const cli = (...args: string[]) => bumpflow(args, cliEnv);
  const retag = (name: keyof typeof MANIFESTS, ...args: string[]) =>
    cli(
      'retag',
      '--manifest',
      world.repoUrl,
      '--path',
      MANIFESTS[name].path,
      '--mirror',
      MIRROR_ARG,
      ...args,
    );
  const idOf = (stdout: string) => /(?:started|attached to) (retag\/\S+)/.exec(stdout)?.[1];
  const tagsOfAll = (name: keyof typeof MANIFESTS) =>
    Object.fromEntries(world.entries(name).map((e) => [e.repository, world.tagsOf(e.repository)]));

  let suite: RetagSuite | undefined;
  before(async () => {
    suite = await startRetagSuite(TASK_QUEUE, sources);
    ({ world, cliEnv } = suite);
  });
  after(() => suite?.close());

  it(
    'plans skip, conflict, missing source and copies, writes after approval, one run per commit',
    STEP,
    async () => {
      const entries = world.entries('4.0');
      const [skip, conflict] = [entries[0]!, entries[1]!];
      await world.tags.client.tagCreateOnly({
        registry: 'ghcr.io',
        repository: skip.repository,
        tag: skip.tag,
        digest: sources.get(skip.repository)!,
      });
      const other = await world.push(conflict.repository, conflict.tag, 'another build');
      const before = tagsOfAll('4.0');

      const started = await retag('4.0', '--ref', 'main');
      assert.equal(started.code, 0, started.stderr);
      const id = idOf(started.stdout);
      assert.match(id ?? '', /^retag\/starlingx\/root\/build-tools\/.+\/image-tags-4\.0\.yaml@[0-9a-f]{12}$/);
      assert.match(started.stdout, /awaiting-approval/);
      for (const action of ['copy', 'skip', 'conflict', 'missing-source'])
        assert.match(started.stdout, new RegExp(`\\b${action}\\b`), action);
      assert.match(
        started.stdout,
        new RegExp(`bumpflow approve ${id!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
      assert.deepEqual(tagsOfAll('4.0'), before, 'nothing written before approval');

      const approved = await cli('approve', id!);
      assert.equal(approved.code, 0, approved.stderr);
      const waited = await retag('4.0', '--ref', id!.slice(id!.lastIndexOf('@') + 1), '--wait', '--json');
      assert.equal(waited.code, 0, waited.stderr);
      const result = JSON.parse(waited.stdout) as RetagResult & { workflowId: string };
      assert.equal(result.workflowId, id, 'the second start for the same commit attached to the first');
      assert.equal(result.state, 'done');
      assert.match(result.commit ?? '', /^[0-9a-f]{40}$/);
      assert.deepEqual(
        result.entries.map((e) => [e.index, e.outcome]),
        entries.map((e, i) => [
          e.index,
          i === 0
            ? 'skipped'
            : i === 1
              ? 'conflict'
              : e.repository.endsWith('/dex')
                ? 'missing-source'
                : 'copied',
        ]),
      );
      assert.equal(
        result.entries.find((e) => e.outcome === 'missing-source')?.error?.type,
        'ManifestUnknown',
      );
      assert.equal(
        await world.digestOf(conflict.repository, conflict.tag),
        other,
        'a conflict is never overwritten',
      );
      for (const e of entries.slice(2).filter((x) => !x.repository.endsWith('/dex'))) {
        assert.equal(await world.digestOf(e.repository, e.tag), sources.get(e.repository), e.tag);
        const raw = world.raw(e.repository, `:${e.tag}`);
        assert.ok(raw.equals(world.raw(e.repository, `:${e.srcBuildTag}`)), `${e.repository}: byte-equal`);
        const index = JSON.parse(raw.toString('utf8')) as { manifests: { digest: string }[] };
        assert.ok(index.manifests.length >= 2, 'an index');
        for (const child of index.manifests)
          assert.ok(world.raw(e.repository, `@${child.digest}`).length > 0);
      }

      const again = await retag('4.0', '--ref', result.commit!);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already ran .*one run per manifest commit/);
    },
  );

  it('a dry run plans and writes nothing', STEP, async () => {
    const before = tagsOfAll('3.0');
    const r = await retag('3.0', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dry-run/);
    assert.match(r.stdout, /dry run: nothing written/);
    assert.match(r.stdout, /\bcopy\b/);
    assert.deepEqual(tagsOfAll('3.0'), before);
  });

  it('prints the plan within 100 columns, and every entry on one line with --wide', STEP, async () => {
    const entries = world.entries('4.0');
    const narrow = await retag('4.0', '--dry-run');
    assert.equal(narrow.code, 0, narrow.stderr);
    const lines = narrow.stdout.split('\n');
    // the run's id and its UI link are printed whole (to copy and open), whatever their length
    const id = idOf(narrow.stdout)!;
    assert.ok(id.length > 100, id);
    for (const l of lines.filter((x) => !x.includes(id) && !x.startsWith('http')))
      assert.ok(l.length <= 100, `${l.length}: ${l}`);
    assert.match(narrow.stdout, /^ {4}error: ManifestUnknown: /m);
    // one row per entry (its name wrapped where it must be), where it is read and written under it
    const actions = /^(copy|skip|conflict|repush|missing-source|failed) /;
    const plan = lines.slice(0, lines.indexOf('dry run: nothing written'));
    assert.equal(plan.filter((l) => actions.test(l)).length, entries.length, narrow.stdout);
    for (const e of entries) assert.ok(lines.includes(`    at: ${e.image}`), `${e.image}: ${narrow.stdout}`);
    // digests as 12 hex (the 4.0 tags exist since the first test: skips)
    assert.match(narrow.stdout, /^ {4}what happens: \S+ already at [0-9a-f]{12}$/m);
    assert.doesNotMatch(plan.join('\n'), /sha256:/);

    const wide = await retag('4.0', '--dry-run', '--wide');
    assert.equal(wide.code, 0, wide.stderr);
    const rows = wide.stdout.split('\n');
    for (const e of entries) {
      const row = rows.find((l) => l.includes(`${e.name} (as ${e.image})`));
      assert.ok(row, `${e.name}: ${wide.stdout}`);
      assert.ok(row.includes(`${e.srcBuildTag} → ${e.tag}`), row);
    }
    assert.ok(Math.max(...rows.map((l) => l.length)) > 100, 'the unabridged plan is wider');
  });

  it('a bad manifest is a typed error naming the entry and line, nothing written', STEP, async () => {
    const file = `${MANIFEST_DIR}/image-tags-bad.yaml`;
    const text = world.text('4.0').replace('tag: stx.4.0-v0.11.0-103-g4f28657', 'tag: stx.4.0+v0.11.0');
    await world.commit(file, text, 'A bad tag');
    const before = tagsOfAll('4.0');
    const r = await cli('retag', '--manifest', world.repoUrl, '--path', file, '--mirror', MIRROR_ARG);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /MalformedManifest/);
    assert.match(r.stderr, /images\[2\] \(docker\.io\/starlingx\/intel-fpga-admissionwebhook\) at line 18/);
    assert.match(r.stderr, /stx\.4\.0\+v0\.11\.0/);
    assert.deepEqual(tagsOfAll('4.0'), before);
  });

  it(
    '--repush moves a conflicting tag after approval; a later commit with everything in place is a no-op',
    STEP,
    async () => {
      const entries = world.entries('3.0');
      const moved = entries[1]!;
      const old = await world.push(moved.repository, moved.tag, 'an older build');
      const started = await retag('3.0', '--repush', moved.name, '--json');
      assert.equal(started.code, 0, started.stderr);
      const planned = JSON.parse(started.stdout) as RetagStatus & { workflowId: string };
      assert.equal(planned.state, 'awaiting-approval');
      assert.equal(planned.plan?.steps[1]?.action, 'repush');
      assert.equal(planned.plan?.steps[1]?.targetDigest, old);
      assert.equal(await world.digestOf(moved.repository, moved.tag), old, 'not moved before approval');
      assert.equal((await cli('approve', planned.workflowId)).code, 0);
      const waited = await retag('3.0', '--repush', moved.name, '--wait', '--json');
      const result = JSON.parse(waited.stdout) as RetagResult;
      assert.equal(result.state, 'done', waited.stderr);
      assert.equal(result.entries[1]?.outcome, 'repushed');
      assert.equal(await world.digestOf(moved.repository, moved.tag), sources.get(moved.repository));
      assert.ok(
        result.entries.every(
          (e) => e.outcome === 'copied' || e.outcome === 'repushed' || e.outcome === 'skipped',
        ),
      );

      await world.commit('README', 'another commit on main\n', 'Unrelated');
      const noop = await retag('3.0', '--json');
      assert.equal(noop.code, 0, noop.stderr);
      const nothing = JSON.parse(noop.stdout) as RetagResult;
      assert.equal(nothing.state, 'no-op');
      assert.ok(nothing.entries.every((e) => e.outcome === 'skipped'));
      assert.equal(nothing.plan?.writes, 0);
    },
  );
});
