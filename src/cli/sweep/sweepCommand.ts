/** `bumpflow sweep --target NAME [--branch …] [--report]`: every pin of every branch checked; bumps for what is behind. */
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { workflowUiUrl } from '../../config.js';
import type { SweepResult } from '../../workflows/sweep/sweepInput.js';
import { print, type CliContext } from '../kit/context.js';
import { ExitCode, workflowFailed } from '../kit/exitCodes.js';
import { addSweepOptions, sweepRequestFrom, type SweepOptions } from './sweepRequest.js';
import { formatSweep, startSweep } from './sweepStart.js';
import { waitTellingPickup } from '../kit/pickup.js';

export function registerSweep(program: Command, ctx: CliContext): void {
  addSweepOptions(
    program
      .command('sweep')
      .description(
        'resolve every digest pin of a target on main and every stable/* once per image:tag, list what is behind, and start one bump per service behind (not with --report)',
      ),
  )
    .option('--no-wait', 'start the sweep and print its id only')
    .option('--json', 'print JSON')
    .option('--wide', 'print every key and name in full (the table is wider than 100 columns)')
    .action(async (o: SweepOptions & { wait: boolean; json?: boolean; wide?: boolean }) => {
      const request = sweepRequestFrom(ctx, o);
      const client = await ctx.client();
      const handle = await startSweep(client, ctx.settings, request);
      const url = workflowUiUrl(ctx.settings, handle.workflowId);
      if (!o.wait) {
        print(
          !!o.json,
          { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, url },
          `started ${handle.workflowId}\n${url}`,
        );
        return;
      }
      const finished = handle.result().catch((err: unknown) => {
        throw err instanceof WorkflowFailedError
          ? workflowFailed(`the sweep ${handle.workflowId}`, err)
          : err;
      });
      const result = (await waitTellingPickup(handle, ctx.settings.taskQueue, finished)) as SweepResult;
      print(
        !!o.json,
        { workflowId: handle.workflowId, ...result },
        formatSweep(handle.workflowId, result, { wide: !!o.wide }),
      );
      if (result.counts.unavailable > 0) process.exitCode = ExitCode.failed;
    });
}
