import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  assertSha,
  assertValidRefName,
  branchTag,
  sourceBranchForVersion,
  workBranchName,
} from '../../src/lib/kit/branches.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

function badInput(...needles: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, FatalFailure.BadInput);
    for (const n of needles)
      assert.ok(err.message.includes(n), `expected ${JSON.stringify(n)} in: ${err.message}`);
    return true;
  };
}

// The real stable branches of the snapshot (fixtures/atmosphere/SOURCES.md).
const STABLE = ['zed', '2023.1', '2023.2', '2024.1', '2024.2', '2025.1', '2025.2'];

void describe('branchTag', () => {
  void it('main → main; stable/<release> → <release>', () => {
    assert.equal(branchTag('main'), 'main');
    for (const release of STABLE) assert.equal(branchTag(`stable/${release}`), release);
  });

  for (const bad of [
    'master',
    'stable/',
    'stable',
    'stable/2025.1/extra',
    'feature/x',
    'stable/2025.1.lock',
    'stable/.hidden',
    'Main',
    ' main',
    'stable/20 25',
    '',
  ]) {
    void it(`refuses ${JSON.stringify(bad)} saying main or stable/<release> was expected`, () => {
      assert.throws(() => branchTag(bad), badInput('main or stable/<release>', JSON.stringify(bad)));
    });
  }

  void it('names the expected forms in its message', () => {
    assert.throws(() => branchTag('develop'), badInput('main or stable/<release>', '"develop"'));
  });
});

void describe('sourceBranchForVersion', () => {
  void it('main → main; a release → stable/<release>', () => {
    assert.equal(sourceBranchForVersion('main'), 'main');
    assert.equal(sourceBranchForVersion('2025.1'), 'stable/2025.1');
    assert.equal(sourceBranchForVersion('zed'), 'stable/zed');
  });

  void it('is the inverse of branchTag', () => {
    for (const branch of ['main', ...STABLE.map((r) => `stable/${r}`)])
      assert.equal(sourceBranchForVersion(branchTag(branch)), branch);
  });

  for (const bad of ['', 'stable/2025.1', '2025.1 ', '../main', '2025.1.lock', '.x']) {
    void it(`refuses the version label ${JSON.stringify(bad)}`, () => {
      assert.throws(() => sourceBranchForVersion(bad), badInput(JSON.stringify(bad)));
    });
  }
});

void describe('workBranchName', () => {
  void it('bump-<service>-<tag>, never with a slash', () => {
    assert.equal(workBranchName('magnum', '2025.1'), 'bump-magnum-2025.1');
    assert.equal(workBranchName('magnum', 'main'), 'bump-magnum-main');
    assert.equal(workBranchName('nova-ssh', branchTag('stable/2024.2')), 'bump-nova-ssh-2024.2');
    for (const release of STABLE)
      assert.ok(!workBranchName('heat', branchTag(`stable/${release}`)).includes('/'));
  });

  for (const [service, tag] of [
    ['magnum', 'stable/2025.1'],
    ['magnum', ''],
    ['ghcr.io/vexxhost/magnum', 'main'],
    ['Magnum', 'main'],
    ['magnum', '2025.1.lock'],
    ['magnum', 'a..b'],
    ['', 'main'],
  ] as const) {
    void it(`refuses service ${JSON.stringify(service)} with tag ${JSON.stringify(tag)}`, () => {
      assert.throws(() => workBranchName(service, tag), badInput());
    });
  }
});

const VALID = [
  'main',
  'stable/2025.1',
  'bump-magnum-2025.1',
  'a/b/c',
  'a.lockx',
  'a@b',
  '@a',
  'ü',
  'a.b',
  'a_b-c',
];
const INVALID: Array<[string, string]> = [
  ['', 'empty'],
  ['@', "'@'"],
  ['HEAD', 'HEAD'],
  ['-a', "leading '-'"],
  ['/a', "'/'"],
  ['a/', "'/'"],
  ['a//b', "'//'"],
  ['a..b', "'..'"],
  ['a@{b', "'@{'"],
  ['a.', "trailing '.'"],
  ['a/b.', "trailing '.'"],
  ['a.lock', '.lock'],
  ['a.lock/b', '.lock'],
  ['.a', "starting with '.'"],
  ['a/.b', "starting with '.'"],
  ['a b', 'space'],
  ['a\tb', 'control'],
  ['a\u007fb', 'control'],
  ['a~b', '~'],
  ['a^b', '~^'],
  ['a:b', ':'],
  ['a?b', '?'],
  ['a*b', '*'],
  ['a[b', '['],
  ['a\\b', '\\'],
];

void describe('assertValidRefName', () => {
  for (const name of VALID) {
    void it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(assertValidRefName(name, 'branch'), name);
    });
  }
  for (const [name, rule] of INVALID) {
    void it(`refuses ${JSON.stringify(name)} (${rule}) showing the name`, () => {
      assert.throws(
        () => assertValidRefName(name, 'work branch'),
        badInput('work branch', JSON.stringify(name), rule),
      );
    });
  }

  void it('refuses a value that is not a string, saying what it checked', () => {
    assert.throws(
      () => assertValidRefName(42 as unknown as string, 'branch'),
      badInput('branch', 'a string'),
    );
  });
});

/** Names at the edges of git's rules; each is checked against git itself below. */
const TRICKY = [
  '',
  'a@b',
  'a@',
  '@a',
  'a/@',
  '@/a',
  '@@',
  '@{-1}',
  'a@{u}',
  'HEAD',
  'HEAD/x',
  'x/HEAD',
  'refs/heads/x',
  '-x',
  'x-',
  'a/-b',
  'a..b',
  '..',
  '.',
  'a..',
  'a.',
  'a/b.',
  'a./b',
  'a./',
  'a/./b',
  'a/../b',
  '.a',
  'a/.b',
  'a.lock',
  'a.lock/b',
  '.lock',
  'x.lock.y',
  'a.LOCK',
  'a//b',
  '/a',
  'a/',
  'a b',
  'a\tb',
  'a\u0001b',
  'a\u007fb',
  'a\u0085b',
  'a\u00a0b',
  'é',
  '日本/ブランチ',
  'a\\b',
  'a[b',
  'a]b',
  'a{b',
  'a}b',
  'a~1',
  'a^{}',
  'a:b',
  'a?',
  'a*',
  'a!b#c"d\'e|f<g>h,i;j=k%l',
  'stable/2025.1',
  'bump-magnum-2025.1',
];

void describe('assertValidRefName agrees with git check-ref-format --branch', () => {
  function ours(name: string): boolean {
    try {
      assertValidRefName(name, 'branch');
      return true;
    } catch {
      return false;
    }
  }

  function gits(name: string): boolean {
    // outside any repository, so git interprets nothing (no @{-1} lookup)
    const r = spawnSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8', cwd: '/' });
    assert.ok(r.status === 0 || r.status === 128, `git check-ref-format ran: ${r.stderr}`);
    return r.status === 0 && r.stdout.trim() === name;
  }

  void it(`on ${TRICKY.length} tricky names (and every name of the lists above)`, () => {
    assert.ok(TRICKY.length >= 40);
    const names = [...new Set([...TRICKY, ...VALID, ...INVALID.map(([n]) => n)])].filter((n) => n !== '@');
    const disagreements = names.filter((name) => ours(name) !== gits(name));
    assert.deepEqual(
      disagreements.map((name) => ({ name, ours: ours(name), git: gits(name) })),
      [],
    );
    // both sides say yes and no: the comparison is not vacuous
    assert.ok(names.some(gits) && names.some((name) => !gits(name)));
  });

  void it("refuses a bare '@' where git 2.39 takes it as refs/heads/@ (deliberately stricter: '@' means HEAD)", () => {
    assert.equal(ours('@'), false);
  });
});

void describe('assertSha', () => {
  void it('accepts 40 and 64 lowercase hex', () => {
    const sha1 = 'c7d3a5e3b2c6898d530ff3a91362d1d987215930';
    assert.equal(assertSha(sha1, 'revision'), sha1);
    assert.equal(assertSha('a'.repeat(64), 'revision'), 'a'.repeat(64));
  });

  for (const bad of [
    'c7d3a5e',
    'C7D3A5E3B2C6898D530FF3A91362D1D987215930',
    'g'.repeat(40),
    'a'.repeat(41),
    'a'.repeat(39),
    '',
    ` ${'a'.repeat(40)}`,
  ]) {
    void it(`refuses ${JSON.stringify(bad)} naming what it checked`, () => {
      assert.throws(
        () => assertSha(bad, 'source revision'),
        badInput('source revision', JSON.stringify(bad)),
      );
    });
  }
});
