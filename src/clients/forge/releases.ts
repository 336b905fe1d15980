/** Release notes of an upstream tag (GET /repos/{owner}/{repo}/releases/tags/{tag}). */
import { classify, responseOf, statusOf } from './classify.js';
import type { ForgeClient } from './client.js';
import { checkNonEmpty, checkRepo } from './repoUrl.js';
import { parseBody, Release } from './schema.js';
import type { Forge } from './types.js';

/**
 * GET /repos/{owner}/{repo}/releases/tags/{tag}: the release's JSON, or
 * undefined for a 404 (no release for that tag — or no such repository);
 * other failures through `failure` (by default the shared classification).
 */
export async function releaseByTag(
  client: ForgeClient,
  where: { owner: string; repo: string; tag: string },
  failure: (err: unknown) => unknown = (err) =>
    classify(err, {
      ...client.ctx,
      action: `reading the release for tag ${where.tag}`,
      slug: `${where.owner}/${where.repo}`,
    }),
): Promise<unknown> {
  try {
    return (await client.octokit.rest.repos.getReleaseByTag(where)).data;
  } catch (err) {
    if (statusOf(err) === 404 && responseOf(err) !== undefined) return undefined;
    throw failure(err);
  }
}

export function getReleaseNotes(client: ForgeClient): Forge['getReleaseNotes'] {
  return async ({ owner, repo, tag }) => {
    checkRepo(owner, repo);
    checkNonEmpty({ tag });
    const data = await releaseByTag(client, { owner, repo, tag });
    if (data === undefined) return undefined;
    return parseBody(Release, data, `the release for tag ${tag} of ${owner}/${repo}`, client.ctx).body ?? '';
  };
}
