/**
 * Sweeps and catalog updates on Temporal Schedules. A schedule is named `bumpflow/<name>`: the
 * namespace is shared with other tools and their schedules, so the prefix
 * keeps names from colliding and lets `schedule list` show only bumpflow's.
 * Its action starts the sweep's (or the catalog update's) workflow on the
 * worker's task queue with the input the command's own parser made (nothing
 * secret); overlap policy SKIP: a run still going when the next is due makes
 * that one skipped. A catalog update with nothing new ends as a no-op without
 * approval, as update.py's cron run does.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
} from '@temporalio/client';
import type { TemporalSettings } from '../../config.js';
import { DURATIONS, parseDuration } from '../../lib/kit/duration.js';
import { SWEEP_WORKFLOW_TYPE, type SweepRequest } from '../../workflows/sweep/sweepInput.js';
import {
  catalogScope,
  catalogWorkflowId,
  CatalogWorkflowType,
  type CatalogRequest,
} from '../../shared/catalog.js';
import { parseRepoUrl, repoSlug } from '../../lib/kit/repoUrl.js';
import { usage } from '../kit/exitCodes.js';
import { sweepWorkflowId } from '../sweep/sweepStart.js';
import { describeScope } from '../../lib/sweep/scope.js';

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

/** What a schedule runs: the sweep or a catalog update, with the input its command's parser made. */
export type ScheduledRequest =
  { command: 'sweep'; request: SweepRequest } | { command: 'catalog'; request: CatalogRequest };

/** ` (scope: ghcr.io/vexxhost/**)`, ` (scope: …, pin)`: what a sweep's schedule looks at, in its note. */
function sweepScopeNote(r: SweepRequest): string {
  const scope = describeScope(r);
  const parts = [...(scope === undefined ? [] : [`scope: ${scope}`]), ...(r.pin ? ['pin'] : [])];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function scheduledAction(name: string, every: string, r: ScheduledRequest) {
  if (r.command === 'sweep')
    return {
      workflowType: SWEEP_WORKFLOW_TYPE,
      workflowId: `${sweepWorkflowId(r.request.targetRepo)}/${name}`,
      note: `bumpflow sweep of ${r.request.targetRepo}${sweepScopeNote(r.request)} every ${every}`,
    };
  const repo = parseRepoUrl(r.request.repoUrl);
  // one catalog, the catalogs named, or every catalog of the folder (`etc/images/`)
  const scope = catalogScope(r.request);
  return {
    workflowType: CatalogWorkflowType.update,
    // a schedule adds the time to this id: the schedule's runs never overlap (SKIP)
    workflowId: `${catalogWorkflowId(repoSlug(repo.key), scope, r.request.branch).replace(/\/$/, '')}/${name}`,
    note: `bumpflow catalog update of ${scope} in ${repo.url} every ${every}`,
  };
}

export async function createSchedule(
  client: Client,
  settings: TemporalSettings,
  name: string,
  every: string,
  scheduled: ScheduledRequest,
): Promise<string> {
  const id = scheduleId(name);
  const { workflowType, workflowId, note } = scheduledAction(name, every, scheduled);
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
        workflowType,
        args: [scheduled.request],
        taskQueue: settings.taskQueue,
        workflowId,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { note },
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
