/**
 * The CLI run in this process (main(), as bin/bumpflow.js runs it) against an
 * address where nothing listens (127.0.0.1:1), with no config file and no
 * target repo from the environment: a value refused before anything reached a
 * server is exit 2; one that got past the checks ends in exit 3 (server not
 * reachable). What it printed is captured: console.log (every result the
 * commands print) as stdout; console.error and stderr (commander's own usage
 * errors) as stderr. process.stdout is left alone: the test runner reports there.
 */
import { main } from '../../src/cli/main.js';

export const OFFLINE_ADDRESS = '127.0.0.1:1';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables the CLI reads that the machine's environment must not decide here. */
const CLEARED = ['BUMPFLOW_CONFIG', 'BUMPFLOW_TARGET_REPO', 'BUMPFLOW_TASK_QUEUE', 'TEMPORAL_NAMESPACE'];

/** Runs `bumpflow <args>` in this process with `env` on top of an offline, config-less environment. */
export async function cliWith(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const saved = new Map<string, string | undefined>();
  const set = (key: string, value: string | undefined) => {
    if (!saved.has(key)) saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  for (const key of CLEARED) set(key, undefined);
  set('TEMPORAL_ADDRESS', OFFLINE_ADDRESS);
  for (const [key, value] of Object.entries(env)) set(key, value);
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const writeErr = process.stderr.write.bind(process.stderr);
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.map(String).join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as never;
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'bumpflow', ...args]);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Runs `bumpflow <args>` in this process, offline and without a config file. */
export function cli(...args: string[]): Promise<CliRun> {
  return cliWith({}, ...args);
}
