/**
 * GitHub App authentication through @octokit/auth-app: the app's JWT (signed
 * with its private key) finds the installation of each repository
 * (`GET /repos/{owner}/{repo}/installation`, remembered per repository) and
 * creates installation tokens (`POST /app/installations/{id}/access_tokens`).
 *
 * The library caches installation tokens; its default cache keeps one for 59
 * minutes whatever GitHub said, so the cache here keeps each until a minute
 * before its `expires_at` (half its lifetime, for a shorter-lived one) and the
 * library then asks for a new one. Tokens and the key stay in this module and
 * the requests it makes: `redact` masks every token it handed out.
 */
import { createAppAuth } from '@octokit/auth-app';
import type { Octokit } from '@octokit/rest';
import { BumpflowError, fatal, FatalFailure } from '../../shared/failures.js';
import { APP_ID, APP_INSTALLATION, APP_KEY, APP_KEY_FILE } from './appSettings.js';
import { classify, errorBody, rateLimitWaitMs, responseOf, statusOf } from './classify.js';
import type { Context } from './client.js';
import type { GitHubAppOptions } from './types.js';

/** Refresh an installation token this long before GitHub said it expires (at most half its lifetime). */
export const REFRESH_MARGIN_MS = 60_000;

export interface InstallationToken {
  token: string;
  installationId: number;
  expiresAt: string;
  /** What the installation grants, e.g. `{contents: 'write', pull_requests: 'write', metadata: 'read'}`. */
  permissions: Record<string, string>;
}

export interface AppTokens {
  appId: number;
  /** A token of owner/repo's installation: the cached one, or a new one when it is near expiry or `refresh` is set. */
  tokenFor(owner: string, repo: string, options?: { refresh?: boolean }): Promise<InstallationToken>;
  /** The text with every installation token handed out (and the key's lines) replaced by [REDACTED]. */
  redact(text: string): string;
}

/** When a token created at `createdAt` and expiring at `expiresAt` (epoch ms) is to be replaced. */
export function refreshAt(createdAt: number, expiresAt: number): number {
  if (!Number.isFinite(expiresAt)) return 0;
  const lifetime = Number.isFinite(createdAt) ? Math.max(0, expiresAt - createdAt) : 2 * REFRESH_MARGIN_MS;
  return expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 2);
}

/** @octokit/auth-app's cache interface, keyed by installation; its values are `token|createdAt|expiresAt|…`. */
function expiryCache(now: () => number) {
  const entries = new Map<string, { value: string; until: number }>();
  return {
    get(key: string): string {
      const entry = entries.get(key);
      if (entry !== undefined && now() < entry.until) return entry.value;
      entries.delete(key);
      return '';
    },
    set(key: string, value: string): void {
      const [, createdAt = '', expiresAt = ''] = value.split('|');
      const until = refreshAt(Date.parse(createdAt), Date.parse(expiresAt));
      if (until > now()) entries.set(key, { value, until });
      else entries.delete(key);
    },
  };
}

export function createAppTokens(
  app: GitHubAppOptions,
  request: Octokit['request'],
  ctx: () => Context,
  log: { warn: (message: string) => void },
  now: () => number = Date.now,
): AppTokens {
  const auth = createAppAuth({
    appId: app.appId,
    privateKey: app.privateKey,
    ...(app.installationId === undefined ? {} : { installationId: app.installationId }),
    request,
    cache: expiryCache(now),
    log: { warn: (message: string) => log.warn(message), info: () => undefined, debug: () => undefined },
  });
  const appRequest = request.defaults({ request: { hook: auth.hook } });
  const installations = new Map<string, Promise<number>>();
  const handedOut = new Map<string, number>();
  const keyLines = app.privateKey
    .split('\n')
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
  const who = `GitHub App ${app.appId} (${APP_ID})`;

  function redact(text: string): string {
    let out = text;
    for (const secret of [...handedOut.keys(), ...keyLines]) out = out.split(secret).join('[REDACTED]');
    return out;
  }

  function failure(err: unknown, action: string, slug: string, installationId?: number): Error {
    if (err instanceof BumpflowError) return err;
    const status = statusOf(err);
    const response = responseOf(err);
    const said = redact(errorBody(response?.data).message ?? 'no message');
    const details = {
      slug,
      status,
      appId: app.appId,
      ...(installationId === undefined ? {} : { installationId }),
    };
    const limited =
      status !== undefined && response !== undefined && rateLimitWaitMs(status, response) !== undefined;
    if (status === 401) {
      return fatal(
        FatalFailure.AuthRefused,
        `GitHub refused the JWT of ${who} while ${action} for ${slug}: 401 ${said}; expected ${APP_KEY} or ${APP_KEY_FILE} to hold that app's private key (the app's settings page makes a new one) and the worker's clock to be right`,
        details,
      );
    }
    if (status === 404 && installationId === undefined) {
      return fatal(
        FatalFailure.AuthRefused,
        `expected ${who} to be installed on ${slug}, found 404 (${said}) while ${action}; install the app on the repository (or add the repository to its installation), or check the repository URL`,
        details,
      );
    }
    if ((status === 404 || status === 403) && !limited) {
      const configured = app.installationId === undefined ? '' : ` (${APP_INSTALLATION})`;
      return fatal(
        FatalFailure.AuthRefused,
        `expected installation ${String(installationId ?? '?')}${configured} of ${who} to give tokens for ${slug}, found ${status} (${said}) while ${action}; check that the app is installed there and not suspended`,
        details,
      );
    }
    return classify(err, { ...ctx(), action, slug });
  }

  function installationOf(owner: string, repo: string): Promise<number> {
    if (app.installationId !== undefined) return Promise.resolve(app.installationId);
    const key = `${owner}/${repo}`.toLowerCase();
    let found = installations.get(key);
    if (found === undefined) {
      const action = "finding the GitHub App's installation";
      found = appRequest('GET /repos/{owner}/{repo}/installation', { owner, repo }).then(
        ({ data }) => {
          const id = (data as { id?: unknown }).id;
          if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return id;
          throw fatal(
            FatalFailure.ForgeMisconfigured,
            `expected GitHub (${ctx().where}) to answer GET /repos/${owner}/${repo}/installation with an installation and its numeric id, found id ${JSON.stringify(id)}`,
            { slug: `${owner}/${repo}` },
          );
        },
        (err: unknown) => {
          throw failure(err, action, `${owner}/${repo}`);
        },
      );
      installations.set(key, found);
      found.catch(() => installations.delete(key));
    }
    return found;
  }

  async function token(owner: string, repo: string, refresh: boolean): Promise<InstallationToken> {
    const installationId = await installationOf(owner, repo);
    let got;
    try {
      got = await auth({ type: 'installation', installationId, refresh });
    } catch (err) {
      throw failure(err, 'creating an installation token', `${owner}/${repo}`, installationId);
    }
    const expiresAt = Date.parse(got.expiresAt);
    for (const [t, until] of handedOut) if (until < now() - 3_600_000) handedOut.delete(t);
    handedOut.set(got.token, Number.isFinite(expiresAt) ? expiresAt : now());
    return { token: got.token, installationId, expiresAt: got.expiresAt, permissions: got.permissions };
  }

  return {
    appId: app.appId,
    redact,
    async tokenFor(owner, repo, options = {}) {
      try {
        return await token(owner, repo, options.refresh === true);
      } catch (err) {
        // A looked-up installation that is gone (the app was reinstalled): look it up once more.
        const gone =
          err instanceof BumpflowError &&
          err.details?.status === 404 &&
          err.details.installationId !== undefined &&
          app.installationId === undefined;
        if (!gone) throw err;
        installations.delete(`${owner}/${repo}`.toLowerCase());
        return token(owner, repo, true);
      }
    },
  };
}
