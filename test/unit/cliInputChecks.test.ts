/**
 * Issue 20: input the CLI must refuse (exit 2) before it reaches the Temporal
 * server. The CLI runs in this process against an address where nothing
 * listens: a value that got past the checks would end in exit 3 (server not
 * reachable), so exit 2 proves it was refused first. Also the schemas and the
 * approve payload that refuse the same values at the workflow.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../support/cliInProcess.js';
import { approvePayloadSchema, parsePayload } from '../../src/shared/payloads.js';
import { bumpInputSchema } from '../../src/shared/bump.js';
import { cleanupSpecSchema, rollbackInputSchema } from '../../src/shared/tags.js';
import { checkRollbackTarget } from '../../src/lib/tags/rollbackChoice.js';
import { DURATIONS, parseDuration } from '../../src/lib/kit/duration.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

const IMAGE = 'ghcr.io/vexxhost/magnum';
const REPO = 'https://github.com/vexxhost/atmosphere';

void describe('item 1: a release note with a tab or a control character', () => {
  for (const note of ['Fixes\tthe flag.', 'Fixes\u0007 the flag.', '']) {
    void it(`approve --note ${JSON.stringify(note)} is exit 2, nothing sent`, async () => {
      const r = await cli('approve', 'bump/x/y/z', '--note', note);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--note: expected release-note text/);
    });
  }
  void it('the approve payload refuses it (recorded as a refusal, never a failed workflow)', () => {
    const p = parsePayload(approvePayloadSchema, { note: 'Fixes\tthe flag.' }, 'approve');
    assert.equal(p.ok, false);
    assert.match(!p.ok ? p.problem : '', /approve refused: .*note: expected release-note text without tabs/);
    assert.equal(parsePayload(approvePayloadSchema, { note: 'Fixes the flag.' }, 'approve').ok, true);
    // an empty note stays "no replacement", as the handlers read it
    assert.equal(parsePayload(approvePayloadSchema, { note: ' ' }, 'approve').ok, true);
  });
});

void describe('item 2: one duration parser, with bounds, for every flag and schema', () => {
  for (const [args, flag] of [
    [['cleanup', IMAGE, '--tags', 'change_*', '--older-than', 'soon'], '--older-than'],
    [
      ['promote', IMAGE, '--from', 'staging', '--to', 'prod', '--approval-timeout', '0s'],
      '--approval-timeout',
    ],
    [['rollback', IMAGE, '--approval-timeout', '72'], '--approval-timeout'],
    [['bump', 'magnum', '--repo', REPO, '--approval-timeout', '400d'], '--approval-timeout'],
    [['sweep', '--repo', REPO, '--approval-timeout', 'x'], '--approval-timeout'],
    [['schedule', 'create', 's', '--every', '99999999d', '--', 'sweep', '--repo', REPO], '--every'],
    [['schedule', 'create', 's', '--every', '1ms', '--', 'sweep', '--repo', REPO], '--every'],
  ] as const) {
    void it(`${args.join(' ')} → exit 2 naming what was expected and found`, async () => {
      const r = await cli(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(flag), r.stderr);
      assert.match(r.stderr, /expected .* as a positive duration from \S+ to \S+ of numbers .*, found "/);
      assert.doesNotMatch(r.stderr, /\\d\+|\(\?:/, 'no raw pattern');
    });
  }
  void it('1d12h, the form --help gives, is taken by the clean-up schema', () => {
    const spec = cleanupSpecSchema.parse({ patterns: ['change_*'], olderThan: '1d12h' });
    assert.equal(parseDuration(spec.olderThan), 36 * 3_600_000);
  });
  void it('the bump schema refuses 0s and says what it found, not a pattern', () => {
    const r = bumpInputSchema.safeParse({ service: 'magnum', targetRepo: REPO, approvalTimeout: '0s' });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /expected an approval timeout .*, found "0s"/);
    assert.equal(
      bumpInputSchema.parse({ service: 'magnum', targetRepo: REPO, approvalTimeout: '1d12h' })
        .approvalTimeout,
      '1d12h',
    );
  });
  void it('bounds: below the least, above the most', () => {
    assert.throws(() => parseDuration('30s', DURATIONS.every), /shorter than 1m/);
    assert.throws(() => parseDuration('367d', DURATIONS.approvalTimeout), /longer than 366d/);
    assert.equal(parseDuration('200ms', DURATIONS.retryInterval), 200);
  });
});

void describe('item 3: a rollback target that is not a stamp of the tag', () => {
  void it('rollback --to staging is exit 2; --force-target takes it', async () => {
    const r = await cli('rollback', IMAGE, '--to', 'staging');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /expected the rollback target to be a stamp of :prod .*found "staging"/);
    const forced = await cli('rollback', IMAGE, '--to', 'staging', '--force-target');
    assert.equal(forced.code, 3, forced.stderr); // past the checks: it tries the server
    const stamp = await cli('rollback', IMAGE, '--to', 'prod-20250101-abcdef1');
    assert.equal(stamp.code, 3, stamp.stderr);
  });
  void it('the workflow input is checked the same way (BadInput)', () => {
    assert.throws(
      () => checkRollbackTarget('prod', 'staging'),
      (err: unknown) => err instanceof BumpflowError && err.type === FatalFailure.BadInput,
    );
    assert.doesNotThrow(() => checkRollbackTarget('prod', 'staging', true));
    assert.doesNotThrow(() => checkRollbackTarget('prod', 'prod-20250101-abcdef1'));
    const input = rollbackInputSchema.parse({
      image: { registry: 'ghcr.io', repository: 'vexxhost/magnum' },
      to: 'staging',
      forceTarget: true,
    });
    assert.equal(input.forceTarget, true);
  });
});

void describe("item 4: --reason ''", () => {
  void it("bump --reason '' is exit 2, not a bump without a reason", async () => {
    const r = await cli('bump', 'magnum', '--repo', REPO, '--reason', '');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /expected a reason as .*found ""/);
  });
  void it("reject --reason '' is exit 2", async () => {
    const r = await cli('reject', 'bump/x/y/z', '--reason', ' ');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--reason: expected a reason saying why .*found " "/);
  });
});
