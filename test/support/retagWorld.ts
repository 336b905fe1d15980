/**
 * Test support of the retag tests: the retag world (src/sandbox/retagWorld.ts,
 * which the history recorder uses too) and the CLI run in this process.
 */
import { format } from 'node:util';
import { buildProgram } from '../../src/cli/main.js';
import { describeFailure } from '../../src/cli/exitCodes.js';

export * from '../../src/sandbox/retagWorld.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, as bin/bumpflow.js does (same program, same exit-code mapping). */
export async function bumpflow(args: string[], env: Record<string, string>): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(format(...a));
  console.error = (...a: unknown[]) => void err.push(format(...a));
  process.exitCode = undefined;
  let code: number;
  try {
    await buildProgram({ ...process.env, BUMPFLOW_CONFIG: '', ...env }).parseAsync([
      'node',
      'bumpflow',
      ...args,
    ]);
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
