/**
 * `npm run bench -- --mirror [--size 1GiB]`: a catalog update's upload of one
 * new image to the S3 mirror, as the worker runs it. Real parts: a worker
 * process (built when current, as in production), the catalog world with
 * MinIO (`createCatalogWorld(…, { mirror: true })`) at the default part size
 * (64 MiB), a build of --size published on the loopback distro mirror, the
 * update approved by the gate's update. Reported: the upload's throughput
 * (the mirrorCatalogImage activity's start to its end, from the history),
 * the worker's RSS idle and its peak (VmHWM) after, and the object's size.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { DEFAULT_PART_SIZE } from '../src/lib/catalog/mirrorUpload.js';
import { catalogGate } from '../src/shared/catalog.js';
import { temporalSettings } from '../src/config.js';
import { catalogRunner, createCatalogWorld } from '../src/sandbox/catalogWorld.js';
import { memoryOf, round, type HistoryStats } from './measure.js';
import { startWorker, stopChild, waitForPoller, type Runner } from './processes.js';

export interface MirrorBenchResult {
  sizeBytes: number;
  partSize: number;
  /** the activity's start to its end */
  uploadMs: number;
  mibPerSecond: number;
  /** the update from approval to its end (upload, push, PR) */
  approvedToEndMs: number;
  rss: { idleMiB: number; peakMiB: number; afterMiB: number };
  uploaded: boolean;
  objectSize: number;
  problems: string[];
}

/** ms between the mirror activity's start and its end, from the workflow's history. */
async function uploadMs(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'mirrorCatalogImage',
  );
  const at = (e: (typeof events)[number] | undefined): number =>
    Number(e?.eventTime?.seconds ?? 0) * 1000 + (e?.eventTime?.nanos ?? 0) / 1e6;
  const id = Number(scheduled?.eventId ?? -1);
  const started = events.filter((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === id);
  const completed = events.find(
    (e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id,
  );
  if (started.length === 0 || completed === undefined)
    throw new Error(
      `bench: expected the mirror activity's start and end in ${workflowId}'s history, found none`,
    );
  return at(completed) - at(started.at(-1));
}

export async function benchMirror(o: {
  client: Client;
  address: string;
  runner: Runner;
  sizeBytes: number;
  log: (line: string) => void;
}): Promise<MirrorBenchResult & { history?: HistoryStats }> {
  const world = await createCatalogWorld('bench/openstack-image-manager', {
    mirror: true,
    mirrorPartSize: DEFAULT_PART_SIZE,
  });
  try {
    o.log(
      `bench: publishing a build of ${round(o.sizeBytes / 2 ** 20, 0)} MiB on the loopback distro mirror`,
    );
    world.mirror.publish('Ubuntu 24.04', '20260301', { size: o.sizeBytes });
    const taskQueue = `bumpflow-bench-mirror-${Date.now()}`;
    const env = { ...world.env, TEMPORAL_ADDRESS: o.address, BUMPFLOW_TASK_QUEUE: taskQueue };
    const worker = startWorker(o.runner, env);
    try {
      await waitForPoller(o.client, taskQueue, worker);
      const idle = await memoryOf(worker.pid!);
      const run = catalogRunner(o.client, temporalSettings(env), world);
      const h = await run.start({ path: world.path });
      await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
      const t0 = performance.now();
      await h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'bench' }] });
      const result = await run.result(h);
      const approvedToEndMs = performance.now() - t0;
      const after = await memoryOf(worker.pid!);
      const ms = await uploadMs(o.client, h.workflowId);
      const m = result.mirrored?.[0];
      const problems = [
        ...(result.state === 'pr-opened' ? [] : [`the update ended ${result.state}, not pr-opened`]),
        ...(m?.size === o.sizeBytes ? [] : [`expected an object of ${o.sizeBytes} bytes, found ${m?.size}`]),
      ];
      return {
        sizeBytes: o.sizeBytes,
        partSize: DEFAULT_PART_SIZE,
        uploadMs: round(ms, 0),
        mibPerSecond: round(o.sizeBytes / 2 ** 20 / (ms / 1000), 1),
        approvedToEndMs: round(approvedToEndMs, 0),
        rss: { idleMiB: idle.rssMiB, peakMiB: after.peakMiB, afterMiB: after.rssMiB },
        uploaded: m?.uploaded ?? false,
        objectSize: m?.size ?? 0,
        problems,
      };
    } finally {
      await stopChild(worker);
    }
  } finally {
    await world.close();
  }
}

export function mirrorReport(r: MirrorBenchResult): string[] {
  const mib = (b: number): string => `${round(b / 2 ** 20, 0)} MiB`;
  return [
    '## The catalog mirror: one image uploaded by the worker',
    '',
    `A build of ${mib(r.sizeBytes)} streamed from the loopback distro mirror into MinIO in parts of ${mib(r.partSize)} ` +
      '(a worker process, the update approved; all on loopback, so the disk and the 2 cores bound it, not a network).',
    '',
    '| upload (activity start → end) | throughput | approval → PR opened | worker RSS idle → peak (after) | object |',
    '|---:|---:|---:|---|---|',
    `| ${round(r.uploadMs / 1000, 2)} s | ${r.mibPerSecond} MiB/s | ${round(r.approvedToEndMs / 1000, 2)} s | ` +
      `${r.rss.idleMiB} → ${r.rss.peakMiB} MiB (${r.rss.afterMiB}) | ${r.objectSize} bytes, ${r.uploaded ? 'uploaded' : 'already there'} |`,
    ...(r.problems.length > 0 ? ['', '### PROBLEMS', '', ...r.problems.map((p) => `- ${p}`)] : []),
  ];
}
