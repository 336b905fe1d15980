/**
 * The CLI line a notice offers, ready to paste into a POSIX shell: what the
 * person told can do next. Pure.
 */
import type { Notice } from '../../../shared/notices.js';

const SHELL_SAFE = /^[A-Za-z0-9/._:@+=-]+$/;

/** `word` as one POSIX shell word: as is when every character is safe, else in single quotes. */
export function shellWord(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * awaiting-approval → `bumpflow approve <id>`; blocked → `bumpflow retry <id>`
 * (with `--branch <b>` when the notice names exactly one branch); failed and
 * pr-opened → `bumpflow status <id>`.
 */
export function noticeCommand(notice: Pick<Notice, 'state' | 'workflowId' | 'branches'>): string {
  const id = shellWord(notice.workflowId);
  switch (notice.state) {
    case 'awaiting-approval':
      return `bumpflow approve ${id}`;
    case 'blocked': {
      const only = notice.branches.length === 1 ? notice.branches[0] : undefined;
      return `bumpflow retry ${id}${only === undefined ? '' : ` --branch ${shellWord(only)}`}`;
    }
    case 'failed':
    case 'pr-opened':
      return `bumpflow status ${id}`;
  }
}

/** The other answer a waiting notice mentions: `bumpflow reject <id> --reason …`. */
export function rejectCommand(notice: Pick<Notice, 'workflowId'>): string {
  return `bumpflow reject ${shellWord(notice.workflowId)} --reason …`;
}
