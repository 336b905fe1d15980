/**
 * The end of what an operator reads of a procedure in the Temporal UI
 * (current details): a blocked step and how to retry it, a failure, the
 * newest notices, the refused messages. Pure.
 */

export interface TailStatus {
  state: string;
  step?: { name: string } | undefined;
  error?: { type: string; message: string } | undefined;
  notices: string[];
  refusals: string[];
}

export function detailsTail(s: TailStatus): string[] {
  const lines: string[] = [];
  if (s.state === 'blocked' && s.step)
    lines.push('', `**Blocked** on ${s.step.name}: ${s.error?.message ?? ''} — send \`retry\` with \`{}\`.`);
  if (s.error && s.state === 'failed') lines.push('', `**Failed** (${s.error.type}): ${s.error.message}`);
  for (const n of s.notices.slice(-5)) lines.push('', `> ${n}`);
  if (s.refusals.length)
    lines.push('', `Refused messages: ${s.refusals.length} (newest: ${s.refusals.at(-1)})`);
  return lines;
}
