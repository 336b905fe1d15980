/**
 * One table, two forms: a markdown table for the Temporal UI (cells with `|`
 * escaped, one line each) or aligned text columns for the CLI, fitted to a
 * width when a layout says how (see textTable.ts). Used by the sweep's
 * and the retag plan's renderers.
 *
 * Exports:
 *   renderTable(head, rows, 'markdown' | 'text', layout?): string[]  (lines)
 * Pure: no I/O.
 */
import { fitTable, type TextLayout } from './textTable.js';

export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  format: 'markdown' | 'text',
  layout?: TextLayout,
): string[] {
  if (format === 'markdown') {
    const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return [
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ];
  }
  return fitTable(head, rows, layout);
}
