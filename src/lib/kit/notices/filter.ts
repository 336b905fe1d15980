/**
 * Which configured targets a notice goes to: those whose filters match its
 * procedure and state (a filter left out matches everything), in the
 * config's order, each with its tries and deadline. Pure.
 */
import type { Notice, NoticeProcedure, NoticeState, NoticeTarget } from '../../../shared/notices.js';

/** A configured target as the filter sees it (the URL and the token stay with the deliverer). */
export interface NoticeFilter {
  name: string;
  procedures?: readonly NoticeProcedure[] | undefined;
  states?: readonly NoticeState[] | undefined;
  attempts: number;
  timeoutMs: number;
}

export function noticeTargetsFor(
  targets: readonly NoticeFilter[],
  notice: Pick<Notice, 'procedure' | 'state'>,
): NoticeTarget[] {
  return targets
    .filter(
      (t) =>
        (t.procedures === undefined || t.procedures.includes(notice.procedure)) &&
        (t.states === undefined || t.states.includes(notice.state)),
    )
    .map((t) => ({ name: t.name, attempts: t.attempts, timeoutMs: t.timeoutMs }));
}
