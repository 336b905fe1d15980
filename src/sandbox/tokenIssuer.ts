/**
 * A loopback token server for the Docker registry token spec, the issuer a
 * sandbox registry's `auth.token` points at (as ghcr.io, quay.io and Docker
 * Hub put one before theirs): `GET /token?service=…&scope=repository:<name>:
 * <actions>` (several scopes allowed) with one user's Basic credentials
 * answers {token, access_token, expires_in, issued_at}. No or wrong
 * credentials → 401; a user gets only the actions granted to it for each
 * repository (none → a token without that access, which the registry then
 * refuses). Tokens are ES256 JWTs whose header carries the signing
 * certificate chain (`x5c`: leaf, intermediate), made with openssl by
 * testCa.ts; distribution verifies that chain against `rootcertbundle`
 * (the root, `rootCertBundle` here). Every request is recorded.
 */
import {
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
  timingSafeEqual,
  X509Certificate,
} from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type RegistryTokenAuth } from './registryConfig.js';
import { makeTestCa } from './testCa.js';

export type TokenAction = 'pull' | 'push' | 'delete';

export interface TokenUser {
  username: string;
  password: string;
  /** repository name (or `*` for every repository) → the actions granted there */
  grants: Record<string, readonly TokenAction[]>;
}

export interface TokenIssuerOptions {
  /** the `service` the registry names in its challenge; the tokens' `aud` */
  service: string;
  /** the tokens' `iss` (default `bumpflow-token-issuer`) */
  issuer?: string;
  users: readonly TokenUser[];
  /** `expires_in` and the token's lifetime (default 300 s) */
  expiresInSeconds?: number;
}

export interface GrantedAccess {
  type: 'repository';
  name: string;
  actions: TokenAction[];
}

export interface TokenRequestRecord {
  /** the user name presented, when Basic credentials were */
  account?: string;
  service?: string;
  /** the `scope` parameters, in order */
  scopes: string[];
  userAgent?: string;
  status: number;
  /** what the token grants (empty unless status is 200) */
  granted: GrantedAccess[];
}

/** realm (`http://127.0.0.1:<port>/token`), service, issuer and the root certificate's PEM file */
export interface RunningTokenIssuer extends RegistryTokenAuth {
  /** the same four, as startRegistry's `tokenAuth` */
  tokenAuth: RegistryTokenAuth;
  requests: TokenRequestRecord[];
  close(): Promise<void>;
}

const ACTIONS: readonly TokenAction[] = ['pull', 'push', 'delete'];
const SCOPE_PATTERN = /^repository:([a-z0-9][a-z0-9._/-]*):([a-z*,]+)$/;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const digestOf = (s: string): Buffer => createHash('sha256').update(s).digest();

type Caller = { account?: string; user?: TokenUser };

/** `Basic base64(user:password)` → the user, when it is one of `users` with that password. */
function authenticate(header: string | undefined, users: readonly TokenUser[]): Caller {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return {};
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return {};
  const account = decoded.slice(0, colon);
  const user = users.find((u) => u.username === account);
  const ok =
    user !== undefined && timingSafeEqual(digestOf(user.password), digestOf(decoded.slice(colon + 1)));
  return ok ? { account, user } : { account };
}

/** Each `repository:<name>:<actions>` scope → the requested actions the user holds there. */
function grantsFor(user: TokenUser, scopes: readonly string[]): GrantedAccess[] {
  const byName = new Map<string, Set<TokenAction>>();
  for (const scope of scopes) {
    const m = SCOPE_PATTERN.exec(scope);
    if (!m) continue; // other resource types (registry:catalog:*) are not granted
    const name = m[1]!;
    const held = new Set([...(user.grants[name] ?? []), ...(user.grants['*'] ?? [])]);
    const asked = m[2]!.split(',');
    const actions = byName.get(name) ?? new Set<TokenAction>();
    for (const action of ACTIONS)
      if (held.has(action) && (asked.includes(action) || asked.includes('*'))) actions.add(action);
    byName.set(name, actions);
  }
  return [...byName].map(([name, actions]) => ({ type: 'repository', name, actions: [...actions] }));
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<RunningTokenIssuer> {
  const issuer = options.issuer ?? 'bumpflow-token-issuer';
  const lifetime = options.expiresInSeconds ?? 300;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-token-issuer-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ca = await makeTestCa(dir, {
    identity: 'https://token-issuer.bumpflow.invalid',
    issuer,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    name: 'bumpflow token issuer',
  }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  // x5c: standard base64 DER, the signing certificate first.
  const x5c = [ca.leafPem, ca.intermediatePem]
    .filter((pem) => pem !== undefined)
    .map((pem) => new X509Certificate(pem).raw.toString('base64'));
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c }));
  const requests: TokenRequestRecord[] = [];

  function token(account: string, service: string, access: GrantedAccess[], now: number): string {
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: account,
        aud: service,
        exp: now + lifetime,
        nbf: now - 5,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    // JWS ES256: the raw r||s signature over `header.claims`.
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${header}.${claims}.${b64url(signature)}`;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter((s) => s !== '');
    const service = url.searchParams.get('service') ?? undefined;
    const { account, user } = authenticate(req.headers.authorization, options.users);
    const record: TokenRequestRecord = {
      ...(account === undefined ? {} : { account }),
      ...(service === undefined ? {} : { service }),
      scopes,
      ...(req.headers['user-agent'] === undefined ? {} : { userAgent: req.headers['user-agent'] }),
      status: 200,
      granted: [],
    };
    requests.push(record);
    const answer = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (url.pathname !== '/token')
      return answer(404, { details: `expected GET /token, found ${url.pathname}` });
    if (req.method !== 'GET') return answer(405, { details: `expected GET /token, found ${req.method}` });
    if (service !== options.service)
      return answer(400, { details: `expected service=${options.service}, found ${String(service)}` });
    if (user === undefined) {
      return answer(
        401,
        { details: `expected a known user's Basic credentials, found ${account ? 'others' : 'none'}` },
        { 'www-authenticate': `Basic realm="${options.service}"` },
      );
    }
    const now = Math.floor(Date.now() / 1000);
    record.granted = grantsFor(user, scopes);
    const value = token(user.username, service, record.granted, now);
    answer(200, {
      token: value,
      access_token: value,
      expires_in: lifetime,
      issued_at: new Date(now * 1000).toISOString(),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const tokenAuth = { realm, service: options.service, issuer, rootCertBundle: ca.rootPath };
  return {
    ...tokenAuth,
    tokenAuth,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
