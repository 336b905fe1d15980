/**
 * Step 1: the branch's vars file at its head, and the image:tag pairs in the
 * run's scope it names by tag only (each with its keys): the table's rows.
 */
import type { UnpinnedImage } from '../../shared/pin.js';
import type { PinContext } from './pinContext.js';

export async function readUnpinned(ctx: PinContext): Promise<UnpinnedImage[]> {
  const { targetRepo, branch, varsFile, images, imagePrefixes } = ctx.input;
  ctx.enter('reading');
  const read = await ctx.step(`read the references pinned by tag only in ${varsFile} on ${branch}`, () =>
    ctx.acts.readUnpinned({ repoUrl: targetRepo, branch, varsFile, images, imagePrefixes }),
  );
  ctx.status.baseSha = read.baseSha;
  ctx.status.rows = read.images.map((i) => ({ ...i, state: 'resolving', checks: [] }));
  ctx.report();
  return read.images;
}
