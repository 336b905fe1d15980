/** `bumpflow approve <id>`: the `approveBranch` update per waiting branch; the `approve` signal when no worker answers. */
import type { Command } from 'commander';
import { approveSignal, approveUpdate, type ApprovePayload } from '../../shared/messages.js';
import { NO_WORKER_NOTE } from '../bump/bumpView.js';
import { awaitingApproval, checkDigestBranches } from '../bump/bumpDecision.js';
import { deliverAndReport } from '../kit/deliver.js';
import { usage } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checked, checkedList, notFor, text, workflowIdArgument } from '../kit/flags.js';
import { assertBranchOrTag } from '../../lib/kit/branches.js';
import { assertDigest } from '../../lib/kit/imageRef.js';
import { isTagWorkflowId } from '../tags/tagView.js';
import { approveTag } from '../tags/tagActions.js';
import { isCatalogWorkflowId } from '../../shared/catalog.js';
import { approveCatalog } from '../catalog/catalogActions.js';
import { isPinWorkflowId, isRetagWorkflowId } from '../../shared/ids.js';
import { decidePin } from '../pin/pinActions.js';
import { approveRetag } from '../retag/retagView.js';
import { noteTextProblem } from '../../lib/bump/releaseNote.js';

/** Who approves or rejects, as the payloads take it. */
export const approverName = text('--approver', 'a name', 200);
/** Refused here, before anything is sent: a note the workflow cannot render must never reach it. */
const releaseNote = checked('--note', (note) => {
  const problem = noteTextProblem(note);
  if (problem !== undefined) throw usage(problem);
});

interface ApproveOptions {
  branch?: string[];
  digest?: string;
  approver?: string;
  note?: string;
  json?: boolean;
}

export function registerApprove(program: Command, ctx: CliContext): void {
  program
    .command('approve')
    .description(
      "approve branches awaiting approval (all of them, or those named), or a tag procedure's plan",
    )
    .argument('<id>', 'bump or tag procedure workflow id', workflowIdArgument)
    .option('-b, --branch <branch...>', 'only these branches', checkedList('--branch', assertBranchOrTag))
    .option(
      '--digest <digest>',
      'approve only if this is the planned digest (a bump: needs one --branch)',
      checked('--digest', (d) => assertDigest(d, 'a digest')),
    )
    .option('--approver <name>', 'who approves', approverName, operatorName(ctx.env))
    .option('--note <text>', 'replacement release-note text (same for every branch)', releaseNote)
    .option('--json', 'print JSON')
    .action(async (id: string, o: ApproveOptions) => {
      if (isRetagWorkflowId(id)) {
        notFor('a retag (it has no branches, release note or single digest)', {
          '--branch': o.branch,
          '--note': o.note,
          '--digest': o.digest,
        });
        return approveRetag(await ctx.client(), id, { approver: o.approver, json: !!o.json });
      }
      if (isPinWorkflowId(id)) {
        notFor('a pin run (it has one branch, no release note and a digest per image)', {
          '--branch': o.branch,
          '--note': o.note,
          '--digest': o.digest,
        });
        return decidePin(await ctx.client(), id, { approver: o.approver, json: !!o.json });
      }
      if (isCatalogWorkflowId(id)) {
        notFor('a catalog update (it has no branches to pick, no release note and no digest)', {
          '--branch': o.branch,
          '--note': o.note,
          '--digest': o.digest,
        });
        return approveCatalog(await ctx.client(), id, { approver: o.approver, json: !!o.json });
      }
      if (isTagWorkflowId(id)) {
        notFor('a tag procedure (it has no branches and no release note)', {
          '--branch': o.branch,
          '--note': o.note,
        });
        return approveTag(await ctx.client(), id, { ...o, json: !!o.json });
      }
      checkDigestBranches(o.digest, o.branch);
      const client = await ctx.client();
      const { branches: waiting, noWorker } = await awaitingApproval(client, id, o.branch);
      const approver = o.approver ? { approver: o.approver } : {};
      if (o.note) {
        // One note for every branch: the parent replaces it everywhere, then approves those named.
        const parent = client.workflow.getHandle(id);
        if (!o.branch) await parent.signal(approveSignal, { ...approver, note: o.note });
        else
          for (const b of waiting)
            await parent.signal(approveSignal, { branch: b.branch, ...approver, note: o.note });
        const names = waiting.map((b) => b.branch);
        print(
          !!o.json,
          { approved: names, via: 'signal' },
          `approved ${names.join(', ')} with a new release note${noWorker ? `; no worker answered: ${NO_WORKER_NOTE}` : ''}`,
        );
        return;
      }
      const payload: ApprovePayload = { ...(o.digest ? { digest: o.digest } : {}), ...approver };
      await deliverAndReport(
        client,
        waiting,
        { update: approveUpdate, signal: approveSignal, payload },
        { noWorker, json: !!o.json, verb: 'approved', signalName: 'approve' },
      );
    });
}
