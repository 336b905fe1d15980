/** `bumpflow reject <id> --reason …`: the `rejectBranch` update per undecided branch; the `reject` signal when no worker answers. */
import type { Command } from 'commander';
import { rejectSignal, rejectUpdate, type RejectPayload } from '../../shared/messages.js';
import { among, branchesIn, currentStates, NO_WORKER_NOTE, readView } from '../bumpView.js';
import { deliverAndReport } from '../deliver.js';
import { refused } from '../exitCodes.js';
import { print, type CliContext } from '../context.js';
import { checkedList, notFor, text, workflowIdArgument } from '../flags.js';
import { assertBranchOrTag } from '../../lib/branches.js';
import { approverName } from './approve.js';
import { isTagWorkflowId } from '../tagView.js';
import { rejectTag } from '../tagActions.js';
import { isCatalogWorkflowId } from '../../shared/catalog.js';
import { rejectCatalog } from '../catalogActions.js';
import { isRetagWorkflowId } from '../../shared/ids.js';
import { rejectRetag } from '../retagView.js';

const UNDECIDED = ['pending', 'resolving', 'awaiting-approval', 'blocked'] as const;

export function registerReject(program: Command, ctx: CliContext): void {
  program
    .command('reject')
    .description("reject branches of a bump (all undecided, or those named), or a tag procedure's plan")
    .argument('<id>', 'bump or tag procedure workflow id', workflowIdArgument)
    .requiredOption('--reason <text>', 'why', text('--reason', 'a reason saying why', 2000, true))
    .option('-b, --branch <branch...>', 'only these branches', checkedList('--branch', assertBranchOrTag))
    .option('--approver <name>', 'who rejects', approverName, ctx.env.USER)
    .option('--json', 'print JSON')
    .action(
      async (id: string, o: { reason: string; branch?: string[]; approver?: string; json?: boolean }) => {
        if (isRetagWorkflowId(id)) {
          notFor('a retag (it has no branches)', { '--branch': o.branch });
          return rejectRetag(await ctx.client(), id, { ...o, json: !!o.json });
        }
        if (isCatalogWorkflowId(id)) {
          notFor('a catalog update (it has no branches to pick)', { '--branch': o.branch });
          return rejectCatalog(await ctx.client(), id, { ...o, json: !!o.json });
        }
        if (isTagWorkflowId(id)) {
          notFor('a tag procedure (it has no branches)', { '--branch': o.branch });
          return rejectTag(await ctx.client(), id, { ...o, json: !!o.json });
        }
        const client = await ctx.client();
        const view = await readView(client, id);
        if (!view.running) throw refused(`the bump ${id} is ${view.state}: nothing to reject`);
        const payload: RejectPayload = { reason: o.reason, ...(o.approver ? { approver: o.approver } : {}) };
        const noWorker = view.source === 'visibility';
        const open = branchesIn(view, UNDECIDED, o.branch);
        if (open.length === 0 && !o.branch && view.state === 'blocked') {
          // blocked while planning, before any branch started: the bump itself takes the rejection
          await client.workflow.getHandle(id).signal(rejectSignal, payload);
          print(
            !!o.json,
            { rejected: id, via: 'signal' },
            `rejected ${id} while it was blocked planning${noWorker ? `; no worker answered: ${NO_WORKER_NOTE}` : ''}`,
          );
          return;
        }
        if (open.length === 0)
          throw refused(`no undecided branch of ${id}${among(o.branch)}${currentStates(view)}`);
        await deliverAndReport(
          client,
          open,
          { update: rejectUpdate, signal: rejectSignal, payload },
          { noWorker, json: !!o.json, verb: 'rejected', signalName: 'reject' },
        );
      },
    );
}
