/** `bumpflow schedule create|list|pause|unpause|delete|trigger`: sweeps and catalog updates on Temporal Schedules (see scheduleActions.ts). */
import type { Command } from 'commander';
import { print, type CliContext } from '../kit/context.js';
import { checked, durationFlag } from '../kit/flags.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { usage } from '../kit/exitCodes.js';
import {
  createSchedule,
  type ScheduledRequest,
  existingSchedule,
  listSchedules,
  scheduleId,
  type ScheduleRow,
} from './scheduleActions.js';
import { parseSweepWords } from '../sweep/sweepRequest.js';
import { parseCatalogWords } from '../catalog/catalogRequest.js';

/** The words after `--`, parsed by their command's own parser: `sweep …` or `catalog …`. */
function scheduledRequest(ctx: CliContext, words: string[]): ScheduledRequest {
  return words[0] === 'catalog'
    ? { command: 'catalog', request: parseCatalogWords(ctx, words) }
    : { command: 'sweep', request: parseSweepWords(ctx, words) };
}

function formatRows(rows: readonly ScheduleRow[]): string {
  if (rows.length === 0) return 'no bumpflow schedules';
  return rows
    .map((r) =>
      [
        `${r.name}  every ${r.every.join(', ') || '?'}  ${r.paused ? 'paused' : 'active'}  (${r.scheduleId})`,
        r.note ? `  ${r.note}` : '',
        r.nextRuns[0] ? `  next: ${r.nextRuns[0]}` : '',
        r.recentRuns.at(-1) ? `  last: ${r.recentRuns.at(-1)!.workflowId} at ${r.recentRuns.at(-1)!.at}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n');
}

/** A schedule's `<name>`, checked as it is read (before anything connects). */
const scheduleName = checked('<name>', scheduleId);

export function registerSchedule(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .description('run sweeps and catalog updates on Temporal Schedules (named bumpflow/<name>)');
  schedule
    .command('create')
    .description(
      'create a schedule: bumpflow schedule create sweep-atmosphere --every 6h -- sweep --target atmosphere, or … images --every 1d -- catalog --repo <url> (every catalog of etc/images/)',
    )
    .argument('<name>', 'schedule name (lowercase letters, digits, . _ -)', scheduleName)
    .argument(
      '<command...>',
      'after --: the command to run, e.g. sweep --target atmosphere --report, or catalog --repo <url> [--path <file>]',
    )
    .requiredOption(
      '--every <duration>',
      'interval, e.g. 30m, 6h, 1d',
      durationFlag('--every', DURATIONS.every),
    )
    .option('--json', 'print JSON')
    .action(async (name: string, words: string[], o: { every: string; json?: boolean }) => {
      const scheduled = scheduledRequest(ctx, words);
      const client = await ctx.client();
      const id = await createSchedule(client, ctx.settings, name, o.every, scheduled);
      print(
        !!o.json,
        { scheduleId: id, every: o.every, input: scheduled.request },
        `created schedule ${id}: ${words.join(' ')} every ${o.every}`,
      );
    });
  schedule
    .command('list')
    .description("list bumpflow's schedules")
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const rows = await listSchedules(await ctx.client());
      print(!!o.json, rows, formatRows(rows));
    });
  const actions = {
    pause: 'pause a schedule (no run until unpause)',
    unpause: 'resume a paused schedule',
    delete: 'delete a schedule (running sweeps go on)',
    trigger: 'run a schedule now (skipped if its sweep is still running)',
  } as const;
  for (const [action, description] of Object.entries(actions) as [keyof typeof actions, string][]) {
    schedule
      .command(action)
      .description(description)
      .argument('<name>', 'schedule name', scheduleName)
      .option('--json', 'print JSON')
      .action(async (name: string, o: { json?: boolean }) => {
        const handle = await existingSchedule(await ctx.client(), name);
        if (action === 'pause') await handle.pause('paused with bumpflow schedule pause');
        else if (action === 'unpause') await handle.unpause('unpaused with bumpflow schedule unpause');
        else if (action === 'delete') await handle.delete();
        else if (action === 'trigger') await handle.trigger();
        else throw usage(`unknown schedule action ${String(action)}`);
        const done = { pause: 'paused', unpause: 'unpaused', delete: 'deleted', trigger: 'triggered' }[
          action
        ];
        print(!!o.json, { scheduleId: handle.scheduleId, action: done }, `${done} ${handle.scheduleId}`);
      });
  }
}
