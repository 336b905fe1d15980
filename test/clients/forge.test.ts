/**
 * The forge client (Octokit) against the GitHub stand-in (a test double) on
 * loopback: find-or-create, reading pull requests and release notes, and how
 * GitHub's refusals and outages are classified, plus raw servers for what the
 * stand-in cannot do (a body that stalls, a port that refuses).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createForge, type Forge } from '../../src/clients/forge/index.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { toApplicationFailure } from '../../src/shared/temporalFailure.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import { assertNoToken, OWNER, PR_INPUT, rawServer, REPO, rejectsWith, TOKEN } from './forgeSupport.js';

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
  gh.resetRepositories();
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
