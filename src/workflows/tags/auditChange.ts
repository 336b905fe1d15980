/**
 * The audit entry: a GitHub release on the image's source repository, or
 * where none applies, the workflow's memo and result. Written after the tags;
 * an audit that cannot be recorded (a refused token the operator will not
 * fix) never undoes the change: the workflow's record stands, with a notice.
 */
import { upsertMemo } from '@temporalio/workflow';
import { Rejected, isFatal, errorInfo } from '../kit/index.js';
import { FatalFailure } from '../../shared/failures.js';
import { AUDIT_STEP, type TagContext } from './tagContext.js';

export async function auditChange(
  ctx: TagContext,
  entry: { tag: string; name: string; body: string },
): Promise<void> {
  ctx.enter('auditing');
  const { source } = ctx.status;
  const memo = {
    audit: {
      procedure: ctx.status.procedure,
      image: ctx.shown,
      tag: entry.tag,
      name: entry.name,
      written: ctx.status.written,
      evidence: ctx.status.evidence,
    },
  };
  upsertMemo(memo);
  try {
    const r = await ctx.step(
      `${AUDIT_STEP} ${entry.tag}`,
      () =>
        ctx.acts.recordAudit({
          procedure: ctx.status.procedure,
          image: ctx.shown,
          sourceRepo: source?.source,
          revision: source?.revision,
          ...entry,
        }),
      { blockOn: [FatalFailure.AuthRefused] },
    );
    ctx.status.audit = { kind: r.kind, url: r.url, tag: entry.tag };
    if (r.kind === 'workflow')
      ctx.status.notices.push(`audit recorded in the workflow's memo and result: ${r.why ?? ''}`);
  } catch (err) {
    if (!(err instanceof Rejected) && !isFatal(err)) throw err;
    const why = err instanceof Rejected ? 'rejected while blocked' : errorInfo(err).message;
    ctx.status.audit = { kind: 'workflow', tag: entry.tag };
    ctx.status.notices.push(
      `the audit release could not be recorded (${why}); the workflow's memo and result are the record`,
    );
  }
  ctx.report();
}
