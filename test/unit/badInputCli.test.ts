/**
 * Issue 20's bad-input suite, part 1: every flag and argument of every CLI
 * command (test/support/badInput/cliCases.ts). The CLI runs in this process
 * against an address where nothing listens, so each case's exit 2 proves the
 * value was refused before anything reached a server (exit 3 would mean it got
 * through). Per case: the exit code, the message (the flag or argument, what
 * was expected, what was found), no secret shown back, no stack trace, raw
 * pattern or zod default message, nothing printed as a result and nothing
 * written (the work directory stays empty).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cliWith } from '../support/cliInProcess.js';
import { cliCases, SECRET } from '../support/badInput/cliCases.js';

let dir: string;
let workDir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-bad-cli-'));
  workDir = path.join(dir, 'work');
});
after(() => rm(dir, { recursive: true, force: true }));

/** What no message may hold: a stack frame, a raw regular expression, zod's own wording. */
const UNCLEAR = [
  /\n\s+at \S+ \(|\.[jt]s:\d+:\d+/,
  /\\[dswDSW]|\[\^|\(\?[:=!]|\{\d+,\d*\}|\]\+|\]\*|\/\^/,
  /Invalid input|Too small|Too big|Invalid option|Invalid string|Invalid key/,
  /\[object Object\]|undefined/,
];

void describe('bad input at the CLI: refused before anything reaches a server', () => {
  void it('covers every command, at least 190 cases', () => {
    assert.ok(cliCases.length >= 190, `${cliCases.length} cases`);
    const commands = new Set(cliCases.map((c) => c.args.find((a) => !a.startsWith('-'))));
    for (const command of ['bump', 'status', 'list', 'approve', 'reject', 'retry', 'promote', 'rollback'])
      assert.ok(commands.has(command), command);
    for (const command of ['cleanup', 'tags', 'retag', 'sweep', 'schedule', 'catalog'])
      assert.ok(commands.has(command), command);
  });

  for (const [i, c] of cliCases.entries()) {
    void it(`${i}: bumpflow ${c.args.map((a) => JSON.stringify(a)).join(' ')}`, async () => {
      const env: Record<string, string> = { BUMPFLOW_WORK_DIR: workDir, ...c.env };
      if (c.config !== undefined) {
        const file = path.join(dir, `case-${i}`, 'bumpflow.yaml');
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, c.config);
        env.BUMPFLOW_CONFIG = file;
      }
      const r = await cliWith(env, ...c.args);
      assert.equal(r.code, c.code, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, c.says);
      assert.equal(r.stdout, '', 'nothing printed as a result');
      const said = r.stderr.split('\n').filter((l) => l.startsWith('bumpflow: ') || l.startsWith('error: '));
      assert.equal(said.length, 1, `one refusal: ${r.stderr}`);
      assert.ok(!(r.stdout + r.stderr).includes(SECRET), 'a credential is never shown back');
      // what was found is quoted as typed; the rest of the message must read clearly
      const words = said[0]!.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
      for (const unclear of UNCLEAR) assert.doesNotMatch(words, unclear);
      if (said[0]!.startsWith('bumpflow: '))
        assert.match(
          said[0]!,
          /^bumpflow: \S+(?: \(or [^)]+\))?: (?:\(top level\): |[\w.]+: )?expected .*[,;] found:? /,
        );
      assert.deepEqual(await readdir(workDir).catch(() => []), [], 'nothing written');
    });
  }
});
