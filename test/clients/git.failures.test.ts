/**
 * What an operator sees when a remote fails, on real git: a missing repository is a fatal RepoNotFound,
 * refused credentials a fatal AuthRefused, an outage (no such host, connection refused, 5xx, silence) a
 * transient GitUnavailable; never a credential prompt, never a hang; heartbeats and aborts reach git.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createGit, redactCredentials, type Git } from '../../src/clients/git/index.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { VARS_PATH } from '../../src/sandbox/gitFixtures.js';
import { bumpInput, createGitWorld, rejectsWith, SECRET, type GitWorld } from './gitHelpers.js';

let world: GitWorld;
let git: Git;
/** accepts connections and never answers */
let silent: net.Server;
let silentUrl: string;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  world = await createGitWorld();
  git = world.git;
  silent = net.createServer(() => undefined);
  silentUrl = `https://127.0.0.1:${await listen(silent)}/vexxhost/atmosphere`;
});

after(async () => {
  silent.close();
  await world.sandbox.close();
});

void describe('a repository that does not exist is fatal RepoNotFound naming the URL', () => {
  void test('behind insteadOf (a bare repo path that is missing), for every kind of call', async () => {
    const missing = world.sandbox.remoteUrl('vexxhost/does-not-exist');
    const pushToMissing = { ...(await bumpInput(world, 'main')), url: missing };
    for (const attempt of [
      () => git.lsRemoteHeads(missing),
      () => git.readFile(missing, { branch: 'main' }, VARS_PATH),
      () => git.isAncestor(missing, 'a'.repeat(40), 'b'.repeat(40)),
      () => git.pushBranch(pushToMissing),
    ]) {
      const error = await rejectsWith(
        attempt(),
        FatalFailure.RepoNotFound,
        /expected a git repository at https:\/\/github\.com\/vexxhost\/does-not-exist, found none/,
      );
      assert.equal(error.retryable, false);
      assert.equal(error.details?.url, missing);
    }
  });

  void test('a file:// URL whose path is missing', async () => {
    const url = `file://${path.join(world.sandbox.root, 'no', 'such', 'repo.git')}`;
    const error = await rejectsWith(
      git.lsRemoteHeads(url),
      FatalFailure.RepoNotFound,
      /does not appear to be a git repository/,
    );
    assert.ok(error.message.includes(url), error.message);
    await rejectsWith(git.resolveCommit(url, 'abcdef1'), FatalFailure.RepoNotFound);
  });
});

void describe('a loopback smart-HTTP server', () => {
  let server: http.Server;
  let base: string;
  const answers: Record<string, { status: number; headers?: Record<string, string> }> = {
    missing: { status: 404 },
    private: { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="git"' } },
    forbidden: { status: 403 },
    down: { status: 503 },
  };
  const seen: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const repo = /^\/([a-z]+)\.git\//.exec(req.url ?? '')?.[1] ?? '';
      const answer = answers[repo] ?? { status: 500 };
      res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers });
      res.end(`answer ${answer.status}\n`);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => {
    server.close();
  });

  void test('404 is RepoNotFound; 401 and 403 are AuthRefused without a prompt; 503 is GitUnavailable', async () => {
    const started = Date.now();
    await rejectsWith(git.lsRemoteHeads(`${base}/missing.git`), FatalFailure.RepoNotFound, /missing\.git/);
    const refused = await rejectsWith(
      git.lsRemoteHeads(`http://bot:${SECRET}@${base.slice('http://'.length)}/private.git`),
      FatalFailure.AuthRefused,
      /refused/,
    );
    assert.ok(!inspect(refused, { depth: 10 }).includes(SECRET), inspect(refused, { depth: 10 }));
    await rejectsWith(
      git.lsRemoteHeads(`${base}/private.git`),
      FatalFailure.AuthRefused,
      /terminal prompts disabled|Authentication/,
    );
    await rejectsWith(git.lsRemoteHeads(`${base}/forbidden.git`), FatalFailure.AuthRefused, /403/);
    const down = await rejectsWith(
      git.lsRemoteHeads(`${base}/down.git`),
      TransientFailure.GitUnavailable,
      /503/,
    );
    assert.equal(down.retryable, true);
    assert.ok(
      seen.some((url) => url.startsWith('/missing.git/info/refs?service=git-upload-pack')),
      seen.join(' '),
    );
    assert.ok(Date.now() - started < 10_000, 'no call waited for a person');
  });
});

void describe('an outage is transient GitUnavailable with git’s message, never with credentials', () => {
  void test('connection refused on a closed loopback port', async () => {
    const port = await closedPort();
    const url = `https://user:${SECRET}@127.0.0.1:${port}/x.git`;
    for (const attempt of [
      () => git.lsRemoteHeads(url),
      () => git.readFile(url, { branch: 'main' }, VARS_PATH),
      () => git.branchHead(url, 'main'),
    ]) {
      const error = await rejectsWith(
        attempt(),
        TransientFailure.GitUnavailable,
        new RegExp(
          `https://127\\.0\\.0\\.1:${port}/x\\.git.*(?:Failed to connect|Connection refused|Couldn't connect)`,
          's',
        ),
      );
      assert.equal(error.retryable, true);
      assert.ok(!inspect(error, { depth: 10 }).includes(SECRET), inspect(error, { depth: 10 }));
      assert.ok(!JSON.stringify(error.details).includes(SECRET));
    }
  });

  void test('a host name that does not resolve is a fatal HostNotFound, within the timeout', async () => {
    const bounded = createGit({ workDir: world.workDir, env: world.sandbox.env, timeoutMs: 15_000 });
    const started = Date.now();
    await rejectsWith(
      bounded.lsRemoteHeads('https://nonexistent.invalid/x.git'),
      FatalFailure.HostNotFound,
      /nonexistent\.invalid/,
    );
    assert.ok(Date.now() - started < 16_000);
  });

  void test('a remote that never answers is GitUnavailable after the timeout', async () => {
    const slow = createGit({ workDir: world.workDir, env: world.sandbox.env, timeoutMs: 500 });
    const started = Date.now();
    await rejectsWith(slow.lsRemoteHeads(silentUrl), TransientFailure.GitUnavailable, /within 500 ms/);
    assert.ok(Date.now() - started < 5000);
  });
});

void describe('heartbeat and abort', () => {
  void test('heartbeat is called while git runs, and no more once the call is over', async () => {
    const slow = createGit({
      workDir: world.workDir,
      env: world.sandbox.env,
      timeoutMs: 1200,
      heartbeatIntervalMs: 100,
    });
    let beats = 0;
    await rejectsWith(
      slow.lsRemoteHeads(silentUrl, [], { heartbeat: () => (beats += 1) }),
      TransientFailure.GitUnavailable,
    );
    assert.ok(beats >= 5, `expected a heartbeat about every 100 ms for 1.2 s, got ${beats}`);
    const after = beats;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(beats, after, 'no heartbeat after the call ended');
    // a quick call may beat zero times, and still succeeds with the hook set
    const heads = await slow.lsRemoteHeads(world.target.url, [], { heartbeat: () => undefined });
    assert.deepEqual(Object.fromEntries(heads), world.target.heads);
  });

  void test('aborting kills git at once and rejects with the signal’s reason', async () => {
    const patient = createGit({ workDir: world.workDir, env: world.sandbox.env, timeoutMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    setTimeout(() => controller.abort(reason), 300);
    const started = Date.now();
    await assert.rejects(
      patient.lsRemoteHeads(silentUrl, [], { signal: controller.signal }),
      (error) => error === reason,
    );
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await assert.rejects(
      patient.branchHead(world.target.url, 'main', { signal: controller.signal }),
      (error) => error === reason,
      'an already aborted signal starts nothing',
    );
  });

  void test('a call waiting for the cache lock heartbeats and can be aborted while it waits', async () => {
    const slow = createGit({
      workDir: path.join(world.sandbox.root, 'cache-lock'),
      env: world.sandbox.env,
      timeoutMs: 2500,
      heartbeatIntervalMs: 100,
    });
    // the first call holds the clone's lock while its fetch hangs on the silent server
    const holder = slow.readFile(silentUrl, { branch: 'main' }, VARS_PATH);
    const holderDone = rejectsWith(holder, TransientFailure.GitUnavailable, /within 2500 ms/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const controller = new AbortController();
    let beats = 0;
    const waiting = slow.readFile(silentUrl, { branch: 'main' }, VARS_PATH, {
      signal: controller.signal,
      heartbeat: () => (beats += 1),
    });
    setTimeout(() => controller.abort(new Error('stop waiting')), 600);
    const started = Date.now();
    await assert.rejects(waiting, /stop waiting/);
    assert.ok(Date.now() - started < 1500, 'left the queue without waiting for the holder');
    assert.ok(beats >= 3, `expected heartbeats while waiting for the lock, got ${beats}`);
    await holderDone;
  });
});

void test('redactCredentials strips userinfo from every URL in a text', () => {
  assert.equal(
    redactCredentials(
      `fatal: unable to access 'https://bot:${SECRET}@github.com/x/y/' and ssh://git:pw@host/z, git@github.com:x/y`,
    ),
    "fatal: unable to access 'https://github.com/x/y/' and ssh://host/z, git@github.com:x/y",
  );
});
