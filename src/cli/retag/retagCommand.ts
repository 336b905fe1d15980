/**
 * `bumpflow retag --manifest <repo-url> --path <file> [--ref <branch|commit>]
 * [--dry-run] [--repush IMAGE …] [--mirror FROM=TO …]`: starts the retag of a
 * reviewed manifest at one commit, waits for its plan, prints it and how to
 * approve it; `--dry-run` prints the plan and writes nothing; `--wait` waits
 * for the end. Everything typed is checked before anything starts (exit 2).
 */
import type { Command } from 'commander';
import { workflowUiUrl } from '../../config.js';
import type { RetagManifestRequest } from '../../shared/messages.js';
import { print, type CliContext } from '../kit/context.js';
import { operatorName } from '../kit/operator.js';
import { checked, checkedList, durationFlag } from '../kit/flags.js';
import { DURATIONS } from '../../lib/kit/duration.js';
import { parseRepoUrl } from '../../lib/kit/repoUrl.js';
import { assertRepoPath } from '../../lib/kit/repoPath.js';
import { normalizeImageRepository } from '../../lib/kit/imageRef.js';
import { ExitCode } from '../kit/exitCodes.js';
import { formatRetagStatus } from './retagFormat.js';
import { assertRef, checkRetagRequest, mirrorOption, mirrorPair, startRetag } from './retagStart.js';
import { reportRetagResult, RETAG_ENDED, retagResult, whenPlanned } from './retagView.js';

interface RetagOptions {
  manifest: string;
  path: string;
  ref?: string;
  dryRun?: boolean;
  repush?: string[];
  mirror?: string[];
  approvalTimeout?: string;
  wait?: boolean;
  json?: boolean;
  wide?: boolean;
}

export function registerRetag(program: Command, ctx: CliContext): void {
  program
    .command('retag')
    .description(
      'retag images from a reviewed manifest (src_build_tag → tag, create-only) at one commit, after approval',
    )
    .requiredOption(
      '--manifest <repo-url>',
      'the git repository holding the manifest',
      checked('--manifest', parseRepoUrl),
    )
    .requiredOption('--path <file>', "the manifest's path in it", checked('--path', assertRepoPath))
    .option(
      '--ref <branch|commit>',
      'the branch (its head now) or commit to read it at',
      checked('--ref', assertRef),
      'main',
    )
    .option('--dry-run', 'print the plan and write nothing')
    .option(
      '--repush <image...>',
      'move this image’s conflicting tag (after approval)',
      checkedList('--repush', normalizeImageRepository),
    )
    .option(
      '--mirror <from=to...>',
      'read and write FROM (a name prefix) at TO (registry/namespace)',
      checkedList('--mirror', mirrorPair),
    )
    .option(
      '--approval-timeout <duration>',
      'how long the plan waits for approval (e.g. 72h)',
      durationFlag('--approval-timeout', DURATIONS.approvalTimeout),
    )
    .option('--wait', 'wait for the retag to end and print every entry')
    .option('--json', 'print JSON')
    .option('--wide', 'print the plan with one line per entry, however wide (default: within 100 columns)')
    .action(async (o: RetagOptions) => {
      const text = { wide: !!o.wide };
      const request: RetagManifestRequest = {
        repoUrl: o.manifest,
        path: o.path,
        ref: o.ref ?? 'main',
        dryRun: !!o.dryRun,
        repush: o.repush ?? [],
        mirror: mirrorOption(o.mirror ?? []),
        ...(o.approvalTimeout ? { approvalTimeout: o.approvalTimeout } : {}),
        requestedBy: operatorName(ctx.env),
      };
      checkRetagRequest(request); // before anything connects
      const client = await ctx.client();
      const { workflowId, commit, started } = await startRetag(client, ctx.settings, ctx.env, request);
      const url = workflowUiUrl(ctx.settings, workflowId);
      if (!o.json)
        console.log(
          `${started ? 'started' : 'already running, attached to'} ${workflowId} (commit ${commit})\n${url}`,
        );
      const planned = await whenPlanned(client, workflowId);
      if (o.wait || o.dryRun || RETAG_ENDED.includes(planned.state)) {
        if (o.wait && !o.json && !RETAG_ENDED.includes(planned.state))
          console.log(`${formatRetagStatus(workflowId, planned, text)}\nwaiting for ${workflowId} to end…`);
        reportRetagResult(workflowId, await retagResult(client, workflowId), !!o.json, text);
        return;
      }
      print(
        !!o.json,
        { workflowId, commit, started, url, ...planned },
        formatRetagStatus(workflowId, planned, text),
      );
      if (planned.state === 'blocked') process.exitCode = ExitCode.failed;
    });
}
