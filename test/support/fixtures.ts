/** Small fixtures several test files share: a notice as a workflow states it, and a config refusal's shape. */
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/configFile.js';
import type { Notice } from '../../src/shared/notices.js';

/** A bump's notice awaiting approval on `branches` (default: main), with `over` on top. */
export function sampleNotice(over: Partial<Notice> = {}): Notice {
  return {
    procedure: 'bump',
    state: 'awaiting-approval',
    subject: 'keystone in github.com/vexxhost/atmosphere',
    workflowId: 'bump/vexxhost/atmosphere/keystone',
    runId: 'run-1',
    branches: ['main'],
    prs: [],
    key: 'awaiting-approval',
    ...over,
  };
}

/** Asserts that `text` is refused as a ConfigError at `key` on `line`, its message matching `message`. */
export function refusedConfig(text: string, key: string, line: number, message: RegExp): void {
  assert.throws(
    () => parseConfig(text, 'bumpflow.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.key, key);
      assert.equal(err.line, line);
      assert.match(err.message, new RegExp(`^bumpflow\\.yaml:${line}: ${key.replace(/\./g, '\\.')}: `));
      assert.match(err.message, message);
      return true;
    },
  );
}
