/**
 * The worker's log lines name a failure: Temporal's own "Workflow failed" and
 * "Activity failed" lines pass Error objects, which JSON writes as `{}`. Each
 * error becomes plain fields — type, message, and its causes' types and
 * messages — with no stack or details, and secrets masked as in every line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';
import { errorFields, formatLogEntry } from '../../src/observability.js';

const SECRET = 'ghp_s3cr3tT0ken';

/** What an activity's RepoNotFound looks like to the workflow: an ActivityFailure caused by the ApplicationFailure, caused by git's error. */
function failedActivity(): ActivityFailure {
  const git = new Error(`fatal: could not read from https://x:${SECRET}@github.com/nope/nope`);
  const typed = ApplicationFailure.create({
    type: 'RepoNotFound',
    message: 'expected a git repository at https://github.com/nope/nope, found none',
    nonRetryable: true,
    details: [{ token: SECRET }],
    cause: git,
  });
  return new ActivityFailure(
    'Activity task failed',
    'listBranches',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'w',
    typed,
  );
}

function entry(meta: Record<string, unknown>): LogEntry {
  return { level: 'WARN', message: 'Workflow failed', timestampNanos: 1_700_000_000_000_000_000n, meta };
}

void describe('errors in log lines', () => {
  void it('an ApplicationFailure with a cause: its type, message and the cause chain', () => {
    const fields = errorFields(failedActivity());
    assert.deepEqual(fields, {
      errorType: 'ActivityFailure',
      errorMessage: 'Activity task failed',
      errorCauses: [
        'RepoNotFound: expected a git repository at https://github.com/nope/nope, found none',
        `Error: fatal: could not read from https://x:${SECRET}@github.com/nope/nope`,
      ],
    });
    const app = ApplicationFailure.create({ type: 'Rejected', message: 'no', nonRetryable: true });
    assert.deepEqual(errorFields(app, 'failure'), { failureType: 'Rejected', failureMessage: 'no' });
  });

  void it('a JSON line carries the fields, never `{}`, no stack or details, secrets masked', () => {
    const line = formatLogEntry(entry({ workflowId: 'bump/o/r/magnum', error: failedActivity() }), 'json', [
      SECRET,
    ]);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.msg, 'Workflow failed');
    assert.equal(parsed.workflowId, 'bump/o/r/magnum');
    assert.equal('error' in parsed, false);
    assert.equal(parsed.errorType, 'ActivityFailure');
    assert.equal(parsed.errorMessage, 'Activity task failed');
    assert.deepEqual(parsed.errorCauses, [
      'RepoNotFound: expected a git repository at https://github.com/nope/nope, found none',
      'Error: fatal: could not read from https://x:[redacted]@github.com/nope/nope',
    ]);
    assert.doesNotMatch(line, /\{\}|stack| {4}at |details/);
    assert.ok(!line.includes(SECRET));
  });

  void it('the text format too', () => {
    const line = formatLogEntry(entry({ error: failedActivity() }), 'text', [SECRET]);
    assert.match(line, /^2023-11-14T22:13:20\.000Z WARN {2}Workflow failed \{"errorType":"ActivityFailure",/);
    assert.match(line, /"errorCauses":\["RepoNotFound: expected a git repository/);
    assert.doesNotMatch(line, /"error":\{\}/);
    assert.ok(!line.includes(SECRET));
  });

  void it("a workflow's error: from its sandbox (another realm) or cloned across the thread, class kept from the stack", () => {
    const sandboxed = vm.runInNewContext('new TypeError("bad state")') as unknown as Error;
    assert.equal(sandboxed instanceof Error, false, 'another realm: instanceof fails');
    const fromSandbox = JSON.parse(formatLogEntry(entry({ error: sandboxed }), 'json', [])) as Record<
      string,
      unknown
    >;
    assert.equal(fromSandbox.errorType, 'TypeError');
    assert.equal(fromSandbox.errorMessage, 'bad state');

    // what the workflow thread's postMessage delivers: a plain Error, class and type lost, cause kept
    const cloned = structuredClone(
      ApplicationFailure.create({ type: 'RepoNotFound', message: 'gone', cause: new RangeError('inner') }),
    );
    assert.equal(cloned.name, 'Error');
    assert.deepEqual(errorFields(cloned), {
      errorType: 'ApplicationFailure',
      errorMessage: 'gone',
      errorCauses: ['RangeError: inner'],
    });
  });

  void it('an error deeper in the metadata is `type: message`; a cycle of causes ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const line = formatLogEntry(entry({ detail: { inner: new SyntaxError('bad') }, error: a }), 'json', []);
    const parsed = JSON.parse(line) as { detail: unknown; errorCauses: unknown };
    assert.deepEqual(parsed.detail, { inner: 'SyntaxError: bad' });
    assert.deepEqual(parsed.errorCauses, ['Error: b']);
  });
});
