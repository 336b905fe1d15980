/** `bumpflow status <id>`: every branch of a bump; `--watch` redraws until it ends, then prints the result. */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { BumpResult } from '../../shared/messages.js';
import { formatResult, formatStatus } from '../kit/format.js';
import { readStatus } from '../bump/bumpView.js';
import { ExitCode, usage, workflowFailed } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { seconds as secondsFlag, workflowIdArgument } from '../kit/flags.js';

const intervalSeconds = secondsFlag('--interval', 0.1, 3600);
import { isTagWorkflowId } from '../tags/tagView.js';
import { showTagStatus } from '../tags/tagActions.js';
import { isCatalogWorkflowId } from '../../shared/catalog.js';
import { showCatalogStatus } from '../catalog/catalogActions.js';
import { isPinWorkflowId, isRetagWorkflowId } from '../../shared/ids.js';
import { showPinStatus } from '../pin/pinActions.js';
import { showRetagStatus } from '../retag/retagView.js';

/** Redraws the status until the workflow closes; then prints the result. Exit code 1 if a branch failed. */
async function watch(client: Client, id: string, o: { json: boolean; intervalMs: number }): Promise<void> {
  const handle = client.workflow.getHandle(id);
  const tty = process.stdout.isTTY === true;
  let last = '';
  for (;;) {
    const description = await handle.describe().catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? usage(`no bump workflow with id ${id}`) : err;
    });
    if (description.status.name === 'RUNNING') {
      const status = await readStatus(client, id);
      const text = o.json ? JSON.stringify(status) : formatStatus(id, status);
      if (text !== last) {
        // on a terminal: redraw in place; in a pipe or log: a new table only when something changed
        process.stdout.write(
          tty && !o.json ? `\x1b[2J\x1b[H${text}\n(watching; Ctrl-C to stop)\n` : `${text}\n`,
        );
        last = text;
      }
      await new Promise((r) => setTimeout(r, o.intervalMs));
      continue;
    }
    try {
      const result = (await handle.result()) as BumpResult;
      print(o.json, result, formatResult(result));
      if (result.branches.some((b) => b.outcome === 'failed')) process.exitCode = ExitCode.failed;
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw workflowFailed(`the bump ${id}`, err);
      throw usage(`the bump ${id} ended as ${description.status.name}`);
    }
    return;
  }
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show every branch of a bump, or a tag procedure (its plan, or its place in the queue)')
    .argument(
      '<id>',
      'bump or tag procedure workflow id (printed by bump, promote, rollback, cleanup)',
      workflowIdArgument,
    )
    .option('--json', 'print JSON')
    .option('-w, --watch', 'redraw until the bump ends, then print its result')
    .option('--interval <seconds>', 'seconds between redraws with --watch', intervalSeconds, 2)
    .option('--wide', "a retag's plan with one line per entry, however wide (default: within 100 columns)")
    .action(async (id: string, o: { json?: boolean; watch?: boolean; interval: number; wide?: boolean }) => {
      const seconds = o.interval;
      const client = await ctx.client();
      if (isRetagWorkflowId(id)) return showRetagStatus(client, id, !!o.json, { wide: !!o.wide });
      if (isPinWorkflowId(id))
        return showPinStatus(client, id, { json: !!o.json, watch: !!o.watch, intervalMs: seconds * 1000 });
      if (isCatalogWorkflowId(id))
        return showCatalogStatus(client, id, {
          json: !!o.json,
          watch: !!o.watch,
          intervalMs: seconds * 1000,
        });
      if (isTagWorkflowId(id))
        return showTagStatus(client, id, { json: !!o.json, watch: !!o.watch, intervalMs: seconds * 1000 });
      if (!o.watch) {
        const status = await readStatus(client, id);
        print(!!o.json, status, formatStatus(id, status));
        return;
      }
      await watch(client, id, { json: !!o.json, intervalMs: seconds * 1000 });
    });
}
