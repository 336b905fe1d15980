/**
 * Step 1 of a retag: the manifest read at one commit (the ref resolved to a
 * full sha, recorded in the status and the result) and parsed. A bad manifest
 * is the activity's MalformedManifest naming the entry and its line: the
 * workflow fails with it before anything is read from a registry.
 */
import type { RetagEntry } from '../../lib/retag/retagManifest.js';
import type { RetagContext } from './retagContext.js';

export async function readManifest(ctx: RetagContext): Promise<RetagEntry[]> {
  const { input } = ctx;
  ctx.enter('reading');
  const read = await ctx.step(`read ${input.path} at ${input.ref}`, () =>
    ctx.acts.readRetagManifest({
      repoUrl: input.repoUrl,
      path: input.path,
      ref: input.ref,
      mirror: input.mirror,
    }),
  );
  ctx.status.commit = read.commit;
  for (const r of read.repeated)
    ctx.status.notices.push(
      `images[${r.index}] (line ${r.line}) repeats images[${r.sameAs}] exactly: planned once`,
    );
  ctx.report();
  return read.entries;
}
