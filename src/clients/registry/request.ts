/**
 * One authenticated registry request: send with cached credentials, answer a
 * 401 challenge once, then classify anything that is not ok (unless the
 * caller allows that status, e.g. 404 for "not there yet"). Credentials and
 * cached tokens are those of the endpoint the URL contacts (a mirror's own);
 * the name asked for (path and token scope) is the repository's name there
 * (its prefix). Reads (GET, HEAD) fall through the registry's endpoints in
 * order (fallThrough.ts); writes go to the first.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { authorize, cachedAuthorization, forgetAuthorization, type AuthRequest, type Scope } from './auth.js';
import { classify } from './classify.js';
import { endpointOfUrl } from './endpoints.js';
import { readThrough } from './fallThrough.js';
import { repositoryOn, type Route } from './mirrors.js';
import { discard, readBody, send, where, type Session } from './transport.js';

export interface Repo {
  registry: string;
  repository: string;
}

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** the path under an endpoint's base URL (v2Path), or an absolute URL (upload locations, Link pages) */
  target: ((route: Route) => string) | string;
  scope: Scope;
  /** further token scopes on the endpoint (a cross-repository mount also pulls from the source) */
  extraScopes?: (route: Route) => readonly string[];
  /** what the request is about, for messages: "the manifest of ghcr.io/x/y:main" */
  what: string;
  /** reads map 404 to ManifestUnknown; writes map refusals to PushRejected */
  mode: 'read' | 'write';
  headers?: Record<string, string>;
  body?: Buffer;
  /** statuses the caller handles itself (e.g. 404 for "blob not there yet") */
  allow?: readonly number[];
}

/** `/v2/<the repository's name on the endpoint>/<rest>`: a request's target. */
export function v2Path(repo: Repo, rest: string): (route: Route) => string {
  return (route) => `/v2/${repositoryOn(route, repo)}/${rest}`;
}

/** The request on the registry's endpoints: a read in order until one answers, anything else on the first. */
export async function request(s: Session, repo: Repo, spec: RequestSpec): Promise<Response> {
  const routes = s.routes(repo.registry);
  const read = spec.method === 'GET' || spec.method === 'HEAD';
  if (!read || routes.length === 1 || typeof spec.target === 'string')
    return requestOn(s, routes[0]!, repo, spec);
  return readThrough(
    s,
    repo.registry,
    spec.what,
    async (pinned, route) => {
      const res = await requestOn(pinned, route, repo, spec);
      if (spec.method === 'HEAD' || res.body === null) return res;
      // the body is read here, so that an endpoint stalling mid-body is passed over too
      const body = await readBody(pinned, res, spec.what, repo.registry);
      return new Response(new Uint8Array(body), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    },
    (res) => res.status === 404,
  );
}

async function requestOn(s: Session, route: Route, repo: Repo, spec: RequestSpec): Promise<Response> {
  const url = typeof spec.target === 'string' ? spec.target : `${route.base}${spec.target(route)}`;
  const extraScopes = spec.extraScopes?.(route);
  const baseHeaders: Record<string, string> = { 'user-agent': s.userAgent, ...spec.headers };
  const body = spec.body === undefined ? undefined : new Uint8Array(spec.body);
  const auth: AuthRequest = {
    registry: repo.registry,
    repository: repo.repository,
    name: repositoryOn(route, repo),
    scope: spec.scope,
    endpoint: endpointOfUrl(url),
    ...(extraScopes ? { extraScopes } : {}),
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
