/**
 * Step 2: for every image to check, side by side, the newest dated build on
 * the distro's mirror and its checksum, compared with versions[0]. One image
 * whose checksum file lacks it (ChecksumNotFound) or whose listing has no
 * dated build fails the whole update here, before anything is written: a
 * catalog PR never carries a partial update the operator did not see.
 * An outage waits in `blocked` for `retry`.
 */
import type { CatalogImageRef } from '../../shared/catalog.js';
import type { CatalogUpdate } from '../../lib/catalog/catalogEdit.js';
import { sideBySide } from '../kit/index.js';
import type { CatalogContext } from './catalogContext.js';

/** A new version for an image, with its catalog file in a run of several. */
export type CatalogFileUpdate = CatalogUpdate & { file?: string | undefined };

export async function checkImages(
  ctx: CatalogContext,
  images: CatalogImageRef[],
): Promise<CatalogFileUpdate[]> {
  ctx.enter('checking');
  // all settled before a failure is acted on; the first image's failure by order is the one
  const found = await sideBySide(
    ctx.settle,
    images.map(async (image, i) => {
      const where = image.file === undefined ? '' : ` in ${image.file}`;
      const build = await ctx.step(`find the newest build of ${image.name}${where}`, () =>
        ctx.acts.checkImage({ image }),
      );
      const row = ctx.status.images[i]!;
      row.new = build;
      row.change = build.checksum === image.current.checksum ? 'unchanged' : 'update';
      return { image, build, changed: row.change === 'update' };
    }),
  );
  ctx.report();
  return found
    .filter((f) => f.changed)
    .map(({ image, build }) => ({
      ...(image.file === undefined ? {} : { file: image.file }),
      image: image.name,
      version: {
        version: build.version,
        buildDate: build.buildDate,
        checksum: build.checksum,
        url: build.url,
      },
    }));
}
