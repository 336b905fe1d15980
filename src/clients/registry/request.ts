/**
 * One authenticated registry request: send with cached credentials, answer a
 * 401 challenge once, then classify anything that is not ok (unless the
 * caller allows that status, e.g. 404 for "not there yet"). Credentials and
 * cached tokens are those of the endpoint the URL contacts (a mirror's own).
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { authorize, cachedAuthorization, forgetAuthorization, type AuthRequest, type Scope } from './auth.js';
import { classify } from './classify.js';
import { endpointOfUrl } from './endpoints.js';
import { discard, endpointOf, send, where, type Session } from './transport.js';

export interface Repo {
  registry: string;
  repository: string;
}

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** a path under the registry's base URL, or an absolute URL (upload locations, Link pages) */
  target: string;
  scope: Scope;
  /** further token scopes (a cross-repository mount also pulls from the source) */
  extraScopes?: readonly string[];
  /** what the request is about, for messages: "the manifest of ghcr.io/x/y:main" */
  what: string;
  /** reads map 404 to ManifestUnknown; writes map refusals to PushRejected */
  mode: 'read' | 'write';
  headers?: Record<string, string>;
  body?: Buffer;
  /** statuses the caller handles itself (e.g. 404 for "blob not there yet") */
  allow?: readonly number[];
}

export async function request(s: Session, repo: Repo, spec: RequestSpec): Promise<Response> {
  const url = /^https?:\/\//.test(spec.target)
    ? spec.target
    : `${endpointOf(s, repo.registry)}${spec.target}`;
  const baseHeaders: Record<string, string> = { 'user-agent': s.userAgent, ...spec.headers };
  const body = spec.body === undefined ? undefined : new Uint8Array(spec.body);
  const auth: AuthRequest = {
    registry: repo.registry,
    repository: repo.repository,
    scope: spec.scope,
    endpoint: endpointOfUrl(url),
    ...(spec.extraScopes ? { extraScopes: spec.extraScopes } : {}),
  };
  const attempt = (authorization: string | undefined): Promise<Response> =>
    send(
      s,
      url,
      {
        method: spec.method,
        headers: authorization ? { ...baseHeaders, authorization } : baseHeaders,
        ...(body ? { body } : {}),
      },
      spec.what,
      repo.registry,
    );

  let authorization = cachedAuthorization(s, auth);
  let presented = authorization ? 'cached credentials' : 'no credentials (anonymous)';
  let res = await attempt(authorization);
  if (res.status === 401) {
    await discard(res);
    // A cached token may have expired early or lack this scope: answer the fresh challenge once.
    if (authorization) forgetAuthorization(s, auth);
    const challenge = res.headers.get('www-authenticate');
    if (!challenge) {
      throw fatal(
        FatalFailure.AuthRefused,
        `expected ${where(s, repo.registry)} to say how to authenticate for ${spec.what}, found a 401 without WWW-Authenticate`,
        { registry: repo.registry, repository: repo.repository },
      );
    }
    ({ header: authorization, presented } = await authorize(s, auth, challenge, spec.what));
    res = await attempt(authorization);
  }
  if (res.status === 401 || res.status === 403) {
    await discard(res);
    if (authorization) forgetAuthorization(s, auth);
    throw fatal(
      FatalFailure.AuthRefused,
      `expected ${where(s, repo.registry)} to allow ${spec.scope} on ${repo.repository} for ${spec.what}, found ${res.status} after presenting ${presented}`,
      { registry: repo.registry, repository: repo.repository, status: res.status },
    );
  }
  if (spec.allow?.includes(res.status)) return res;
  await classify(s, res, {
    what: spec.what,
    mode: spec.mode,
    registry: repo.registry,
    repository: repo.repository,
  });
  return res;
}
