/** `bumpflow list`: bumps (or their branches) by state, from the search attributes. */
import type { Command } from 'commander';
import { BumpBranch, BumpService, BumpState, WorkflowType } from '../../shared/messages.js';
import { workflowUiUrl } from '../../config.js';
import { formatList, type ListedBump } from '../format.js';
import { usage } from '../exitCodes.js';
import { print, type CliContext } from '../context.js';

interface ListOptions {
  state?: string;
  service?: string;
  branches?: boolean;
  all?: boolean;
  limit: string;
  json?: boolean;
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('list bumps by state, from the search attributes (running ones unless --all)')
    .option('-s, --state <state>', 'only bumps in this state, e.g. awaiting-approval, blocked, running')
    .option('--service <service>', 'only bumps of this service')
    .option('--branches', 'list the branch workflows instead of the bumps')
    .option('-a, --all', 'include bumps that have ended')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (o: ListOptions) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw usage(`expected --limit as a whole number from 1 to 10000, found ${JSON.stringify(o.limit)}`);
      for (const [name, value] of [
        ['--state', o.state],
        ['--service', o.service],
      ] as const) {
        if (value !== undefined && !/^[A-Za-z0-9._/-]+$/.test(value))
          throw usage(`expected ${name} of letters, digits, . _ / -, found ${JSON.stringify(value)}`);
      }
      const clauses = [`WorkflowType = '${o.branches ? WorkflowType.bumpBranch : WorkflowType.bumpImage}'`];
      if (!o.all) clauses.push(`ExecutionStatus = 'Running'`);
      if (o.state) clauses.push(`BumpState = '${o.state}'`);
      if (o.service) clauses.push(`BumpService = '${o.service}'`);
      const client = await ctx.client();
      const rows: ListedBump[] = [];
      for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
        rows.push({
          workflowId: wf.workflowId,
          service: wf.typedSearchAttributes.get(BumpService),
          branch: wf.typedSearchAttributes.get(BumpBranch),
          state: wf.typedSearchAttributes.get(BumpState),
          status: wf.status.name,
          started: wf.startTime.toISOString(),
          url: workflowUiUrl(ctx.settings, wf.workflowId),
        });
        if (rows.length >= limit) break;
      }
      print(!!o.json, rows, formatList(rows));
    });
}
