/**
 * The sweep's table of what is behind: one row per image, branch and change
 * (image:tag, branch, keys, old → new digest, evidence), then the images that
 * could not be resolved, with their error. Markdown for the Temporal UI,
 * aligned text for the CLI.
 *
 * Exports:
 *   renderSweepTable(outcome: SweepOutcome, format: 'markdown' | 'text'): string
 * Pure: no I/O.
 */
import { type Evidence, type PinVerdict, type SweepOutcome } from './decide.js';
import { renderTable } from './table.js';

const short = (digest: string | undefined) =>
  digest === undefined ? '—' : `${digest.replace(/^sha256:/, '').slice(0, 12)}`;

function describe(e: Evidence): string {
  if (e.kind === 'version-label')
    return e.version === undefined
      ? `no version label (tag ${e.tag})`
      : `version label ${e.version} is not the tag ${e.tag}`;
  return `revision ${e.revision === undefined ? '(none)' : e.revision.slice(0, 12)} is not the source HEAD ${e.head.slice(0, 12)}`;
}

function behindRows(pins: readonly PinVerdict[]): string[][] {
  const groups = new Map<string, PinVerdict[]>();
  for (const p of pins) {
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

export function renderSweepTable(outcome: SweepOutcome, format: 'markdown' | 'text'): string {
  const { current, behind, unavailable } = outcome.counts;
  // from the counts: a caller may pass the behind pins only (the rows need no others)
  const summary = `${current + behind + unavailable} pins: ${behind} behind, ${current} current, ${unavailable} unavailable`;
  const out = [format === 'markdown' ? `**${summary}**` : summary];
  const rows = behindRows(outcome.pins);
  if (rows.length > 0) {
    out.push('', format === 'markdown' ? '**Behind**' : 'Behind:');
    out.push(...renderTable(['image', 'branch', 'keys', 'old → new', 'evidence'], rows, format));
  }
  if (outcome.unavailable.length > 0) {
    out.push('', format === 'markdown' ? '**Unavailable**' : 'Unavailable:');
    out.push(
      ...renderTable(
        ['image', 'branches', 'error'],
        outcome.unavailable.map((u) => [
          u.id,
          u.branches.join(', '),
          `${u.failure.type}: ${u.failure.message}`,
        ]),
        format,
      ),
    );
  }
  return out.join('\n');
}
