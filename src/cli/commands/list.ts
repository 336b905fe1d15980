/**
 * `bumpflow list`: bumps (or their branches) by state, from the search attributes; then the tag
 * procedures (promote, rollback, clean-up) and the requests waiting in their queues (`--procedure`).
 */
import type { Command } from 'commander';
import { BumpBranch, BumpService, BumpState, tagProcedures, WorkflowType } from '../../shared/messages.js';
import { workflowUiUrl } from '../../config.js';
import { formatList, type ListedBump } from '../format.js';
import { usage } from '../exitCodes.js';
import { print, type CliContext } from '../context.js';
import { listTagProcedures } from '../tagView.js';
import { formatTagList, type ListedTagProcedure } from '../tagFormat.js';

const PROCEDURES = ['bump', ...tagProcedures] as const;

interface ListOptions {
  state?: string;
  service?: string;
  procedure?: string;
  branches?: boolean;
  all?: boolean;
  limit: string;
  json?: boolean;
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description(
      'list bumps and tag procedures by state, from the search attributes (running ones unless --all), and queued requests',
    )
    .option(
      '-s, --state <state>',
      'only those in this state, e.g. awaiting-approval, blocked, running, queued',
    )
    .option('--service <service>', 'only bumps of this service')
    .option('-p, --procedure <procedure>', `only this procedure: ${PROCEDURES.join(', ')}`)
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
      const procedure = o.procedure as (typeof PROCEDURES)[number] | undefined;
      if (procedure !== undefined && !PROCEDURES.includes(procedure))
        throw usage(
          `expected --procedure as one of ${PROCEDURES.join(', ')}, found ${JSON.stringify(o.procedure)}`,
        );
      const client = await ctx.client();
      const tagRows: ListedTagProcedure[] =
        procedure === 'bump' || o.branches || o.service
          ? []
          : await listTagProcedures(client, ctx.settings, {
              procedure,
              state: o.state,
              all: !!o.all,
              limit,
            });
      if (procedure !== undefined && procedure !== 'bump') {
        print(!!o.json, tagRows, formatTagList(tagRows));
        return;
      }
      const clauses = [`WorkflowType = '${o.branches ? WorkflowType.bumpBranch : WorkflowType.bumpImage}'`];
      if (!o.all) clauses.push(`ExecutionStatus = 'Running'`);
      if (o.state) clauses.push(`BumpState = '${o.state}'`);
      if (o.service) clauses.push(`BumpService = '${o.service}'`);
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
      if (tagRows.length === 0) print(!!o.json, rows, formatList(rows));
      else print(!!o.json, [...rows, ...tagRows], `${formatList(rows)}\n\n${formatTagList(tagRows)}`);
    });
}
