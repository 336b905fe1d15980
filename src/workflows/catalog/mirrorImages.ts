/**
 * Step 4½ of a catalog update (Patches.catalogMirror), after approval and
 * before the push, as update.py's run uploads what it found: each new image
 * is streamed from its url to the worker's S3 mirror under the key its
 * mirror_url names, its checksum verified while streaming (a mismatch: a
 * typed failure, no object, nothing pushed). One image at a time (they are
 * GBs), each a heartbeating activity whose retry continues the upload the
 * store keeps; an object already there with the checksum is not uploaded
 * again. `--no-mirror`, or a worker with no mirror configured, skips it and
 * says so in the status.
 */
import { updatedRows } from './details.js';
import type { CatalogContext } from './catalogContext.js';

export async function mirrorImages(ctx: CatalogContext): Promise<void> {
  const { status } = ctx;
  if (!ctx.input.mirror) {
    status.notices.push('the images were not mirrored: --no-mirror');
    return;
  }
  const rows = updatedRows(status).filter((r) => r.new?.mirrorUrl !== undefined);
  if (rows.length === 0) return;
  ctx.enter('mirroring');
  status.mirrored = [];
  for (const r of rows) {
    const { url, checksum, mirrorUrl } = r.new!;
    const done = await ctx.step(
      `mirror ${r.image}${r.file === undefined ? '' : ` of ${r.file}`} to ${mirrorUrl}`,
      () => ctx.acts.mirrorCatalogImage({ image: r.image, url, checksum, mirrorUrl: mirrorUrl! }),
    );
    if (done.skipped !== undefined) {
      status.notices.push(`the images were not mirrored: ${done.skipped}`);
      status.mirrored = undefined;
      return;
    }
    status.mirrored.push({
      ...(r.file === undefined ? {} : { file: r.file }),
      image: r.image,
      key: done.key!,
      size: done.size!,
      checksum: done.checksum!,
      uploaded: done.uploaded!,
    });
    ctx.report();
  }
}
