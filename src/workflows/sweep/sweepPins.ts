/**
 * sweepPins: every digest pin of a target's vars file on every branch,
 * checked against its registry, and a bump started for each service behind.
 *   1 list      main and every stable/* (or those asked), their heads
 *   2 check     one activity: each branch's vars file at its head, each distinct
 *               image:tag resolved once (one HEAD), per registry at a bounded
 *               concurrency, decided pin by pin: current / behind (old → new,
 *               evidence) / unavailable; only the findings enter the history
 *   3 table     the table of what is behind (UI, result)
 *   4 bump      with `report`: nothing; otherwise one bumpImage per service behind
 *   5 pin       with `pin` (never with `report`): one pinDigests per branch with references
 *               in scope pinned by tag only (they are listed by every sweep, counted apart)
 * It changes nothing itself: the bumps and pin runs it starts do, each with its own approval.
 */
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { renderSweepTable, renderUnpinned, type SweepOutcome } from '../../lib/sweep/index.js';
import { createNotifier, errorInfo, onPatch, parseInput, Patches, pure, surfaced } from '../kit/index.js';
import { sweepInputSchema, type SweepRequest, type SweepResult } from './sweepInput.js';
import { createSweepContext } from './sweepContext.js';
import { listTargetBranches } from './listTargetBranches.js';
import { checkPins } from './checkPins.js';
import { startBumps } from './startBumps.js';
import { startPins } from './startPins.js';

export async function sweepPins(raw: SweepRequest): Promise<SweepResult> {
  const input = parseInput(sweepInputSchema, raw, 'a sweep {targetRepo, varsFile?, branches?, report?, …}');
  const repo = pure(() => parseRepoUrl(input.targetRepo));
  const ctx = createSweepContext({ ...input, targetRepo: repo.url }, repo.key);
  // a scheduled sweep that fails would fail unseen: its failure is told
  const notifier = createNotifier({
    enabled: onPatch(Patches.notices),
    procedure: 'sweep',
    subject: () => `${input.varsFile} in ${repo.url}`,
  });
  try {
    const heads = await listTargetBranches(ctx);
    const findings = await checkPins(ctx, heads);
    // the table shows the behind pins and the unavailable pairs only: those are all it needs
    const shown: SweepOutcome = {
      pins: findings.behind,
      counts: findings.counts,
      unavailable: findings.unavailable,
    };
    const unpinned = findings.unpinned ?? [];
    ctx.status.table = pure(() => renderSweepTable(shown, 'text') + renderUnpinned(unpinned, 'text'));
    ctx.status.markdown = pure(
      () => renderSweepTable(shown, 'markdown') + renderUnpinned(unpinned, 'markdown'),
    );
    ctx.report();
    if (!input.report) await startBumps(ctx, findings.services);
    // new input: a run started before `pin` existed never has it, and keeps its commands
    if (input.pin === true && !input.report && unpinned.length > 0) await startPins(ctx, unpinned);
    return ctx.finish();
  } catch (err) {
    notifier.tell('failed', { error: errorInfo(err).message });
    await notifier.settle();
    // the typed failure itself (not "activity task failed"), as every procedure ends
    throw surfaced(err);
  }
}
