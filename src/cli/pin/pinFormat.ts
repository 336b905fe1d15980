/** Plain-text rendering of a pin run for the terminal: one row per image:tag, its keys, the digest to write. Pure. */
import type { PinRow, PinStatus } from '../../shared/pin.js';
import { table } from '../kit/format.js';
import { prProcedureTail } from '../catalog/catalogFormat.js';

function rowCells(r: PinRow): string[] {
  const digest = r.digest ?? (r.state === 'refused' ? 'left alone' : 'resolving…');
  const why = r.refusal === undefined ? '' : `${r.refusal.type}: ${r.refusal.message}`;
  return [r.id, r.keys.join(', '), digest, why];
}

export function formatPinStatus(id: string, s: PinStatus): string {
  const lines = [`pin ${s.varsFile} on ${s.branch} of ${s.repo} (${id}): ${s.state}`];
  if (s.scope !== undefined) lines.push(`scope: ${s.scope}`);
  if (s.baseSha) lines.push(`read at ${s.baseSha.slice(0, 12)}`);
  if (s.rows.length > 0)
    lines.push('', table([['IMAGE', 'KEYS', 'DIGEST', 'REFUSED'], ...s.rows.map(rowCells)]));
  lines.push(...prProcedureTail(s));
  return lines.join('\n');
}
