/**
 * Sweeps on Temporal Schedules. A schedule is named `bumpflow/<name>`: the
 * namespace is shared with other tools and their schedules, so the prefix
 * keeps names from colliding and lets `schedule list` show only bumpflow's.
 * Its action starts the sweep workflow on the worker's task queue with the
 * input the sweep command parser made (nothing secret); overlap policy SKIP:
 * a sweep still running when the next is due makes that one skipped.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
} from '@temporalio/client';
import type { TemporalSettings } from '../config.js';
import { DURATIONS, parseDuration } from '../lib/duration.js';
import { SWEEP_WORKFLOW_TYPE, type SweepRequest } from '../workflows/sweep/sweepInput.js';
import { usage } from './exitCodes.js';
import { sweepWorkflowId } from './sweepStart.js';

export const SCHEDULE_PREFIX = 'bumpflow/';
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function scheduleId(name: string): string {
  if (!NAME.test(name))
    throw usage(
      `expected a schedule name of lowercase letters, digits, . _ - (up to 63, such as sweep-atmosphere), found ${JSON.stringify(name)}`,
    );
  return `${SCHEDULE_PREFIX}${name}`;
}

export interface ScheduleRow {
  name: string;
  scheduleId: string;
  every: string[];
  paused: boolean;
  note?: string | undefined;
  workflowType?: string | undefined;
  nextRuns: string[];
  recentRuns: { workflowId: string; at: string }[];
}

export async function createSweepSchedule(
  client: Client,
  settings: TemporalSettings,
  name: string,
  every: string,
  request: SweepRequest,
): Promise<string> {
  const id = scheduleId(name);
  let everyMs: number;
  try {
    everyMs = parseDuration(every, DURATIONS.every);
  } catch (err) {
    throw usage(`--every: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    await client.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: everyMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: SWEEP_WORKFLOW_TYPE,
        args: [request],
        taskQueue: settings.taskQueue,
        workflowId: `${sweepWorkflowId(request.targetRepo)}/${name}`,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { note: `bumpflow sweep of ${request.targetRepo} every ${every}` },
    });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning)
      throw usage(`a schedule named ${name} (${id}) already exists: delete it first, or choose another name`);
    throw err;
  }
  return id;
}

/** The handle of an existing bumpflow schedule; an unknown name is a usage error (exit 2), as other "not found"s. */
export async function existingSchedule(client: Client, name: string): Promise<ScheduleHandle> {
  const handle = client.schedule.getHandle(scheduleId(name));
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw usage(`no bumpflow schedule named ${name} (${handle.scheduleId})`);
    throw err;
  }
  return handle;
}

export async function listSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
    rows.push({
      name: s.scheduleId.slice(SCHEDULE_PREFIX.length),
      scheduleId: s.scheduleId,
      every: (s.spec?.intervals ?? []).map((i) => msText(i.every)),
      paused: s.state.paused,
      note: s.state.note,
      workflowType: s.action?.workflowType,
      nextRuns: s.info.nextActionTimes.map((t) => t.toISOString()),
      recentRuns: s.info.recentActions.map((a) => ({
        workflowId: a.action.workflow.workflowId,
        at: a.takenAt.toISOString(),
      })),
    });
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function msText(every: unknown): string {
  const ms = typeof every === 'number' ? every : Number(every);
  if (!Number.isFinite(ms)) return String(every);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
