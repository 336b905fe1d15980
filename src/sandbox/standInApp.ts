/**
 * GitHub STAND-IN (a test double, not GitHub): a GitHub App's side of the API,
 * with GitHub's shapes (https://docs.github.com/rest/apps/apps):
 *
 *   GET  /repos/{o}/{r}/installation            app JWT; the installation on the repository's
 *                                               account that includes it, else 404
 *   POST /app/installations/{id}/access_tokens  app JWT; 201 {token, expires_at, permissions,
 *                                               repository_selection}; 404 for an unknown id
 *
 * The app's JWT is RS256 with iss = the app id, iat no later than a minute from
 * now, exp in the future and at most ten minutes away, verified with the app's
 * public key; anything else is 401 "A JSON web token could not be decoded" (or
 * GitHub's iat/exp messages). Installation tokens it issued (`ghs_…`) are
 * accepted as `token …` / `Bearer …` on the other routes until the
 * `expires_at` they came with: only for the repositories of their
 * installation (404 elsewhere); creating a pull request needs pull_requests:
 * write, a release contents: write (403 "Resource not accessible by
 * integration"). GET /repos/{o}/{r} lists no `permissions` for them, as on GitHub.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { DOCS, DOCS_REPO, errorBody, type Urls } from './standInShapes.js';
import type { StandInAnswer } from './standInTypes.js';

const DOCS_APPS = `${DOCS}/apps/apps`;
const DEFAULT_PERMISSIONS = { contents: 'write', pull_requests: 'write', metadata: 'read' } as const;

export interface StandInAppOptions {
  /** The App ID the JWT's `iss` must name. */
  id: number;
  /** The app's public key (PEM or KeyObject): the JWT's signature is checked with it. */
  publicKey: string | KeyObject;
  /** Lifetime of the installation tokens it issues (GitHub: one hour). */
  tokenLifetimeSeconds?: number;
}

export interface StandInApp {
  id: number;
  /** Lifetime of the tokens issued from now on, in seconds. */
  tokenLifetimeSeconds: number;
  /**
   * Installs the app on `account` (an organisation or user): on every repository,
   * or only on `repositories`; `permissions` default to contents and pull_requests
   * write, metadata read. Installing again replaces the installation (a new id). Returns its id.
   */
  install(
    account: string,
    options?: { repositories?: string[]; permissions?: Record<string, 'read' | 'write'> },
  ): number;
  /** Every installation token issued, oldest first. */
  tokens: Array<{ token: string; installationId: number; expiresAt: string }>;
  /** Revokes every token issued so far: they answer 401 Bad credentials from now on. */
  revokeTokens(): void;
}

interface Installation {
  id: number;
  account: string;
  repositories: string[] | 'all';
  permissions: Record<string, 'read' | 'write'>;
  createdAt: string;
}

export interface StandInAppRoutes {
  control: StandInApp;
  /**
   * The answer for the app's routes and for a refused installation token;
   * 'installation' when an installation token may go on to the other routes;
   * undefined when the request is none of the app's business.
   */
  check(
    method: string,
    path: string,
    authorization: string | undefined,
    urls: Urls,
  ): StandInAnswer | 'installation' | undefined;
  /** An answer to an installation token, as GitHub shapes it (GET /repos/{o}/{r}: no permissions). */
  shape(method: string, path: string, answer: StandInAnswer): StandInAnswer;
}

const lower = (s: string) => s.toLowerCase();
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function createStandInApp(options: StandInAppOptions): StandInAppRoutes {
  const publicKey =
    typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  const installations = new Map<number, Installation>();
  const issued = new Map<string, { installationId: number; expiresAtMs: number; revoked: boolean }>();
  let nextId = 4000;

  const control: StandInApp = {
    id: options.id,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    tokens: [],
    install(account, settings = {}) {
      for (const [id, i] of installations) if (lower(i.account) === lower(account)) installations.delete(id);
      const id = (nextId += 1);
      installations.set(id, {
        id,
        account,
        repositories: settings.repositories?.map(lower) ?? 'all',
        permissions: settings.permissions ?? { ...DEFAULT_PERMISSIONS },
        createdAt: isoSeconds(Date.now()),
      });
      return id;
    },
    revokeTokens() {
      for (const t of issued.values()) t.revoked = true;
    },
  };

  const covers = (i: Installation, owner: string, repo: string) =>
    lower(i.account) === lower(owner) && (i.repositories === 'all' || i.repositories.includes(lower(repo)));

  /** undefined when the JWT is the app's and current; else GitHub's 401. */
  function refuseJwt(credential: string | undefined): StandInAnswer | undefined {
    const undecodable = errorBody(401, 'A JSON web token could not be decoded', DOCS);
    const [head, body, signature, extra] = (credential ?? '').split('.');
    if (!head || !body || !signature || extra !== undefined) return undecodable;
    let header: { alg?: unknown };
    let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undecodable;
    }
    if (header.alg !== 'RS256' || String(claims.iss) !== String(options.id)) return undecodable;
    const signed = Buffer.from(`${head}.${body}`);
    if (!verify('RSA-SHA256', signed, publicKey, Buffer.from(signature, 'base64url'))) return undecodable;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iat !== 'number' || !Number.isInteger(claims.iat) || claims.iat > now + 60)
      return errorBody(
        401,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
        DOCS,
      );
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      return errorBody(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
        DOCS,
      );
    if (claims.exp > now + 600)
      return errorBody(401, "'Expiration time' claim ('exp') is too far in the future", DOCS);
    return undefined;
  }

  function installationJson(i: Installation, urls: Urls) {
    return {
      id: i.id,
      account: { login: i.account, id: 1, type: 'Organization', site_admin: false },
      repository_selection: i.repositories === 'all' ? 'all' : 'selected',
      access_tokens_url: `${urls.api}/app/installations/${i.id}/access_tokens`,
      repositories_url: `${urls.api}/installation/repositories`,
      html_url: `${urls.html}/organizations/${i.account}/settings/installations/${i.id}`,
      app_id: options.id,
      app_slug: 'bumpflow',
      target_id: 1,
      target_type: 'Organization',
      permissions: i.permissions,
      events: [],
      created_at: i.createdAt,
      updated_at: i.createdAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  function createToken(rawId: string): StandInAnswer {
    const installation = /^\d+$/.test(rawId) ? installations.get(Number(rawId)) : undefined;
    if (installation === undefined)
      return errorBody(404, 'Not Found', `${DOCS_APPS}#create-an-installation-access-token-for-an-app`);
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expiresAtMs = Math.floor((Date.now() + control.tokenLifetimeSeconds * 1000) / 1000) * 1000;
    const expiresAt = isoSeconds(expiresAtMs);
    issued.set(token, { installationId: installation.id, expiresAtMs, revoked: false });
    control.tokens.push({ token, installationId: installation.id, expiresAt });
    return {
      status: 201,
      body: {
        token,
        expires_at: expiresAt,
        permissions: installation.permissions,
        repository_selection: installation.repositories === 'all' ? 'all' : 'selected',
      },
    };
  }

  /** Why an installation token may not make this request, or undefined when it may. */
  function refuseToken(method: string, parts: string[], installationId: number): StandInAnswer | undefined {
    const installation = installations.get(installationId);
    if (installation === undefined) return errorBody(401, 'Bad credentials', DOCS);
    if (parts[0] !== 'repos' || parts.length < 3) return undefined;
    const [, owner = '', repo = '', kind] = parts;
    if (!covers(installation, owner, repo)) return errorBody(404, 'Not Found', DOCS_REPO);
    const needs =
      method !== 'POST'
        ? undefined
        : kind === 'pulls'
          ? 'pull_requests'
          : kind === 'releases'
            ? 'contents'
            : undefined;
    if (needs !== undefined && installation.permissions[needs] !== 'write')
      return errorBody(403, 'Resource not accessible by integration', DOCS);
    return undefined;
  }

  return {
    control,
    check(method, path, authorization, urls) {
      let parts: string[];
      try {
        parts = path.split('/').filter(Boolean).map(decodeURIComponent);
      } catch {
        return undefined;
      }
      const credential = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      const lookup = parts[0] === 'repos' && parts.length === 4 && parts[3] === 'installation';
      if (parts[0] === 'app' || lookup) {
        const refused = refuseJwt(credential);
        if (refused !== undefined) return refused;
        if (lookup && method === 'GET') {
          const [, owner = '', repo = ''] = parts;
          const found = [...installations.values()].find((i) => covers(i, owner, repo));
          return found === undefined
            ? errorBody(
                404,
                'Not Found',
                `${DOCS_APPS}#get-a-repository-installation-for-the-authenticated-app`,
              )
            : { status: 200, body: installationJson(found, urls) };
        }
        if (
          method === 'POST' &&
          parts.length === 4 &&
          parts[1] === 'installations' &&
          parts[3] === 'access_tokens'
        )
          return createToken(parts[2] ?? '');
        return errorBody(404, 'Not Found', DOCS);
      }
      const token = credential === undefined ? undefined : issued.get(credential);
      if (token === undefined) return undefined;
      if (token.revoked || Date.now() >= token.expiresAtMs) return errorBody(401, 'Bad credentials', DOCS);
      return refuseToken(method, parts, token.installationId) ?? 'installation';
    },
    shape(method, path, answer) {
      const parts = path.split('/').filter(Boolean);
      if (method !== 'GET' || parts[0] !== 'repos' || parts.length !== 3 || answer.status !== 200)
        return answer;
      const { permissions: _omitted, ...rest } = answer.body as Record<string, unknown>;
      return { ...answer, body: rest };
    },
  };
}
