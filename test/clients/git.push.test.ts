/** The git client's one write on real bare repos: pushBranch (one signed-off commit, idempotent, leased). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { cloneDirFor, createGit, type Git } from '../../src/clients/git/index.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { createTargetRepo } from '../../src/sandbox/fixtureRepos.js';
import {
  addCommit,
  commitsOn,
  fixtureGit,
  listBranches,
  readBranchFile,
  VARS_PATH,
  type GitSandbox,
} from '../../src/sandbox/gitFixtures.js';
import {
  AUTHOR,
  bumpedVars,
  bumpInput,
  createGitWorld,
  DATE,
  fixture,
  MESSAGE,
  NOTE,
  NOTE_PATH,
  parentOf,
  rejectsWith,
  SECRET,
  TARGET,
  type GitWorld,
} from './gitHelpers.js';

let world: GitWorld;
let sandbox: GitSandbox;
let workDir: string;
let git: Git;
let target: GitWorld['target'];

before(async () => {
  world = await createGitWorld();
  ({ sandbox, workDir, git, target } = world);
});

after(async () => {
  await sandbox.close();
});

void describe('pushBranch', () => {
  let firstSha = '';

  void test('creates the work branch from origin/<base> with exactly one signed-off commit of exactly the given files', async () => {
    const before = await listBranches(sandbox, TARGET);
    const input = await bumpInput(world, 'stable/2025.1', { expectedBaseSha: before['stable/2025.1'] });
    const result = await git.pushBranch(input);

    assert.equal(result.pushed, true);
    assert.equal(result.baseSha, before['stable/2025.1']);
    assert.equal(result.baseMoved, false);
    assert.equal(result.replacedSha, undefined);
    assert.deepEqual(result.changedFiles, [NOTE_PATH, VARS_PATH]);

    const commits = await commitsOn(sandbox, TARGET, 'bump-magnum-2025.1', 'stable/2025.1');
    assert.equal(commits.length, 1);
    const [commit] = commits;
    assert.equal(commit?.sha, result.commitSha);
    assert.deepEqual(commit?.files.sort(), [NOTE_PATH, VARS_PATH]);
    assert.equal(commit?.message.trimEnd(), `${MESSAGE}\n\nSigned-off-by: Release Bot <bot@example.test>`);
    assert.deepEqual(await parentOf(sandbox, TARGET, result.commitSha), [before['stable/2025.1']]);

    assert.equal(
      await readBranchFile(sandbox, TARGET, 'bump-magnum-2025.1', VARS_PATH),
      input.files[0]?.content,
    );
    assert.equal(await readBranchFile(sandbox, TARGET, 'bump-magnum-2025.1', NOTE_PATH), NOTE);
    const meta = await fixtureGit(['log', '-1', '--format=%an|%ae|%aI|%cn|%ce|%cI', result.commitSha], {
      cwd: sandbox.barePath(TARGET),
    });
    assert.equal(
      meta.stdout.trim(),
      'Release Bot|bot@example.test|2025-06-01T12:00:00+00:00|Release Bot|bot@example.test|2025-06-01T12:00:00+00:00',
    );

    assert.deepEqual(await listBranches(sandbox, TARGET), {
      ...before,
      'bump-magnum-2025.1': result.commitSha,
    });
    firstSha = result.commitSha;
  });

  void test('a retry with the same inputs finds the branch done: pushed false, same sha, still one commit', async () => {
    const before = await listBranches(sandbox, TARGET);
    const again = await git.pushBranch(await bumpInput(world, 'stable/2025.1'));
    assert.equal(again.pushed, false);
    assert.equal(again.commitSha, firstSha);
    assert.deepEqual(again.changedFiles, [NOTE_PATH, VARS_PATH]);
    // a retry whose clock differs still recognises the same tree on the same base
    const later = await git.pushBranch(
      await bumpInput(world, 'stable/2025.1', { date: '2025-06-02T08:00:00Z' }),
    );
    assert.equal(later.pushed, false);
    assert.equal(later.commitSha, firstSha);
    assert.equal((await commitsOn(sandbox, TARGET, 'bump-magnum-2025.1', 'stable/2025.1')).length, 1);
    assert.deepEqual(await listBranches(sandbox, TARGET), before);
  });

  void test('a new worker without the cache dir finds the branch done too', async () => {
    await rm(workDir, { recursive: true, force: true });
    const fresh = createGit({ workDir, env: sandbox.env });
    const result = await fresh.pushBranch(await bumpInput(world, 'stable/2025.1'));
    assert.equal(result.pushed, false);
    assert.equal(result.commitSha, firstSha);
    assert.equal((await listBranches(sandbox, TARGET))['bump-magnum-2025.1'], firstSha);
    assert.ok(existsSync(cloneDirFor(workDir, 'full', target.url)), 'the cache is rebuilt');
  });

  void test('concurrent pushes for two branches of the same remote both land', async () => {
    const fresh = createGit({ workDir: path.join(sandbox.root, 'cache-concurrent'), env: sandbox.env });
    const before = await listBranches(sandbox, TARGET);
    const [a, b] = await Promise.all([
      fresh.pushBranch(await bumpInput(world, 'stable/2024.2')),
      fresh.pushBranch(await bumpInput(world, 'main')),
    ]);
    assert.equal(a.pushed, true);
    assert.equal(b.pushed, true);
    assert.equal(a.baseSha, before['stable/2024.2']);
    assert.equal(b.baseSha, before.main);
    assert.deepEqual(await listBranches(sandbox, TARGET), {
      ...before,
      'bump-magnum-2024.2': a.commitSha,
      'bump-magnum-main': b.commitSha,
    });
    assert.equal((await commitsOn(sandbox, TARGET, 'bump-magnum-2024.2', 'stable/2024.2')).length, 1);
    assert.equal((await commitsOn(sandbox, TARGET, 'bump-magnum-main', 'main')).length, 1);
  });

  void test('when the base moved, the commit is rebuilt on its current head and replaces the old one', async () => {
    const oldBase = (await listBranches(sandbox, TARGET))['stable/2025.1'] ?? assert.fail('no base');
    const newBase = await addCommit(sandbox, TARGET, 'stable/2025.1', {
      message: 'docs: unrelated',
      files: { 'README.md': 'moved\n' },
    });
    const result = await git.pushBranch(
      await bumpInput(world, 'stable/2025.1', { expectedBaseSha: oldBase }),
    );
    assert.equal(result.pushed, true);
    assert.equal(result.baseMoved, true);
    assert.equal(result.baseSha, newBase);
    assert.equal(result.replacedSha, firstSha);
    assert.deepEqual(await parentOf(sandbox, TARGET, result.commitSha), [newBase]);
    const commits = await commitsOn(sandbox, TARGET, 'bump-magnum-2025.1', 'stable/2025.1');
    assert.deepEqual(
      commits.map((c) => c.sha),
      [result.commitSha],
    );
    assert.equal(await readBranchFile(sandbox, TARGET, 'bump-magnum-2025.1', 'README.md'), 'moved\n');
    firstSha = result.commitSha;
  });

  void test("refuses to replace a work branch that carries someone else's commits", async () => {
    const reviewer = await addCommit(sandbox, TARGET, 'bump-magnum-2025.1', {
      message: 'fixup: reword note',
      files: { [NOTE_PATH]: 'fixes: []\n' },
    });
    const other = await bumpInput(world, 'stable/2025.1', {
      files: [{ path: VARS_PATH, content: await bumpedVars('stable/2025.1', 'b'.repeat(64)) }],
    });
    await rejectsWith(
      git.pushBranch(other),
      FatalFailure.PushRejected,
      /expected at most one commit on top of stable\/2025\.1, found 2/,
    );
    assert.equal((await listBranches(sandbox, TARGET))['bump-magnum-2025.1'], reviewer);
  });

  void test('invalid branch names, URLs and inputs are BadInput and touch nothing', async () => {
    const before = await listBranches(sandbox, TARGET);
    for (const workBranch of [
      'bump/magnum-2025.1',
      'bump..magnum',
      '-delete',
      'bump magnum',
      'bump-magnum.lock',
      'stable/2025.1',
    ]) {
      await rejectsWith(
        git.pushBranch(await bumpInput(world, 'stable/2025.1', { workBranch })),
        FatalFailure.BadInput,
        /workBranch/,
      );
    }
    await rejectsWith(
      git.pushBranch(await bumpInput(world, 'stable/2025.1', { baseBranch: 'stable/../main' })),
      FatalFailure.BadInput,
      /baseBranch/,
    );
    for (const url of ['--upload-pack=touch /tmp/bumpflow-pwned', 'ext::sh -c touch% /tmp/bumpflow-pwned']) {
      await rejectsWith(
        git.pushBranch(await bumpInput(world, 'stable/2025.1', { url })),
        FatalFailure.BadInput,
        /URL/,
      );
      await rejectsWith(git.lsRemoteHeads(url), FatalFailure.BadInput, /URL/);
    }
    await rejectsWith(
      git.pushBranch(await bumpInput(world, 'stable/2025.1', { date: 'yesterday' })),
      FatalFailure.BadInput,
      /ISO timestamp/,
    );
    await rejectsWith(
      git.pushBranch(
        await bumpInput(world, 'stable/2025.1', { files: [{ path: '.git/config', content: 'x' }] }),
      ),
      FatalFailure.BadInput,
      /relative file path/,
    );
    await rejectsWith(
      git.pushBranch(
        await bumpInput(world, 'stable/2025.1', { author: { name: 'Bot <x>', email: 'bot@example.test' } }),
      ),
      FatalFailure.BadInput,
      /author name/,
    );
    const missingBase = await bumpInput(world, 'stable/2025.1', {
      baseBranch: 'stable/2099.1',
      workBranch: 'bump-magnum-2099.1',
    });
    await rejectsWith(git.pushBranch(missingBase), FatalFailure.MissingBranch, /stable\/2099\.1/);
    assert.deepEqual(await listBranches(sandbox, TARGET), before);
  });

  void test('files equal to the base are BadInput: nothing to commit', async () => {
    const before = await listBranches(sandbox, TARGET);
    const input = await bumpInput(world, 'stable/2024.2', {
      workBranch: 'bump-nothing-2024.2',
      files: [{ path: VARS_PATH, content: await fixture('stable-2024.2.yml') }],
    });
    await rejectsWith(git.pushBranch(input), FatalFailure.BadInput, /nothing to commit/);
    assert.deepEqual(await listBranches(sandbox, TARGET), before);
  });

  void test('the Signed-off-by trailer is exactly what git commit -s writes', async () => {
    const slug = 'vexxhost/atmosphere-signoff';
    await createTargetRepo(sandbox, { slug, branches: ['main'] });
    const scratch = path.join(sandbox.root, 'signoff-scratch');
    await fixtureGit(['-c', 'init.defaultBranch=main', 'init', '--quiet', scratch], { cwd: sandbox.root });
    const identity = {
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
    };
    const messages = [
      'chore(magnum): bump magnum image',
      'fix(magnum): bump\n\nBody line one.   \nBody line two.\n\n\n',
      'fix(magnum): bump\n\nCo-authored-by: Someone <someone@example.test>',
      `fix(magnum): bump\n\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>`,
      'fix(magnum): bump\n\nText before\n---\nFixes: #12',
    ];
    for (const [index, message] of messages.entries()) {
      await fixtureGit(['commit', '--quiet', '--allow-empty', '-s', '-m', message], {
        cwd: scratch,
        env: identity,
      });
      const expected = (await fixtureGit(['log', '-1', '--format=%B'], { cwd: scratch })).stdout;
      const result = await git.pushBranch({
        url: sandbox.remoteUrl(slug),
        baseBranch: 'main',
        workBranch: `signoff-${index}`,
        files: [{ path: 'signoff.txt', content: `${index}\n` }],
        message,
        author: AUTHOR,
        date: DATE,
      });
      const actual = (
        await fixtureGit(['log', '-1', '--format=%B', result.commitSha], { cwd: sandbox.barePath(slug) })
      ).stdout;
      assert.equal(actual, expected, JSON.stringify(message));
    }
  });

  void test('a rejection by the remote is PushRejected with its reason and no credentials', async () => {
    const slug = 'vexxhost/atmosphere-hooked';
    await createTargetRepo(sandbox, { slug, branches: ['main'] });
    await mkdir(path.join(sandbox.barePath(slug), 'hooks'), { recursive: true });
    const hook = path.join(sandbox.barePath(slug), 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "policy: this repository takes no pushes" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const before = await listBranches(sandbox, slug);
    // the same bare repos, reached through a URL that carries a token
    const env = {
      ...sandbox.env,
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_1: sandbox.env.GIT_CONFIG_KEY_0 ?? assert.fail('no insteadOf key'),
      GIT_CONFIG_VALUE_1: `https://x-access-token:${SECRET}@github.com/`,
    };
    const withToken = createGit({ workDir, env });
    const url = `https://x-access-token:${SECRET}@github.com/${slug}`;
    const input = await bumpInput(world, 'main', { url, workBranch: 'bump-magnum-main' });
    const error = await rejectsWith(
      withToken.pushBranch(input),
      FatalFailure.PushRejected,
      /policy: this repository takes no pushes/,
    );
    assert.match(error.message, /https:\/\/github\.com\/vexxhost\/atmosphere-hooked/);
    assert.ok(!inspect(error, { depth: 10 }).includes(SECRET), inspect(error, { depth: 10 }));
    assert.deepEqual(await listBranches(sandbox, slug), before);
  });
});
