/**
 * Text tables that fit a terminal: aligned columns, every line at most
 * `width` characters when the layout lets the columns give way.
 *
 *   wrap   the cell goes onto more lines, at spaces (a word too long for the
 *          column at a `/`, `:`, `,` or `-`, else wherever it must)
 *   list   a `, `-separated list: the first items that fit, then `+N more`
 *   below  out of the columns: a line of its own under the row
 *          (`    label: value`, wrapped), left out when the value is empty
 *          (or the one the fit names as none, such as `—`)
 *
 * A table that fits as it is stays as it is (one line per row, nothing cut).
 * Otherwise the `below` columns leave the row, then the others give way rank
 * by rank (rank 0 first), the widest column of a rank first, each down to its
 * `min` at most; columns without a fit keep their width.
 *
 * Exports:
 *   fitTable(head, rows, layout): string[]  (lines)
 *   wrapText(text, width): string[];  wrapLine(text, width, indent): string[]
 *   elideList(text, width): string;  TEXT_WIDTH: the CLI's default width (100)
 *   shortDigest(digest): 12 hex characters, as every table shows a digest
 * Pure: no I/O.
 */

export type ColumnFit =
  /** `keepWords`: narrower than its longest word only when nothing else is left to give */
  | { column: number; fit: 'wrap' | 'list'; rank: number; min: number; keepWords?: boolean }
  /** `empty`: the value that means none (such as `—`): no line for it */
  | { column: number; fit: 'below'; label: string; empty?: string };

export interface TextLayout {
  /** the widest a line may be */
  width: number;
  fits: readonly ColumnFit[];
}

const GAP = '  ';

/** The width the CLI's text fits unless asked for everything (`--wide`). */
export const TEXT_WIDTH = 100;

/** `sha256:0123…` → `0123456789ab` (undefined → `—`). */
export function shortDigest(digest: string | undefined): string {
  return digest === undefined ? '—' : digest.replace(/^sha256:/, '').slice(0, 12);
}

/** The text on lines of at most `width` (a word longer than that is split). */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const pieces: { text: string; space: boolean }[] = [];
  for (const word of text.split(' ').filter((x) => x !== ''))
    splitWord(word, w).forEach((part, i) => pieces.push({ text: part, space: i === 0 }));
  const lines: string[] = [];
  let line = '';
  for (const p of pieces) {
    const joined = line === '' ? p.text : `${line}${p.space ? ' ' : ''}${p.text}`;
    if (joined.length <= w) line = joined;
    else {
      lines.push(line);
      line = p.text;
    }
  }
  return line === '' && lines.length > 0 ? lines : [...lines, line];
}

/** `text` (its own leading spaces kept) wrapped to `width`, the lines after the first indented by `indent`. */
export function wrapLine(text: string, width: number, indent = '  '): string[] {
  const lead = /^ */.exec(text)![0];
  return wrapText(text.slice(lead.length), width - Math.max(lead.length, indent.length)).map(
    (l, i) => `${i === 0 ? lead : indent}${l}`,
  );
}

/** A word too long for the width: at `/ : , -` (kept at the end of a part), else cut. */
function splitWord(word: string, width: number): string[] {
  if (word.length <= width) return [word];
  const parts: string[] = [];
  for (const part of word.split(/(?<=[/:,-])/)) {
    for (let i = 0; i < part.length; i += width) parts.push(part.slice(i, i + width));
  }
  // parts that fit together are one part again
  const merged: string[] = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (last !== undefined && (last + p).length <= width) merged[merged.length - 1] = last + p;
    else merged.push(p);
  }
  return merged;
}

/** A `, `-separated list in `width`: as many items as fit, then `+N more` (the whole list when it fits). */
export function elideList(text: string, width: number): string {
  if (text.length <= width) return text;
  const items = text.split(', ');
  for (let k = items.length - 1; k >= 1; k -= 1) {
    const shown = `${items.slice(0, k).join(', ')}, +${items.length - k} more`;
    if (shown.length <= width) return shown;
  }
  if (items.length === 1) return `${text.slice(0, Math.max(0, width - 1))}…`;
  return `+${items.length} more`;
}

function naturalWidths(head: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
}

/**
 * The width of each column once the fits have given way: rank by rank, the
 * widest column of a rank first; a `keepWords` column down to its longest
 * word, and below only if the line is still too wide after every rank gave.
 */
function giveWay(
  widths: number[],
  head: readonly string[],
  rows: readonly (readonly string[])[],
  fits: readonly ColumnFit[],
  width: number,
) {
  const out = [...widths];
  const total = () => out.reduce((a, b) => a + b, 0) + GAP.length * (out.length - 1);
  const shrinking = fits.filter((f): f is Extract<ColumnFit, { rank: number }> => f.fit !== 'below');
  const ranks = [...new Set(shrinking.map((f) => f.rank))].sort((a, b) => a - b);
  const longestWord = (i: number) =>
    Math.max(0, ...rows.flatMap((r) => (r[i] ?? '').split(' ').map((w) => w.length)));
  const floors = [
    (f: (typeof shrinking)[number]) =>
      Math.max(f.min, head[f.column]!.length, f.keepWords ? longestWord(f.column) : 0),
    (f: (typeof shrinking)[number]) => Math.max(f.min, head[f.column]!.length),
  ];
  for (const floor of floors)
    for (const rank of ranks) {
      const group = shrinking.filter((f) => f.rank === rank);
      // one character at a time off the widest column of the rank that can still give
      while (total() > width) {
        const widest = group
          .filter((f) => out[f.column]! > floor(f))
          .sort((a, b) => out[b.column]! - out[a.column]!)[0];
        if (widest === undefined) break;
        out[widest.column]! -= 1;
      }
    }
  return out;
}

/** The table's lines: as they are when they fit in `layout.width` (or without a layout), else fitted. */
export function fitTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  layout?: TextLayout,
): string[] {
  const natural = naturalWidths(head, rows);
  const fits = layout === undefined ? [] : layout.fits;
  const width = layout?.width ?? Infinity;
  const plainWidth = natural.reduce((a, b) => a + b, 0) + GAP.length * (natural.length - 1);
  if (plainWidth <= width || fits.length === 0) return plain(head, rows, natural);
  const below = fits.filter((f): f is Extract<ColumnFit, { fit: 'below' }> => f.fit === 'below');
  const kept = head.map((_, i) => i).filter((i) => !below.some((b) => b.column === i));
  const pick = (r: readonly string[]) => kept.map((i) => r[i] ?? '');
  const keptHead = pick(head);
  const keptFits = fits.flatMap((f) => (f.fit === 'below' ? [] : [{ ...f, column: kept.indexOf(f.column) }]));
  const keptRows = rows.map(pick);
  const widths = giveWay(naturalWidths(keptHead, keptRows), keptHead, keptRows, keptFits, width);
  const fitOf = (i: number) => keptFits.find((f) => f.column === i);
  const lines = [line(keptHead, widths)];
  rows.forEach((r, n) => {
    const cells = keptRows[n]!.map((v, i) => {
      const f = fitOf(i);
      if (f?.fit === 'wrap') return wrapText(v, widths[i]!);
      if (f?.fit === 'list') return [elideList(v, widths[i]!)];
      return [v];
    });
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k += 1)
      lines.push(
        line(
          cells.map((c) => c[k] ?? ''),
          widths,
        ),
      );
    for (const b of below) {
      const value = r[b.column] ?? '';
      if (value === '' || value === b.empty) continue;
      const wrapped = wrapText(b.label === '' ? value : `${b.label}: ${value}`, width - 6);
      lines.push(...wrapped.map((l, k) => `${k === 0 ? '    ' : '      '}${l}`));
    }
  });
  return lines;
}

function line(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((v, i) => (i < cells.length - 1 ? v.padEnd(widths[i]!) : v))
    .join(GAP)
    .trimEnd();
}

function plain(head: readonly string[], rows: readonly (readonly string[])[], widths: number[]): string[] {
  return [line(head, widths), ...rows.map((r) => line(r, widths))];
}
