/** The CLI run in this process, for the CLI tests: the whole program, as bin/bumpflow.js runs it. */
import { format } from 'node:util';
import { buildProgram } from '../../src/cli/main.js';
import { describeFailure } from '../../src/cli/kit/exitCodes.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bumpflow <args>` with exactly `env`; what it printed and its exit code, mapped as bin/bumpflow.js maps them. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(format(...a));
  console.error = (...a: unknown[]) => void err.push(format(...a));
  process.exitCode = undefined;
  let code: number;
  try {
    await buildProgram(env).parseAsync(['node', 'bumpflow', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const d = describeFailure(e);
    if (d.message !== undefined) err.push(`bumpflow: ${d.message}`);
    code = d.code;
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = undefined;
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** `runCli` in this process's environment plus `env`, without a config file unless `env` names one. */
export function runCliWithoutConfig(args: string[], env: Record<string, string>): Promise<Ran> {
  return runCli(args, { ...process.env, BUMPFLOW_CONFIG: '', ...env });
}
