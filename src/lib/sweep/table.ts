/**
 * One table, two forms: a markdown table for the Temporal UI (cells with `|`
 * escaped, one line each) or aligned text columns for the CLI. Used by the
 * sweep's and the retag plan's renderers.
 *
 * Exports:
 *   renderTable(head, rows, 'markdown' | 'text'): string[]  (lines)
 * Pure: no I/O.
 */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  format: 'markdown' | 'text',
): string[] {
  if (format === 'markdown') {
    const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return [
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((v, i) => (i < r.length - 1 ? v.padEnd(widths[i]!) : v))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}
