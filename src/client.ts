#!/usr/bin/env node
/**
 * bumpflow: the operator's CLI. Parses arguments and talks to Temporal;
 * nothing else. Exit codes: 0 ok, 1 the bump or a branch failed / refused,
 * 2 bad usage or input, 3 Temporal not reachable.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  approveSignal,
  approveUpdate,
  branchWorkflowId,
  BumpBranch,
  bumpInputSchema,
  BumpService,
  BumpState,
  bumpWorkflowId,
  rejectUpdate,
  retrySignal,
  statusQuery,
  WorkflowType,
  type BumpRequest,
  type BumpResult,
  type BumpStatus,
} from './shared/messages.js';
import { temporalSettings, workflowUiUrl, type TemporalSettings } from './config.js';
import { formatList, formatResult, formatStatus, type ListedBump } from './cli/format.js';
import { approvalPolicy, ConfigError, loadConfig, type BumpflowConfig } from './configFile.js';

class UsageError extends Error {}
class UnreachableError extends Error {}

async function connect(settings: TemporalSettings): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: settings.address, connectTimeout: '5s' });
    return new Client({ connection, namespace: settings.namespace });
  } catch (err) {
    throw new UnreachableError(
      `cannot reach the Temporal server at ${settings.address} (${err instanceof Error ? err.message : String(err)}); set TEMPORAL_ADDRESS or start one with 'temporal server start-dev'`,
    );
  }
}

export async function startBump(client: Client, settings: TemporalSettings, request: BumpRequest): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const parsed = bumpInputSchema.safeParse(request);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  }
  const workflowId = bumpWorkflowId(parsed.data.targetRepo, parsed.data.service);
  try {
    return await client.workflow.start(WorkflowType.bumpImage, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [request],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `bump ${parsed.data.service} in ${parsed.data.targetRepo}`,
      staticDetails: `Branches: ${parsed.data.branches?.join(', ') ?? 'main and every stable/*'}. Reason: ${parsed.data.reason ?? 'none given'}.`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UsageError(
        `a bump of ${parsed.data.service} in ${parsed.data.targetRepo} is already running as ${workflowId}: follow it with 'bumpflow status ${workflowId}' (one bump per service and repo at a time, so no PR is opened twice)`,
      );
    }
    throw err;
  }
}

async function readStatus(client: Client, id: string): Promise<BumpStatus> {
  try {
    return await client.workflow.getHandle(id).query(statusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`no bump workflow with id ${id}`);
    throw err;
  }
}

/** Redraws the status until the workflow closes; then prints the result. Exit code 1 if a branch failed. */
async function watch(client: Client, id: string, o: { json: boolean; intervalMs: number }): Promise<void> {
  const handle = client.workflow.getHandle(id);
  const tty = process.stdout.isTTY === true;
  let last = '';
  for (;;) {
    const description = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) throw new UsageError(`no bump workflow with id ${id}`);
      throw err;
    });
    const running = description.status.name === 'RUNNING';
    if (running) {
      const status = await readStatus(client, id);
      const text = o.json ? JSON.stringify(status) : formatStatus(id, status);
      if (text !== last) {
        // on a terminal: redraw in place; in a pipe or log: a new table only when something changed
        process.stdout.write(tty && !o.json ? `\x1b[2J\x1b[H${text}\n(watching; Ctrl-C to stop)\n` : `${text}\n`);
        last = text;
      }
      await new Promise((r) => setTimeout(r, o.intervalMs));
      continue;
    }
    try {
      const result = (await handle.result()) as BumpResult;
      print(o.json, result, formatResult(result));
      if (result.branches.some((b) => b.outcome === 'failed')) process.exitCode = 1;
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw err;
      throw new UsageError(`the bump ${id} ended as ${description.status.name}`);
    }
    return;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function print(json: boolean, data: unknown, text: string): void {
  console.log(json ? JSON.stringify(data, null, 2) : text);
}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const settings = temporalSettings(env);
  const program = new Command('bumpflow')
    .description('Bump digest-pinned container images across release branches, with approval, one PR per branch.')
    .option('--config <file>', 'bumpflow config file (targets, approval policy); or BUMPFLOW_CONFIG', env.BUMPFLOW_CONFIG || undefined)
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      [
        '',
        'Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, BUMPFLOW_TASK_QUEUE, BUMPFLOW_UI_URL, BUMPFLOW_CONFIG.',
        'Exit codes: 0 done; 1 a bump or branch failed, or an approval was refused; 2 bad usage, input or config file; 3 Temporal not reachable.',
      ].join('\n'),
    );
  let config: BumpflowConfig | undefined;
  const configFile = (): BumpflowConfig | undefined => {
    const file = program.opts<{ config?: string }>().config;
    if (file === undefined) return undefined;
    config ??= loadConfig(file);
    return config;
  };

  program
    .command('bump')
    .description('start a bump of one service across main and every stable/* branch (or those named)')
    .argument('<service>', 'service (e.g. magnum) or full image name (ghcr.io/vexxhost/magnum)')
    .option('--repo <url>', 'target repo clone URL, e.g. https://github.com/vexxhost/atmosphere (or BUMPFLOW_TARGET_REPO)', env.BUMPFLOW_TARGET_REPO || undefined)
    .option('-t, --target <name>', 'a target repo named in the config file (its repo and vars file)')
    .option('-b, --branch <branch...>', 'branches to bump (repeat or comma-separate); default: main + every stable/*', collect)
    .option('-r, --reason <reason>', 'commit SHA, PR number, dependency pin (name==1.2.3) or release URL to prove is included')
    .option('--vars-file <path>', 'vars file in the target repo')
    .option('--approval-timeout <duration>', 'how long each branch waits for approval (e.g. 72h)')
    .option('--wait', 'wait for the bump to end and print every branch outcome')
    .option('--json', 'print JSON')
    .action(async (service: string, o: { repo?: string; target?: string; branch?: string[]; reason?: string; varsFile?: string; approvalTimeout?: string; wait?: boolean; json?: boolean }) => {
      const cfg = configFile();
      let target: { repo: string; varsFile?: string } | undefined;
      if (o.target !== undefined) {
        target = cfg?.targets[o.target];
        if (target === undefined) {
          const known = Object.keys(cfg?.targets ?? {});
          throw new UsageError(`expected --target to name a target of the config file, found ${JSON.stringify(o.target)}; known: ${known.join(', ') || (cfg ? 'none' : 'no config file given (--config)')}`);
        }
      }
      const repo = o.repo ?? target?.repo;
      if (repo === undefined) throw new UsageError('expected the target repo: --repo <url>, or --target <name> with a config file');
      const varsFile = o.varsFile ?? target?.varsFile;
      const approvalTimeout = o.approvalTimeout ?? cfg?.approval.timeout;
      const policy = cfg ? approvalPolicy(cfg) : [];
      const request: BumpRequest = {
        service,
        targetRepo: repo,
        ...(o.branch ? { branches: o.branch } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
        ...(varsFile ? { varsFile } : {}),
        ...(approvalTimeout ? { approvalTimeout } : {}),
        ...(policy.length > 0 ? { approvalPolicy: policy } : {}),
      };
      const client = await connect(settings);
      const handle = await startBump(client, settings, request);
      const url = workflowUiUrl(settings, handle.workflowId);
      if (!o.wait) {
        print(!!o.json, { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, url }, [
          `started ${handle.workflowId}`,
          `watch and approve in the Temporal UI: ${url}`,
          `or here: bumpflow status ${handle.workflowId}; bumpflow approve ${handle.workflowId} [--branch B]`,
        ].join('\n'));
        return;
      }
      const result = (await handle.result()) as BumpResult;
      print(!!o.json, result, formatResult(result));
      if (result.branches.some((b) => b.outcome === 'failed')) process.exitCode = 1;
    });

  program
    .command('status')
    .description('show every branch of a bump')
    .argument('<id>', 'bump workflow id (printed by bump)')
    .option('--json', 'print JSON')
    .option('-w, --watch', 'redraw until the bump ends, then print its result')
    .option('--interval <seconds>', 'seconds between redraws with --watch', '2')
    .action(async (id: string, o: { json?: boolean; watch?: boolean; interval: string }) => {
      const client = await connect(settings);
      if (!o.watch) {
        const status = await readStatus(client, id);
        print(!!o.json, status, formatStatus(id, status));
        return;
      }
      const seconds = Number(o.interval);
      if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600) throw new UsageError(`expected --interval in seconds (0.1 to 3600), found ${JSON.stringify(o.interval)}`);
      await watch(client, id, { json: !!o.json, intervalMs: seconds * 1000 });
    });

  program
    .command('list')
    .description('list bumps by state, from the search attributes (running ones unless --all)')
    .option('-s, --state <state>', 'only bumps in this state, e.g. awaiting-approval, blocked, running')
    .option('--service <service>', 'only bumps of this service')
    .option('--branches', 'list the branch workflows instead of the bumps')
    .option('-a, --all', 'include bumps that have ended')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (o: { state?: string; service?: string; branches?: boolean; all?: boolean; limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`expected --limit as a whole number from 1 to 10000, found ${JSON.stringify(o.limit)}`);
      for (const [name, value] of [['--state', o.state], ['--service', o.service]] as const) {
        if (value !== undefined && !/^[A-Za-z0-9._/-]+$/.test(value)) throw new UsageError(`expected ${name} of letters, digits, . _ / -, found ${JSON.stringify(value)}`);
      }
      const clauses = [`WorkflowType = '${o.branches ? WorkflowType.bumpBranch : WorkflowType.bumpImage}'`];
      if (!o.all) clauses.push(`ExecutionStatus = 'Running'`);
      if (o.state) clauses.push(`BumpState = '${o.state}'`);
      if (o.service) clauses.push(`BumpService = '${o.service}'`);
      const client = await connect(settings);
      const rows: ListedBump[] = [];
      for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
        rows.push({
          workflowId: wf.workflowId,
          service: wf.typedSearchAttributes.get(BumpService),
          branch: wf.typedSearchAttributes.get(BumpBranch),
          state: wf.typedSearchAttributes.get(BumpState),
          status: wf.status.name,
          started: wf.startTime.toISOString(),
          url: workflowUiUrl(settings, wf.workflowId),
        });
        if (rows.length >= limit) break;
      }
      print(!!o.json, rows, formatList(rows));
    });

  program
    .command('approve')
    .description('approve branches awaiting approval (all of them, or those named)')
    .argument('<id>', 'bump workflow id')
    .option('-b, --branch <branch...>', 'only these branches', collect)
    .option('--digest <digest>', 'approve only if this is the planned digest (needs one --branch)')
    .option('--approver <name>', 'who approves', env.USER)
    .option('--note <text>', 'replacement release-note text (same for every branch)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { branch?: string[]; digest?: string; approver?: string; note?: string; json?: boolean }) => {
      const client = await connect(settings);
      if (o.digest && (o.branch?.length ?? 0) !== 1) throw new UsageError('--digest binds an approval to one branch: give exactly one --branch');
      const status = await readStatus(client, id);
      const waiting = status.branches.filter((b) => b.state === 'awaiting-approval' && (!o.branch || o.branch.includes(b.branch) || o.branch.includes(b.tag)));
      if (waiting.length === 0) throw new UsageError(`no branch of ${id} is awaiting approval${o.branch ? ` among ${o.branch.join(', ')}` : ''}`);
      if (o.note) {
        // One note for every branch: the parent replaces it everywhere, then approves those named.
        const parent = client.workflow.getHandle(id);
        const approver = o.approver ? { approver: o.approver } : {};
        if (!o.branch) await parent.signal(approveSignal, { ...approver, note: o.note });
        else for (const b of waiting) await parent.signal(approveSignal, { branch: b.branch, ...approver, note: o.note });
        print(!!o.json, { approved: waiting.map((b) => b.branch) }, `approved ${waiting.map((b) => b.branch).join(', ')} with a new release note`);
        return;
      }
      const results: Array<{ branch: string; ok: boolean; message?: string }> = [];
      for (const b of waiting) {
        try {
          await client.workflow
            .getHandle(b.workflowId ?? branchWorkflowId(id, b.tag))
            .executeUpdate(approveUpdate, { args: [{ ...(o.digest ? { digest: o.digest } : {}), ...(o.approver ? { approver: o.approver } : {}) }] });
          results.push({ branch: b.branch, ok: true });
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          results.push({ branch: b.branch, ok: false, message: err.cause?.message ?? err.message });
        }
      }
      print(!!o.json, results, results.map((r) => (r.ok ? `approved ${r.branch}` : `refused ${r.branch}: ${r.message}`)).join('\n'));
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  program
    .command('reject')
    .description('reject branches of a bump (all undecided, or those named)')
    .argument('<id>', 'bump workflow id')
    .requiredOption('--reason <text>', 'why')
    .option('-b, --branch <branch...>', 'only these branches', collect)
    .option('--approver <name>', 'who rejects', env.USER)
    .action(async (id: string, o: { reason: string; branch?: string[]; approver?: string }) => {
      const client = await connect(settings);
      const status = await readStatus(client, id);
      const open = status.branches.filter((b) => ['pending', 'resolving', 'awaiting-approval', 'blocked'].includes(b.state) && (!o.branch || o.branch.includes(b.branch) || o.branch.includes(b.tag)));
      if (open.length === 0) throw new UsageError(`no undecided branch of ${id}${o.branch ? ` among ${o.branch.join(', ')}` : ''}`);
      for (const b of open) {
        try {
          await client.workflow.getHandle(b.workflowId ?? branchWorkflowId(id, b.tag)).executeUpdate(rejectUpdate, {
            args: [{ reason: o.reason, ...(o.approver ? { approver: o.approver } : {}) }],
          });
          console.log(`rejected ${b.branch}`);
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          console.log(`refused ${b.branch}: ${err.cause?.message ?? err.message}`);
          process.exitCode = 1;
        }
      }
    });

  program
    .command('retry')
    .description('make blocked branches try again (after an outage)')
    .argument('<id>', 'bump workflow id')
    .option('-b, --branch <branch>', 'only this branch')
    .action(async (id: string, o: { branch?: string }) => {
      const client = await connect(settings);
      await client.workflow.getHandle(id).signal(retrySignal, o.branch ? { branch: o.branch } : {});
      console.log(`asked ${o.branch ?? 'every blocked branch'} of ${id} to retry`);
    });
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`bumpflow: ${err.message}`);
      return 2;
    }
    if (err instanceof UnreachableError) {
      console.error(`bumpflow: ${err.message}`);
      return 3;
    }
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause as { type?: string; message?: string } | undefined;
      console.error(`bumpflow: the bump failed: ${cause?.type ?? 'Error'}: ${cause?.message ?? err.message}`);
      return 1;
    }
    console.error(`bumpflow: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
