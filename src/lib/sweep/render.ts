/**
 * The sweep's table of what is behind: one row per image, branch and change
 * (image:tag, branch, keys, old → new digest, evidence), then the images that
 * could not be resolved, with their error. Markdown for the Temporal UI,
 * aligned text for the CLI. Rows by image, then branch (main, then the
 * releases newest first: compareBranches).
 *
 * Text with a `width` fits it (../kit/textTable.ts): the keys are elided to the
 * first ones and `+N more`, old → new and long names wrap, the evidence goes
 * on a line of its own under its row. Without one, everything in full.
 *
 * Exports:
 *   renderSweepTable(outcome: SweepOutcome, format: 'markdown' | 'text', { width? }): string
 * Pure: no I/O.
 */
import { compareBranches } from '../kit/branches.js';
import { shortDigest as short, type TextLayout } from '../kit/textTable.js';
import { type Evidence, type PinVerdict, type SweepOutcome } from './decide.js';
import { renderTable } from '../kit/table.js';

function describe(e: Evidence): string {
  if (e.kind === 'missing-label') return `missing label ${e.label}`;
  if (e.kind === 'version-label')
    return !e.version
      ? `missing label org.opencontainers.image.version (tag ${e.tag})`
      : `version label ${e.version} is not the tag ${e.tag}`;
  return `revision ${e.revision === undefined ? '(none)' : e.revision.slice(0, 12)} is not the source HEAD ${e.head.slice(0, 12)}`;
}

const byImageThenBranch = (a: PinVerdict, b: PinVerdict) =>
  (a.image < b.image ? -1 : a.image > b.image ? 1 : 0) ||
  compareBranches(a.branch, b.branch) ||
  (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);

function behindRows(pins: readonly PinVerdict[]): string[][] {
  const groups = new Map<string, PinVerdict[]>();
  for (const p of [...pins].sort(byImageThenBranch)) {
    if (p.state !== 'behind') continue;
    const id = [p.id, p.branch, p.digest, p.to, p.platform ?? ''].join(' ');
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  return [...groups.values()].map((g) => {
    const p = g[0]!;
    return [
      p.id,
      p.branch,
      g.map((x) => x.key).join(', '),
      `${short(p.digest)} → ${short(p.to)}${p.platform === undefined ? '' : ` (${p.platform})`}`,
      (p.evidence ?? []).map(describe).join('; ') || '—',
    ];
  });
}

/** How each table gives way to a width: the keys first, then old → new, then the names. */
const BEHIND_FITS = [
  { column: 4, fit: 'below', label: 'evidence', empty: '—' },
  { column: 3, fit: 'wrap', rank: 0, min: 27 },
  { column: 2, fit: 'list', rank: 1, min: 20 },
  { column: 0, fit: 'wrap', rank: 2, min: 24 },
] as const;
const UNAVAILABLE_FITS = [
  { column: 2, fit: 'wrap', rank: 0, min: 30 },
  { column: 1, fit: 'wrap', rank: 1, min: 13 },
  { column: 0, fit: 'wrap', rank: 2, min: 24 },
] as const;

export function renderSweepTable(
  outcome: SweepOutcome,
  format: 'markdown' | 'text',
  options: { width?: number | undefined } = {},
): string {
  const { width } = options;
  const layout = (fits: TextLayout['fits']) => (width === undefined ? undefined : { width, fits });
  const { current, behind, unavailable } = outcome.counts;
  // from the counts: a caller may pass the behind pins only (the rows need no others)
  const summary = `${current + behind + unavailable} pins: ${behind} behind, ${current} current, ${unavailable} unavailable`;
  const out = [format === 'markdown' ? `**${summary}**` : summary];
  const rows = behindRows(outcome.pins);
  if (rows.length > 0) {
    out.push('', format === 'markdown' ? '**Behind**' : 'Behind:');
    out.push(
      ...renderTable(['image', 'branch', 'keys', 'old → new', 'evidence'], rows, format, layout(BEHIND_FITS)),
    );
  }
  if (outcome.unavailable.length > 0) {
    out.push('', format === 'markdown' ? '**Unavailable**' : 'Unavailable:');
    out.push(
      ...renderTable(
        ['image', 'branches', 'error'],
        [...outcome.unavailable]
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((u) => [
            u.id,
            [...u.branches].sort(compareBranches).join(', '),
            `${u.failure.type}: ${u.failure.message}`,
          ]),
        format,
        layout(UNAVAILABLE_FITS),
      ),
    );
  }
  return out.join('\n');
}
