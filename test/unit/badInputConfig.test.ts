/**
 * Issue 20's bad-input suite, part 1: every key of the config file
 * (test/support/badInput/configCases.ts). Each case is written to a file of
 * its own and loaded as the CLI and the worker load it (loadConfig, then the
 * worker's trust policy, which reads the key files); it must be a typed
 * ConfigError naming the file, the key path and its line, saying what was
 * expected and what was found, never showing a credential or a key's content,
 * never a stack trace, a raw pattern or zod's own wording; and nothing is
 * written beside the file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/configFile.js';
import { trustPolicyOf } from '../../src/trustPolicy.js';
import { configCases, PEM, SECRET } from '../support/badInput/configCases.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-bad-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** What no message may hold (what was found, quoted, aside): a stack frame, a raw pattern, zod's own wording. */
const UNCLEAR = [
  /\n\s+at \S+ \(|\.[jt]s:\d+:\d+/,
  /\\[dswDSW]|\[\^|\(\?[:=!]|\{\d+,\d*\}|\]\+|\]\*|\/\^/,
  /Invalid input|Too small|Too big|Invalid option|Invalid string|Invalid key|received/,
  /\[object Object\]|undefined/,
];

/** Loads the config as the worker does when it starts: the file, then the files its signature rules name. */
function loadAsWorker(file: string): void {
  trustPolicyOf(loadConfig(file), file);
}

void describe('bad input in the config file: a ConfigError naming the file, key, line, expected and found', () => {
  void it('covers every section, at least 70 cases', () => {
    assert.ok(configCases.length >= 70, `${configCases.length} cases`);
    const sections = new Set(configCases.map((c) => c.key.split('.')[0]));
    for (const section of ['targets', 'registry', 'credentials', 'approval', 'signatures', 'promotion'])
      assert.ok(sections.has(section), section);
    for (const section of ['cleanup', 'notifications', 'catalog', ''])
      assert.ok(sections.has(section), section);
  });

  for (const [i, c] of configCases.entries()) {
    void it(`${i}: ${c.key || '(top level)'}: ${JSON.stringify(c.yaml).slice(0, 100)}`, async () => {
      const caseDir = path.join(dir, `case-${i}`);
      await mkdir(caseDir);
      const file = path.join(caseDir, 'bumpflow.yaml');
      await writeFile(file, c.yaml);
      for (const [name, text] of Object.entries(c.files ?? {}))
        await writeFile(path.join(caseDir, name), text);
      const before = (await readdir(caseDir)).sort();
      let error: unknown;
      try {
        loadAsWorker(file);
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof ConfigError, `a ConfigError, got ${String(error)}`);
      assert.equal(error.file, file);
      assert.equal(error.key, c.key);
      assert.equal(error.line, c.line);
      const where = `${file}${c.line === undefined ? '' : `:${c.line}`}: ${c.key || '(top level)'}: `;
      assert.ok(error.message.startsWith(where), `${error.message} starts with ${where}`);
      const problem = error.message.slice(where.length);
      assert.match(problem, c.says);
      assert.match(problem, /expected .*[,;] found/);
      assert.ok(!error.message.includes(SECRET), 'a credential is never shown back');
      assert.ok(!error.message.includes(PEM.private.split('\n')[1]!), "a key's content is never shown");
      const words = problem.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
      for (const unclear of UNCLEAR) assert.doesNotMatch(words, unclear);
      assert.deepEqual((await readdir(caseDir)).sort(), before, 'nothing written');
    });
  }
});
