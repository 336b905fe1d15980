/**
 * Notices from a workflow (see src/shared/notices.ts): `tell` states what
 * happened; the worker's `planNotice` (a local activity: one marker) says
 * which configured targets want it, and one `deliverNotice` activity per
 * target sends it, retried by Temporal `attempts` times, so one failing
 * target never makes another receive it twice. A notice is told at most once
 * per run and key; the worker's sent-ledger keeps a retry after a crash from
 * sending it again. Nothing here waits for a receiver or throws: a failing
 * webhook is logged and given up. Before a workflow ends it `settle`s, so a
 * notice of its end is not dropped with it.
 */
import { log, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type {
  DeliverNoticeInput,
  DeliverNoticeResult,
  Notice,
  NoticePr,
  NoticeProcedure,
  NoticeState,
  NoticeTarget,
} from '../../shared/notices.js';
import { occasionKeys } from './occasions.js';

/** The two activities, by the names the worker registers (src/activities/kit/noticeActivities.ts). */
interface NoticeActivities {
  planNotice(notice: Notice): Promise<NoticeTarget[]>;
  deliverNotice(input: DeliverNoticeInput): Promise<DeliverNoticeResult>;
}

export interface NoticeFacts {
  branches?: readonly string[] | undefined;
  prs?: readonly NoticePr[] | undefined;
  step?: string | undefined;
  error?: string | undefined;
}

export interface Notifier {
  /** Tells the targets that want it, once per run and `key` (default: the state); returns at once. */
  tell(state: NoticeState, facts?: NoticeFacts, key?: string): void;
  /** Tells a new occasion of `base` (default: the state): under `base`, then `base#2`, … (kit/occasions.ts). */
  tellAnew(state: NoticeState, facts?: NoticeFacts, base?: string): void;
  /** Waits until every notice told is delivered or given up. */
  settle(): Promise<void>;
}

export interface NotifierOptions {
  /** false on runs started before notices (Patches.notices): nothing is told */
  enabled: boolean;
  procedure: NoticeProcedure;
  /** what the procedure works on, when the notice is told */
  subject: () => string;
}

const { planNotice } = proxyLocalActivities<NoticeActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
});

function deliverTo(target: NoticeTarget) {
  return proxyActivities<NoticeActivities>({
    // the request's own deadline is timeoutMs; the rest is room to write the ledger
    startToCloseTimeout: target.timeoutMs + 5_000,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: target.attempts,
    },
    summary: `notify ${target.name}`,
  }).deliverNotice;
}

function oneLine(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } }).cause;
  const message = typeof cause?.message === 'string' ? cause.message : String(err);
  return message.split('\n')[0]!;
}

export function createNotifier(o: NotifierOptions): Notifier {
  const told = new Set<string>();
  const occasion = occasionKeys();
  const inFlight: Promise<void>[] = [];

  async function send(notice: Notice): Promise<void> {
    let targets: NoticeTarget[];
    try {
      targets = await planNotice(notice);
    } catch (err) {
      log.warn('notice not planned', { state: notice.state, key: notice.key, error: oneLine(err) });
      return;
    }
    await Promise.all(
      targets.map((t) =>
        deliverTo(t)({ target: t.name, notice }).then(
          () => undefined,
          (err: unknown) =>
            log.warn('notice not delivered', { target: t.name, key: notice.key, error: oneLine(err) }),
        ),
      ),
    );
  }

  const tell: Notifier['tell'] = (state, facts = {}, key = state) => {
    if (!o.enabled || told.has(key)) return;
    told.add(key);
    const info = workflowInfo();
    inFlight.push(
      send({
        procedure: o.procedure,
        state,
        subject: o.subject(),
        workflowId: info.workflowId,
        runId: info.runId,
        branches: [...(facts.branches ?? [])],
        prs: [...(facts.prs ?? [])],
        ...(facts.step === undefined ? {} : { step: facts.step }),
        ...(facts.error === undefined ? {} : { error: facts.error }),
        key,
      }),
    );
  };

  return {
    tell,
    tellAnew: (state, facts = {}, base = state) => tell(state, facts, occasion(base)),
    async settle() {
      while (inFlight.length > 0) await Promise.all(inFlight.splice(0));
    },
  };
}

/**
 * Tells a notice each time a single-subject procedure enters a waiting state
 * anew (`awaiting-approval`, `blocked`), never for a report that leaves the
 * state as it was.
 */
export function waitingStateTeller(notifier: Notifier): (state: string, facts: () => NoticeFacts) => void {
  let last: string | undefined;
  return (state, facts) => {
    const entered = state !== last;
    last = state;
    if (entered && (state === 'awaiting-approval' || state === 'blocked')) notifier.tellAnew(state, facts());
  };
}
