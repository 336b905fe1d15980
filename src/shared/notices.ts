/**
 * Notices: what a workflow tells the people who run it when it starts
 * waiting for them (awaiting approval, blocked), fails, or opens its PRs.
 * The workflow says what happened (a `Notice`, plain data, no URL and no
 * secret); the worker knows where to send it (the config file's
 * `notifications`) and how to word it. Shared by workflow code and
 * activities: no I/O, no Temporal.
 */

/** The states a notice is sent for. */
export const noticeStates = ['awaiting-approval', 'blocked', 'failed', 'pr-opened'] as const;
export type NoticeState = (typeof noticeStates)[number];

/** The procedures that send notices (a filter names them). */
export const noticeProcedures = [
  'bump',
  'promote',
  'rollback',
  'cleanup',
  'retag',
  'catalog',
  'sweep',
  'pin',
] as const;
export type NoticeProcedure = (typeof noticeProcedures)[number];

export interface NoticePr {
  branch?: string | undefined;
  url: string;
}

/** One event of one workflow run, as the workflow states it. */
export interface Notice {
  procedure: NoticeProcedure;
  state: NoticeState;
  /** what the procedure works on, as a person reads it: `keystone in github.com/vexxhost/atmosphere` */
  subject: string;
  workflowId: string;
  runId: string;
  /** the branches the notice is about (a bump's); empty for a procedure without branches */
  branches: string[];
  /** the pull requests opened (state `pr-opened`) */
  prs: NoticePr[];
  /** the blocked step (state `blocked`) */
  step?: string | undefined;
  /** the error, one line (states `blocked`, `failed`) */
  error?: string | undefined;
  /**
   * The notice's identity within its run: a notice with the same run and key
   * is never sent twice (`awaiting-approval`, `blocked:stable/2024.1`).
   */
  key: string;
}

/** A configured receiver a notice goes to, as the workflow needs it (no URL: that stays in the worker). */
export interface NoticeTarget {
  name: string;
  /** tries, the first included; each try waits at most `timeoutMs` for an answer */
  attempts: number;
  timeoutMs: number;
}

export interface DeliverNoticeInput {
  target: string;
  notice: Notice;
}

export interface DeliverNoticeResult {
  target: string;
  /** `sent` now; `already-sent` by an earlier try (a retry after a crash); `gone`: no such target any more */
  status: 'sent' | 'already-sent' | 'gone';
  httpStatus?: number | undefined;
}
