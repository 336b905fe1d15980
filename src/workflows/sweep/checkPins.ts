/**
 * Step 2: one activity reads every branch's vars file at the head just
 * listed, resolves each distinct image:tag once (one HEAD, per registry at a
 * bounded concurrency; platform, labels and source HEAD for those behind only)
 * and decides pin by pin. Only its findings cross the history (counts, the
 * behind pins, the unavailable pairs, the bumps to start, the references in
 * scope pinned by tag only, which are never resolved): never the pins
 * that are current nor the registry's answers. One pair failing is that
 * pair's row in `unavailable`; the others stand.
 */
import type { SweepContext } from './sweepContext.js';

export async function checkPins(ctx: SweepContext, heads: Record<string, string>) {
  ctx.enter('resolving');
  const findings = await ctx.acts.checkSweepPins({
    repoUrl: ctx.input.targetRepo,
    varsFile: ctx.input.varsFile,
    heads,
    imagePrefixes: ctx.input.imagePrefixes,
    ...(ctx.input.images === undefined ? {} : { images: ctx.input.images }),
    concurrency: ctx.input.concurrency,
  });
  const { status } = ctx;
  status.pinCount = findings.pinCount;
  status.pairCount = findings.pairCount;
  status.counts = findings.counts;
  status.behind = findings.behind;
  status.unavailable = findings.unavailable;
  status.unpinned = findings.unpinned ?? [];
  return findings;
}
