/**
 * The two notice activities. `planNotice` (a local activity) says which
 * configured targets a notice goes to; `deliverNotice` sends it to one of
 * them, once: the sent-ledger is asked first and written after a receiver
 * accepted it, and every try carries the same delivery id, so a receiver can
 * drop the one duplicate a crash between its answer and the ledger write
 * could cause.
 */
import type { DeliverNoticeInput, DeliverNoticeResult, Notice, NoticeTarget } from '../../shared/notices.js';
import { deliveryId, noticeTargetsFor, slackBody, webhookBody } from '../../lib/kit/notices/index.js';
import { postNotice, sentLedger } from '../../clients/notify/index.js';
import { workflowUiUrl } from '../../config.js';
import type { ActivityDeps } from './deps.js';

export function noticeActivities(deps: Pick<ActivityDeps, 'notices'>) {
  const settings = deps.notices;
  const ledger = settings === undefined ? undefined : sentLedger(settings.ledgerDir);

  return {
    async planNotice(notice: Notice): Promise<NoticeTarget[]> {
      return settings === undefined ? [] : noticeTargetsFor(settings.targets, notice);
    },

    async deliverNotice({ target, notice }: DeliverNoticeInput): Promise<DeliverNoticeResult> {
      const receiver = settings?.targets.find((t) => t.name === target);
      if (settings === undefined || ledger === undefined || receiver === undefined)
        return { target, status: 'gone' };
      const id = deliveryId(notice, target);
      if (await ledger.has(id)) return { target, status: 'already-sent' };
      const where = { uiUrl: settings.uiUrl, namespace: settings.namespace, address: '', taskQueue: '' };
      const uiUrl = workflowUiUrl(where, notice.workflowId);
      const body = receiver.kind === 'slack' ? slackBody(notice, uiUrl) : webhookBody(notice, uiUrl, id);
      const httpStatus = await postNotice(receiver, body, id);
      await ledger.record(id, { target, state: notice.state, at: new Date().toISOString() });
      return { target, status: 'sent', httpStatus };
    },
  };
}
