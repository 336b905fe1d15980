/**
 * The CLI's exit codes, in one place: what each means, the errors that carry
 * them, and the line `--help` shows.
 */
import { CommanderError } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { BumpflowError, FatalFailure } from '../../shared/failures.js';
import { ConfigError } from '../../configFile.js';

export const ExitCode = {
  /** done */
  ok: 0,
  /** a bump or branch failed, an approval was refused, or the command reached nothing */
  failed: 1,
  /** bad usage, input or config file */
  usage: 2,
  /** the Temporal server is not reachable */
  unreachable: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodesHelp =
  'Exit codes: 0 done; 1 a bump or branch failed, an approval was refused, or nothing was waiting for the command; 2 bad usage, input or config file; 3 Temporal not reachable.';

/** An error the CLI reports as `bumpflow: <message>` with its exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad usage or input: exit 2. */
export function usage(message: string): CliError {
  return new CliError(ExitCode.usage, message);
}

/** The command reached nothing, or was refused: exit 1. */
export function refused(message: string): CliError {
  return new CliError(ExitCode.failed, message);
}

export function unreachable(message: string): CliError {
  return new CliError(ExitCode.unreachable, message);
}

/**
 * The typed failure a workflow ended with: the innermost cause that names a
 * type (a failed activity's ApplicationFailure, not "Activity task failed").
 */
export function typedCause(err: WorkflowFailedError): { type: string; message: string } {
  let typed: { type?: unknown; message?: unknown } | undefined;
  for (let e: unknown = err.cause, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    const c = e as { type?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.type === 'string' && c.type !== '') typed = c;
    e = c.cause;
  }
  const outer = err.cause as { message?: unknown } | undefined;
  return {
    type: typeof typed?.type === 'string' ? typed.type : 'Error',
    message: String(typed?.message ?? outer?.message ?? err.message),
  };
}

/** Failures that say the input (an argument, a manifest, a file it names) is unusable: exit 2, as a bad argument. */
const INPUT_FAILURES: readonly string[] = [FatalFailure.BadInput, FatalFailure.MalformedManifest];

/** `<what> failed: <type>: <message>`, exit 2 for a refused input, else 1. */
export function workflowFailed(what: string, err: WorkflowFailedError): CliError {
  const cause = typedCause(err);
  const message = `${what} failed: ${cause.type}: ${cause.message}`;
  return INPUT_FAILURES.includes(cause.type) ? usage(message) : refused(message);
}

/** The exit code and the line to print (none for commander's own usage output) for an error. */
export function describeFailure(err: unknown): { code: ExitCodeValue; message?: string } {
  if (err instanceof CommanderError) return { code: err.exitCode === 0 ? ExitCode.ok : ExitCode.usage };
  if (err instanceof CliError) return { code: err.exitCode, message: err.message };
  if (err instanceof ConfigError) return { code: ExitCode.usage, message: err.message };
  if (err instanceof BumpflowError && err.type === FatalFailure.BadInput)
    return { code: ExitCode.usage, message: err.message };
  if (err instanceof WorkflowFailedError) {
    const failed = workflowFailed('the workflow', err);
    return { code: failed.exitCode, message: failed.message };
  }
  return { code: ExitCode.failed, message: err instanceof Error ? err.message : String(err) };
}
