/**
 * The sweep's recorded cases (scripts/record-sweep-histories.ts runs them):
 * each builds a sweep world (main and stable/2025.1 of Atmosphere's real vars
 * files, a labelled index per pinned image:tag), runs one sweep and checks
 * what it must end with. Recorded: the sweep's own history, <case>-sweep.json.
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { BehindSpec, SweepWorld } from '../src/sandbox/sweepWorld.js';
import type { SweepRequest, SweepResult } from '../src/workflows/sweep/sweepInput.js';

export interface SweepCase {
  name: string;
  behind: BehindSpec[];
  /** repositories answering 503 for the whole sweep */
  failing?: string[];
  request: Partial<SweepRequest>;
  /** before the sweep: e.g. a bump already running */
  prepare?(world: SweepWorld, client: Client): Promise<void>;
  check(result: SweepResult): void;
}

const MAGNUM = 'ghcr.io/vexxhost/magnum';
const NOVA = 'ghcr.io/vexxhost/nova';

export const sweepCases: SweepCase[] = [
  {
    name: 'sweep-report',
    behind: [
      { image: MAGNUM, branch: 'main' },
      { image: NOVA, branch: 'stable/2025.1', platform: 'linux/amd64' },
    ],
    failing: ['vexxhost/glance'],
    request: { report: true },
    check(r) {
      assert.deepEqual([...new Set(r.behind.map((p) => p.image))].sort(), [MAGNUM, NOVA]);
      assert.ok(
        r.unavailable.length > 0 && r.unavailable.every((u) => u.id.startsWith('ghcr.io/vexxhost/glance:')),
      );
      assert.equal(r.bumps.length, 0);
    },
  },
  {
    name: 'sweep-bumps',
    behind: [
      { image: MAGNUM, branch: 'main' },
      { image: NOVA, branch: 'stable/2025.1' },
    ],
    request: {},
    async prepare(world, client) {
      const { bumpWorkflowId } = await import('../src/shared/messages.js');
      const { parseRepoUrl } = await import('../src/lib/repoUrl.js');
      await client.workflow.start('bumpImage', {
        taskQueue: 'bumpflow-record-nobody-polls',
        workflowId: bumpWorkflowId(parseRepoUrl(world.targetUrl).key, 'nova'),
        args: [{ service: 'nova', targetRepo: world.targetUrl }],
      });
    },
    check(r) {
      assert.deepEqual(
        r.bumps.map((b) => [b.service, b.outcome, b.branches.join(',')]),
        [
          ['magnum', 'started', 'main'],
          ['nova', 'skipped', 'stable/2025.1'],
        ],
      );
    },
  },
];
