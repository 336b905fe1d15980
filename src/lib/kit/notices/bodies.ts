/**
 * The request bodies: a Slack-compatible incoming webhook's `{ text }` and
 * the generic webhook's JSON (`type: 'bumpflow.notice'`, version 1). Pure.
 */
import type { Notice } from '../../../shared/notices.js';
import { noticeWording } from './wording.js';

export interface SlackBody {
  text: string;
  unfurl_links: false;
}

/** The notice as the workflow stated it (its key aside), with what a receiver needs to show or act on it. */
export type WebhookBody = Omit<Notice, 'key'> & {
  type: 'bumpflow.notice';
  version: 1;
  /** the delivery id (also the `x-bumpflow-delivery` header): the same on every try */
  id: string;
  /** the workflow in the Temporal UI */
  uiUrl: string;
  command: string;
  text: string;
};

export function slackBody(notice: Notice, uiUrl: string): SlackBody {
  return { text: noticeWording(notice, uiUrl).slackText, unfurl_links: false };
}

export function webhookBody(notice: Notice, uiUrl: string, id: string): WebhookBody {
  const wording = noticeWording(notice, uiUrl);
  return {
    type: 'bumpflow.notice',
    version: 1,
    id,
    procedure: notice.procedure,
    state: notice.state,
    subject: notice.subject,
    workflowId: notice.workflowId,
    runId: notice.runId,
    branches: [...notice.branches],
    prs: notice.prs.map((pr) =>
      pr.branch === undefined ? { url: pr.url } : { branch: pr.branch, url: pr.url },
    ),
    ...(notice.step === undefined ? {} : { step: notice.step }),
    ...(notice.error === undefined ? {} : { error: notice.error }),
    uiUrl,
    command: wording.command,
    text: wording.text,
  };
}
