/**
 * Blobs: fetch (verified; a read, through the registry's endpoints in
 * order), monolithic push, and copying between repositories: a
 * cross-repository mount when both are on one registry (`POST
 * …/blobs/uploads/?mount=<digest>&from=<repo>`, 201 when mounted), else the
 * bytes streamed through this process. Pushes, and the checks they decide
 * on, go to the registry's first endpoint.
 */
import { isDigest } from '../../lib/kit/imageRef.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { repositoryOn } from './mirrors.js';
import { request, v2Path, type Repo } from './request.js';
import { cacheScope, discard, endpointOf, primary, readBody, where, type Session } from './transport.js';
import { sha256 } from './util.js';

export async function getBlob(s: Session, repo: Repo, digest: string, what?: string): Promise<Buffer> {
  if (!isDigest(digest)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a blob digest of the form sha256:<64 lowercase hex>, found ${JSON.stringify(digest)}`,
    );
  }
  const shown = what ?? `blob ${digest} of ${repo.registry}/${repo.repository}`;
  const cached = s.content.get(cacheScope(s, repo.registry), repo.repository, digest);
  if (cached !== undefined) return cached.body;
  const res = await request(s, repo, {
    method: 'GET',
    target: v2Path(repo, `blobs/${digest}`),
    scope: 'pull',
    what: shown,
    mode: 'read',
  });
  const body = await readBody(s, res, shown, repo.registry);
  const found = sha256(body);
  if (found !== digest) {
    throw fatal(FatalFailure.DigestMismatch, `expected ${shown} to hash to ${digest}, found ${found}`, {
      expected: digest,
      found,
    });
  }
  s.content.put(cacheScope(s, repo.registry), repo.repository, digest, { body });
  return body;
}

/** Is the blob in this repository already? (HEAD, 404 = no; on the endpoint written: `s` is pinned to it) */
async function hasBlob(s: Session, repo: Repo, digest: string, what: string): Promise<boolean> {
  const head = await request(s, repo, {
    method: 'HEAD',
    target: v2Path(repo, `blobs/${digest}`),
    scope: 'pull,push',
    what,
    mode: 'read',
    allow: [404],
  });
  await discard(head);
  return head.ok;
}

/** PUT the bytes to an upload session's Location, closing it with `?digest=`. */
async function finishUpload(
  s: Session,
  repo: Repo,
  started: Response,
  digest: string,
  data: Buffer,
  what: string,
) {
  const location = started.headers.get('location');
  if (!location) {
    throw fatal(
      FatalFailure.PushRejected,
      `expected ${where(s, repo.registry)} to answer an upload of ${what} with a Location, found none (HTTP ${started.status})`,
    );
  }
  const url = new URL(location, `${endpointOf(s, repo.registry)}/`);
  url.searchParams.set('digest', digest);
  const put = await request(s, repo, {
    method: 'PUT',
    target: url.toString(),
    scope: 'pull,push',
    what,
    mode: 'write',
    body: data,
    headers: { 'content-type': 'application/octet-stream' },
  });
  await discard(put);
  const stored = put.headers.get('docker-content-digest');
  if (stored !== null && isDigest(stored) && stored !== digest) {
    throw fatal(
      FatalFailure.DigestMismatch,
      `expected ${where(s, repo.registry)} to store ${what} as ${digest}, found ${stored}`,
      { expected: digest, found: stored },
    );
  }
}

export async function pushBlob(client: Session, repo: Repo, data: Buffer): Promise<string> {
  const s = primary(client, repo.registry);
  const digest = sha256(data);
  const what = `blob ${digest} of ${repo.registry}/${repo.repository}`;
  if (await hasBlob(s, repo, digest, what)) return digest;
  const started = await request(s, repo, {
    method: 'POST',
    target: v2Path(repo, 'blobs/uploads/'),
    scope: 'pull,push',
    what: `an upload of ${what}`,
    mode: 'write',
  });
  await discard(started);
  await finishUpload(s, repo, started, digest, data, what);
  return digest;
}

/** Same registry, same endpoint: a mount can work. */
export function sameRegistry(s: Session, a: Repo, b: Repo): boolean {
  return a.registry === b.registry && endpointOf(s, a.registry) === endpointOf(s, b.registry);
}

/** How a blob reached the destination. */
export type BlobCopy = 'present' | 'mounted' | 'uploaded';

/** A blob of `from` (read through `source`'s endpoints) into `to` (written on `dest`'s first endpoint). */
export async function copyBlob(
  source: Session,
  dest: Session,
  from: Repo,
  to: Repo,
  digest: string,
): Promise<BlobCopy> {
  const s = primary(dest, to.registry);
  const what = `blob ${digest} of ${to.registry}/${to.repository}`;
  if (await hasBlob(s, to, digest, what)) return 'present';
  if (sameRegistry(s, from, to)) {
    const started = await request(s, to, {
      method: 'POST',
      target: (route) => {
        const query = new URLSearchParams({ mount: digest, from: repositoryOn(route, from) });
        return `/v2/${repositoryOn(route, to)}/blobs/uploads/?${query.toString()}`;
      },
      scope: 'pull,push',
      extraScopes: (route) => [`repository:${repositoryOn(route, from)}:pull`],
      what: `a mount of ${what} from ${from.repository}`,
      mode: 'write',
    });
    await discard(started);
    if (started.status === 201) return 'mounted';
    // 202: the registry could not mount and opened an ordinary upload instead; fill it.
    const data = await getBlob(source, from, digest);
    await finishUpload(s, to, started, digest, data, what);
    return 'uploaded';
  }
  await pushBlob(s, to, await getBlob(source, from, digest));
  return 'uploaded';
}
