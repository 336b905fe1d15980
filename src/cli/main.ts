#!/usr/bin/env node
/**
 * bumpflow: the operator's CLI. Builds the program from one file per
 * subcommand (each procedure's in its folder, src/cli/<procedure>/*Command.ts;
 * those acting on any procedure's run in src/cli/commands/), parses the
 * arguments and maps every error to its exit code (src/cli/kit/exitCodes.ts) in one place.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { temporalSettings } from '../config.js';
import { createContext } from './kit/context.js';
import { describeFailure, exitCodesHelp } from './kit/exitCodes.js';
import { registerBump } from './bump/bumpCommand.js';
import { registerStatus } from './commands/status.js';
import { registerList } from './commands/list.js';
import { registerApprove } from './commands/approve.js';
import { registerReject } from './commands/reject.js';
import { registerRetry } from './commands/retry.js';
import { registerPromote } from './tags/promoteCommand.js';
import { registerRollback } from './tags/rollbackCommand.js';
import { registerCleanup } from './tags/cleanupCommand.js';
import { registerTags } from './tags/tagsCommand.js';
import { registerRetag } from './retag/retagCommand.js';
import { registerSweep } from './sweep/sweepCommand.js';
import { registerSchedule } from './schedule/scheduleCommand.js';
import { registerCatalog } from './catalog/catalogCommand.js';
import { exitQuietlyWhenStdoutCloses } from './kit/closedStdout.js';

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('bumpflow')
    .description(
      [
        'Bump digest-pinned container images across release branches, with approval, one PR per branch;',
        'promote, roll back and clean up the tags of an image repository (signed digests only, one',
        'mutation of a repository at a time, after approval), and list its tags with their signatures.',
      ].join(' '),
    )
    .option(
      '--config <file>',
      'bumpflow config file (targets, approval policy); or BUMPFLOW_CONFIG',
      env.BUMPFLOW_CONFIG || undefined,
    )
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      [
        '',
        'Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, BUMPFLOW_TASK_QUEUE, BUMPFLOW_UI_URL, BUMPFLOW_CONFIG.',
        exitCodesHelp,
      ].join('\n'),
    );
  const ctx = createContext(env, temporalSettings(env), () => program.opts<{ config?: string }>().config);
  for (const register of [
    registerBump,
    registerStatus,
    registerList,
    registerApprove,
    registerReject,
    registerRetry,
    registerPromote,
    registerRollback,
    registerCleanup,
    registerTags,
    registerRetag,
    registerSweep,
    registerSchedule,
    registerCatalog,
  ]) {
    register(program, ctx);
  }
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const { code, message } = describeFailure(err);
    if (message !== undefined) console.error(`bumpflow: ${message}`);
    return code;
  }
}

/** What bin/bumpflow.js runs (through src/client.ts): main(), ending quietly when stdout is closed early (`| head`). */
export function run(argv: string[] = process.argv): Promise<number> {
  exitQuietlyWhenStdoutCloses();
  return main(argv);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await run();
}
