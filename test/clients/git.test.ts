/** The git client's reads on real bare repos: ls-remote, files at refs, ancestry, backports, listFiles, listFolder. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cloneDirFor, type Git } from '../../src/clients/git/index.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { createTargetRepo } from '../../src/sandbox/fixtureRepos.js';
import {
  addCommit,
  fixtureGit,
  readBranchFile,
  VARS_PATH,
  type GitSandbox,
} from '../../src/sandbox/gitFixtures.js';
import {
  createGitWorld,
  fixture,
  objectTypes,
  rejectsWith,
  SOURCE,
  TARGET,
  type GitWorld,
} from './gitHelpers.js';

let world: GitWorld;
let sandbox: GitSandbox;
let workDir: string;
let git: Git;
let target: GitWorld['target'];
let source: GitWorld['source'];

before(async () => {
  world = await createGitWorld();
  ({ sandbox, workDir, git, target, source } = world);
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
    assert.equal(
      await git.findBackport(source.url, docs, stableHead),
      undefined,
      'docs was never backported',
    );
    assert.equal(
      await git.findBackport(source.url, fix, docs),
      undefined,
      'main holds the fix itself, no backport',
    );
    await rejectsWith(
      git.findBackport(source.url, fix.slice(0, 10), stableHead),
      FatalFailure.BadInput,
      /full sha/,
    );
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

  void test('listFolder lists the files directly in a folder at a commit, not the files of its subfolders', async () => {
    const repo = await createTargetRepo(sandbox, { slug: 'osism/image-catalogs', branches: ['main'] });
    const sha = await addCommit(sandbox, 'osism/image-catalogs', 'main', {
      message: 'chore: catalogs',
      files: {
        'etc/images/ubuntu.yml': 'images: []\n',
        'etc/images/debian.yml': 'images: []\n',
        'etc/images/README.md': 'the catalogs\n',
        'etc/images/old/centos.yml': 'images: []\n',
        'etc/images-extra/rocky.yml': 'images: []\n',
      },
    });
    assert.deepEqual(await git.listFolder(repo.url, sha, 'etc/images'), [
      'etc/images/README.md',
      'etc/images/debian.yml',
      'etc/images/ubuntu.yml',
    ]);
    assert.deepEqual(await git.listFolder(repo.url, sha, 'no/such/folder'), []);
    // a file is not a folder: nothing is listed under it
    assert.deepEqual(await git.listFolder(repo.url, sha, 'etc/images/ubuntu.yml'), []);
    await rejectsWith(git.listFolder(target.url, sha, '../etc'), FatalFailure.BadInput, /relative file path/);
  });
});
