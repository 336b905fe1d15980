/**
 * The audit entry of a promotion: a GitHub release on the image's source
 * repository, found or created by its tag (the immutable stamp), never edited.
 *
 * `GET …/releases/tags/{tag}` first; when there is none, `POST …/releases`.
 * A 422 saying the tag_name `already_exists` means a retried or concurrent
 * call got there first: that release is the answer (created: false), so at
 * most one release is ever made for a tag.
 */
import { BumpflowError, fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';
import { classify, errorBody, responseOf, statusOf } from './classify.js';
import type { ForgeClient } from './client.js';
import { releaseByTag } from './releases.js';
import { checkNonEmpty, checkRepo } from './repoUrl.js';
import { parseBody, ReleaseRef as ReleaseJson } from './schema.js';
import type { Forge, ReleaseRef } from './types.js';

/** GitHub refuses a longer release body with a 422 ("body is too long (maximum is 125000 characters)"). */
const MAX_BODY_CHARS = 125_000;

function toRef(release: ReleaseJson, created: boolean): ReleaseRef {
  return { id: release.id, url: release.html_url, tag: release.tag_name, created };
}

/** GitHub's 422 when the tag already has a release: errors [{resource: Release, code: already_exists, field: tag_name}]. */
export function isTagTaken(err: unknown): boolean {
  const response = responseOf(err);
  if (statusOf(err) !== 422 || response === undefined) return false;
  return (errorBody(response.data).errors ?? []).some(
    (e) => typeof e !== 'string' && e.code === 'already_exists' && e.field === 'tag_name',
  );
}

/**
 * `err` classified (classify.ts), with the words of a release: a refused
 * token must be able to push there, and a 404 is the repository (RepoNotFound).
 */
function refusal(client: ForgeClient, err: unknown, action: string, slug: string, tag: string): Error {
  const { ctx } = client;
  if (err instanceof BumpflowError) return err;
  const classified = classify(err, { ...ctx, action, slug });
  if (!(classified instanceof BumpflowError) || classified.retryable) return classified;
  const details: Record<string, unknown> = { ...classified.details, tag };
  const status = typeof details.status === 'number' ? details.status : undefined;
  const said = typeof details.message === 'string' ? details.message : 'no message';
  if (status === 404) {
    return fatal(
      FatalFailure.RepoNotFound,
      ctx.redact(
        `expected repository ${slug} to exist on ${ctx.where}, be visible to the token and let it push, found 404 (${said}) while ${action}; check the image's source repository, and that ${ctx.app === undefined ? 'the token (GITHUB_TOKEN or GH_TOKEN) was granted it' : `the GitHub App ${ctx.app.appId}'s installation includes it`}`,
      ),
      details,
    );
  }
  if (classified.type === FatalFailure.AuthRefused) {
    const which =
      ctx.app !== undefined
        ? `expected the GitHub App ${ctx.app.appId} (BUMPFLOW_GITHUB_APP_ID) to be installed there with Contents, read and write, to record the promotion as a release`
        : ctx.hasToken
          ? 'expected a token (GITHUB_TOKEN or GH_TOKEN) with push access there (fine-grained tokens: Contents, read and write) to record the promotion as a release'
          : 'no token is configured: set GITHUB_TOKEN or GH_TOKEN';
    return fatal(
      FatalFailure.AuthRefused,
      ctx.redact(`GitHub refused the token for ${slug}: ${String(status)} ${said} while ${action}; ${which}`),
      details,
    );
  }
  return classified;
}

async function findByTag(
  client: ForgeClient,
  owner: string,
  repo: string,
  tag: string,
): Promise<ReleaseJson | undefined> {
  const { ctx } = client;
  const slug = `${owner}/${repo}`;
  // undefined is "no release for that tag" — or no such repository, which the create then says.
  const data = await releaseByTag(client, { owner, repo, tag }, (err) =>
    refusal(client, err, `reading the release for tag ${tag}`, slug, tag),
  );
  if (data === undefined) return undefined;
  const found = parseBody(ReleaseJson, data, `the release for tag ${tag} of ${slug}`, ctx);
  if (found.tag_name !== tag) {
    throw fatal(
      FatalFailure.BadInput,
      ctx.redact(
        `expected GitHub (${ctx.where}) to answer the release for tag ${tag} of ${slug}, found the release for tag ${JSON.stringify(found.tag_name)}`,
      ),
      { slug, tag, found: found.tag_name },
    );
  }
  return found;
}

export function findOrCreateRelease(client: ForgeClient): Forge['findOrCreateRelease'] {
  const { octokit, ctx } = client;
  return async ({ owner, repo, tag, targetCommitish, name, body }) => {
    checkRepo(owner, repo);
    checkNonEmpty({ tag, targetCommitish, name });
    if (typeof body !== 'string' || body.length > MAX_BODY_CHARS) {
      throw fatal(
        FatalFailure.BadInput,
        `expected a release body of at most ${MAX_BODY_CHARS} characters (GitHub's limit) for tag ${tag} of ${owner}/${repo}, found ${typeof body === 'string' ? `${body.length} characters` : typeof body}`,
        { owner, repo, tag },
      );
    }
    const slug = `${owner}/${repo}`;
    const existing = await findByTag(client, owner, repo, tag);
    if (existing) return toRef(existing, false);

    const action = `creating release ${tag} at ${targetCommitish}`;
    let created: unknown;
    try {
      created = (
        await octokit.rest.repos.createRelease({
          owner,
          repo,
          tag_name: tag,
          target_commitish: targetCommitish,
          name,
          body,
          // an audit entry, not a product release: never the repository's "Latest"
          make_latest: 'false',
        })
      ).data;
    } catch (err) {
      if (!isTagTaken(err)) throw refusal(client, err, action, slug, tag);
      // A retried call or a concurrent one got there first: that release is the answer.
      const raced = await findByTag(client, owner, repo, tag);
      if (raced) return toRef(raced, false);
      throw transient(
        TransientFailure.ForgeUnavailable,
        ctx.redact(
          `expected GitHub (${ctx.where}) to show the release for tag ${tag} of ${slug} after it answered "tag_name already_exists", found none (404) yet; if that lasts, perhaps a draft release holds the tag (GET by tag shows published releases only)`,
        ),
        { details: { owner, repo, tag } },
      );
    }
    return toRef(parseBody(ReleaseJson, created, `the release made by ${action} in ${slug}`, ctx), true);
  };
}
