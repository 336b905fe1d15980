/**
 * How the git client spends processes, counted by a shim first on git's PATH (it logs each call, then
 * runs the real git): a push is one commit exactly as `git commit -s -m` makes it, built with few
 * processes; concurrent listings of one remote share a process, but never answer with a listing that
 * git began before the call.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createGit, type Git } from '../../src/clients/git/index.js';
import { addCommit, fixtureGit, listBranches, type GitSandbox } from '../../src/sandbox/gitFixtures.js';
import { AUTHOR, bumpInput, createGitWorld, DATE, MESSAGE, TARGET, type GitWorld } from './gitHelpers.js';

let world: GitWorld;
let sandbox: GitSandbox;
let shimDir = '';
let log = '';
/** the shim holds ls-remote's process open this long after git answered */
let holdFile = '';

before(async () => {
  world = await createGitWorld();
  ({ sandbox } = world);
  shimDir = path.join(sandbox.root, 'shim');
  log = path.join(shimDir, 'calls.log');
  holdFile = path.join(shimDir, 'hold');
  await mkdir(shimDir, { recursive: true });
  const realGit = (await fixtureGit(['--exec-path'], { cwd: sandbox.root })).stdout.trim();
  const shim = path.join(shimDir, 'git');
  await writeFile(
    shim,
    [
      '#!/bin/sh',
      `out=$(mktemp) || exit 1`,
      `"${realGit}/git" "$@" >"$out"; rc=$?`,
      `cat "$out"; rm -f "$out"`,
      `echo "$*" >>"${log}"`,
      `if [ "$1" = ls-remote ] && [ -f "${holdFile}" ]; then sleep "$(cat "${holdFile}")"; fi`,
      'exit $rc',
      '',
    ].join('\n'),
  );
  await chmod(shim, 0o755);
});

after(async () => {
  await sandbox.close();
});

function countingGit(workDir: string): Git {
  return createGit({
    workDir,
    env: { ...sandbox.env, PATH: `${shimDir}:${process.env.PATH ?? '/usr/bin:/bin'}` },
  });
}

async function calls(): Promise<string[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

const subcommand = (line: string) => line.split(' ')[line.startsWith('-c ') ? 2 : 0];

void describe('git processes', () => {
  test('a push on a warm cache is ls-remote, ls-tree, fast-import, push, ls-remote; the commit is git commit -s', async () => {
    const git = countingGit(path.join(sandbox.root, 'cache-count'));
    const branch = 'stable/2025.1';
    const base = (await listBranches(sandbox, TARGET))[branch] ?? assert.fail('no base');
    await git.readFile(world.target.url, { commit: base }, 'README.md');
    await rm(log, { force: true });

    const input = await bumpInput(world, branch);
    const result = await git.pushBranch(input);
    assert.deepEqual((await calls()).map(subcommand), [
      'ls-remote',
      'ls-tree',
      'fast-import',
      'push',
      'ls-remote',
    ]);

    // the same change made by hand with git commit -s -m, at the same dates, is the very same commit
    const scratch = path.join(sandbox.root, 'by-hand');
    await fixtureGit(['clone', '--quiet', '--branch', branch, sandbox.barePath(TARGET), scratch], {
      cwd: sandbox.root,
    });
    for (const file of input.files) {
      await mkdir(path.dirname(path.join(scratch, file.path)), { recursive: true });
      await writeFile(path.join(scratch, file.path), file.content);
    }
    const when = '@1748779200 +0000';
    const env = {
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    };
    assert.equal(Date.parse(DATE) / 1000, 1748779200);
    await fixtureGit(['add', '--all'], { cwd: scratch });
    await fixtureGit(['commit', '--quiet', '--no-gpg-sign', '-s', '-m', MESSAGE], { cwd: scratch, env });
    const byHand = (await fixtureGit(['rev-parse', 'HEAD'], { cwd: scratch })).stdout.trim();
    assert.equal(result.commitSha, byHand);

    // a retry lists, finds its commit on the remote and pushes nothing
    await rm(log, { force: true });
    const again = await git.pushBranch(input);
    assert.equal(again.pushed, false);
    assert.equal(again.commitSha, result.commitSha);
    assert.ok(!(await calls()).map(subcommand).includes('push'), (await calls()).join('\n'));
  });

  test('concurrent listings of one remote share processes, each answer right', async () => {
    const git = countingGit(path.join(sandbox.root, 'cache-share'));
    const heads = await listBranches(sandbox, TARGET);
    await rm(log, { force: true });
    // every branch twice, all at once (as the children of a bump read their pins)
    const once = Object.keys(heads).filter((b) => b === 'main' || b.startsWith('stable/'));
    const branches = [...once, ...once];
    const answers = await Promise.all(branches.map((b) => git.branchHead(world.target.url, b)));
    assert.deepEqual(
      answers,
      branches.map((b) => heads[b]),
    );
    assert.ok(once.length >= 3, `expected several branches, found ${once.join(', ')}`);
    assert.equal((await calls()).length, 1, (await calls()).join('\n'));
  });

  test('a call made while a listing runs is answered by a later one, never by that listing', async () => {
    const git = countingGit(path.join(sandbox.root, 'cache-fresh'));
    const url = world.target.url;
    await rm(log, { force: true });
    await writeFile(holdFile, '1');
    try {
      const first = git.branchHead(url, 'main');
      // wait until git has answered the first listing (its process is held open by the shim)
      while ((await calls()).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const moved = await addCommit(sandbox, TARGET, 'main', {
        message: 'docs: moved while listing',
        files: { 'MOVED.md': 'moved\n' },
      });
      const second = await git.branchHead(url, 'main');
      assert.notEqual(await first, moved);
      assert.equal(second, moved);
      assert.equal((await calls()).length, 2);
    } finally {
      await rm(holdFile, { force: true });
    }
  });
});
