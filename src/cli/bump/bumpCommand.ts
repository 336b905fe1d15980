/** `bumpflow bump <service>`: checks the target repo URL, then starts the bump (and waits with --wait). */
import { WorkflowFailedError } from '@temporalio/client';
import { Option, type Command } from 'commander';
import type { BumpRequest, BumpResult } from '../../shared/messages.js';
import { workflowUiUrl } from '../../config.js';
import { approvalPolicy } from '../../configFile.js';
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { parseReason } from '../../lib/bump/reason.js';
import { formatResult } from '../kit/format.js';
import { ExitCode, usage, workflowFailed } from '../kit/exitCodes.js';
import { print, type CliContext } from '../kit/context.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { checkBumpRequest, startBump } from './start.js';
import { waitTellingPickup } from '../kit/pickup.js';
import { checked, checkedList, durationFlag, parsedAs, targetOf } from '../kit/flags.js';
import { serviceImage } from '../../lib/bump/serviceSelection.js';
import { assertBumpBranch } from '../../lib/kit/branches.js';
import { assertRepoPath } from '../../lib/kit/repoPath.js';

interface BumpOptions {
  repo?: string;
  target?: string;
  branch?: string[];
  reason?: string;
  varsFile?: string;
  approvalTimeout?: string;
  wait?: boolean;
  json?: boolean;
}

export function registerBump(program: Command, ctx: CliContext): void {
  program
    .command('bump')
    .description('start a bump of one service across main and every stable/* branch (or those named)')
    .argument(
      '<service>',
      'service (e.g. magnum) or full image name (ghcr.io/vexxhost/magnum)',
      checked('<service>', serviceImage),
    )
    .addOption(
      new Option(
        '--repo <url>',
        'target repo clone URL, e.g. https://github.com/vexxhost/atmosphere (or BUMPFLOW_TARGET_REPO)',
      )
        .default(ctx.env.BUMPFLOW_TARGET_REPO || undefined)
        .argParser(checked('--repo', parseRepoUrl))
        .conflicts('target'),
    )
    .option('-t, --target <name>', 'a target repo named in the config file (its repo and vars file)')
    .option(
      '-b, --branch <branch...>',
      'branches to bump (repeat or comma-separate); default: main + every stable/*',
      checkedList('--branch', assertBumpBranch),
    )
    .option(
      '-r, --reason <reason>',
      'commit SHA, PR number, dependency pin (name==1.2.3) or release URL to prove is included',
      checked('--reason', parseReason),
    )
    .option('--vars-file <path>', 'vars file in the target repo', checked('--vars-file', assertRepoPath))
    .option(
      '--approval-timeout <duration>',
      'how long each branch waits for approval (e.g. 72h)',
      durationFlag('--approval-timeout', DURATIONS.approvalTimeout),
    )
    .option('--wait', 'wait for the bump to end and print every branch outcome')
    .option('--json', 'print JSON')
    .action(async (service: string, o: BumpOptions) => {
      const cfg = ctx.config();
      const target = o.target === undefined ? undefined : targetOf(ctx, o.target);
      const raw = o.repo ?? target?.repo;
      if (raw === undefined)
        throw usage(
          '--repo: expected the target repo: --repo <url>, or --target <name> with a config file, found neither',
        );
      // Checked before anything is started: a bad URL (credentials, shell characters, other schemes) is exit 2.
      const repo = parsedAs(
        o.repo !== undefined ? '--repo (or BUMPFLOW_TARGET_REPO)' : '--target',
        parseRepoUrl,
        raw,
      );
      const varsFile = o.varsFile ?? target?.varsFile;
      const approvalTimeout = o.approvalTimeout ?? cfg?.approval.timeout;
      const policy = cfg ? approvalPolicy(cfg) : [];
      const request: BumpRequest = {
        service,
        targetRepo: repo.url,
        ...(o.branch ? { branches: o.branch } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        ...(varsFile ? { varsFile } : {}),
        ...(approvalTimeout ? { approvalTimeout } : {}),
        ...(policy.length > 0 ? { approvalPolicy: policy } : {}),
      };
      checkBumpRequest(request);
      const client = await ctx.client();
      const handle = await startBump(client, ctx.settings, request);
      const url = workflowUiUrl(ctx.settings, handle.workflowId);
      if (!o.wait) {
        print(
          !!o.json,
          { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, url, targetRepo: repo.url },
          [
            `started ${handle.workflowId}`,
            `watch and approve in the Temporal UI: ${url}`,
            `or here: bumpflow status ${handle.workflowId}; bumpflow approve ${handle.workflowId} [--branch B]`,
          ].join('\n'),
        );
        return;
      }
      const finished = handle.result().catch((err: unknown) => {
        throw err instanceof WorkflowFailedError ? workflowFailed(`the bump ${handle.workflowId}`, err) : err;
      });
      const result = (await waitTellingPickup(handle, ctx.settings.taskQueue, finished)) as BumpResult;
      print(!!o.json, result, formatResult(result));
      if (result.branches.some((b) => b.outcome === 'failed')) process.exitCode = ExitCode.failed;
    });
}
