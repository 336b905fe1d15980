import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  cloneDirFor,
  createGit,
  redactCredentials,
  type Git,
  type PushInput,
} from '../../src/activities/git/git.js';
import {
  BumpflowError,
  FatalFailure,
  TransientFailure,
  type FailureType,
} from '../../src/shared/failures.js';
import {
  addCommit,
  commitsOn,
  createGitSandbox,
  createSourceRepo,
  createTargetRepo,
  fixtureGit,
  listBranches,
  readBranchFile,
  VARS_PATH,
  type GitSandbox,
} from '../../src/sandbox/gitFixtures.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

const TARGET = 'vexxhost/atmosphere';
const SOURCE = 'vexxhost/docker-magnum';
const NOTE_PATH = 'releasenotes/notes/bump-magnum-0-36-6-3f2a9c1d5e7b8a60.yaml';
const NOTE =
  '---\nfixes:\n  - |\n    The Magnum container image now includes the Cluster API driver for Magnum\n    version 0.36.6.\n';
const AUTHOR = { name: 'Release Bot', email: 'bot@example.test' };
const DATE = '2025-06-01T12:00:00Z';
const MESSAGE =
  'fix(magnum): bump magnum image to include the Cluster API driver 0.36.6\n\nRefreshes every ghcr.io/vexxhost/magnum pin.';
const SECRET = 's3cret-token';

let sandbox: GitSandbox;
let workDir: string;
let git: Git;
let target: { url: string; heads: Record<string, string> };
let source: { url: string; heads: Record<string, string>; commits: Record<string, string[]> };

function fixture(name: string): Promise<string> {
  return readFile(path.join(atmosphereDir, name), 'utf8');
}

/** The branch's real vars file with every ghcr.io/vexxhost/magnum:<tag> pin moved to a new digest. */
async function bumpedVars(branch: string, digestHex: string): Promise<string> {
  const text = await fixture(`${branch.replace(/\//g, '-')}.yml`);
  const tag = branch === 'main' ? 'main' : branch.replace(/^stable\//, '');
  const bumped = text.replace(
    new RegExp(`(ghcr\\.io/vexxhost/magnum:${tag.replace(/\./g, '\\.')}@sha256:)[0-9a-f]{64}`, 'g'),
    `$1${digestHex}`,
  );
  assert.notEqual(bumped, text, `expected magnum pins for ${tag} in the ${branch} fixture`);
  return bumped;
}

async function bumpInput(branch: string, overrides: Partial<PushInput> = {}): Promise<PushInput> {
  const tag = branch === 'main' ? 'main' : branch.replace(/^stable\//, '');
  return {
    url: target.url,
    baseBranch: branch,
    workBranch: `bump-magnum-${tag}`,
    files: [
      { path: VARS_PATH, content: await bumpedVars(branch, 'a'.repeat(64)) },
      { path: NOTE_PATH, content: NOTE },
    ],
    message: MESSAGE,
    author: AUTHOR,
    date: DATE,
    ...overrides,
  };
}

async function rejectsWith(
  promise: Promise<unknown>,
  type: FailureType,
  pattern?: RegExp,
): Promise<BumpflowError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof BumpflowError, `expected a BumpflowError, got ${inspect(caught)}`);
  assert.equal(caught.type, type, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

async function parentOf(slug: string, sha: string): Promise<string[]> {
  const out = await fixtureGit(['rev-list', '--parents', '-n', '1', sha], { cwd: sandbox.barePath(slug) });
  return out.stdout.trim().split(' ').slice(1);
}

async function objectTypes(dir: string): Promise<string[]> {
  const out = await fixtureGit(['cat-file', '--batch-all-objects', '--batch-check=%(objecttype)'], {
    cwd: dir,
  });
  return out.stdout.split('\n').filter(Boolean);
}

before(async () => {
  sandbox = await createGitSandbox();
  workDir = path.join(sandbox.root, 'cache');
  target = await createTargetRepo(sandbox);
  source = await createSourceRepo(sandbox, SOURCE, {
    main: [
      {
        message: 'feat: build magnum with the Cluster API driver',
        files: {
          Dockerfile:
            'FROM ghcr.io/vexxhost/openstack-venv-builder:main\nCOPY requirements.txt /\nRUN pip install -r /requirements.txt\n',
          'requirements.txt': 'magnum-cluster-api==0.36.5\n',
          'upper-constraints.txt': 'pbr===6.1.0\n',
        },
      },
      {
        message: 'fix: bump magnum-cluster-api to 0.36.6',
        files: {
          'requirements.txt': 'magnum-cluster-api==0.36.6\n',
          'patches/magnum/requirements.txt': 'kubernetes>=29.0.0\n',
        },
      },
      {
        message: 'docs: describe the build',
        files: { 'README.md': '# docker-magnum\n\nBuilds ghcr.io/vexxhost/magnum.\n' },
      },
    ],
    'stable/2025.1': [
      {
        message: 'feat: build magnum 2025.1',
        files: { Dockerfile: 'FROM ghcr.io/vexxhost/openstack-venv-builder:2025.1\n' },
      },
      {
        message: (done) =>
          `fix: bump magnum-cluster-api to 0.36.6\n\n(cherry picked from commit ${done.main?.[1] ?? ''})`,
        files: { 'requirements.txt': 'magnum-cluster-api==0.36.6\n' },
      },
    ],
  });
  git = createGit({ workDir, env: sandbox.env });
});

after(async () => {
  await sandbox.close();
});

void describe('fixtures', () => {
  void test('the target repo holds the real vars file, notes and config of each branch', async () => {
    assert.deepEqual(Object.keys(target.heads).sort(), ['main', 'stable/2024.2', 'stable/2025.1']);
    for (const [branch, file] of [
      ['main', 'main.yml'],
      ['stable/2024.2', 'stable-2024.2.yml'],
      ['stable/2025.1', 'stable-2025.1.yml'],
    ] as const) {
      assert.equal(await readBranchFile(sandbox, TARGET, branch, VARS_PATH), await fixture(file), branch);
    }
    assert.equal(
      await readBranchFile(sandbox, TARGET, 'main', 'releasenotes/config.yaml'),
      await fixture('releasenotes/config.yaml'),
    );
    assert.equal(
      await readBranchFile(
        sandbox,
        TARGET,
        'stable/2025.1',
        'releasenotes/notes/bump-mcapi-75db7cc58ba546d2.yaml',
      ),
      await fixture('releasenotes/bump-mcapi-75db7cc58ba546d2.yaml'),
    );
    assert.match((await readBranchFile(sandbox, TARGET, 'main', 'README.md')) ?? '', /vexxhost\/atmosphere/);
    assert.equal(await readBranchFile(sandbox, TARGET, 'main', 'no/such/file'), undefined);
  });

  void test('a branch without a fixture fails loudly unless transform supplies its content', async () => {
    await assert.rejects(
      createTargetRepo(sandbox, { slug: 'vexxhost/atmosphere-zed', branches: ['main', 'stable/zed'] }),
      /no vars file for stable\/zed/,
    );
    const made = await createTargetRepo(sandbox, {
      slug: 'vexxhost/atmosphere-next',
      branches: ['main', 'stable/2025.2'],
      transform: (branch, text) => (branch === 'stable/2025.2' ? 'atmosphere_release: 2025.2\n' : text),
    });
    assert.deepEqual(Object.keys(made.heads).sort(), ['main', 'stable/2025.2']);
    assert.equal(
      await readBranchFile(sandbox, 'vexxhost/atmosphere-next', 'stable/2025.2', VARS_PATH),
      'atmosphere_release: 2025.2\n',
    );
  });
});

void describe('reading', () => {
  void test('lsRemoteHeads lists main and every stable branch with their heads', async () => {
    const heads = await git.lsRemoteHeads(target.url);
    assert.deepEqual(Object.fromEntries(heads), target.heads);
    const stable = await git.lsRemoteHeads(target.url, ['refs/heads/stable/*']);
    assert.deepEqual([...stable.keys()].sort(), ['stable/2024.2', 'stable/2025.1']);
  });

  void test('branchHead gives the head, or undefined for a missing branch', async () => {
    assert.equal(await git.branchHead(target.url, 'stable/2025.1'), target.heads['stable/2025.1']);
    assert.equal(await git.branchHead(target.url, 'stable/2099.1'), undefined);
    // a pattern would also match the tail of another branch: branchHead must not
    assert.equal(await git.branchHead(target.url, '2025.1'), undefined);
  });

  void test('readFile reads a branch (fetching its current head) and a commit; a missing file is undefined', async () => {
    assert.equal(await git.readFile(target.url, { branch: 'main' }, VARS_PATH), await fixture('main.yml'));
    assert.equal(
      await git.readFile(target.url, { branch: 'stable/2025.1' }, VARS_PATH),
      await fixture('stable-2025.1.yml'),
    );
    const oldMain = target.heads.main ?? assert.fail('no main');
    const oldReadme = await git.readFile(target.url, { branch: 'main' }, 'README.md');
    const newMain = await addCommit(sandbox, TARGET, 'main', {
      message: 'docs: reword',
      files: { 'README.md': 'reworded\n' },
    });

    assert.equal(await git.readFile(target.url, { branch: 'main' }, 'README.md'), 'reworded\n');
    assert.equal(await git.readFile(target.url, { commit: oldMain }, 'README.md'), oldReadme);
    assert.equal(await git.readFile(target.url, { commit: newMain.slice(0, 10) }, 'README.md'), 'reworded\n');
    assert.equal(
      await git.readFile(target.url, { commit: oldMain }, 'roles/defaults/vars/none.yml'),
      undefined,
    );
    assert.equal(await git.readFile(target.url, { branch: 'main' }, 'nope/README.md'), undefined);
    await rejectsWith(
      git.readFile(target.url, { branch: 'main' }, 'roles/defaults'),
      FatalFailure.BadInput,
      /expected a file at roles\/defaults/,
    );
    await rejectsWith(
      git.readFile(target.url, { branch: 'main' }, '../etc/passwd'),
      FatalFailure.BadInput,
      /relative file path/,
    );
    await rejectsWith(
      git.readFile(target.url, { branch: 'stable/2099.1' }, VARS_PATH),
      FatalFailure.MissingBranch,
      /stable\/2099\.1/,
    );
    await rejectsWith(
      git.readFile(target.url, { commit: 'd'.repeat(40) }, VARS_PATH),
      FatalFailure.BadInput,
      /not found in https:\/\/github\.com\/vexxhost\/atmosphere/,
    );
  });

  void test('isAncestor decides on a partial clone of the source repo, with full and abbreviated shas', async () => {
    const [, fix, later] = source.commits.main ?? [];
    assert.ok(fix && later);
    const stableHead = source.heads['stable/2025.1'] ?? assert.fail('no stable head');

    assert.equal(await git.isAncestor(source.url, fix, later), true);
    assert.equal(await git.isAncestor(source.url, later, fix), false);
    assert.equal(await git.isAncestor(source.url, fix.slice(0, 7), later.slice(0, 9).toUpperCase()), true);
    assert.equal(await git.isAncestor(source.url, fix, stableHead), false);
    assert.equal(await git.resolveCommit(source.url, fix.slice(0, 8)), fix);

    const unknown = 'c0ffee'.padEnd(40, '0');
    await rejectsWith(
      git.isAncestor(source.url, unknown, later),
      FatalFailure.BadInput,
      new RegExp(`commit ${unknown} not found in ${source.url}`),
    );
    await rejectsWith(
      git.resolveCommit(source.url, 'c0ffee1'),
      FatalFailure.BadInput,
      /commit c0ffee1 not found/,
    );
    await rejectsWith(git.resolveCommit(source.url, 'not-a-sha'), FatalFailure.BadInput, /"not-a-sha"/);

    const clone = cloneDirFor(workDir, 'partial', source.url);
    const config = await fixtureGit(['config', 'extensions.partialClone'], { cwd: clone });
    assert.equal(config.stdout.trim(), 'origin');
    const types = await objectTypes(clone);
    assert.ok(types.includes('commit') && types.includes('tree'), types.join(','));
    assert.equal(
      types.filter((type) => type === 'blob').length,
      0,
      'a blob:none clone holds no blobs until one is read',
    );
  });

  void test('findBackport finds the cherry-pick -x of a fix in a stable history, and nothing else', async () => {
    const [, fix, docs] = source.commits.main ?? [];
    const backport = source.commits['stable/2025.1']?.[1];
    assert.ok(fix && docs && backport);
    const stableHead = source.heads['stable/2025.1'] ?? assert.fail('no stable head');
    assert.equal(await git.isAncestor(source.url, fix, stableHead), false);
    assert.equal(await git.findBackport(source.url, fix, stableHead), backport);
    assert.equal(await git.findBackport(source.url, fix, stableHead.slice(0, 10)), backport);
    assert.equal(await git.findBackport(source.url, docs, stableHead), undefined, 'docs was never backported');
    assert.equal(await git.findBackport(source.url, fix, docs), undefined, 'main holds the fix itself, no backport');
    await rejectsWith(git.findBackport(source.url, fix.slice(0, 10), stableHead), FatalFailure.BadInput, /full sha/);
  });

  void test('a commit pushed after the clone is found by fetching on demand', async () => {
    const fresh = await addCommit(sandbox, SOURCE, 'main', {
      message: 'chore: later still',
      files: { VERSION: '2\n' },
    });
    const fix = source.commits.main?.[1] ?? assert.fail('no fix');
    assert.equal(await git.isAncestor(source.url, fix, fresh.slice(0, 12)), true);
  });

  void test('listFiles finds Dockerfile and requirements files anywhere in the tree, with contents', async () => {
    const [first, fix] = source.commits.main ?? [];
    assert.ok(first && fix);
    const atFix = await git.listFiles(source.url, fix.slice(0, 10), ['Dockerfile', 'requirements.txt']);
    assert.deepEqual(atFix, [
      {
        path: 'Dockerfile',
        text: 'FROM ghcr.io/vexxhost/openstack-venv-builder:main\nCOPY requirements.txt /\nRUN pip install -r /requirements.txt\n',
      },
      { path: 'patches/magnum/requirements.txt', text: 'kubernetes>=29.0.0\n' },
      { path: 'requirements.txt', text: 'magnum-cluster-api==0.36.6\n' },
    ]);
    const atFirst = await git.listFiles(source.url, first, ['requirements.txt', 'upper-constraints.txt']);
    assert.deepEqual(atFirst, [
      { path: 'requirements.txt', text: 'magnum-cluster-api==0.36.5\n' },
      { path: 'upper-constraints.txt', text: 'pbr===6.1.0\n' },
    ]);
    assert.deepEqual(await git.listFiles(source.url, first, ['pyproject.toml']), []);
    const blobs = (await objectTypes(cloneDirFor(workDir, 'partial', source.url))).filter(
      (type) => type === 'blob',
    );
    assert.ok(blobs.length >= 4, `expected the read blobs to be fetched, found ${blobs.length}`);
    await rejectsWith(
      git.listFiles(source.url, first, ['docker/Dockerfile']),
      FatalFailure.BadInput,
      /without a directory/,
    );
  });
});

void describe('pushBranch', () => {
  let firstSha = '';

  void test('creates the work branch from origin/<base> with exactly one signed-off commit of exactly the given files', async () => {
    const before = await listBranches(sandbox, TARGET);
    const input = await bumpInput('stable/2025.1', { expectedBaseSha: before['stable/2025.1'] });
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
    assert.deepEqual(await parentOf(TARGET, result.commitSha), [before['stable/2025.1']]);

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
    const again = await git.pushBranch(await bumpInput('stable/2025.1'));
    assert.equal(again.pushed, false);
    assert.equal(again.commitSha, firstSha);
    assert.deepEqual(again.changedFiles, [NOTE_PATH, VARS_PATH]);
    // a retry whose clock differs still recognises the same tree on the same base
    const later = await git.pushBranch(await bumpInput('stable/2025.1', { date: '2025-06-02T08:00:00Z' }));
    assert.equal(later.pushed, false);
    assert.equal(later.commitSha, firstSha);
    assert.equal((await commitsOn(sandbox, TARGET, 'bump-magnum-2025.1', 'stable/2025.1')).length, 1);
    assert.deepEqual(await listBranches(sandbox, TARGET), before);
  });

  void test('a new worker without the cache dir finds the branch done too', async () => {
    await rm(workDir, { recursive: true, force: true });
    const fresh = createGit({ workDir, env: sandbox.env });
    const result = await fresh.pushBranch(await bumpInput('stable/2025.1'));
    assert.equal(result.pushed, false);
    assert.equal(result.commitSha, firstSha);
    assert.equal((await listBranches(sandbox, TARGET))['bump-magnum-2025.1'], firstSha);
    assert.ok(existsSync(cloneDirFor(workDir, 'full', target.url)), 'the cache is rebuilt');
  });

  void test('concurrent pushes for two branches of the same remote both land', async () => {
    const fresh = createGit({ workDir: path.join(sandbox.root, 'cache-concurrent'), env: sandbox.env });
    const before = await listBranches(sandbox, TARGET);
    const [a, b] = await Promise.all([
      fresh.pushBranch(await bumpInput('stable/2024.2')),
      fresh.pushBranch(await bumpInput('main')),
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
    const result = await git.pushBranch(await bumpInput('stable/2025.1', { expectedBaseSha: oldBase }));
    assert.equal(result.pushed, true);
    assert.equal(result.baseMoved, true);
    assert.equal(result.baseSha, newBase);
    assert.equal(result.replacedSha, firstSha);
    assert.deepEqual(await parentOf(TARGET, result.commitSha), [newBase]);
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
    const other = await bumpInput('stable/2025.1', {
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
        git.pushBranch(await bumpInput('stable/2025.1', { workBranch })),
        FatalFailure.BadInput,
        /workBranch/,
      );
    }
    await rejectsWith(
      git.pushBranch(await bumpInput('stable/2025.1', { baseBranch: 'stable/../main' })),
      FatalFailure.BadInput,
      /baseBranch/,
    );
    for (const url of ['--upload-pack=touch /tmp/bumpflow-pwned', 'ext::sh -c touch% /tmp/bumpflow-pwned']) {
      await rejectsWith(
        git.pushBranch(await bumpInput('stable/2025.1', { url })),
        FatalFailure.BadInput,
        /URL/,
      );
      await rejectsWith(git.lsRemoteHeads(url), FatalFailure.BadInput, /URL/);
    }
    await rejectsWith(
      git.pushBranch(await bumpInput('stable/2025.1', { date: 'yesterday' })),
      FatalFailure.BadInput,
      /ISO timestamp/,
    );
    await rejectsWith(
      git.pushBranch(await bumpInput('stable/2025.1', { files: [{ path: '.git/config', content: 'x' }] })),
      FatalFailure.BadInput,
      /relative file path/,
    );
    await rejectsWith(
      git.pushBranch(
        await bumpInput('stable/2025.1', { author: { name: 'Bot <x>', email: 'bot@example.test' } }),
      ),
      FatalFailure.BadInput,
      /author name/,
    );
    const missingBase = await bumpInput('stable/2025.1', {
      baseBranch: 'stable/2099.1',
      workBranch: 'bump-magnum-2099.1',
    });
    await rejectsWith(git.pushBranch(missingBase), FatalFailure.MissingBranch, /stable\/2099\.1/);
    assert.deepEqual(await listBranches(sandbox, TARGET), before);
  });

  void test('files equal to the base are BadInput: nothing to commit', async () => {
    const before = await listBranches(sandbox, TARGET);
    const input = await bumpInput('stable/2024.2', {
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
    const input = await bumpInput('main', { url, workBranch: 'bump-magnum-main' });
    const error = await rejectsWith(
      withToken.pushBranch(input),
      FatalFailure.PushRejected,
      /policy: this repository takes no pushes/,
    );
    assert.match(error.message, /https:\/\/github\.com\/vexxhost\/atmosphere-hooked/);
    assert.ok(!inspect(error, { depth: 10 }).includes(SECRET), inspect(error, { depth: 10 }));
    assert.deepEqual(await listBranches(sandbox, slug), before);
  });

  void test('an unreachable remote is transient GitUnavailable, never fatal, and never shows credentials', async () => {
    const missing = sandbox.remoteUrl('vexxhost/does-not-exist');
    const pushToMissing = { ...(await bumpInput('main')), url: missing };
    for (const attempt of [
      () => git.lsRemoteHeads(missing),
      () => git.readFile(missing, { branch: 'main' }, VARS_PATH),
      () => git.isAncestor(missing, 'a'.repeat(40), 'b'.repeat(40)),
      () => git.pushBranch(pushToMissing),
    ]) {
      const error = await rejectsWith(attempt(), TransientFailure.GitUnavailable, /does-not-exist/);
      assert.equal(error.retryable, true);
    }
    const url = `https://user:${SECRET}@127.0.0.1:1/vexxhost/atmosphere`;
    for (const attempt of [
      () => git.lsRemoteHeads(url),
      () => git.readFile(url, { branch: 'main' }, VARS_PATH),
      () => git.branchHead(url, 'main'),
    ]) {
      const error = await rejectsWith(
        attempt(),
        TransientFailure.GitUnavailable,
        /https:\/\/127\.0\.0\.1:1\/vexxhost\/atmosphere/,
      );
      assert.ok(!inspect(error, { depth: 10 }).includes(SECRET), inspect(error, { depth: 10 }));
      assert.ok(!JSON.stringify(error.details).includes(SECRET));
    }
  });

  void test('a remote that never answers is transient GitUnavailable after the timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const slow = createGit({ workDir, env: sandbox.env, timeoutMs: 500 });
      const started = Date.now();
      await rejectsWith(
        slow.lsRemoteHeads(`https://127.0.0.1:${port}/vexxhost/atmosphere`),
        TransientFailure.GitUnavailable,
        /within 500 ms/,
      );
      assert.ok(Date.now() - started < 5000);
    } finally {
      silent.close();
    }
  });
});

void test('redactCredentials strips userinfo from every URL in a text', () => {
  assert.equal(
    redactCredentials(
      `fatal: unable to access 'https://bot:${SECRET}@github.com/x/y/' and ssh://git:pw@host/z, git@github.com:x/y`,
    ),
    "fatal: unable to access 'https://github.com/x/y/' and ssh://host/z, git@github.com:x/y",
  );
});
