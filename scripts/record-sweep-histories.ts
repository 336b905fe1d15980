/**
 * Records the sweep's histories that test/replay/replay.test.ts replays: a
 * fresh dev server, one sweep world and one in-process worker per case (see
 * sweepHistoryCases.ts); the sweep is started as the CLI starts it, checked,
 * and its history written as test/replay/histories/<case>-sweep.json. The
 * bumps it started (abandoned children) are terminated, not recorded; the
 * pin runs a `--pin` case starts are driven to their end by the case and
 * recorded beside it (<case>-pin-<tag>.json).
 *
 *   npx tsx scripts/record-sweep-histories.ts [--case sweep-report …] [--suffix v2]
 *
 * The failure paths (`sweep-fails-<activity>`: one activity made to fail,
 * typed) are in sweepFaultHistoryCases.ts, recorded with `--suffix faults`;
 * the pin runs' (`sweep-pins-fails-<activity>`: an activity of main's pin run,
 * on the same worker) in pinFaultHistoryCases.ts, recorded with `--suffix pin`.
 */
import { parseRepoUrl } from '../src/lib/kit/repoUrl.js';
import { bumpWorkflowId } from '../src/shared/messages.js';
import { SWEEP_WORKFLOW_TYPE } from '../src/workflows/sweep/sweepInput.js';
import type { ActivityDeps } from '../src/activities/index.js';
import { checkNoSecret, runRecorder, showHistory, recordingWorker } from './historyRecording.js';
import { runSweepCase, sweepCases, sweepCaseWorld } from './sweepHistoryCases.js';
import { SWEEP_FAULT_CASES } from './sweepFaultHistoryCases.js';
import { PIN_FAULT_CASES } from './pinFaultHistoryCases.js';
import { faultyActivities } from './faultHistoryCases.js';

runRecorder({
  tool: 'record-sweep-histories',
  cases: [...sweepCases, ...SWEEP_FAULT_CASES, ...PIN_FAULT_CASES],
  async record(env, bundle, c, base) {
    const world = await sweepCaseWorld(c, `record/${c.name}`);
    const ended: string[] = [];
    try {
      const fault = c.fault;
      const activities =
        fault === undefined ? undefined : (d: ActivityDeps) => faultyActivities(d, c.name, fault);
      const { worker, settings } = await recordingWorker(env, bundle, world.deps, 'sweep', activities);
      const { workflowId, bumps, children } = await worker.runUntil(
        runSweepCase(env.client, settings, world, c),
      );
      const key = parseRepoUrl(world.targetUrl).key;
      ended.push(...bumps, bumpWorkflowId(key, 'nova'));
      const recorded = {
        file: `${base}-sweep.json`,
        workflowId,
        workflowType: SWEEP_WORKFLOW_TYPE,
        text: await showHistory(env.address, workflowId),
      };
      checkNoSecret(c.name, recorded, world.secrets, `"targetRepo":"${world.targetUrl}"`);
      const childHistories = [];
      for (const child of children) {
        const history = {
          file: `${base}-${child.part}.json`,
          workflowId: child.workflowId,
          workflowType: child.workflowType,
          text: await showHistory(env.address, child.workflowId),
        };
        checkNoSecret(c.name, history, world.secrets, `"targetRepo":"${world.targetUrl}"`);
        childHistories.push(history);
      }
      return [recorded, ...childHistories];
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
