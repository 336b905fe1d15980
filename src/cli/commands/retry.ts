/** `bumpflow retry <id>`: makes blocked branches (or the blocked bump) try again; refuses when nothing is blocked. */
import type { Command } from 'commander';
import { retrySignal } from '../../shared/messages.js';
import { among, branchesIn, currentStates, NO_WORKER_NOTE, readView } from '../bump/bumpView.js';
import { refused } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { checked, notFor, workflowIdArgument } from '../kit/flags.js';
import { assertBranchOrTag } from '../../lib/kit/branches.js';
import { isTagWorkflowId } from '../tags/tagView.js';
import { retryTag } from '../tags/tagActions.js';
import { isPinWorkflowId, isRetagWorkflowId } from '../../shared/ids.js';
import { retryPin } from '../pin/pinActions.js';
import { retryRetag } from '../retag/retagView.js';

export function registerRetry(program: Command, ctx: CliContext): void {
  program
    .command('retry')
    .description('make blocked branches, or a blocked tag procedure, try again (after an outage)')
    .argument('<id>', 'bump or tag procedure workflow id', workflowIdArgument)
    .option('-b, --branch <branch>', 'only this branch', checked('--branch', assertBranchOrTag))
    .option('--json', 'print JSON')
    .action(async (id: string, o: { branch?: string; json?: boolean }) => {
      if (isRetagWorkflowId(id)) {
        notFor('a retag (it has no branches)', { '--branch': o.branch });
        return retryRetag(await ctx.client(), id, !!o.json);
      }
      if (isPinWorkflowId(id)) {
        notFor('a pin run (it has one branch)', { '--branch': o.branch });
        return retryPin(await ctx.client(), id, { json: !!o.json });
      }
      if (isTagWorkflowId(id)) {
        notFor('a tag procedure (it has no branches)', { '--branch': o.branch });
        return retryTag(await ctx.client(), id, { json: !!o.json });
      }
      const client = await ctx.client();
      const view = await readView(client, id);
      if (!view.running) throw refused(`the bump ${id} is ${view.state}: nothing to retry`);
      const names = o.branch === undefined ? undefined : [o.branch];
      const blocked = branchesIn(view, ['blocked'], names);
      const bumpBlocked = o.branch === undefined && view.state === 'blocked';
      if (!bumpBlocked && blocked.length === 0)
        throw refused(`no branch of ${id} is blocked${among(names)}${currentStates(view)}`);
      await client.workflow
        .getHandle(id)
        .signal(retrySignal, o.branch === undefined ? {} : { branch: blocked[0]!.branch });
      const what =
        bumpBlocked && blocked.length === 0
          ? 'its blocked planning step'
          : blocked.map((b) => b.branch).join(', ');
      const note = view.source === 'visibility' ? `; no worker answered: ${NO_WORKER_NOTE}` : '';
      print(
        !!o.json,
        {
          retried: bumpBlocked && blocked.length === 0 ? [] : blocked.map((b) => b.branch),
          via: 'signal',
          workerAnswered: !note,
        },
        `asked ${what} of ${id} to retry${note}`,
      );
    });
}
