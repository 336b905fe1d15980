/**
 * Listing tags: `GET /v2/<name>/tags/list?n=<page size>`, following
 * `Link: <…>; rel="next"` until the last page (RFC 8288 links, resolved
 * against the page they came from, kept on the endpoint's own origin). A
 * read: the whole listing from the first endpoint that gives it, in order.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { readThrough } from './fallThrough.js';
import { repositoryOn, type Route } from './mirrors.js';
import { request, type Repo } from './request.js';
import { tagListSchema } from './schema.js';
import { readBody, where, type Session } from './transport.js';
import { type ListTagsOptions } from './types.js';
import { issuesOf, parseJson } from './util.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGES = 10_000;

/** The target of the `rel="next"` link in a Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  const link = /<([^>]*)>((?:\s*;\s*[A-Za-z*]+\s*=\s*(?:"[^"]*"|[^;,\s]*))*)/g;
  for (let m = link.exec(header); m !== null; m = link.exec(header)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(m[2] ?? '');
    const values = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (values.includes('next')) return m[1];
  }
  return undefined;
}

export async function listTags(s: Session, repo: Repo, options: ListTagsOptions = {}): Promise<string[]> {
  return readThrough(s, repo.registry, `the tags of ${repo.registry}/${repo.repository}`, (pinned, route) =>
    listTagsOn(pinned, route, repo, options),
  );
}

/** Every page, from one endpoint (`s` is pinned to `route`). */
async function listTagsOn(s: Session, route: Route, repo: Repo, options: ListTagsOptions): Promise<string[]> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a page size that is a positive integer, found ${JSON.stringify(pageSize)}`,
    );
  }
  const origin = new URL(route.base).origin;
  const shown = `${repo.registry}/${repo.repository}`;
  let url = `${route.base}/v2/${repositoryOn(route, repo)}/tags/list?n=${pageSize}`;
  const seen = new Set<string>();
  const tags: string[] = [];
  const have = new Set<string>();
  for (let page = 1; ; page++) {
    const what = `page ${page} of the tags of ${shown}`;
    seen.add(url);
    const res = await request(s, repo, { method: 'GET', target: url, scope: 'pull', what, mode: 'read' });
    const body = await readBody(s, res, what, repo.registry);
    const parsed = tagListSchema.safeParse(parseJson(body));
    if (!parsed.success) {
      throw fatal(
        FatalFailure.UnsupportedMediaType,
        `expected ${what} to be {"name": …, "tags": […]}, found ${issuesOf(parsed.error)}`,
      );
    }
    for (const tag of parsed.data.tags ?? []) {
      if (have.has(tag)) continue;
      have.add(tag);
      tags.push(tag);
    }
    const next = nextLink(res.headers.get('link'));
    if (next === undefined) return tags;
    let resolved: URL;
    try {
      resolved = new URL(next, url);
    } catch {
      throw fatal(
        FatalFailure.BadInput,
        `expected a URL in the next-page Link of ${what}, found ${JSON.stringify(next)}`,
      );
    }
    if (resolved.origin !== origin) {
      throw fatal(
        FatalFailure.BadInput,
        `expected the next-page Link of ${what} to stay on ${where(s, repo.registry)}, found ${resolved.origin}`,
      );
    }
    if (seen.has(resolved.toString()) || page >= MAX_PAGES) {
      throw fatal(
        FatalFailure.BadInput,
        `expected the next-page Links of the tags of ${shown} to move forward, found page ${page} pointing back at ${resolved.pathname}${resolved.search}`,
      );
    }
    url = resolved.toString();
  }
}
