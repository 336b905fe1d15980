/**
 * Answering a registry's 401: WWW-Authenticate parsing, Basic credentials,
 * ready bearer tokens, and the token service (Docker token auth, with basic
 * credentials or anonymously, and its OAuth2 refresh-token form).
 * Credentials are those of the endpoint contacted (a mirror's own, never its
 * upstream's) and never go over plain http except to loopback (endpoints.ts).
 * Tokens are cached per endpoint, registry, name there and scope until
 * shortly before they expire; Basic and ready-token headers per endpoint.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { classify } from './classify.js';
import { insecureRefusal, mayAuthenticate, type Endpoint } from './endpoints.js';
import { normalizeRegistryHost } from './mirrors.js';
import { tokenSchema } from './schema.js';
import { discard, readBody, send, where, type Session } from './transport.js';
import { parseJson } from './util.js';

export type Scope = 'pull' | 'pull,push' | 'delete';

export interface AuthRequest {
  registry: string;
  repository: string;
  /** the repository's name on the endpoint (its prefix, Docker Hub's `library/`): what the token's scope names */
  name: string;
  scope: Scope;
  /** the endpoint the request goes to (the mirror, when there is one): its credentials and cache apply */
  endpoint: Endpoint;
  /** further token scopes, e.g. `repository:<from>:pull` for a cross-repository blob mount */
  extraScopes?: readonly string[];
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Docker's token spec: a token without expires_in lives 60 s. */
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_MARGIN_MS = 5_000;

/** `Bearer realm="https://…",service="ghcr.io",scope="repository:x:pull"` → scheme and params (first challenge only). */
export function parseChallenge(header: string): Challenge {
  const text = header.trim();
  const space = text.search(/\s/);
  const scheme = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/y;
  let rest = space < 0 ? '' : text.slice(space).trimStart();
  while (rest.length > 0) {
    pattern.lastIndex = 0;
    const m = pattern.exec(rest);
    if (!m) break;
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    rest = rest.slice(m[0].length).trimStart();
  }
  return { scheme, params };
}

function tokenKey(req: AuthRequest): string {
  return [req.endpoint.origin, req.registry, req.name, req.scope, ...(req.extraScopes ?? [])].join('|');
}

/** Basic and ready-token headers hold for the whole endpoint (and only for it). */
function endpointKey(req: AuthRequest): string {
  return `${req.endpoint.origin}|*`;
}

export function cachedAuthorization(s: Session, req: AuthRequest): string | undefined {
  const now = Date.now();
  for (const key of [tokenKey(req), endpointKey(req)]) {
    const entry = s.authCache.get(key);
    if (entry && entry.expires > now) return entry.header;
    if (entry) s.authCache.delete(key);
  }
  return undefined;
}

export function forgetAuthorization(s: Session, req: AuthRequest): void {
  s.authCache.delete(tokenKey(req));
  s.authCache.delete(endpointKey(req));
}

/** For a mirror: why the upstream's credentials, if any, were not used. */
function mirrorNote(req: AuthRequest): string {
  const upstream = normalizeRegistryHost(req.registry);
  if (upstream === req.endpoint.host) return '';
  return ` (credentials are those of the host contacted: ${upstream}'s are never sent to its mirror)`;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Answers a 401 challenge: returns the Authorization header to retry with (cached), and what was presented. */
export async function authorize(
  s: Session,
  req: AuthRequest,
  challengeHeader: string,
  what: string,
): Promise<{ header: string; presented: string }> {
  const { endpoint } = req;
  const creds = s.credentials?.(endpoint.host);
  const hasBasic = creds?.username !== undefined && creds.password !== undefined;
  const challenge = parseChallenge(challengeHeader);
  const subject = `${req.repository} on ${where(s, req.registry)}`;
  const ids = { registry: req.registry, repository: req.repository, endpoint: endpoint.origin };
  const refuse = (sending: string, target = new URL(endpoint.origin)) =>
    insecureRefusal({
      registry: req.registry,
      endpoint,
      subject,
      sending,
      target,
      // a Bearer challenge may be answered anonymously; a Basic one never
      anonymousWay: creds !== undefined && challenge.scheme === 'bearer',
    });

  if (challenge.scheme === 'basic') {
    if (!endpoint.secure) throw refuse('Basic credentials');
    if (!hasBasic) {
      throw fatal(
        FatalFailure.AuthRefused,
        `expected credentials for ${subject} (it asks for Basic auth), found none configured for ${endpoint.host}${mirrorNote(req)}`,
        ids,
      );
    }
    const header = basic(creds.username!, creds.password!);
    s.authCache.set(endpointKey(req), { header, expires: Number.POSITIVE_INFINITY });
    return { header, presented: 'the configured username and password' };
  }
  if (challenge.scheme !== 'bearer') {
    throw fatal(
      FatalFailure.AuthRefused,
      `expected a Basic or Bearer challenge from ${where(s, req.registry)} for ${what}, found ${JSON.stringify(challenge.scheme)}`,
      ids,
    );
  }
  if (creds?.token !== undefined && !hasBasic && creds.identityToken === undefined) {
    if (!endpoint.secure) throw refuse('the configured token');
    const header = `Bearer ${creds.token}`;
    s.authCache.set(endpointKey(req), { header, expires: Number.POSITIVE_INFINITY });
    return { header, presented: 'the configured token' };
  }
  const realm = challenge.params.realm;
  let realmUrl: URL | undefined;
  try {
    realmUrl = realm ? new URL(realm) : undefined;
  } catch {
    realmUrl = undefined;
  }
  if (!realmUrl || (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:')) {
    throw fatal(
      FatalFailure.AuthRefused,
      `expected a Bearer challenge with an http(s) realm from ${where(s, req.registry)}, found ${JSON.stringify(challengeHeader)}`,
      { registry: req.registry },
    );
  }
  if (creds?.identityToken !== undefined || hasBasic) {
    const sending =
      creds?.identityToken !== undefined
        ? 'the configured identity token'
        : 'the configured username and password';
    // the realm gets them, and the endpoint the token they buy
    if (!endpoint.secure) throw refuse(sending);
    if (!mayAuthenticate(realmUrl)) throw refuse(sending, realmUrl);
  }
  const wanted = `repository:${req.name}:${req.scope}`;
  const asked = (challenge.params.scope ?? '').split(/\s+/);
  const scopes = [...new Set([...asked, wanted, ...(req.extraScopes ?? [])].filter((x) => x !== ''))];
  const headers: Record<string, string> = { 'user-agent': s.userAgent, accept: 'application/json' };
  let init: RequestInit;
  let presented: string;
  if (creds?.identityToken !== undefined) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: creds.identityToken,
      client_id: s.userAgent,
    });
    if (challenge.params.service) form.set('service', challenge.params.service);
    form.set('scope', scopes.join(' '));
    init = {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    };
    presented = 'the configured identity token';
  } else {
    if (challenge.params.service) realmUrl.searchParams.set('service', challenge.params.service);
    for (const x of scopes) realmUrl.searchParams.append('scope', x);
    if (hasBasic) headers.authorization = basic(creds.username!, creds.password!);
    init = { method: 'GET', headers };
    presented = hasBasic ? 'the configured username and password' : 'no credentials (anonymous)';
  }
  const res = await send(s, realmUrl.toString(), init, `a token for ${what}`, req.registry);
  if (res.status === 401 || res.status === 403) {
    await discard(res);
    throw fatal(
      FatalFailure.AuthRefused,
      `expected the token service of ${where(s, req.registry)} to grant ${scopes.join(' ')} for ${subject}, found ${res.status} after presenting ${presented}${creds === undefined ? mirrorNote(req) : ''}`,
      { ...ids, status: res.status },
    );
  }
  await classify(s, res, { what: `a token for ${what}`, mode: 'read', registry: req.registry });
  const body = await readBody(s, res, `a token for ${what}`, req.registry);
  const parsed = tokenSchema.safeParse(parseJson(body));
  const value = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  if (!parsed.success || value === undefined || value === '') {
    throw fatal(
      FatalFailure.AuthRefused,
      `expected the token service of ${where(s, req.registry)} to answer {"token": …} for ${subject}, found ${parsed.success ? 'no token in the answer' : 'a body of another shape'}`,
      { registry: req.registry },
    );
  }
  const seconds = parsed.data.expires_in ?? DEFAULT_TOKEN_SECONDS;
  const header = `Bearer ${value}`;
  s.authCache.set(tokenKey(req), {
    header,
    expires: Date.now() + Math.max(0, seconds * 1000 - TOKEN_MARGIN_MS),
  });
  return { header, presented };
}
