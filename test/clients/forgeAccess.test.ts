/**
 * checkPullRequestAccess, the pre-flight before anything is pushed, against
 * the GitHub stand-in (a test double) and raw servers standing for a wrong
 * GITHUB_API_URL: every answer it can get, and the failure each one is.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createForge, type Forge } from '../../src/clients/forge/index.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { toApplicationFailure } from '../../src/shared/temporalFailure.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import { assertNoToken, OWNER, PR_INPUT, rawServer, REPO, rejectsWith, TOKEN } from './forgeSupport.js';

const TARGET = { owner: OWNER, repo: REPO };
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
  gh.resetRepositories();
});

const asked = () => gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

void describe('checkPullRequestAccess: a token that may push', () => {
  void test('answers the repository as GitHub names it, its default branch, and canPush, in one GET', async () => {
    assert.deepEqual(await forge.checkPullRequestAccess(TARGET), {
      fullName: 'vexxhost/atmosphere',
      defaultBranch: 'main',
      canPush: true,
    });
    assert.deepEqual(asked(), ['GET /repos/vexxhost/atmosphere 200']);
  });

  void test('takes the default branch from GitHub, for every role from write up, private or not', async () => {
    for (const role of ['write', 'maintain', 'admin'] as const) {
      gh.setRepository(OWNER, 'docker-magnum', { role, private: true, defaultBranch: 'master' });
      const access = await forge.checkPullRequestAccess({ owner: OWNER, repo: 'docker-magnum' });
      assert.deepEqual(
        access,
        { fullName: 'vexxhost/docker-magnum', defaultBranch: 'master', canPush: true },
        role,
      );
    }
  });
});

void describe('checkPullRequestAccess: fatal answers', () => {
  void test('no token configured is AuthRefused naming GITHUB_TOKEN, and asks GitHub nothing', async () => {
    for (const token of [undefined, '  ']) {
      const anonymous = createForge({ baseUrl: gh.url, ...(token === undefined ? {} : { token }) });
      const err = await rejectsWith(anonymous.checkPullRequestAccess(TARGET), FatalFailure.AuthRefused);
      assert.equal(err.retryable, false);
      assert.match(
        err.message,
        /^no GITHUB_TOKEN \(or GH_TOKEN\) is configured: expected a token that may push to vexxhost\/atmosphere/,
      );
    }
    assert.deepEqual(asked(), []);
  });

  void test('a wrong token (401) is AuthRefused, non-retryable, and the token shows nowhere', async () => {
    const wrong = `ghp_${randomBytes(15).toString('hex')}`;
    const bad = createForge({ baseUrl: gh.url, token: wrong });
    const err = await rejectsWith(bad.checkPullRequestAccess(TARGET), FatalFailure.AuthRefused);
    assert.equal(toApplicationFailure(err).nonRetryable, true);
    assert.match(err.message, /^GitHub refused the token for vexxhost\/atmosphere: 401 Bad credentials/);
    assertNoToken(err, wrong);
    assert.deepEqual(asked(), ['GET /repos/vexxhost/atmosphere 401']);
  });

  void test('a read-only token is AuthRefused saying it cannot open pull requests there, with what it may do', async () => {
    gh.setRepository(OWNER, REPO, { role: 'read' });
    const err = await rejectsWith(forge.checkPullRequestAccess(TARGET), FatalFailure.AuthRefused);
    assert.equal(err.retryable, false);
    assert.match(err.message, /^the token cannot open pull requests in vexxhost\/atmosphere: expected it/);
    assert.match(err.message, /to have push access there/);
    assert.match(
      err.message,
      /found only pull permission \(GET http:\/\/127\.0\.0\.1:\d+\/repos\/vexxhost\/atmosphere\)/,
    );
    assert.deepEqual(err.details?.permissions, {
      admin: false,
      maintain: false,
      push: false,
      triage: false,
      pull: true,
    });
    assertNoToken(err);

    gh.setRepository(OWNER, REPO, { role: 'triage' });
    const triage = await rejectsWith(forge.checkPullRequestAccess(TARGET), FatalFailure.AuthRefused);
    assert.match(triage.message, /found only triage, pull permissions/);
  });

  void test('the pre-flight agrees with opening a pull request: read-only refuses that too, and nothing is opened', async () => {
    gh.setRepository(OWNER, REPO, { role: 'read' });
    const err = await rejectsWith(forge.findOrCreatePullRequest(PR_INPUT), FatalFailure.AuthRefused);
    assert.match(err.message, /403 Resource not accessible by personal access token/);
    assert.equal(gh.pulls.length, 0);
  });

  void test('a 200 without permissions (not an authenticated answer) is AuthRefused, not success', async () => {
    gh.onRequest = () => ({
      status: 200,
      body: { full_name: 'vexxhost/atmosphere', default_branch: 'main', private: false },
    });
    const err = await rejectsWith(forge.checkPullRequestAccess(TARGET), FatalFailure.AuthRefused);
    assert.match(err.message, /found no permissions listed for it/);
  });

  void test('an unknown repository, or a private one the token was not granted, is RepoNotFound', async () => {
    gh.setRepository(OWNER, 'gone', { exists: false });
    const err = await rejectsWith(
      forge.checkPullRequestAccess({ owner: OWNER, repo: 'gone' }),
      FatalFailure.RepoNotFound,
    );
    assert.equal(err.retryable, false);
    assert.match(
      err.message,
      /^expected repository vexxhost\/gone to exist on http:\/\/127\.0\.0\.1:\d+ and be visible to the token, found 404 Not Found/,
    );
    assert.deepEqual(err.details, { slug: 'vexxhost/gone', status: 404 });

    gh.setRepository(OWNER, 'secret', { private: true, role: 'none' });
    await rejectsWith(
      forge.checkPullRequestAccess({ owner: OWNER, repo: 'secret' }),
      FatalFailure.RepoNotFound,
    );
    assert.deepEqual(asked(), ['GET /repos/vexxhost/gone 404', 'GET /repos/vexxhost/secret 404']);
  });

  void test('an owner or repository that is no GitHub name is BadInput, before any request', async () => {
    await rejectsWith(
      forge.checkPullRequestAccess({ owner: 'vexx/host', repo: REPO }),
      FatalFailure.BadInput,
    );
    await rejectsWith(forge.checkPullRequestAccess({ owner: OWNER, repo: '..' }), FatalFailure.BadInput);
    assert.deepEqual(asked(), []);
  });
});

void describe('checkPullRequestAccess: answers that are not GitHub (a wrong GITHUB_API_URL)', () => {
  void test('an HTML page with 200 is ForgeMisconfigured naming the base URL', async () => {
    gh.onRequest = () => ({
      status: 200,
      body: '<html>Sign in</html>',
      headers: { 'content-type': 'text/html' },
    });
    const err = await rejectsWith(forge.checkPullRequestAccess(TARGET), FatalFailure.ForgeMisconfigured);
    assert.equal(err.retryable, false);
    assert.ok(
      err.message.startsWith(
        `expected the GitHub REST API at ${gh.url} (GITHUB_API_URL) to answer GET /repos/vexxhost/atmosphere with GitHub's JSON, found 200 (text/html)`,
      ),
      err.message,
    );
    assert.match(err.message, /"<html>Sign in<\/html>"/);
    assert.match(err.message, /set GITHUB_API_URL to the API root/);
    assert.equal(err.details?.baseUrl, gh.url);
  });

  void test('JSON of another shape with 200 is ForgeMisconfigured, saying which field is off', async () => {
    gh.onRequest = () => ({ status: 200, body: { repositories: [] } });
    const err = await rejectsWith(forge.checkPullRequestAccess(TARGET), FatalFailure.ForgeMisconfigured);
    assert.match(err.message, /found 200 \(application\/json; charset=utf-8\) \(full_name: /);
  });

  void test("a 404 or 401 with a body that is not GitHub's is ForgeMisconfigured, not RepoNotFound or AuthRefused", async () => {
    for (const status of [404, 401]) {
      gh.onRequest = () => ({
        status,
        body: '<html>Not here</html>',
        headers: { 'content-type': 'text/html' },
      });
      const err = await rejectsWith(forge.checkPullRequestAccess(TARGET), FatalFailure.ForgeMisconfigured);
      assert.match(err.message, new RegExp(`found ${status} \\(text/html\\)`));
    }
  });

  void test('another HTTP server at GITHUB_API_URL (plain-text 404s) is ForgeMisconfigured, the token kept out', async () => {
    const other = await rawServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`404 page not found (you sent ${TOKEN})`);
    });
    try {
      const misdirected = createForge({ baseUrl: other.url, token: TOKEN, timeoutMs: 2_000 });
      const err = await rejectsWith(
        misdirected.checkPullRequestAccess(TARGET),
        FatalFailure.ForgeMisconfigured,
      );
      assert.ok(err.message.includes(`at ${other.url} (GITHUB_API_URL)`), err.message);
      assert.match(err.message, /found 404 \(text\/plain; charset=utf-8\): "404 page not found/);
      assertNoToken(err);
    } finally {
      await other.close();
    }
  });
});

void describe('checkPullRequestAccess: transient answers', () => {
  void test('5xx is ForgeUnavailable, even as an HTML page from a proxy', async () => {
    gh.onRequest = () => ({
      status: 502,
      body: '<html>Bad Gateway</html>',
      headers: { 'content-type': 'text/html' },
    });
    const err = await rejectsWith(forge.checkPullRequestAccess(TARGET), TransientFailure.ForgeUnavailable);
    assert.equal(err.retryable, true);
    assert.match(err.message, /found 502: <html>Bad Gateway<\/html>/);

    gh.onRequest = () => ({ status: 503, body: { message: 'Unavailable' }, headers: { 'retry-after': '4' } });
    const busy = await rejectsWith(forge.checkPullRequestAccess(TARGET), TransientFailure.ForgeUnavailable);
    assert.equal(busy.retryAfterMs, 4000);
  });

  void test('rate limits (429 Retry-After, 403 with x-ratelimit-remaining: 0) are ForgeUnavailable with the wait', async () => {
    gh.onRequest = () => ({
      status: 429,
      body: 'slow down',
      headers: { 'content-type': 'text/plain', 'retry-after': '9' },
    });
    const limited = await rejectsWith(
      forge.checkPullRequestAccess(TARGET),
      TransientFailure.ForgeUnavailable,
    );
    assert.equal(limited.retryAfterMs, 9000);
    assert.match(limited.message, /rate-limiting \(429/);

    const reset = Math.floor(Date.now() / 1000) + 30;
    gh.onRequest = () => ({
      status: 403,
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest',
      },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    const exhausted = await rejectsWith(
      forge.checkPullRequestAccess(TARGET),
      TransientFailure.ForgeUnavailable,
    );
    assert.ok(
      exhausted.retryAfterMs !== undefined &&
        exhausted.retryAfterMs > 10_000 &&
        exhausted.retryAfterMs <= 31_000,
      String(exhausted.retryAfterMs),
    );
  });

  void test('connection refused and a deadline are ForgeUnavailable', async () => {
    const gone = await rawServer((_req, res) => res.end());
    await gone.close();
    const refused = createForge({ baseUrl: gone.url, token: TOKEN, timeoutMs: 2_000 });
    const err = await rejectsWith(refused.checkPullRequestAccess(TARGET), TransientFailure.ForgeUnavailable);
    assert.match(err.message, /ECONNREFUSED/);
    assertNoToken(err);

    gh.onRequest = () => new Promise((resolve) => setTimeout(() => resolve(undefined), 1_000));
    const quick = createForge({ baseUrl: gh.url, token: TOKEN, timeoutMs: 150 });
    const slow = await rejectsWith(quick.checkPullRequestAccess(TARGET), TransientFailure.ForgeUnavailable);
    assert.match(slow.message, /no answer within 150 ms/);
  });
});
