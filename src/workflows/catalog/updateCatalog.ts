/**
 * updateCatalog: keep a VM image catalog (OSISM openstack-image-manager's
 * `etc/images/<distro>.yml`) current, as update.py does, durably; or several
 * at once (`paths`, or every catalog of `etc/images/`): one table, one
 * approval, one commit of the changed files, one PR.
 *   1 read      the catalog at the branch head, validated (MalformedCatalog names image and line)
 *   2 check     per enabled image with latest_url and latest_checksum_url: the newest dated build
 *               on the mirror and its checksum; unchanged images stay, disabled ones are never read;
 *               one image failing (ChecksumNotFound, …) fails the update before anything is written
 *   3 plan      the new text, byte-exact (keep: N entries), and the work branch; `dryRun` ends here
 *   4 approve   a human, at the gate (approve/reject signals for the UI, updates for the CLI)
 *   4½ mirror   each new image streamed to the worker's S3 mirror, checksum-verified (mirrorImages.ts)
 *   5 push      one signed-off commit on a work branch (re-read and re-approved if the base changed it)
 *   6 PR        found or created, one per set of new versions
 * Outages wait in `blocked` for `retry`; malformed messages are refused, never fatal.
 */
import { catalogInputSchema, type CatalogRequest, type CatalogResult } from '../../shared/catalog.js';
import { awaitApproval, endWith, parseInput, unapprovedReason } from '../kit/index.js';
import { createCatalogContext } from './catalogContext.js';
import { readCatalog } from './readCatalog.js';
import { checkImages } from './checkImages.js';
import { planEdit } from './planEdit.js';
import { openPullRequest, pushCatalog } from './pushUpdate.js';
import { mirrorImages } from './mirrorImages.js';

export async function updateCatalog(raw: CatalogRequest): Promise<CatalogResult> {
  const input = parseInput(
    catalogInputSchema,
    raw,
    'a catalog update {repoUrl, path, branch?, keep?, dryRun?, …}',
  );
  const ctx = createCatalogContext(input);
  // fixed once, so a retried push builds the identical commit
  const date = new Date().toISOString();
  return endWith(ctx, `the update of ${ctx.scope}`, async () => {
    let forgeChecked = false;
    for (;;) {
      const images = await readCatalog(ctx);
      const updates = await checkImages(ctx, images);
      if (updates.length === 0) return ctx.finish('no-op');
      const plan = await planEdit(ctx, updates);
      if (input.dryRun) return ctx.finish('dry-run');
      if (!forgeChecked) {
        await ctx.step(`check that pull requests can be opened on ${input.repoUrl}`, () =>
          ctx.acts.checkForge({ repoUrl: input.repoUrl }),
        );
        forgeChecked = true;
      }
      const decided = await awaitApproval(ctx, input.approvalTimeout, `the update of ${ctx.scope}`);
      if (decided !== 'approved') {
        // an expiry's reason is kept too
        ctx.status.rejectedBecause = unapprovedReason(ctx.gate, input.approvalTimeout);
        return ctx.finish(decided);
      }
      if (ctx.mirror) await mirrorImages(ctx);
      if (await pushCatalog(ctx, plan, date)) break;
    }
    await openPullRequest(ctx);
    return ctx.finish('pr-opened');
  });
}
