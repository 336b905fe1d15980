/**
 * Records the sweep's histories that test/replay/replay.test.ts replays: a
 * fresh dev server, one sweep world and one in-process worker per case (see
 * sweepHistoryCases.ts); the sweep is started as the CLI starts it, checked,
 * and its history written as test/replay/histories/<case>-sweep.json. The
 * bumps it started (abandoned children) are terminated, not recorded.
 *
 *   npx tsx scripts/record-sweep-histories.ts [--case sweep-report …] [--suffix v2]
 */
import { parseRepoUrl } from '../src/lib/repoUrl.js';
import { createSweepWorld, SWEEP_PREFIX } from '../src/sandbox/sweepWorld.js';
import { startSweep } from '../src/cli/sweepStart.js';
import { bumpWorkflowId } from '../src/shared/messages.js';
import { SWEEP_WORKFLOW_TYPE, type SweepResult } from '../src/workflows/sweep/sweepInput.js';
import {
  checkNoSecret,
  runRecorder,
  showHistory,
  withDeadline,
  recordingWorker,
} from './historyRecording.js';
import { sweepCases } from './sweepHistoryCases.js';

runRecorder({
  tool: 'record-sweep-histories',
  cases: sweepCases,
  async record(env, bundle, c, base) {
    const world = await createSweepWorld({
      slug: `record/${c.name}`,
      branches: ['main', 'stable/2025.1'],
      behind: c.behind,
    });
    const ended: string[] = [];
    try {
      for (const repo of c.failing ?? []) world.front.failing.add(repo);
      await c.prepare?.(world, env.client);
      const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'sweep');
      const { workflowId, result } = await worker.runUntil(async () => {
        const handle = await startSweep(env.client, settings, {
          targetRepo: world.targetUrl,
          imagePrefixes: [SWEEP_PREFIX],
          ...c.request,
        });
        const r = (await withDeadline(handle.result(), 120_000, `the sweep of ${c.name}`)) as SweepResult;
        return { workflowId: handle.workflowId, result: r };
      });
      c.check(result);
      const key = parseRepoUrl(world.targetUrl).key;
      ended.push(...result.bumps.map((b) => b.workflowId), bumpWorkflowId(key, 'nova'));
      const recorded = {
        file: `${base}-sweep.json`,
        workflowId,
        workflowType: SWEEP_WORKFLOW_TYPE,
        text: await showHistory(env.address, workflowId),
      };
      checkNoSecret(c.name, recorded, world.secrets, `"targetRepo":"${world.targetUrl}"`);
      return [recorded];
    } finally {
      for (const id of new Set(ended))
        await env.client.workflow
          .getHandle(id)
          .terminate('recorded')
          .catch(() => undefined);
      await world.close();
    }
  },
});
