/**
 * Issue 20 item 7: a host that does not resolve (a typo in `--repo`, a
 * registry mirror or the forge's API URL) is one typed, fatal HostNotFound in
 * every client — git, the registry, the forge and the distro-mirror fetcher —
 * naming the host, so a blockable step shows it `blocked` at once instead of
 * spending its retries (~90 s by default) while the status says `planning`.
 * `.invalid` never resolves (RFC 6761); a closed port stays a transient outage.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createGit } from '../../src/clients/git/index.js';
import { createRegistryClient } from '../../src/clients/registry/index.js';
import { createForge } from '../../src/clients/forge/index.js';
import { createHttpFetch } from '../../src/clients/httpFetch.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { freePort } from '../../src/sandbox/registry.js';
import { rejectsWith } from './registryHelpers.js';
import { PR_INPUT } from './forgeSupport.js';

const HOST = 'nonexistent.invalid';

void describe('a host that does not resolve is HostNotFound in every client', () => {
  void test('git ls-remote', async () => {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-hnf-'));
    try {
      const git = createGit({ workDir, timeoutMs: 15_000 });
      const err = await rejectsWith(git.lsRemoteHeads(`https://${HOST}/x/y.git`), FatalFailure.HostNotFound);
      assert.match(err.message, /expected the host nonexistent\.invalid to resolve, found no such host/);
      assert.equal(err.retryable, false);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  void test('the registry (a mirror whose host does not resolve), with the user:password never shown', async () => {
    const registry = createRegistryClient({
      mirrors: { 'ghcr.io': `http://${HOST}:5000` },
      credentials: () => ({ username: 'robot', password: 's3cret' }),
    });
    const err = await rejectsWith(
      registry.resolveDigest({ registry: 'ghcr.io', repository: 'vexxhost/magnum', tag: 'main' }),
      FatalFailure.HostNotFound,
    );
    assert.match(err.message, /the host nonexistent\.invalid does not resolve/);
    assert.ok(!JSON.stringify({ m: err.message, d: err.details }).includes('s3cret'));
  });

  void test('the forge (an API URL whose host does not resolve), with the token never shown', async () => {
    const forge = createForge({
      baseUrl: `https://${HOST}/api/v3`,
      token: 'ghp_secret_token',
      timeoutMs: 5_000,
    });
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), FatalFailure.HostNotFound);
    assert.match(err.message, /the host nonexistent\.invalid does not resolve/);
    assert.ok(!err.message.includes('ghp_secret_token'));
  });

  void test('the distro-mirror fetcher (checksum files, listings)', async () => {
    const fetcher = createHttpFetch({ timeoutMs: 5_000 });
    const err = await rejectsWith(
      fetcher.getText(`https://${HOST}/SHA256SUMS`, 'the checksum file of Ubuntu 24.04'),
      FatalFailure.HostNotFound,
    );
    assert.match(err.message, /the checksum file of Ubuntu 24\.04: .*nonexistent\.invalid does not resolve/);
  });

  void test('a closed port is still a transient outage (retried, then blocked)', async () => {
    const port = await freePort();
    const registry = createRegistryClient({ mirrors: { 'ghcr.io': `http://127.0.0.1:${port}` } });
    await rejectsWith(
      registry.resolveDigest({ registry: 'ghcr.io', repository: 'vexxhost/magnum', tag: 'main' }),
      TransientFailure.RegistryUnavailable,
    );
  });
});
