import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { elideList, fitTable, shortDigest, wrapLine, wrapText } from '../../src/lib/kit/textTable.js';
import { nextDelay, REGISTRY_BACKOFF } from '../../src/lib/sweep/backoff.js';

void describe('wrapText, wrapLine, elideList, shortDigest', () => {
  void it('wraps at spaces; a word too long breaks after / : , - and is cut only as a last resort', () => {
    assert.deepEqual(wrapText('version label 2023.2 is not the tag 2024.1', 20), [
      'version label 2023.2',
      'is not the tag',
      '2024.1',
    ]);
    assert.deepEqual(wrapText('ghcr.io/vexxhost/openstack-database-exporter:v1.1.0', 30), [
      'ghcr.io/vexxhost/openstack-',
      'database-exporter:v1.1.0',
    ]);
    assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrapText('fits as it is', 100), ['fits as it is']);
    for (const l of wrapText('a b c '.repeat(50), 7)) assert.ok(l.length <= 7, l);
  });

  void it('wrapLine keeps the leading spaces and indents the lines after the first', () => {
    const lines = wrapLine(`  magnum (${'stable/2025.1, '.repeat(8)}main): started bump/x`, 60, '    ');
    assert.ok(lines.length > 1);
    assert.match(lines[0]!, /^ {2}magnum \(/);
    for (const l of lines.slice(1)) assert.match(l, /^ {4}\S/);
    for (const l of lines) assert.ok(l.length <= 60, l);
  });

  void it('elideList: the first items that fit, then +N more; the whole list when it fits', () => {
    const keys = 'bootstrap, db_drop, db_init, heat_api, heat_cfn';
    assert.equal(elideList(keys, 100), keys);
    assert.equal(elideList(keys, 30), 'bootstrap, db_drop, +3 more');
    assert.equal(elideList(keys, 20), 'bootstrap, +4 more');
    assert.equal(elideList(keys, 8), '+5 more');
    assert.equal(elideList('prometheus_openstack_database_exporter', 20), 'prometheus_openstac…');
  });

  void it('shortDigest: 12 hex characters, without the algorithm', () => {
    assert.equal(shortDigest(`sha256:${'ab'.repeat(32)}`), 'abababababab');
    assert.equal(shortDigest(undefined), '—');
  });
});

void describe('fitTable', () => {
  const head = ['image', 'keys', 'note'];
  const rows = [
    [
      'ghcr.io/vexxhost/heat:main',
      'a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p',
      'a long note '.repeat(6).trim(),
    ],
    ['ghcr.io/vexxhost/glance:2024.1', 'glance_api', '—'],
  ];
  const layout = {
    width: 60,
    fits: [
      { column: 2, fit: 'below', label: 'note', empty: '—' },
      { column: 1, fit: 'list', rank: 0, min: 12 },
    ] as const,
  };

  void it('a table that fits stays one line per row, every cell whole', () => {
    const lines = fitTable(head, rows, { ...layout, width: 500 });
    assert.equal(lines.length, 3);
    assert.ok(lines[1]!.includes(rows[0]![1]!));
  });

  void it('one that does not: below-columns leave the row, list columns elide, every line within the width', () => {
    const lines = fitTable(head, rows, layout);
    for (const l of lines) assert.ok(l.length <= 60, `${l.length}: ${l}`);
    assert.deepEqual(lines[0]!.split(/\s+/), ['image', 'keys']);
    assert.match(lines[1]!, /^ghcr\.io\/vexxhost\/heat:main +a, b, .*\+\d+ more$/);
    assert.match(lines[2]!, /^ {4}note: a long note/);
    assert.ok(lines.some((l) => l.startsWith('ghcr.io/vexxhost/glance:2024.1')));
    assert.ok(!lines.some((l) => l.includes('note: —')), 'no line for a row without a note');
  });

  void it('without a layout: plain aligned columns (as the UI-less callers had them)', () => {
    const lines = fitTable(head, rows);
    assert.equal(lines.length, 3);
    assert.equal(lines[2]!.indexOf('glance_api'), lines[0]!.indexOf('keys'));
  });
});

void describe('nextDelay (REGISTRY_BACKOFF)', () => {
  const at = (failedAttempts: number, random: number, waitedMs = 0, retryAfterMs?: number) =>
    nextDelay(REGISTRY_BACKOFF, { failedAttempts, random, waitedMs, retryAfterMs });

  void it('doubles from 250 ms up to 2 s, drawn from the upper half; 5 attempts in all', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => at(n, 0)),
      [125, 250, 500, 1000],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => at(n, 1)),
      [250, 500, 1000, 2000],
    );
    assert.equal(at(5, 0.5), undefined, 'the fifth failure is the last');
    const worst = [1, 2, 3, 4].reduce((sum, n) => sum + at(n, 1)!, 0);
    assert.ok(worst <= REGISTRY_BACKOFF.budgetMs, `${worst} ms of waits at most`);
  });

  void it('a short Retry-After is waited at least; a long one, or the budget spent, ends the retries', () => {
    assert.equal(at(1, 0, 0, 1_500), 1_500);
    assert.equal(at(4, 1, 0, 10), 2_000);
    assert.equal(at(1, 0, 0, 30_000), undefined);
    assert.equal(at(3, 1, 5_500), undefined);
  });
});
