/** `bumpflow reject <id> --reason …`: the `rejectBranch` update per undecided branch; the `reject` signal when no worker answers. */
import type { Command } from 'commander';
import { rejectSignal, rejectUpdate, type RejectPayload } from '../../shared/messages.js';
import { NO_WORKER_NOTE } from '../bump/bumpView.js';
import { undecided } from '../bump/bumpDecision.js';
import { deliverAndReport } from '../kit/deliver.js';
import { print, type CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checkedList, notFor, text, workflowIdArgument } from '../kit/flags.js';
import { assertBranchOrTag } from '../../lib/kit/branches.js';
import { approverName } from './approve.js';
import { isTagWorkflowId } from '../tags/tagView.js';
import { rejectTag } from '../tags/tagActions.js';
import { isCatalogWorkflowId } from '../../shared/catalog.js';
import { rejectCatalog } from '../catalog/catalogActions.js';
import { isPinWorkflowId, isRetagWorkflowId } from '../../shared/ids.js';
import { decidePin } from '../pin/pinActions.js';
import { rejectRetag } from '../retag/retagView.js';

export function registerReject(program: Command, ctx: CliContext): void {
  program
    .command('reject')
    .description("reject branches of a bump (all undecided, or those named), or a tag procedure's plan")
    .argument('<id>', 'bump or tag procedure workflow id', workflowIdArgument)
    .requiredOption('--reason <text>', 'why', text('--reason', 'a reason saying why', 2000, true))
    .option('-b, --branch <branch...>', 'only these branches', checkedList('--branch', assertBranchOrTag))
    .option('--approver <name>', 'who rejects', approverName, operatorName(ctx.env))
    .option('--json', 'print JSON')
    .action(
      async (id: string, o: { reason: string; branch?: string[]; approver?: string; json?: boolean }) => {
        if (isRetagWorkflowId(id)) {
          notFor('a retag (it has no branches)', { '--branch': o.branch });
          return rejectRetag(await ctx.client(), id, { ...o, json: !!o.json });
        }
        if (isPinWorkflowId(id)) {
          notFor('a pin run (it has one branch)', { '--branch': o.branch });
          return decidePin(await ctx.client(), id, { ...o, json: !!o.json });
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
        const { branches: open, noWorker, wholeBump } = await undecided(client, id, o.branch);
        const payload: RejectPayload = { reason: o.reason, ...(o.approver ? { approver: o.approver } : {}) };
        if (wholeBump) {
          // blocked while planning, before any branch started: the bump itself takes the rejection
          await client.workflow.getHandle(id).signal(rejectSignal, payload);
          print(
            !!o.json,
            { rejected: id, via: 'signal' },
            `rejected ${id} while it was blocked planning${noWorker ? `; no worker answered: ${NO_WORKER_NOTE}` : ''}`,
          );
          return;
        }
        await deliverAndReport(
          client,
          open,
          { update: rejectUpdate, signal: rejectSignal, payload },
          { noWorker, json: !!o.json, verb: 'rejected', signalName: 'reject' },
        );
      },
    );
}
