/**
 * findOrCreateRelease (the audit release of a promotion) against the GitHub
 * stand-in (a test double) on loopback: created once and found after, races,
 * GitHub's refusals and outages; and the stand-in's POST …/releases itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createForge, type Forge } from '../../src/clients/forge/index.js';
import { FatalFailure, TransientFailure } from '../../src/shared/failures.js';
import { toApplicationFailure } from '../../src/shared/temporalFailure.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import { assertNoToken, OWNER, rejectsWith, TOKEN } from './forgeSupport.js';

const SOURCE = 'docker-magnum';
const REVISION = 'abc1234'.padEnd(40, '0');
const INPUT = {
  owner: OWNER,
  repo: SOURCE,
  tag: 'prod-20260301-abc1234',
  targetCommitish: REVISION,
  name: 'magnum promoted to prod',
  body: '## Plan\n- :staging → :prod\n\n## Evidence\n- signature verified',
};
const HTML = `https://github.com/${OWNER}/${SOURCE}/releases/tag/${INPUT.tag}`;

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
  gh.requests.length = 0;
  gh.onRequest = undefined;
  gh.resolveHeadSha = undefined;
  gh.resetRepositories();
});

/** A tag of its own per test: the stand-in's releases live as long as the file. */
function fresh(): typeof INPUT {
  return { ...INPUT, tag: `prod-20260301-${randomBytes(4).toString('hex')}` };
}

const asked = () => gh.requests.map((r) => `${r.method} ${r.status}`);
const made = (tag: string) => gh.releases(OWNER, SOURCE).filter((r) => r.tag === tag);

void describe('findOrCreateRelease', () => {
  void test('creates the release once, at the target, with name and body; a second call finds it and posts nothing', async () => {
    const first = await forge.findOrCreateRelease(INPUT);
    assert.equal(first.created, true);
    assert.equal(first.tag, INPUT.tag);
    assert.equal(first.url, HTML);
    assert.ok(Number.isInteger(first.id) && first.id > 0);
    assert.deepEqual(made(INPUT.tag), [
      { tag: INPUT.tag, name: INPUT.name, body: INPUT.body, targetCommitish: REVISION },
    ]);

    const second = await forge.findOrCreateRelease({ ...INPUT, body: 'another body' });
    assert.deepEqual(second, { ...first, created: false });
    assert.equal(made(INPUT.tag).length, 1);
    assert.equal(made(INPUT.tag)[0]?.body, INPUT.body, 'an existing release is never edited');
    assert.deepEqual(asked(), ['GET 404', 'POST 201', 'GET 200']);
    assert.equal(gh.requests[0]?.path, `/repos/${OWNER}/${SOURCE}/releases/tags/${INPUT.tag}`);
    assert.equal(gh.requests[1]?.path, `/repos/${OWNER}/${SOURCE}/releases`);
  });

  void test('a release that was already there (seeded) is returned as it is, with GETs only', async () => {
    const input = fresh();
    gh.addRelease(OWNER, SOURCE, input.tag, 'written by hand');
    const ref = await forge.findOrCreateRelease(input);
    assert.equal(ref.created, false);
    assert.equal(ref.tag, input.tag);
    assert.deepEqual(made(input.tag), [
      { tag: input.tag, name: input.tag, body: 'written by hand', targetCommitish: 'main' },
    ]);
    assert.deepEqual(asked(), ['GET 200']);
  });

  void test('two calls racing for one tag make exactly one release, and both answer it', async () => {
    const input = fresh();
    // Hold both lookups until both have arrived, so both see none and both POST.
    const waiting: Array<() => void> = [];
    gh.onRequest = (req) => {
      if (req.method !== 'GET' || waiting.length >= 2) return undefined;
      return new Promise((resolve) => {
        waiting.push(() => resolve(undefined));
        if (waiting.length === 2) for (const go of waiting) go();
      });
    };
    const [x, y] = await Promise.all([forge.findOrCreateRelease(input), forge.findOrCreateRelease(input)]);
    assert.equal(made(input.tag).length, 1);
    assert.equal(x.id, y.id);
    assert.deepEqual([x.created, y.created].sort(), [false, true]);
    assert.deepEqual(asked().sort(), ['GET 200', 'GET 404', 'GET 404', 'POST 201', 'POST 422'].sort());
  });

  void test('a create answering 422 tag_name already_exists (the lookup missed it) returns that release, not a second', async () => {
    const input = fresh();
    gh.addRelease(OWNER, SOURCE, input.tag, 'made by an earlier attempt');
    let lookups = 0;
    gh.onRequest = (req) =>
      req.method === 'GET' && lookups++ === 0
        ? { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
        : undefined;
    const ref = await forge.findOrCreateRelease(input);
    assert.equal(ref.created, false);
    assert.equal(ref.tag, input.tag);
    assert.equal(made(input.tag)[0]?.body, 'made by an earlier attempt');
    assert.equal(made(input.tag).length, 1);
    assert.deepEqual(asked(), ['GET 404', 'POST 422', 'GET 200']);
  });

  void test('"already exists" while the lookup still finds none is transient, never a second release', async () => {
    const input = fresh();
    gh.addRelease(OWNER, SOURCE, input.tag, 'hidden');
    gh.onRequest = (req) =>
      req.method === 'GET'
        ? { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
        : undefined;
    const err = await rejectsWith(forge.findOrCreateRelease(input), TransientFailure.ForgeUnavailable);
    assert.equal(err.retryable, true);
    assert.match(err.message, new RegExp(`release for tag ${input.tag} of vexxhost/docker-magnum`));
    assert.equal(made(input.tag).length, 1);
  });

  void test('a target that is no commit or known branch is a fatal BadInput saying what GitHub said', async () => {
    const input = { ...fresh(), targetCommitish: 'stable/1999.1' };
    gh.resolveHeadSha = async (_o, _r, branch) => (branch === 'main' ? 'c'.repeat(40) : undefined);
    const err = await rejectsWith(forge.findOrCreateRelease(input), FatalFailure.BadInput);
    assert.equal(toApplicationFailure(err).nonRetryable, true);
    assert.match(err.message, /422: Validation Failed: Release\.target_commitish invalid/);
    assert.match(
      err.message,
      new RegExp(`creating release ${input.tag} at stable/1999\\.1 in vexxhost/docker-magnum`),
    );
    assert.deepEqual(err.details?.errors, [
      { resource: 'Release', code: 'invalid', field: 'target_commitish' },
    ]);
    assert.equal(made(input.tag).length, 0);

    // A known branch, or a full commit SHA, is a target GitHub takes.
    const onMain = await forge.findOrCreateRelease({ ...input, targetCommitish: 'main' });
    assert.equal(onMain.created, true);
    assert.equal(made(input.tag)[0]?.targetCommitish, 'main');
    const other = fresh();
    assert.equal((await forge.findOrCreateRelease(other)).created, true);
    assert.equal(made(other.tag)[0]?.targetCommitish, REVISION);
  });

  void test('a wrong token is AuthRefused, non-retryable, nothing is made, and the token shows nowhere', async () => {
    const input = fresh();
    const wrong = `ghp_${randomBytes(15).toString('hex')}`;
    const bad = createForge({ baseUrl: gh.url, token: wrong });
    const err = await rejectsWith(bad.findOrCreateRelease(input), FatalFailure.AuthRefused);
    assert.equal(toApplicationFailure(err).nonRetryable, true);
    assert.match(err.message, /^GitHub refused the token for vexxhost\/docker-magnum: 401 Bad credentials/);
    assert.match(err.message, /push access there/);
    assertNoToken(err, wrong);
    assertNoToken(err, TOKEN);
    assert.equal(made(input.tag).length, 0);

    const anonymous = createForge({ baseUrl: gh.url });
    const none = await rejectsWith(anonymous.findOrCreateRelease(input), FatalFailure.AuthRefused);
    assert.match(none.message, /no token is configured: set GITHUB_TOKEN or GH_TOKEN/);
  });

  void test('a read-only token is AuthRefused (403) and makes nothing, yet may find a release already made', async () => {
    const input = fresh();
    gh.setRepository(OWNER, SOURCE, { role: 'read' });
    const err = await rejectsWith(forge.findOrCreateRelease(input), FatalFailure.AuthRefused);
    assert.match(err.message, /403 Resource not accessible by personal access token while creating release/);
    assert.deepEqual(err.details?.status, 403);
    assert.equal(made(input.tag).length, 0);
    assert.deepEqual(asked(), ['GET 404', 'POST 403']);

    gh.addRelease(OWNER, SOURCE, input.tag, 'made while the token could push');
    assert.equal((await forge.findOrCreateRelease(input)).created, false);
  });

  void test('an unknown repository, or a private one the token was not granted, is RepoNotFound', async () => {
    gh.setRepository(OWNER, 'gone', { exists: false });
    const err = await rejectsWith(
      forge.findOrCreateRelease({ ...INPUT, repo: 'gone' }),
      FatalFailure.RepoNotFound,
    );
    assert.equal(err.retryable, false);
    assert.match(err.message, /^expected repository vexxhost\/gone to exist on http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(err.details?.tag, INPUT.tag);
    assert.deepEqual(asked(), ['GET 404', 'POST 404']);

    gh.setRepository(OWNER, 'secret', { private: true, role: 'none' });
    await rejectsWith(forge.findOrCreateRelease({ ...INPUT, repo: 'secret' }), FatalFailure.RepoNotFound);
    assert.deepEqual(gh.releases(OWNER, 'gone'), []);
    assert.deepEqual(gh.releases(OWNER, 'secret'), []);
  });

  void test('outages and rate limits, on the lookup or the create, are ForgeUnavailable', async () => {
    const input = fresh();
    gh.onRequest = (req) =>
      req.method === 'POST' ? { status: 502, body: { message: 'Bad Gateway' } } : undefined;
    const down = await rejectsWith(forge.findOrCreateRelease(input), TransientFailure.ForgeUnavailable);
    assert.match(down.message, /found 502: Bad Gateway/);

    gh.onRequest = () => ({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { message: 'API rate limit exceeded', documentation_url: 'https://docs.github.com/rest' },
    });
    const limited = await rejectsWith(forge.findOrCreateRelease(input), TransientFailure.ForgeUnavailable);
    assert.equal(limited.retryAfterMs, 7_000);
    assert.equal(made(input.tag).length, 0);
  });

  void test('refuses empty fields, a bad owner and an over-long body before asking GitHub', async () => {
    await rejectsWith(forge.findOrCreateRelease({ ...INPUT, tag: ' ' }), FatalFailure.BadInput);
    await rejectsWith(forge.findOrCreateRelease({ ...INPUT, targetCommitish: '' }), FatalFailure.BadInput);
    await rejectsWith(forge.findOrCreateRelease({ ...INPUT, owner: 'vexx/host' }), FatalFailure.BadInput);
    const long = await rejectsWith(
      forge.findOrCreateRelease({ ...INPUT, body: 'x'.repeat(125_001) }),
      FatalFailure.BadInput,
    );
    assert.match(long.message, /at most 125000 characters .* found 125001 characters/);
    assert.equal(gh.requests.length, 0);
  });
});

void describe('the GitHub stand-in answers POST /repos/{owner}/{repo}/releases as GitHub does', () => {
  const post = (repo: string, body: unknown) =>
    fetch(`${gh.url}/repos/${OWNER}/${repo}/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  void test('201 with Location and the release JSON the lookup by tag gives; the default branch as target', async () => {
    const tag = fresh().tag;
    const res = await post(SOURCE, { tag_name: tag, name: 'n', body: 'b' });
    assert.equal(res.status, 201);
    const created = (await res.json()) as Record<string, unknown>;
    assert.equal(
      res.headers.get('location'),
      `${gh.url}/repos/${OWNER}/${SOURCE}/releases/${String(created.id)}`,
    );
    assert.equal(res.headers.get('x-bumpflow-stand-in'), 'github');
    const got = await fetch(`${gh.url}/repos/${OWNER}/${SOURCE}/releases/tags/${tag}`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    assert.deepEqual(await got.json(), created);
    assert.equal(created.target_commitish, 'main');
    assert.deepEqual([created.tag_name, created.name, created.body, created.draft], [tag, 'n', 'b', false]);
  });

  void test('422s: a tag that has a release, a tag_name not supplied or not a string', async () => {
    const tag = fresh().tag;
    assert.equal((await post(SOURCE, { tag_name: tag })).status, 201);
    const dup = await post(SOURCE, { tag_name: tag, target_commitish: REVISION });
    assert.equal(dup.status, 422);
    assert.deepEqual(await dup.json(), {
      message: 'Validation Failed',
      documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
      errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
      status: '422',
    });
    const missing = await post(SOURCE, { name: 'no tag' });
    assert.equal(missing.status, 422);
    assert.match(((await missing.json()) as { message: string }).message, /"tag_name" wasn't supplied/);
    const typed = await post(SOURCE, { tag_name: 5 });
    assert.match(((await typed.json()) as { message: string }).message, /For 'tag_name', 5 is not a string/);
    assert.equal(made(tag).length, 1);
  });
});
