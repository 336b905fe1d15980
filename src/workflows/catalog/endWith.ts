/**
 * How the catalog update ends: its result, or — for a rejection while blocked
 * or a typed failure — a final status and a failed workflow whose failure is
 * the typed one (ChecksumNotFound, MalformedCatalog, …), so `result()` and
 * the UI show it first.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FatalFailure } from '../../shared/failures.js';
import type { CatalogResult } from '../../shared/catalog.js';
import { errorInfo, Rejected, surfaced } from '../kit/index.js';
import type { CatalogContext } from './catalogContext.js';

export async function endWith(
  ctx: CatalogContext,
  run: () => Promise<CatalogResult>,
): Promise<CatalogResult> {
  ctx.report();
  try {
    return await run();
  } catch (err) {
    if (err instanceof Rejected) {
      const reason = ctx.gate.decision?.kind === 'reject' ? ctx.gate.decision.reason : 'rejected';
      ctx.status.rejectedBecause = reason;
      ctx.finish('rejected');
      throw ApplicationFailure.nonRetryable(
        `the update of ${ctx.input.path} was rejected while blocked: ${reason}`,
        FatalFailure.Rejected,
      );
    }
    ctx.status.error = errorInfo(err);
    ctx.finish('failed');
    throw surfaced(err);
  }
}
