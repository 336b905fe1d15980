/**
 * `bumpflow list`: bumps (or their branches) by state, from the search attributes; then the tag
 * procedures (promote, rollback, clean-up) and the requests waiting in their queues (`--procedure`).
 */
import type { Command } from 'commander';
import {
  branchStates,
  BumpBranch,
  BumpService,
  BumpState,
  catalogStates,
  tagProcedures,
  tagStates,
  WorkflowType,
  type BumpPhase,
} from '../../shared/messages.js';
import { retagStates } from '../../shared/retag.js';
import { pinStates } from '../../shared/pin.js';
import { serviceImage } from '../../lib/bump/serviceSelection.js';
import { checked, oneOf, wholeNumber } from '../kit/flags.js';
import { workflowUiUrl } from '../../config.js';
import { formatList, type ListedBump } from '../kit/format.js';
import { usage } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { listTagProcedures } from '../tags/tagView.js';
import { formatTagList, type ListedTagProcedure } from '../tags/tagFormat.js';

const PROCEDURES = ['bump', ...tagProcedures] as const;
const BUMP_PHASES = [
  'planning',
  'blocked',
  'retrying',
  'running',
  'done',
  'failed',
  'rejected',
] as const satisfies readonly BumpPhase[];
/** Every state a bump, a branch or a procedure records, and `queued` (a request waiting in its queue). */
const STATES = [
  ...new Set<string>([
    ...BUMP_PHASES,
    ...branchStates,
    ...tagStates,
    ...retagStates,
    ...catalogStates,
    ...pinStates,
    'queued',
  ]),
];

interface ListOptions {
  state?: string;
  service?: string;
  procedure?: string;
  branches?: boolean;
  all?: boolean;
  limit: number;
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
      oneOf('--state', STATES),
    )
    .option('--service <service>', 'only bumps of this service', checked('--service', serviceImage))
    .option(
      '-p, --procedure <procedure>',
      `only this procedure: ${PROCEDURES.join(', ')}`,
      oneOf('--procedure', PROCEDURES),
    )
    .option('--branches', 'list the branch workflows instead of the bumps')
    .option('-a, --all', 'include bumps that have ended')
    .option('--limit <n>', 'at most this many', wholeNumber('--limit', 1, 10_000), 100)
    .option('--json', 'print JSON')
    .action(async (o: ListOptions) => {
      const { limit } = o;
      const procedure = o.procedure as (typeof PROCEDURES)[number] | undefined;
      if (procedure !== undefined && procedure !== 'bump' && (o.branches || o.service !== undefined))
        throw usage(
          `--procedure: expected bump (or no --procedure) with ${o.branches ? '--branches' : '--service'}, which only bumps have, found ${JSON.stringify(procedure)}`,
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
