/**
 * The forge client (Octokit) against the GitHub stand-in on loopback, plus a
 * few raw servers for what the stand-in cannot do (a body that stalls, a port
 * that refuses). Also checks that the stand-in keeps GitHub's shapes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  createForge,
  forgeOptionsFromEnvironment,
  parseRepoUrl,
  type Forge,
} from '../../src/activities/forge/github.js';
import {
  BumpflowError,
  FatalFailure,
  toApplicationFailure,
  TransientFailure,
  type FailureType,
} from '../../src/shared/failures.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';

// Made per run, so no token-shaped literal is tracked.
const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const OWNER = 'vexxhost';
const REPO = 'atmosphere';
const PR_INPUT = {
  owner: OWNER,
  repo: REPO,
  head: 'bump-magnum-main',
  base: 'main',
  title: 'fix(magnum): bump magnum image (main)',
  body: 'old → new',
};

/** Awaits a promise that must reject with a BumpflowError of `type`; returns the error for more checks. */
async function rejectsWith(promise: Promise<unknown>, type: FailureType): Promise<BumpflowError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError ${type}, found ${inspect(err)}`);
    assert.equal(err.type, type, `expected ${type}, found ${err.type}: ${err.message}`);
    return err;
  }
  return assert.fail(`expected a ${type} failure, found success`);
}

function assertNoToken(err: BumpflowError, token = TOKEN): void {
  assert.ok(!err.message.includes(token), `token in message: ${err.message}`);
  assert.ok(!(err.stack ?? '').includes(token), 'token in stack');
  assert.ok(!inspect(err, { depth: 10 }).includes(token), 'token in the inspected error (cause, details)');
  assert.ok(!JSON.stringify(err.details ?? {}).includes(token), 'token in details');
  assert.ok(!JSON.stringify(err).includes(token), 'token in the JSON of the error');
  assert.ok(!JSON.stringify(toApplicationFailure(err)).includes(token), 'token in the Temporal failure');
}

/** A tiny raw HTTP server for behaviour the stand-in does not model. */
async function rawServer(
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

let gh: GitHubStandIn;
let forge: Forge;

before(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
  forge = createForge({ baseUrl: gh.url, token: TOKEN, timeoutMs: 5_000 });
});
after(async () => {
  await gh.close();
});
beforeEach(() => {
  gh.pulls.length = 0;
  gh.requests.length = 0;
  gh.onRequest = undefined;
  gh.resolveHeadSha = undefined;
});

void describe('findOrCreatePullRequest', () => {
  void test('opens the pull request once; a second call finds it (created: false) and posts nothing', async () => {
    const first = await forge.findOrCreatePullRequest(PR_INPUT);
    assert.equal(first.created, true);
    assert.equal(first.number, 1);
    assert.equal(first.state, 'open');
    assert.equal(first.url, 'https://github.com/vexxhost/atmosphere/pull/1');
    assert.match(first.headSha, /^[0-9a-f]{40}$/);

    const second = await forge.findOrCreatePullRequest(PR_INPUT);
    assert.deepEqual(second, { ...first, created: false });
    assert.equal(gh.pulls.length, 1);
    assert.deepEqual(
      gh.pulls.map((p) => [p.owner, p.repo, p.head, p.base, p.title, p.body]),
      [[OWNER, REPO, PR_INPUT.head, PR_INPUT.base, PR_INPUT.title, PR_INPUT.body]],
    );
    assert.deepEqual(
      gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      [
        'GET /repos/vexxhost/atmosphere/pulls 200',
        'POST /repos/vexxhost/atmosphere/pulls 201',
        'GET /repos/vexxhost/atmosphere/pulls 200',
      ],
    );
    // GitHub ignores a bare branch in `head`: the filter must be owner:branch.
    const query = new URLSearchParams(gh.requests[0]?.query);
    assert.deepEqual(
      [query.get('state'), query.get('head'), query.get('base')],
      ['open', 'vexxhost:bump-magnum-main', 'main'],
    );
  });

  void test('leaves an existing open pull request as it is, and ignores PRs of other heads, bases or closed ones', async () => {
    gh.addPullRequest({
      owner: OWNER,
      repo: REPO,
      head: 'bump-magnum-2025.1',
      base: 'main',
      title: 'other head',
    });
    gh.addPullRequest({
      owner: OWNER,
      repo: REPO,
      head: PR_INPUT.head,
      base: 'stable/2025.1',
      title: 'other base',
    });
    gh.addPullRequest({
      owner: OWNER,
      repo: REPO,
      head: PR_INPUT.head,
      base: 'main',
      title: 'closed earlier',
      state: 'closed',
    });
    const existing = gh.addPullRequest({
      owner: OWNER,
      repo: REPO,
      head: PR_INPUT.head,
      base: 'main',
      title: 'hand-edited title',
      body: 'hand-edited body',
      headSha: 'a'.repeat(40),
    });

    const ref = await forge.findOrCreatePullRequest(PR_INPUT);
    assert.deepEqual(ref, {
      number: existing.number,
      url: `https://github.com/vexxhost/atmosphere/pull/${existing.number}`,
      state: 'open',
      headSha: 'a'.repeat(40),
      created: false,
    });
    assert.equal(existing.title, 'hand-edited title');
    assert.equal(existing.body, 'hand-edited body');
    assert.equal(gh.pulls.length, 4);
    assert.ok(
      gh.requests.every((r) => r.method === 'GET'),
      JSON.stringify(gh.requests),
    );
  });

  void test('a second head into the same base, and the same head into a second base, are pull requests of their own', async () => {
    const a = await forge.findOrCreatePullRequest(PR_INPUT);
    const b = await forge.findOrCreatePullRequest({ ...PR_INPUT, head: 'bump-magnum-2025.1' });
    const c = await forge.findOrCreatePullRequest({ ...PR_INPUT, base: 'stable/2025.1' });
    assert.deepEqual([a.created, b.created, c.created], [true, true, true]);
    assert.deepEqual([a.number, b.number, c.number], [1, 2, 3]);
  });

  void test('a create that answers 422 "already exists" (the listing missed it) returns that pull request, not a second one', async () => {
    const existing = gh.addPullRequest({
      owner: OWNER,
      repo: REPO,
      head: PR_INPUT.head,
      base: PR_INPUT.base,
      title: 'opened by an earlier attempt',
    });
    let lists = 0;
    gh.onRequest = (req) => {
      if (req.method === 'GET' && req.path.endsWith('/pulls') && lists++ === 0)
        return { status: 200, body: [] };
      return undefined;
    };
    const ref = await forge.findOrCreatePullRequest(PR_INPUT);
    assert.equal(ref.created, false);
    assert.equal(ref.number, existing.number);
    assert.equal(gh.pulls.length, 1);
    assert.deepEqual(
      gh.requests.map((r) => `${r.method} ${r.status}`),
      ['GET 200', 'POST 422', 'GET 200'],
    );
  });

  void test('two calls racing for the same head and base end with one pull request', async () => {
    // Hold both listings until both have arrived, so both see none and both POST.
    const waiting: Array<() => void> = [];
    gh.onRequest = (req) => {
      if (req.method !== 'GET' || waiting.length >= 2) return undefined;
      return new Promise((resolve) => {
        waiting.push(() => resolve(undefined));
        if (waiting.length === 2) for (const go of waiting) go();
      });
    };
    const [x, y] = await Promise.all([
      forge.findOrCreatePullRequest(PR_INPUT),
      forge.findOrCreatePullRequest(PR_INPUT),
    ]);
    assert.equal(gh.pulls.length, 1);
    assert.equal(x.number, y.number);
    assert.deepEqual([x.created, y.created].sort(), [false, true]);
    assert.equal(gh.requests.filter((r) => r.method === 'POST' && r.status === 422).length, 1);
  });

  void test('"already exists" while no listing shows it is transient (GitHub lagging), never a second PR', async () => {
    gh.addPullRequest({ owner: OWNER, repo: REPO, head: PR_INPUT.head, base: PR_INPUT.base });
    gh.onRequest = (req) => (req.method === 'GET' ? { status: 200, body: [] } : undefined);
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), TransientFailure.ForgeUnavailable);
    assert.match(err.message, /vexxhost:bump-magnum-main into main/);
    assert.equal(gh.pulls.length, 1);
  });

  void test('a base branch GitHub does not know is BadInput with its 422 errors and the input', async () => {
    gh.resolveHeadSha = async (_o, _r, branch) => (branch === PR_INPUT.head ? 'b'.repeat(40) : undefined);
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), FatalFailure.BadInput);
    assert.equal(err.retryable, false);
    assert.match(err.message, /422: Validation Failed: PullRequest\.base invalid/);
    assert.match(err.message, /from bump-magnum-main into main in vexxhost\/atmosphere/);
    assert.deepEqual(err.details?.errors, [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
  });

  void test('a head branch that was never pushed is BadInput, and the head SHA comes from the branch', async () => {
    gh.resolveHeadSha = async (_o, _r, branch) => (branch === 'main' ? 'c'.repeat(40) : undefined);
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), FatalFailure.BadInput);
    assert.match(err.message, /PullRequest\.head invalid/);

    gh.resolveHeadSha = async (_o, _r, branch) => (branch === 'main' ? 'c'.repeat(40) : 'd'.repeat(40));
    const ref = await forge.findOrCreatePullRequest(PR_INPUT);
    assert.equal(ref.headSha, 'd'.repeat(40));
  });

  void test('a repository that does not exist (404) is BadInput naming owner/repo', async () => {
    gh.onRequest = (req) =>
      req.path.startsWith('/repos/vexxhost/nope/')
        ? { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
        : undefined;
    const err = await rejectsWith(
      forge.findOrCreatePullRequest({ ...PR_INPUT, repo: 'nope' }),
      FatalFailure.BadInput,
    );
    assert.match(err.message, /expected repository vexxhost\/nope to exist/);
  });

  void test('refuses empty input before calling GitHub', async () => {
    await rejectsWith(forge.findOrCreatePullRequest({ ...PR_INPUT, base: ' ' }), FatalFailure.BadInput);
    await rejectsWith(
      forge.findOrCreatePullRequest({ ...PR_INPUT, owner: 'vexx/host' }),
      FatalFailure.BadInput,
    );
    assert.equal(gh.requests.length, 0);
  });
});

void describe('authentication refused', () => {
  void test('a wrong token is AuthRefused, non-retryable, and the token shows nowhere', async () => {
    const wrong = `ghp_${randomBytes(15).toString('hex')}`;
    const bad = createForge({ baseUrl: gh.url, token: wrong });
    const err = await rejectsWith(bad.findOrCreatePullRequest(PR_INPUT), FatalFailure.AuthRefused);
    assert.equal(err.retryable, false);
    assert.equal(toApplicationFailure(err).nonRetryable, true);
    assert.match(err.message, /^GitHub refused the token for vexxhost\/atmosphere: 401 Bad credentials/);
    assertNoToken(err, wrong);
    assertNoToken(err, TOKEN);
    assert.equal(gh.pulls.length, 0);
    assert.ok(!JSON.stringify(gh.requests).includes(wrong));
  });

  void test('no token at all says how to configure one', async () => {
    const anonymous = createForge({ baseUrl: gh.url });
    const err = await rejectsWith(
      anonymous.getPullRequest({ owner: OWNER, repo: REPO, number: 1 }),
      FatalFailure.AuthRefused,
    );
    assert.match(err.message, /no token is configured: set GITHUB_TOKEN or GH_TOKEN/);
  });

  void test('a 403 that is not a rate limit is AuthRefused', async () => {
    gh.onRequest = () => ({
      status: 403,
      body: {
        message: 'Resource not accessible by personal access token',
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      },
    });
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), FatalFailure.AuthRefused);
    assert.match(err.message, /403 Resource not accessible by personal access token/);
    assertNoToken(err);
  });
});

void describe('transient failures', () => {
  void test('500 is ForgeUnavailable and retryable', async () => {
    gh.onRequest = () => ({ status: 500, body: { message: 'Server Error' } });
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), TransientFailure.ForgeUnavailable);
    assert.equal(err.retryable, true);
    assert.equal(toApplicationFailure(err).nonRetryable, false);
    assert.match(err.message, /found 500: Server Error/);
    assert.equal(err.retryAfterMs, undefined);
    assert.equal(gh.requests.length, 1, 'no retry inside the client: Temporal owns retries');
    assertNoToken(err);
  });

  void test('503 with Retry-After carries the wait', async () => {
    gh.onRequest = () => ({
      status: 503,
      body: 'upstream unavailable',
      headers: { 'content-type': 'text/plain', 'retry-after': '3' },
    });
    const err = await rejectsWith(
      forge.getReleaseNotes({ owner: OWNER, repo: REPO, tag: 'v1' }),
      TransientFailure.ForgeUnavailable,
    );
    assert.equal(err.retryAfterMs, 3000);
    assert.match(err.message, /503: upstream unavailable/);
  });

  void test('429 with Retry-After is ForgeUnavailable with retryAfterMs', async () => {
    gh.onRequest = () => ({
      status: 429,
      body: { message: 'Too Many Requests' },
      headers: { 'retry-after': '7' },
    });
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), TransientFailure.ForgeUnavailable);
    assert.equal(err.retryAfterMs, 7000);
    assert.equal(toApplicationFailure(err).nextRetryDelay, 7000);
    assert.match(err.message, /rate-limiting \(429/);
  });

  void test('403 with x-ratelimit-remaining: 0 waits until x-ratelimit-reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    gh.onRequest = () => ({
      status: 403,
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    const err = await rejectsWith(
      forge.getPullRequest({ owner: OWNER, repo: REPO, number: 1 }),
      TransientFailure.ForgeUnavailable,
    );
    assert.ok(
      err.retryAfterMs !== undefined && err.retryAfterMs > 100_000 && err.retryAfterMs <= 121_000,
      String(err.retryAfterMs),
    );
  });

  void test('a secondary rate limit (403, message only) waits a minute, as GitHub advises', async () => {
    gh.onRequest = () => ({
      status: 403,
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
    });
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), TransientFailure.ForgeUnavailable);
    assert.equal(err.retryAfterMs, 60_000);
  });

  void test('connection refused (a closed port) is ForgeUnavailable', async () => {
    const gone = await rawServer((_req, res) => res.end());
    await gone.close();
    const refused = createForge({ baseUrl: gone.url, token: TOKEN, timeoutMs: 2_000 });
    const err = await rejectsWith(
      refused.findOrCreatePullRequest(PR_INPUT),
      TransientFailure.ForgeUnavailable,
    );
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(err.message.includes(gone.url), err.message);
    assertNoToken(err);
  });

  void test('an answer slower than the request timeout is ForgeUnavailable, and the call returns at the deadline', async () => {
    gh.onRequest = () => new Promise((resolve) => setTimeout(() => resolve(undefined), 1_500));
    const quick = createForge({ baseUrl: gh.url, token: TOKEN, timeoutMs: 200 });
    const started = Date.now();
    const err = await rejectsWith(quick.findOrCreatePullRequest(PR_INPUT), TransientFailure.ForgeUnavailable);
    const took = Date.now() - started;
    assert.match(err.message, /no answer within 200 ms/);
    assert.ok(took < 1_200, `took ${took} ms`);
    assertNoToken(err);
  });

  void test('a body that stalls after the headers times out too', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const stall = await rawServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.write('[');
    });
    try {
      const slow = createForge({ baseUrl: stall.url, token: TOKEN, timeoutMs: 300 });
      const err = await rejectsWith(
        slow.findOrCreatePullRequest(PR_INPUT),
        TransientFailure.ForgeUnavailable,
      );
      assert.match(err.message, /no answer within 300 ms/);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.['x-github-api-version'], '2022-11-28');
      assert.equal(seen[0]?.authorization, `token ${TOKEN}`);
      assert.match(seen[0]?.['user-agent'] ?? '', /^bumpflow /);
    } finally {
      await stall.close();
    }
  });

  void test('a 200 that is not GitHub JSON (wrong GITHUB_API_URL) is BadInput, not a crash', async () => {
    gh.onRequest = () => ({
      status: 200,
      body: '<html>login</html>',
      headers: { 'content-type': 'text/html' },
    });
    const err = await rejectsWith(
      forge.getPullRequest({ owner: OWNER, repo: REPO, number: 1 }),
      FatalFailure.BadInput,
    );
    assert.match(err.message, /is GITHUB_API_URL a GitHub REST API root/);
  });
});

void describe('getPullRequest and getReleaseNotes', () => {
  void test('a merged pull request gives its merge commit; an open one gives none', async () => {
    const merged = gh.addPullRequest({
      owner: OWNER,
      repo: 'docker-magnum',
      head: 'fix',
      base: 'main',
      merged: true,
      mergeCommitSha: 'e'.repeat(40),
    });
    const open = gh.addPullRequest({ owner: OWNER, repo: 'docker-magnum', head: 'wip', base: 'main' });
    assert.deepEqual(
      await forge.getPullRequest({ owner: OWNER, repo: 'docker-magnum', number: merged.number }),
      {
        number: 1,
        merged: true,
        mergeCommitSha: 'e'.repeat(40),
        state: 'closed',
        url: 'https://github.com/vexxhost/docker-magnum/pull/1',
      },
    );
    const o = await forge.getPullRequest({ owner: OWNER, repo: 'docker-magnum', number: open.number });
    assert.deepEqual([o.merged, o.mergeCommitSha, o.state], [false, null, 'open']);
  });

  void test('a pull request that does not exist is BadInput naming it', async () => {
    const err = await rejectsWith(
      forge.getPullRequest({ owner: OWNER, repo: 'docker-magnum', number: 42 }),
      FatalFailure.BadInput,
    );
    assert.match(err.message, /expected pull request #42 in vexxhost\/docker-magnum/);
    await rejectsWith(
      forge.getPullRequest({ owner: OWNER, repo: 'docker-magnum', number: 0 }),
      FatalFailure.BadInput,
    );
  });

  void test('release notes by tag; undefined for a tag without a release', async () => {
    gh.addRelease('vexxhost', 'magnum-cluster-api', 'v0.36.5', '## Fixes\n- keep disableAPIServerFloatingIP');
    gh.addRelease('vexxhost', 'magnum-cluster-api', 'release/1.0', 'slashed');
    assert.equal(
      await forge.getReleaseNotes({ owner: OWNER, repo: 'magnum-cluster-api', tag: 'v0.36.5' }),
      '## Fixes\n- keep disableAPIServerFloatingIP',
    );
    assert.equal(
      await forge.getReleaseNotes({ owner: OWNER, repo: 'magnum-cluster-api', tag: 'release/1.0' }),
      'slashed',
    );
    assert.equal(
      await forge.getReleaseNotes({ owner: OWNER, repo: 'magnum-cluster-api', tag: 'v9.9.9' }),
      undefined,
    );
    assert.deepEqual(
      gh.requests.map((r) => r.status),
      [200, 200, 404],
    );
  });
});

void describe('parseRepoUrl', () => {
  for (const [url, expected] of [
    ['https://github.com/vexxhost/atmosphere', { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' }],
    [
      'https://github.com/vexxhost/atmosphere.git',
      { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' },
    ],
    [
      'https://github.com/vexxhost/docker-magnum/',
      { host: 'github.com', owner: 'vexxhost', repo: 'docker-magnum' },
    ],
    [
      'https://x-access-token:secret@GitHub.com/vexxhost/atmosphere.git',
      { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' },
    ],
    ['git@github.com:vexxhost/atmosphere.git', { host: 'github.com', owner: 'vexxhost', repo: 'atmosphere' }],
    [
      'ssh://git@ghe.example.com/vexxhost/magnum-cluster-api.git',
      { host: 'ghe.example.com', owner: 'vexxhost', repo: 'magnum-cluster-api' },
    ],
    ['  https://github.com/openstack/oslo.db  ', { host: 'github.com', owner: 'openstack', repo: 'oslo.db' }],
  ] as const) {
    void test(`parses ${url.trim()}`, () => {
      assert.deepEqual(parseRepoUrl(url), expected);
    });
  }

  for (const url of [
    '',
    'vexxhost/atmosphere',
    'https://github.com/vexxhost',
    'https://github.com/vexxhost/atmosphere/tree/main',
    'file:///srv/git/atmosphere.git',
    'https://github.com/-bad/x',
  ]) {
    void test(`refuses ${JSON.stringify(url)} as BadInput`, () => {
      assert.throws(
        () => parseRepoUrl(url),
        (err: unknown) =>
          err instanceof BumpflowError &&
          err.type === FatalFailure.BadInput &&
          err.message.includes(JSON.stringify(url)),
      );
    });
  }

  void test('never echoes credentials of a URL it refuses', () => {
    assert.throws(
      () => parseRepoUrl('https://user:hunter2@github.com/only-owner'),
      (err: unknown) =>
        err instanceof BumpflowError &&
        !err.message.includes('hunter2') &&
        err.message.includes('https://github.com/only-owner'),
    );
  });
});

void describe('settings', () => {
  void test('forgeOptionsFromEnvironment: GITHUB_API_URL, GITHUB_TOKEN, GH_TOKEN as fallback', () => {
    assert.deepEqual(forgeOptionsFromEnvironment({}), {});
    assert.deepEqual(
      forgeOptionsFromEnvironment({
        GITHUB_API_URL: 'https://ghe.example.com/api/v3',
        GITHUB_TOKEN: 't1',
        GH_TOKEN: 't2',
      }),
      {
        baseUrl: 'https://ghe.example.com/api/v3',
        token: 't1',
      },
    );
    assert.deepEqual(forgeOptionsFromEnvironment({ GH_TOKEN: 't2\n' }), { token: 't2' });
    assert.deepEqual(forgeOptionsFromEnvironment({ GITHUB_TOKEN: '', GH_TOKEN: 't2', GITHUB_API_URL: ' ' }), {
      token: 't2',
    });
  });

  void test('createForge refuses a base URL that is not a plain http(s) URL, without echoing credentials', () => {
    for (const baseUrl of [
      'api.github.com',
      'ftp://ghe.example.com',
      'https://u:hunter2@ghe.example.com/api/v3',
    ]) {
      assert.throws(
        () => createForge({ baseUrl, token: TOKEN }),
        (err: unknown) =>
          err instanceof BumpflowError &&
          err.type === FatalFailure.BadInput &&
          !err.message.includes('hunter2') &&
          !err.message.includes(TOKEN),
      );
    }
    assert.throws(
      () => createForge({ baseUrl: gh.url, timeoutMs: 0 }),
      (err: unknown) => err instanceof BumpflowError && err.type === FatalFailure.BadInput,
    );
  });
});

void describe('the GitHub stand-in keeps GitHub shapes and says what it is', () => {
  const get = (path: string, token: string | undefined = TOKEN) =>
    fetch(`${gh.url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  void test('every answer is marked as the stand-in; the root answers anonymously; errors are {message, documentation_url, status}', async () => {
    const root = await get('/', undefined);
    assert.equal(root.status, 200);
    assert.equal(root.headers.get('x-bumpflow-stand-in'), 'github');
    assert.match(
      ((await root.json()) as { repository_url: string }).repository_url,
      /\/repos\/\{owner\}\/\{repo\}$/,
    );

    const denied = await get('/repos/vexxhost/atmosphere', 'nope');
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('x-bumpflow-stand-in'), 'github');
    assert.deepEqual(await denied.json(), {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });

    const missing = await get('/repos/vexxhost/atmosphere/pulls/7');
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys((await missing.json()) as object).sort(), [
      'documentation_url',
      'message',
      'status',
    ]);

    const repo = (await (await get('/repos/vexxhost/atmosphere')).json()) as {
      full_name: string;
      default_branch: string;
    };
    assert.deepEqual([repo.full_name, repo.default_branch], ['vexxhost/atmosphere', 'main']);
  });

  void test('list: newest first, per_page/page with a Link header, head filter only in owner:branch form', async () => {
    for (let i = 1; i <= 5; i++) gh.addPullRequest({ owner: OWNER, repo: REPO, head: `b${i}`, base: 'main' });
    const first = await get('/repos/vexxhost/atmosphere/pulls?per_page=2');
    const numbers = ((await first.json()) as Array<{ number: number }>).map((p) => p.number);
    assert.deepEqual(numbers, [5, 4]);
    const link = first.headers.get('link') ?? '';
    assert.match(link, /[?&]page=2>; rel="next"/);
    assert.match(link, /[?&]page=3>; rel="last"/);
    const last = await get('/repos/vexxhost/atmosphere/pulls?per_page=2&page=3');
    assert.deepEqual(
      ((await last.json()) as Array<{ number: number }>).map((p) => p.number),
      [1],
    );
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);

    const byHead = (await (await get('/repos/vexxhost/atmosphere/pulls?head=vexxhost:b3')).json()) as Array<{
      number: number;
      head: { ref: string; label: string };
      base: { ref: string };
      user: { login: string };
    }>;
    assert.deepEqual(
      byHead.map((p) => [p.number, p.head.ref, p.head.label, p.base.ref]),
      [[3, 'b3', 'vexxhost:b3', 'main']],
    );
    assert.equal(typeof byHead[0]?.user.login, 'string');
    assert.ok(!('merged' in (byHead[0] ?? {})), 'the list shape has no merged field, like GitHub');
    const bare = (await (await get('/repos/vexxhost/atmosphere/pulls?head=b3')).json()) as unknown[];
    assert.equal(bare.length, 5, 'a bare branch in head is ignored, as GitHub does');
  });

  void test('create: 201 with Location; missing fields and duplicates answer 422 as GitHub does', async () => {
    const post = (body: unknown) =>
      fetch(`${gh.url}/repos/vexxhost/atmosphere/pulls`, {
        method: 'POST',
        headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noHead = await post({ title: 't', base: 'main' });
    assert.equal(noHead.status, 422);
    assert.equal(
      ((await noHead.json()) as { message: string }).message,
      'Invalid request.\n\n"head" wasn\'t supplied.',
    );

    const created = await post({ title: 't', head: 'vexxhost:x', base: 'main' });
    assert.equal(created.status, 201);
    const pr = (await created.json()) as {
      number: number;
      merged: boolean;
      merged_at: null;
      merge_commit_sha: null;
      head: { ref: string };
    };
    assert.equal(created.headers.get('location'), `${gh.url}/repos/vexxhost/atmosphere/pulls/${pr.number}`);
    assert.deepEqual([pr.merged, pr.merged_at, pr.head.ref], [false, null, 'x']);

    const again = await post({ title: 't', head: 'x', base: 'main' });
    assert.equal(again.status, 422);
    assert.deepEqual(((await again.json()) as { errors: unknown }).errors, [
      { resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for vexxhost:x.' },
    ]);
  });
});

void describe('the GitHub stand-in survives clients that go away', () => {
  void test('a client that disconnects mid-request does not crash it, and close() ends requests held in onRequest', async () => {
    const own = await startGitHubStandIn({ token: TOKEN });
    let release: (() => void) | undefined;
    own.onRequest = (req) =>
      req.path === '/repos/vexxhost/atmosphere/pulls' && req.method === 'GET'
        ? new Promise((resolve) => {
            release = () => resolve(undefined);
          })
        : undefined;
    // 1. The client gives up while the hook holds the request; the hook then lets it go on.
    await assert.rejects(
      fetch(`${own.url}/repos/vexxhost/atmosphere/pulls`, {
        headers: { authorization: `token ${TOKEN}` },
        signal: AbortSignal.timeout(100),
      }),
      (err: unknown) => (err as { name?: string }).name === 'TimeoutError',
    );
    assert.ok(release, 'the hook saw the request');
    release();
    // The stand-in still answers, and it recorded the abandoned request as answered.
    const next = await fetch(`${own.url}/repos/vexxhost/atmosphere`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    assert.equal(next.status, 200);
    assert.deepEqual(
      own.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      ['GET /repos/vexxhost/atmosphere/pulls 200', 'GET /repos/vexxhost/atmosphere 200'],
    );

    // 2. A request held forever does not keep close() from finishing.
    own.onRequest = () => new Promise<undefined>(() => undefined);
    const hanging = fetch(`${own.url}/repos/vexxhost/atmosphere`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    const settled = hanging.then(
      () => 'answered',
      () => 'cut off',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await own.close();
    assert.ok(Date.now() - started < 1_000, `close took ${Date.now() - started} ms`);
    assert.equal(await settled, 'cut off');
    await assert.rejects(fetch(`${own.url}/`), 'the port is closed after close()');
  });
});
