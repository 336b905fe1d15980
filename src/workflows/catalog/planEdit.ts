/**
 * Step 3: the new versions written into the catalog's text (byte-exact, every
 * other byte kept; with `keep`, a new entry first and the oldest dropped) and
 * the work branch named after this set of versions, so a rerun finds the same
 * branch and PR. In a run of several files, every changed file's text is
 * written on the head they were all read at, with one work branch. The texts
 * go to the push as they were planned.
 */
import type { CatalogContext } from './catalogContext.js';
import type { CatalogFileUpdate } from './checkImages.js';

/** What the push commits: the work branch and each changed file's new text. */
export interface PlannedFiles {
  workBranch: string;
  files: Array<{ path: string; content: string }>;
}

export async function planEdit(ctx: CatalogContext, updates: CatalogFileUpdate[]): Promise<PlannedFiles> {
  const { repoUrl, branch, path, keep } = ctx.input;
  ctx.enter('planning');
  const baseSha = ctx.status.baseSha!;
  const rowOf = (file: string | undefined, image: string) =>
    ctx.status.images.find((r) => r.image === image && r.file === file);
  let planned: PlannedFiles;
  if (path !== undefined) {
    const plan = await ctx.step(`write ${updates.length} new version(s) into ${path}`, () =>
      ctx.acts.planCatalog({ repoUrl, branch, path, baseSha, updates, keep }),
    );
    updates.forEach((u, i) => {
      const row = rowOf(undefined, u.image);
      if (row?.new) row.new.mirrorUrl = plan.mirrorUrls[i];
    });
    planned = { workBranch: plan.workBranch, files: [{ path, content: plan.text }] };
  } else {
    // file by file in the order read, each file's updates in the table's order
    const edits = (ctx.status.files ?? [])
      .map((file) => ({
        path: file,
        updates: updates.filter((u) => u.file === file).map(({ image, version }) => ({ image, version })),
      }))
      .filter((e) => e.updates.length > 0);
    const plan = await ctx.step(
      `write ${updates.length} new version(s) into ${edits.length} catalog(s)`,
      () => ctx.acts.planCatalogs({ repoUrl, branch, baseSha, edits, keep }),
    );
    plan.files.forEach((f, n) =>
      edits[n]!.updates.forEach((u, i) => {
        const row = rowOf(f.path, u.image);
        if (row?.new) row.new.mirrorUrl = f.mirrorUrls[i];
      }),
    );
    planned = {
      workBranch: plan.workBranch,
      files: plan.files.map((f) => ({ path: f.path, content: f.text })),
    };
  }
  ctx.status.workBranch = planned.workBranch;
  ctx.report();
  return planned;
}
