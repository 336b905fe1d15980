/**
 * How a tag procedure ends (the kit's endWith): its result, or a final
 * status and a failed workflow whose failure is the typed one.
 */
import type { TagResult } from '../../shared/tags.js';
import { endWith as endProcedure } from '../kit/index.js';
import type { TagContext } from './tagContext.js';

export function endWith(ctx: TagContext, run: () => Promise<TagResult>): Promise<TagResult> {
  return endProcedure(ctx, `the ${ctx.status.procedure} of ${ctx.shown}`, run);
}
