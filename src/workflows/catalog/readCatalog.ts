/**
 * Step 1: the catalog at the branch head, validated (a malformed one fails
 * the update here, typed MalformedCatalog naming the image and line, before
 * anything is fetched or written); the images to check become the table's
 * rows, the others are listed as left alone. A run of several files reads
 * them all at one head (the folder listed there), each row with its file.
 */
import type { CatalogImageRef, SkippedImage } from '../../shared/catalog.js';
import type { CatalogContext } from './catalogContext.js';

export async function readCatalog(ctx: CatalogContext): Promise<CatalogImageRef[]> {
  const { repoUrl, branch, path, paths, dir } = ctx.input;
  ctx.enter('reading');
  let read: { baseSha: string; images: CatalogImageRef[]; skipped: SkippedImage[] };
  if (path !== undefined) {
    read = await ctx.step(`read ${path} on ${branch}`, () => ctx.acts.readCatalog({ repoUrl, branch, path }));
  } else {
    const all = await ctx.step(`read ${ctx.scope} on ${branch}`, () =>
      ctx.acts.readCatalogs({ repoUrl, branch, paths, dir }),
    );
    ctx.status.files = all.files;
    read = all;
  }
  ctx.status.baseSha = read.baseSha;
  ctx.status.skipped = read.skipped;
  ctx.status.images = read.images.map((i) => ({
    ...(i.file === undefined ? {} : { file: i.file }),
    image: i.name,
    line: i.line,
    old: { version: i.current.version, checksum: i.current.checksum },
    change: 'checking',
  }));
  ctx.report();
  return read.images;
}
