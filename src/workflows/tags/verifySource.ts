/**
 * Steps 1–2 of promote and rollback: the source as one digest (an index stays
 * an index), then its cosign signature verified under the worker's trust
 * policy. Nothing is mutated before both pass.
 */
import type { SourceImage } from '../../shared/tags.js';
import type { TagContext } from './tagContext.js';

export async function resolveAndVerify(ctx: TagContext, from: string): Promise<SourceImage> {
  ctx.enter('resolving');
  const source = await ctx.step(`resolve ${ctx.shown}${from.startsWith('sha256:') ? '@' : ':'}${from}`, () =>
    ctx.acts.inspectSource({ ...ctx.image, from }),
  );
  ctx.status.source = source;
  ctx.enter('verifying');
  ctx.status.evidence = await ctx.step(`verify the signature of ${source.digest}`, () =>
    ctx.acts.verifySignature({ ...ctx.image, digest: source.digest }),
  );
  ctx.report();
  return source;
}
