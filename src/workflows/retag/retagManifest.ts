/**
 * retagManifest: retag images from a reviewed manifest (StarlingX's
 * tag-management YAML), read at one commit.
 *   1 read     the ref as a commit, the manifest there, parsed (MalformedManifest: entry and line)
 *   2 plan     each entry's source and target tags: copy / skip / conflict / repush / missing-source
 *   3 approve  any write needs a human; --dry-run ends with the plan; no writes: nothing to do
 *   4 write    each write through its repository's queue (retagImage), outcomes as they come
 * The workflow fails only for a bad manifest (or input); a rejection ends it
 * `rejected`; an entry that cannot be done is that entry's outcome, the others go on.
 */
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { retagManifestInputSchema, type RetagManifestRequest, type RetagResult } from '../../shared/retag.js';
import { awaitApproval, endWith, parseInput, pure, unapprovedReason } from '../kit/index.js';
import { createRetagContext } from './retagContext.js';
import { readManifest } from './readManifest.js';
import { planEntries } from './planEntries.js';
import { writeEntries } from './writeEntries.js';
import { plannedOutcome } from './outcomes.js';

export async function retagManifest(raw: RetagManifestRequest): Promise<RetagResult> {
  const input = parseInput(retagManifestInputSchema, raw, 'a retag {repoUrl, path, ref?, dryRun?, …}');
  const repo = pure(() => parseRepoUrl(input.repoUrl));
  const ctx = createRetagContext({ ...input, repoUrl: repo.url }, repo.key);
  const startedAt = new Date();
  return endWith(ctx, `the retag of ${ctx.input.path}`, async () => {
    const entries = await readManifest(ctx);
    const plan = await planEntries(ctx, entries);
    ctx.status.entries = plan.steps.filter((s) => s.write === undefined).map(plannedOutcome);
    if (input.dryRun) return ctx.finish('dry-run');
    if (plan.writes === 0) {
      const all = plan.steps.length;
      ctx.status.notices.push(
        plan.counts.skip === all
          ? `nothing to do: every entry (${all}) is already at its source's digest`
          : `nothing to write: ${plan.counts.skip} skip, ${all - plan.counts.skip} conflict or missing; no approval asked`,
      );
      return ctx.finish(plan.counts.skip === all ? 'no-op' : 'done');
    }
    // any write needs a human, until the approval timeout
    const decided = await awaitApproval(ctx, input.approvalTimeout, `the retag of ${ctx.input.path}`);
    if (decided !== 'approved')
      return ctx.finish(decided, { reason: unapprovedReason(ctx.gate, input.approvalTimeout) });
    await writeEntries(ctx, plan, startedAt);
    return ctx.finish('done');
  });
}
