/**
 * The references a sweep found pinned by tag only (no digest), as the sweep
 * shows them beside its table of what is behind: one row per image:tag and
 * branch with its keys, and the branches a pin run would change.
 *
 * Exports:
 *   renderUnpinned(refs, format: 'markdown' | 'text', { width? }): string  (text fitted to a width)
 *     '' when there are none; else a blank line, a heading with the count,
 *     and the table (image:tag, branch, keys).
 *   unpinnedByBranch(refs): [{ branch, refs }] — in the order the refs come (the sweep's branch order).
 * Pure: no I/O.
 */
import type { UnpinnedRef } from './pins.js';
import { renderTable } from '../kit/table.js';
import { wrapText } from '../kit/textTable.js';

export function unpinnedByBranch(refs: readonly UnpinnedRef[]): { branch: string; refs: UnpinnedRef[] }[] {
  const out = new Map<string, UnpinnedRef[]>();
  for (const r of refs) out.set(r.branch, [...(out.get(r.branch) ?? []), r]);
  return [...out].map(([branch, list]) => ({ branch, refs: list }));
}

/** Text within a width (as the sweep's table, render.ts): the keys elided first, then long names wrapped. */
const UNPINNED_FITS = [
  { column: 2, fit: 'list', rank: 0, min: 20 },
  { column: 0, fit: 'wrap', rank: 1, min: 24 },
] as const;

export function renderUnpinned(
  refs: readonly UnpinnedRef[],
  format: 'markdown' | 'text',
  options: { width?: number | undefined } = {},
): string {
  if (refs.length === 0) return '';
  const rows = new Map<string, { id: string; branch: string; keys: string[] }>();
  for (const r of refs) {
    const row = rows.get(`${r.id} ${r.branch}`) ?? { id: r.id, branch: r.branch, keys: [] };
    row.keys.push(r.key);
    rows.set(`${r.id} ${r.branch}`, row);
  }
  const heading = `Unpinned (by tag only, no digest: ${refs.length} reference${refs.length === 1 ? '' : 's'}, not counted among the pins)`;
  const title = format === 'markdown' ? [`**${heading}**`] : [`${heading}:`];
  return [
    '',
    ...(options.width === undefined ? title : wrapText(title[0]!, options.width)),
    ...renderTable(
      ['image', 'branch', 'keys'],
      [...rows.values()].map((r) => [r.id, r.branch, r.keys.join(', ')]),
      format,
      options.width === undefined ? undefined : { width: options.width, fits: UNPINNED_FITS },
    ),
  ].join('\n');
}
