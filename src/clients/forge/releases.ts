/** Release notes of an upstream tag (GET /repos/{owner}/{repo}/releases/tags/{tag}). */
import { classify, responseOf, statusOf } from './classify.js';
import type { ForgeClient } from './client.js';
import { checkNonEmpty, checkRepo } from './repoUrl.js';
import { parseBody, Release } from './schema.js';
import type { Forge } from './types.js';

export function getReleaseNotes(client: ForgeClient): Forge['getReleaseNotes'] {
  const { octokit, ctx } = client;
  return async ({ owner, repo, tag }) => {
    checkRepo(owner, repo);
    checkNonEmpty({ tag });
    const slug = `${owner}/${repo}`;
    let data: unknown;
    try {
      data = (await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data;
    } catch (err) {
      if (statusOf(err) === 404 && responseOf(err) !== undefined) return undefined;
      throw classify(err, { ...ctx, action: `reading the release for tag ${tag}`, slug });
    }
    return parseBody(Release, data, `the release for tag ${tag} of ${slug}`, ctx).body ?? '';
  };
}
