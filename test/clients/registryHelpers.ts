/**
 * Shared by the registry client tests: typed-failure assertions, skopeo (the
 * independent client every result is cross-checked with), and a real
 * registry (distribution, or go-containerregistry's with the referrers API)
 * with basic auth behind the paging front.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { createRegistryClient, type RegistryClient } from '../../src/clients/registry/index.js';
import { BumpflowError, type FailureType } from '../../src/shared/failures.js';
import { startPagingFront, type RunningPagingFront } from '../../src/sandbox/pagingFront.js';
import {
  startRegistry,
  type RegistryImplementation,
  type RunningRegistry,
} from '../../src/sandbox/registry.js';

const execFileAsync = promisify(execFile);

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Awaits a promise that must reject with a BumpflowError of `type`; returns the error for more checks. */
export async function rejectsWith(promise: Promise<unknown>, type: FailureType): Promise<BumpflowError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError ${type}, found ${String(err)}`);
    assert.equal(err.type, type, `expected ${type}, found ${err.type}: ${err.message}`);
    return err;
  }
  return assert.fail(`expected a ${type} failure, found success`);
}

export async function skopeo(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('skopeo', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function skopeoRaw(args: string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync('skopeo', args, { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface AuthWorld {
  registry: RunningRegistry;
  front: RunningPagingFront;
  /** speaks to ghcr.io, mapped to the paging front, with the right credentials */
  client: RegistryClient;
  /** `--tls-verify=false --creds user:password`, for skopeo against the registry directly */
  skopeoAuth: string[];
  close(): Promise<void>;
}

export const USER = 'bumpflow';
export const PASSWORD = 'pw-3c1d9e7a';

/** A registry with basic auth (distribution: htpasswd, low bcrypt cost) and deletes enabled, the paging front before it. */
export async function startAuthWorld(
  implementation: RegistryImplementation = 'distribution',
): Promise<AuthWorld> {
  const registry = await startRegistry({ implementation, auth: { username: USER, password: PASSWORD } });
  const front = await startPagingFront({ upstream: registry.url });
  const client = createRegistryClient({
    mirrors: { 'ghcr.io': front.url },
    // credentials of the endpoint contacted: the front's host, not ghcr.io
    credentials: (host) => (host === front.host ? { username: USER, password: PASSWORD } : undefined),
  });
  return {
    registry,
    front,
    client,
    skopeoAuth: ['--tls-verify=false', '--creds', `${USER}:${PASSWORD}`],
    async close() {
      await front.close();
      await registry.close();
    },
  };
}
