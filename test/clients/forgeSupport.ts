/**
 * What the forge tests share: a per-run token, the pull request they open,
 * failure assertions, and a raw HTTP server for what the GitHub stand-in
 * (a test double) cannot do.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import { BumpflowError, type FailureType } from '../../src/shared/failures.js';
import { toApplicationFailure } from '../../src/shared/temporalFailure.js';

// Made per run, so no token-shaped literal is tracked.
export const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
export const OWNER = 'vexxhost';
export const REPO = 'atmosphere';
export const PR_INPUT = {
  owner: OWNER,
  repo: REPO,
  head: 'bump-magnum-main',
  base: 'main',
  title: 'fix(magnum): bump magnum image (main)',
  body: 'old → new',
};

/** Awaits a promise that must reject with a BumpflowError of `type`; returns the error for more checks. */
export async function rejectsWith(promise: Promise<unknown>, type: FailureType): Promise<BumpflowError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError ${type}, found ${inspect(err)}`);
    assert.equal(err.type, type, `expected ${type}, found ${err.type}: ${err.message}`);
    return err;
  }
  return assert.fail(`expected a ${type} failure, found success`);
}

export function assertNoToken(err: BumpflowError, token = TOKEN): void {
  assert.ok(!err.message.includes(token), `token in message: ${err.message}`);
  assert.ok(!(err.stack ?? '').includes(token), 'token in stack');
  assert.ok(!inspect(err, { depth: 10 }).includes(token), 'token in the inspected error (cause, details)');
  assert.ok(!JSON.stringify(err.details ?? {}).includes(token), 'token in details');
  assert.ok(!JSON.stringify(err).includes(token), 'token in the JSON of the error');
  assert.ok(!JSON.stringify(toApplicationFailure(err)).includes(token), 'token in the Temporal failure');
}

/** A tiny raw HTTP server for behaviour the stand-in does not model. */
export async function rawServer(
  handler: http.RequestListener,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
