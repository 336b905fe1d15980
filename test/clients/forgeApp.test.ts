/**
 * GitHub App authentication against the GitHub stand-in (a test double, not
 * GitHub), which verifies the app's JWT with its public key and issues
 * installation tokens that expire when it says: the app opens a pull request,
 * installations are found per repository and remembered, a token is replaced
 * before it expires (no failed call), a 401 gets one refresh and one retry,
 * bad settings fail at start naming the variable, and the key and the
 * tokens show in no error or log line.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createForge, forgeOptionsFromEnvironment, type Forge } from '../../src/clients/forge/index.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/githubStandIn.js';
import { errorBody } from '../../src/sandbox/standInShapes.js';
import { assertNoToken, OWNER, PR_INPUT, REPO, rejectsWith, TOKEN } from './forgeSupport.js';

const APP_ID = 31337;
const TARGET = { owner: OWNER, repo: REPO };
// Made per run, as GitHub hands them out (PKCS#1 PEM): no key-shaped literal is tracked.
const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey, publicKey } = keyPair();
const KEY_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
/** The key's base64 lines: none may show anywhere. */
const KEY_LINES = KEY_PEM.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));

let gh: GitHubStandIn;
let dir: string;
const logged: string[] = [];
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originals = consoleMethods.map((m) => [m, console[m]] as const);

before(async () => {
  for (const m of consoleMethods)
    console[m] = (...args: unknown[]) => logged.push(args.map(String).join(' '));
  dir = mkdtempSync(path.join(tmpdir(), 'bumpflow-app-'));
  gh = await startGitHubStandIn({ token: TOKEN, app: { id: APP_ID, publicKey } });
});
after(async () => {
  for (const [m, fn] of originals) console[m] = fn;
  await gh.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  gh.pulls.length = 0;
  gh.requests.length = 0;
  gh.onRequest = undefined;
  gh.app!.tokenLifetimeSeconds = 3600;
});

const appEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  GITHUB_API_URL: gh.url,
  BUMPFLOW_GITHUB_APP_ID: String(APP_ID),
  BUMPFLOW_GITHUB_APP_PRIVATE_KEY: KEY_PEM,
  ...extra,
});
const appForge = (extra: NodeJS.ProcessEnv = {}): Forge =>
  createForge({ ...forgeOptionsFromEnvironment(appEnv(extra)), timeoutMs: 5_000 });
const count = (method: string, pattern: RegExp) =>
  gh.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
const refusals = () => gh.requests.filter((r) => r.status === 401).length;
const secrets = () => [...KEY_LINES, ...gh.app!.tokens.map((t) => t.token)];

function assertNoSecret(err: BumpflowError): void {
  for (const secret of secrets()) assertNoToken(err, secret);
}

void describe('GitHub App: installation tokens', () => {
  void test('opens a pull request as the app: the JWT finds the installation, its token does the rest', async () => {
    gh.app!.install(OWNER);
    // The forge knows no personal token: only the installation token can open the pull request.
    const forge = appForge();
    assert.deepEqual(await forge.checkPullRequestAccess(TARGET), {
      fullName: 'vexxhost/atmosphere',
      defaultBranch: 'main',
      canPush: true,
    });
    const pr = await forge.findOrCreatePullRequest(PR_INPUT);
    assert.equal(pr.created, true);
    assert.deepEqual(
      gh.pulls.map((p) => [p.owner, p.repo, p.head, p.base]),
      [[OWNER, REPO, PR_INPUT.head, PR_INPUT.base]],
    );
    assert.equal(count('GET', /^\/repos\/vexxhost\/atmosphere\/installation$/), 1);
    assert.equal(count('POST', /^\/app\/installations\/\d+\/access_tokens$/), 1);
    assert.equal(refusals(), 0);

    // As on GitHub, GET /repos lists no permissions for an installation token (they come with the token).
    const [issued] = gh.app!.tokens.slice(-1);
    const repo = await fetch(`${gh.url}/repos/${OWNER}/${REPO}`, {
      headers: { authorization: `token ${issued!.token}` },
    });
    assert.equal(repo.status, 200);
    assert.equal('permissions' in ((await repo.json()) as object), false);
  });

  void test('a key from a mounted file (BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE) works the same', async () => {
    gh.app!.install(OWNER);
    const file = path.join(dir, 'app.pem');
    writeFileSync(file, KEY_PEM, { mode: 0o600 });
    const forge = appForge({
      BUMPFLOW_GITHUB_APP_PRIVATE_KEY: undefined,
      BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE: file,
    });
    assert.equal((await forge.checkPullRequestAccess(TARGET)).canPush, true);
  });

  void test('a token about to expire is replaced before the call: no call is refused', async () => {
    gh.app!.install(OWNER);
    gh.app!.tokenLifetimeSeconds = 2;
    const forge = appForge();
    const before = gh.app!.tokens.length;
    await forge.getReleaseNotes({ ...TARGET, tag: 'v1' });
    await forge.getReleaseNotes({ ...TARGET, tag: 'v2' });
    assert.equal(gh.app!.tokens.length, before + 1, 'the second call reuses the cached token');
    const first = gh.app!.tokens.at(-1)!;

    // Past the first token's expires_at: the stand-in would refuse it now.
    await new Promise((r) => setTimeout(r, Date.parse(first.expiresAt) - Date.now() + 100));
    await forge.getReleaseNotes({ ...TARGET, tag: 'v3' });
    assert.equal(gh.app!.tokens.length, before + 2, 'a new token was created');
    assert.equal(refusals(), 0, 'no request was answered 401');

    const stale = await fetch(`${gh.url}/repos/${OWNER}/${REPO}`, {
      headers: { authorization: `token ${first.token}` },
    });
    assert.equal(stale.status, 401, 'the stand-in refuses the expired token');
  });

  void test('the installation is found per repository and remembered; one token per installation', async () => {
    gh.app!.install('acme');
    gh.app!.install('umbrella', { repositories: ['one'] });
    const forge = appForge();
    for (const [owner, repo] of [
      ['acme', 'x'],
      ['acme', 'x'],
      ['acme', 'y'],
      ['umbrella', 'one'],
      ['Umbrella', 'One'],
    ] as const) {
      await forge.getReleaseNotes({ owner, repo, tag: 'v1' });
    }
    assert.equal(count('GET', /^\/repos\/acme\/x\/installation$/), 1);
    assert.equal(count('GET', /^\/repos\/acme\/y\/installation$/), 1);
    assert.equal(count('GET', /^\/repos\/umbrella\/one\/installation$/i), 1);
    assert.equal(count('POST', /access_tokens$/), 2);

    const err = await rejectsWith(
      forge.getReleaseNotes({ owner: 'umbrella', repo: 'two', tag: 'v1' }),
      FatalFailure.AuthRefused,
    );
    assert.match(err.message, /GitHub App 31337 \(BUMPFLOW_GITHUB_APP_ID\) to be installed on umbrella\/two/);
    assertNoSecret(err);
  });

  void test('BUMPFLOW_GITHUB_APP_INSTALLATION_ID skips the look-up', async () => {
    const id = gh.app!.install(OWNER);
    const forge = appForge({ BUMPFLOW_GITHUB_APP_INSTALLATION_ID: String(id) });
    await forge.checkPullRequestAccess(TARGET);
    assert.equal(count('GET', /\/installation$/), 0);
    assert.equal(count('POST', new RegExp(`^/app/installations/${id}/access_tokens$`)), 1);
  });

  void test('a reinstalled app (a new installation id) is looked up again', async () => {
    gh.app!.install(OWNER);
    const forge = appForge();
    await forge.checkPullRequestAccess(TARGET);
    gh.app!.install(OWNER);
    gh.app!.revokeTokens();
    await forge.checkPullRequestAccess(TARGET);
    assert.equal(count('GET', /\/installation$/), 2);
  });

  void test('a 401 with an installation token gets one new token and one retry', async () => {
    gh.app!.install(OWNER);
    const forge = appForge();
    await forge.checkPullRequestAccess(TARGET);
    gh.app!.revokeTokens();
    const tokens = gh.app!.tokens.length;
    assert.equal((await forge.checkPullRequestAccess(TARGET)).canPush, true);
    assert.equal(refusals(), 1);
    assert.equal(gh.app!.tokens.length, tokens + 1);
  });

  void test('never a loop: a 401 again after the refresh is AuthRefused, after exactly two tries', async () => {
    gh.app!.install(OWNER);
    const forge = appForge();
    gh.onRequest = (req) =>
      req.method === 'GET' && req.path === `/repos/${OWNER}/${REPO}/pulls/7`
        ? errorBody(401, 'Bad credentials', 'https://docs.github.com/rest')
        : undefined;
    const err = await rejectsWith(forge.getPullRequest({ ...TARGET, number: 7 }), FatalFailure.AuthRefused);
    assert.match(err.message, /GitHub App 31337/);
    assert.equal(count('GET', /\/pulls\/7$/), 2);
    assert.equal(count('POST', /access_tokens$/), 2);
    assertNoSecret(err);
  });

  void test('an installation without pull_requests: write fails the pre-flight, naming what is missing', async () => {
    gh.app!.install(OWNER, { permissions: { contents: 'write', pull_requests: 'read', metadata: 'read' } });
    const err = await rejectsWith(appForge().checkPullRequestAccess(TARGET), FatalFailure.AuthRefused);
    assert.match(err.message, /pull_requests: write/);
    assert.match(err.message, /found contents: write, pull_requests: read, metadata: read/);
    assertNoSecret(err);
  });

  void test('a key that is not the app’s: the stand-in refuses the JWT, AuthRefused names the key variables', async () => {
    gh.app!.install(OWNER);
    const other = keyPair().privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const err = await rejectsWith(
      appForge({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: other }).checkPullRequestAccess(TARGET),
      FatalFailure.AuthRefused,
    );
    assert.match(err.message, /401 A JSON web token could not be decoded/);
    assert.match(err.message, /BUMPFLOW_GITHUB_APP_PRIVATE_KEY or BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE/);
    for (const line of other.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----')))
      assertNoToken(err, line);
    assertNoSecret(err);
  });
});

void describe('GitHub App: settings, checked at start', () => {
  const refused = (env: NodeJS.ProcessEnv, variable: RegExp, hidden: string[] = KEY_LINES) => {
    assert.throws(
      () => forgeOptionsFromEnvironment(env),
      (err: unknown) => {
        assert.ok(err instanceof BumpflowError, inspect(err));
        assert.equal(err.type, FatalFailure.ForgeMisconfigured);
        assert.match(err.message, variable);
        for (const secret of hidden) assertNoToken(err, secret);
        return true;
      },
    );
  };

  void test('a malformed key names its variable and never echoes it', () => {
    const mangled = KEY_PEM.replace(KEY_LINES[3]!, KEY_LINES[3]!.split('').reverse().join(''));
    const hidden = mangled.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
    refused(
      appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: mangled }),
      /BUMPFLOW_GITHUB_APP_PRIVATE_KEY to hold the GitHub App's RSA private key, found a PEM "RSA PRIVATE KEY" block .* parts do not agree/,
      hidden,
    );
    const truncated = [...KEY_PEM.split('\n').slice(0, 6), '-----END RSA PRIVATE KEY-----'].join('\n');
    refused(
      appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: truncated }),
      /BUMPFLOW_GITHUB_APP_PRIVATE_KEY to hold .* not a readable private key/,
    );
    refused(appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: KEY_LINES.join('') }), /without a PEM/, [
      KEY_LINES.join(''),
    ]);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    refused(appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: ec.toString() }), /RSA private key, found a ec key/, [
      ec.toString().split('\n')[1]!,
    ]);
  });

  void test('a missing key file, an id that is no number, a key without an id, two keys: each names the variable', () => {
    refused(
      appEnv({
        BUMPFLOW_GITHUB_APP_PRIVATE_KEY: undefined,
        BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE: '/nonexistent/app.pem',
      }),
      /BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE .*"\/nonexistent\/app\.pem" unreadable \(ENOENT\)/,
    );
    refused(
      appEnv({ BUMPFLOW_GITHUB_APP_ID: 'Iv1.abc' }),
      /expected BUMPFLOW_GITHUB_APP_ID to be .* found "Iv1\.abc"/,
    );
    refused(
      appEnv({ BUMPFLOW_GITHUB_APP_ID: undefined }),
      /expected BUMPFLOW_GITHUB_APP_ID .* beside BUMPFLOW_GITHUB_APP_PRIVATE_KEY/,
    );
    refused(
      appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: undefined }),
      /BUMPFLOW_GITHUB_APP_PRIVATE_KEY .* found neither/,
    );
    refused(appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE: '/k.pem' }), /found both set/);
    refused(
      appEnv({ BUMPFLOW_GITHUB_APP_INSTALLATION_ID: '0' }),
      /BUMPFLOW_GITHUB_APP_INSTALLATION_ID to be/,
    );
  });

  void test('a personal token beside an app is refused: the identity is chosen, not guessed', () => {
    refused(appEnv({ GITHUB_TOKEN: TOKEN }), /both a personal token \(GITHUB_TOKEN\) and a GitHub App/, [
      ...KEY_LINES,
      TOKEN,
    ]);
    refused(appEnv({ GH_TOKEN: TOKEN }), /unset GH_TOKEN to act as the app/, [...KEY_LINES, TOKEN]);
    // The key's `\n`-escaped one-line form (an env file) is read as the PEM it stands for.
    const oneLine = forgeOptionsFromEnvironment(
      appEnv({ BUMPFLOW_GITHUB_APP_PRIVATE_KEY: KEY_PEM.replace(/\n/g, '\\n') }),
    );
    assert.equal(oneLine.app?.appId, APP_ID);
    assert.match(oneLine.app?.privateKey ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.deepEqual(forgeOptionsFromEnvironment({ GITHUB_TOKEN: TOKEN }), { token: TOKEN });
  });
});

void describe('GitHub App: secrets', () => {
  void test('no log line carries the key or an installation token', () => {
    assert.ok(gh.app!.tokens.length > 5, 'tokens were issued');
    for (const line of logged)
      for (const secret of secrets()) assert.ok(!line.includes(secret), `secret in log line: ${line}`);
    for (const r of gh.requests)
      for (const secret of secrets()) assert.ok(!JSON.stringify(r).includes(secret));
  });
});
