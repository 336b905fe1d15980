import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareBranches } from '../../src/lib/kit/branches.js';
import { chooseBranches } from '../../src/lib/kit/branchChoice.js';

/** The order an operator expects: main, the numbered releases newest first, then the named ones newest first. */
const EXPECTED = [
  'main',
  'stable/2025.2',
  'stable/2025.1',
  'stable/2024.2',
  'stable/2024.1',
  'stable/2023.2',
  'stable/2023.1',
  'stable/zed',
  'stable/yoga',
  'stable/xena',
  'stable/wallaby',
];

/** A fixed shuffle (no randomness in tests): every other one from the end, then the rest. */
const shuffled = (list: readonly string[]) => [
  ...list.filter((_, i) => i % 2 === 1).reverse(),
  ...list.filter((_, i) => i % 2 === 0),
];

void describe('compareBranches', () => {
  void it('main first, numbered releases newest first, named releases (older than any numbered) after them', () => {
    assert.notDeepEqual(shuffled(EXPECTED), EXPECTED);
    assert.deepEqual([...shuffled(EXPECTED)].sort(compareBranches), EXPECTED);
    assert.deepEqual([...EXPECTED].reverse().sort(compareBranches), EXPECTED);
  });

  void it('what the old comparison put second is now after every numbered release: stable/zed', () => {
    const listed = ['main', 'stable/zed', 'stable/2025.2', 'stable/2023.1', 'stable/2024.1'];
    assert.deepEqual(listed.sort(compareBranches), [
      'main',
      'stable/2025.2',
      'stable/2024.1',
      'stable/2023.1',
      'stable/zed',
    ]);
  });

  void it('numbers compare as numbers, a release before its variants, other branches last by name', () => {
    assert.ok(compareBranches('stable/2025.10', 'stable/2025.9') < 0, '2025.10 is newer than 2025.9');
    assert.ok(compareBranches('stable/2030.1', 'stable/2025.2') < 0);
    assert.ok(compareBranches('stable/2025.1', 'stable/2025.1-eol') < 0);
    assert.ok(compareBranches('stable/wallaby', 'feature/x') < 0);
    assert.ok(compareBranches('feature/a', 'feature/b') < 0);
    assert.equal(compareBranches('stable/2025.1', 'stable/2025.1'), 0);
    assert.equal(compareBranches('main', 'main'), 0);
  });

  void it('chooseBranches lists main and every stable/* in that order (the sweep and the bump list them so)', () => {
    const existing = ['stable/yoga', 'stable/2024.2', 'feature/x', 'main', 'stable/zed', 'stable/2025.1'];
    assert.deepEqual(chooseBranches(existing, undefined, 'https://example.test/r'), [
      'main',
      'stable/2025.1',
      'stable/2024.2',
      'stable/zed',
      'stable/yoga',
    ]);
    assert.deepEqual(chooseBranches(existing, ['stable/zed', 'stable/2024.2'], 'https://example.test/r'), [
      'stable/2024.2',
      'stable/zed',
    ]);
  });
});
