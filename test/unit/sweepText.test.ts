/**
 * What `bumpflow sweep` prints, on the real Atmosphere vars files (main and
 * five stable branches, listed in file order here): within 100 columns by
 * default, every key and name in full with `--wide`; branches main first,
 * then newest first; evidence naming a missing label.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  collectImageTags,
  decideSweep,
  renderSweepTable,
  servicesBehind,
  type SweepAnswer,
} from '../../src/lib/sweep/index.js';
import { formatSweep } from '../../src/cli/sweep/sweepStart.js';
import type { SweepResult } from '../../src/workflows/sweep/sweepInput.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

const BRANCHES = [
  'stable/2023.1',
  'main',
  'stable/2024.2',
  'stable/2023.2',
  'stable/2025.1',
  'stable/2024.1',
];
const ORDERED = ['main', 'stable/2025.1', 'stable/2024.2', 'stable/2024.1', 'stable/2023.2', 'stable/2023.1'];
const pins = collectImageTags(
  BRANCHES.map((branch) => ({
    branch,
    text: readFileSync(path.join(atmosphereDir, `${branch.replace('/', '-')}.yml`), 'utf8'),
  })),
  { imagePrefixes: ['ghcr.io/vexxhost/'] },
);
const INDEX = 'application/vnd.oci.image.index.v1+json';
const NEW = (c: string) => `sha256:${c.repeat(64)}`;
const LABELS = (version: string) => ({ version, revision: 'f'.repeat(40), source: 'https://github.com/x/y' });
const HEAT = pins.pairs.find((p) => p.id === 'ghcr.io/vexxhost/heat:main')!;
const KEYSTONE = pins.pairs.find((p) => p.id === 'ghcr.io/vexxhost/keystone:2024.1')!;

/** Every pair current, but: heat:main (its many keys) moved and without a revision label, keystone:2024.1
 * built from another branch, the longest image name behind on every branch, glance:main unavailable. */
function answers(): Record<string, SweepAnswer> {
  const out: Record<string, SweepAnswer> = {};
  for (const p of pins.pairs) out[p.id] = { digest: p.pins[0]!.digest, mediaType: INDEX };
  out[HEAT.id] = { digest: NEW('a'), mediaType: INDEX, labels: { version: 'main', source: 'https://x/y' } };
  out[KEYSTONE.id] = { digest: NEW('b'), mediaType: INDEX, labels: LABELS('2023.2') };
  const longest = [...pins.pairs].sort((a, b) => b.id.length - a.id.length)[0]!;
  for (const p of pins.pairs.filter((x) => x.image === longest.image))
    out[p.id] = { digest: NEW('c'), mediaType: INDEX, labels: LABELS(p.tag) };
  out['ghcr.io/vexxhost/glance:main'] = {
    failure: {
      type: 'RegistryUnavailable',
      message:
        'expected 127.0.0.1:40000 to serve the manifest of ghcr.io/vexxhost/glance:main, found a server error (HTTP 503) (given up after 5 attempts)',
    },
  };
  return out;
}

const outcome = decideSweep(pins, answers());
const services = servicesBehind(pins, outcome);
const result: SweepResult = {
  state: 'done',
  targetRepo: 'https://github.com/vexxhost/atmosphere',
  report: false,
  branches: BRANCHES,
  heads: {},
  pinCount: pins.pinCount,
  pairCount: pins.pairs.length,
  counts: outcome.counts,
  behind: outcome.pins.filter((p) => p.state === 'behind'),
  unavailable: outcome.unavailable,
  bumps: services.map((s) => ({
    service: s.service,
    workflowId: `bump/vexxhost/atmosphere/${s.service}`,
    branches: [...s.branches].reverse(),
    outcome: 'started' as const,
    evidence: s.evidence,
  })),
  table: '',
  markdown: '',
} as SweepResult;

void describe('the sweep as the CLI prints it (real Atmosphere vars files)', () => {
  const narrow = formatSweep('sweep/vexxhost/atmosphere', result);
  const wide = formatSweep('sweep/vexxhost/atmosphere', result, { wide: true });

  void it('fits 100 columns by default: no line wider, though the full table is some 500 wide', () => {
    assert.ok(HEAT.pins.length >= 20, `heat:main has ${HEAT.pins.length} keys`);
    const widest = Math.max(...wide.split('\n').map((l) => l.length));
    assert.ok(widest > 400, `the unabridged table is ${widest} wide`);
    for (const l of narrow.split('\n')) assert.ok(l.length <= 100, `${l.length} columns: ${l}`);
    // heat's row: its first keys, then how many more
    const heat = narrow.split('\n').find((l) => l.startsWith('ghcr.io/vexxhost/heat:main '))!;
    assert.match(heat, new RegExp(`\\b${HEAT.pins[0]!.key}, .*\\+\\d+ more`), heat);
    const shown = heat.match(/\+(\d+) more/)![1]!;
    const listed = heat.split(/\s{2,}/)[2]!.split(', ').length - 1;
    assert.equal(Number(shown) + listed, HEAT.pins.length, heat);
    // digests as 12 hex, never the whole of them
    assert.ok(!/[0-9a-f]{13}/.test(narrow), 'a digest longer than 12 hex');
  });

  void it('--wide: every key of every row, and each row on one line', () => {
    const heat = wide.split('\n').find((l) => l.startsWith('ghcr.io/vexxhost/heat:main '))!;
    assert.ok(heat.includes(HEAT.pins.map((p) => p.key).join(', ')), heat);
    const keystone = wide.split('\n').find((l) => l.startsWith(`${KEYSTONE.id} `))!;
    assert.ok(keystone.includes(KEYSTONE.pins.map((p) => p.key).join(', ')), keystone);
    assert.match(wide, /given up after 5 attempts\)$/m, 'the error whole on its row');
  });

  void it('evidence names the missing label, under its row (and in the wide column)', () => {
    const lines = narrow.split('\n');
    const at = lines.findIndex((l) => l.startsWith('ghcr.io/vexxhost/heat:main '));
    assert.equal(lines[at + 1], '    evidence: missing label org.opencontainers.image.revision');
    assert.match(wide, /heat:main .* missing label org\.opencontainers\.image\.revision$/m);
    const heat = services.find((s) => s.service === 'heat')!;
    assert.deepEqual(heat.evidence, [{ kind: 'missing-label', label: 'org.opencontainers.image.revision' }]);
    assert.match(narrow, /evidence: version label 2023\.2 is not the tag 2024\.1/);
  });

  void it('branches main first, then the releases newest first, wherever they are listed', () => {
    const head = narrow
      .split('\n')
      .slice(0, 3)
      .map((l) => l.trim())
      .join(' ');
    assert.ok(head.includes(`(${ORDERED.join(', ')})`), head);
    const longest = outcome.pins.filter((p) => p.state === 'behind' && p.id.length > 45);
    assert.ok(longest.length >= 2, 'the longest image is behind on several branches');
    const rowBranches = wide
      .split('\n')
      .filter((l) => l.startsWith(longest[0]!.image))
      .map((l) => l.split(/\s{2,}/)[1]!);
    assert.deepEqual(
      rowBranches,
      ORDERED.filter((b) => rowBranches.includes(b)),
    );
    for (const b of result.bumps) {
      const line = wide.split('\n').find((l) => l.startsWith(`  ${b.service} (`))!;
      assert.ok(line.includes(`(${ORDERED.filter((x) => b.branches.includes(x)).join(', ')})`), line);
    }
  });

  void it('both labels missing: both named, and no revision compared with the source HEAD', () => {
    const world = answers();
    world[KEYSTONE.id] = {
      digest: NEW('d'),
      mediaType: INDEX,
      labels: { version: '2024.1', source: ' ' },
      sourceHead: 'e'.repeat(40),
    };
    const keystone = decideSweep(pins, world).pins.find((p) => p.id === KEYSTONE.id && p.state === 'behind')!;
    assert.deepEqual(keystone.evidence, [
      { kind: 'missing-label', label: 'org.opencontainers.image.source' },
      { kind: 'missing-label', label: 'org.opencontainers.image.revision' },
    ]);
    // an answer without labels (none read): no evidence claimed
    const unread = answers();
    unread[KEYSTONE.id] = { digest: NEW('d'), mediaType: INDEX };
    const quiet = decideSweep(pins, unread).pins.find((p) => p.id === KEYSTONE.id && p.state === 'behind')!;
    assert.equal(quiet.evidence, undefined);
  });

  void it('the markdown for the UI keeps every key (it scrolls)', () => {
    const md = renderSweepTable(outcome, 'markdown');
    assert.ok(md.includes(HEAT.pins.map((p) => p.key).join(', ')));
    assert.ok(md.includes('missing label org.opencontainers.image.revision'));
  });
});
