/**
 * What a notice says, for a person: a one-line summary, then the procedure's
 * subject, branches, step, error, pull requests, the Temporal UI link and the
 * CLI line to act on it. One wording, two renderings: plain text (the
 * webhook's `text`, logs) and Slack mrkdwn (`*bold*`, `<url|label>` links,
 * backticks for commands). Pure.
 */
import type { Notice } from '../../../shared/notices.js';
import { noticeCommand, rejectCommand } from './command.js';

export interface NoticeWording {
  /** one line: `bumpflow bump: keystone in github.com/vexxhost/atmosphere is awaiting approval on main` */
  summary: string;
  /** the CLI line to act on it */
  command: string;
  /** the whole message as plain text */
  text: string;
  /** the whole message in Slack mrkdwn */
  slackText: string;
}

interface Style {
  bold(text: string): string;
  code(text: string): string;
  link(url: string, label: string): string;
  text(text: string): string;
}

const plain: Style = {
  bold: (t) => t,
  code: (t) => t,
  link: (url) => url,
  text: (t) => t,
};

/** Slack's three control characters, escaped as its docs ask. */
const slackEscape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slack: Style = {
  bold: (t) => `*${slackEscape(t)}*`,
  code: (t) => `\`${slackEscape(t.replace(/`/g, "'"))}\``,
  link: (url, label) =>
    `<${slackEscape(url).replace(/\|/g, '%7C')}|${slackEscape(label.replace(/[|>]/g, ' '))}>`,
  text: slackEscape,
};

const ERROR_MAX = 500;
/** `text` on one line, cut to `max` characters. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function what(notice: Notice): string {
  const where =
    notice.branches.length === 1
      ? ` on ${notice.branches[0]}`
      : notice.branches.length > 1
        ? ` on ${notice.branches.length} branches`
        : '';
  switch (notice.state) {
    case 'awaiting-approval':
      return `is awaiting approval${where}`;
    case 'blocked':
      return `is blocked${notice.step === undefined ? '' : ` at ${notice.step}`}${where}`;
    case 'failed':
      return `failed${where}`;
    case 'pr-opened':
      return `opened ${notice.prs.length} pull request${notice.prs.length === 1 ? '' : 's'}${where}`;
  }
}

const ACTION: Record<Notice['state'], string> = {
  'awaiting-approval': 'Approve',
  blocked: 'Retry',
  failed: 'Status',
  'pr-opened': 'Status',
};

function render(notice: Notice, uiUrl: string, s: Style): string {
  const lines = [`${s.bold(`bumpflow ${notice.procedure}`)}: ${s.text(`${notice.subject} ${what(notice)}`)}`];
  if (notice.branches.length > 0) lines.push(`Branches: ${notice.branches.map((b) => s.code(b)).join(', ')}`);
  if (notice.step !== undefined) lines.push(`Step: ${s.code(notice.step)}`);
  if (notice.error !== undefined) lines.push(`Error: ${s.text(oneLine(notice.error, ERROR_MAX))}`);
  for (const pr of notice.prs)
    lines.push(
      `Pull request${pr.branch === undefined ? '' : ` (${s.text(pr.branch)})`}: ${s.link(pr.url, pr.url)}`,
    );
  lines.push(`Temporal UI: ${s.link(uiUrl, notice.workflowId)}`);
  const action = `${ACTION[notice.state]}: ${s.code(noticeCommand(notice))}`;
  lines.push(
    notice.state === 'awaiting-approval' ? `${action} (or reject: ${s.code(rejectCommand(notice))})` : action,
  );
  return lines.join('\n');
}

export function noticeWording(notice: Notice, uiUrl: string): NoticeWording {
  return {
    summary: `bumpflow ${notice.procedure}: ${notice.subject} ${what(notice)}`,
    command: noticeCommand(notice),
    text: render(notice, uiUrl, plain),
    slackText: render(notice, uiUrl, slack),
  };
}
