/**
 * The GitHub stand-in (a test double, not GitHub) keeps GitHub's shapes, says
 * what it is, and survives clients that go away.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import { OWNER, REPO, TOKEN } from './forgeSupport.js';

let gh: GitHubStandIn;

before(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
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

void describe('the GitHub stand-in answers GET /repos/{owner}/{repo} as GitHub does for a token', () => {
  const get = (path: string, init: RequestInit = {}, token = TOKEN) =>
    fetch(`${gh.url}${path}`, { ...init, headers: { authorization: `token ${token}`, ...init.headers } });
  interface RepoJson {
    full_name: string;
    default_branch: string;
    private: boolean;
    visibility: string;
    permissions: Record<string, boolean>;
  }

  void test('every repository exists by default: public, main, and the token may push (write role)', async () => {
    const answer = await get('/repos/vexxhost/docker-magnum');
    assert.equal(answer.status, 200);
    const repo = (await answer.json()) as RepoJson;
    assert.deepEqual(
      [repo.full_name, repo.default_branch, repo.private, repo.visibility],
      ['vexxhost/docker-magnum', 'main', false, 'public'],
    );
    assert.deepEqual(repo.permissions, {
      admin: false,
      maintain: false,
      push: true,
      triage: true,
      pull: true,
    });
  });

  void test('each role gives the permissions GitHub gives it; a public repository can always be pulled', async () => {
    const expected = {
      none: [false, false, false, false, true],
      read: [false, false, false, false, true],
      triage: [false, false, false, true, true],
      write: [false, false, true, true, true],
      maintain: [false, true, true, true, true],
      admin: [true, true, true, true, true],
    } as const;
    for (const [role, flags] of Object.entries(expected)) {
      gh.setRepository(OWNER, REPO, { role: role as keyof typeof expected });
      const { permissions } = (await (await get('/repos/vexxhost/atmosphere')).json()) as RepoJson;
      assert.deepEqual(
        [permissions.admin, permissions.maintain, permissions.push, permissions.triage, permissions.pull],
        flags,
        role,
      );
    }
    assert.throws(() => gh.setRepository(OWNER, REPO, { role: 'owner' as 'admin' }), /expected a role among/);
  });

  void test('settings match owner/repo without case and add up; resetRepositories forgets them', async () => {
    gh.setRepository('VexxHost', 'Atmosphere', { defaultBranch: 'master' });
    gh.setRepository(OWNER, REPO, { private: true });
    const repo = (await (await get('/repos/vexxhost/atmosphere')).json()) as RepoJson;
    assert.deepEqual([repo.default_branch, repo.private, repo.visibility], ['master', true, 'private']);
    gh.resetRepositories();
    const again = (await (await get('/repos/vexxhost/atmosphere')).json()) as RepoJson;
    assert.deepEqual([again.default_branch, again.private], ['main', false]);
  });

  void test('an unknown repository, or a private one the token was not granted, is a 404 on every endpoint under it', async () => {
    gh.setRepository(OWNER, 'gone', { exists: false });
    gh.setRepository(OWNER, 'secret', { private: true, role: 'none' });
    for (const path of [
      '/repos/vexxhost/gone',
      '/repos/vexxhost/gone/pulls',
      '/repos/vexxhost/secret/pulls/1',
    ]) {
      const answer = await get(path);
      assert.equal(answer.status, 404, path);
      assert.deepEqual(await answer.json(), {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
        status: '404',
      });
    }
    assert.equal((await get('/repos/vexxhost/gone', {}, 'wrong')).status, 401, 'the token is checked first');
  });

  void test('below the write role, creating a pull request answers 403 and opens nothing', async () => {
    gh.setRepository(OWNER, REPO, { role: 'read' });
    const post = await get('/repos/vexxhost/atmosphere/pulls', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 't', head: 'x', base: 'main' }),
    });
    assert.equal(post.status, 403);
    assert.equal(
      ((await post.json()) as { message: string }).message,
      'Resource not accessible by personal access token',
    );
    assert.equal(gh.pulls.length, 0);
    assert.equal((await get('/repos/vexxhost/atmosphere/pulls')).status, 200, 'reading still works');
  });
});
