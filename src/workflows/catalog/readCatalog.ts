/**
 * Step 1: the catalog at the branch head, validated (a malformed one fails
 * the update here, typed MalformedCatalog naming the image and line, before
 * anything is fetched or written); the images to check become the table's
 * rows, the others are listed as left alone.
 */
import type { CatalogImageRef } from '../../shared/catalog.js';
import type { CatalogContext } from './catalogContext.js';

export async function readCatalog(ctx: CatalogContext): Promise<CatalogImageRef[]> {
  const { repoUrl, branch, path } = ctx.input;
  ctx.enter('reading');
  const read = await ctx.step(`read ${path} on ${branch}`, () =>
    ctx.acts.readCatalog({ repoUrl, branch, path }),
  );
  ctx.status.baseSha = read.baseSha;
  ctx.status.skipped = read.skipped;
  ctx.status.images = read.images.map((i) => ({
    image: i.name,
    line: i.line,
    old: { version: i.current.version, checksum: i.current.checksum },
    change: 'checking',
  }));
  ctx.report();
  return read.images;
}
