/** Pull requests: find-or-create (never a second one for a head and base), and reading one. */
import { z } from 'zod';
import { fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';
import { classify, isAlreadyExists } from './classify.js';
import type { ForgeClient } from './client.js';
import { checkNonEmpty, checkRepo } from './repoUrl.js';
import { parseBody, PullRequestFull, PullRequestSimple } from './schema.js';
import type { Forge, PullRequestRef } from './types.js';

/** With the head and base filters there is at most one open PR; this only bounds a misbehaving server. */
const MAX_LIST_PAGES = 10;

function toRef(pr: PullRequestSimple, created: boolean): PullRequestRef {
  return { number: pr.number, url: pr.html_url, state: pr.state, headSha: pr.head.sha, created };
}

async function findOpen(
  client: ForgeClient,
  owner: string,
  repo: string,
  head: string,
  base: string,
): Promise<PullRequestSimple | undefined> {
  const { octokit, ctx } = client;
  const action = `listing open pull requests from ${head} into ${base}`;
  return client.call(action, `${owner}/${repo}`, async () => {
    // The head filter must be owner:branch; GitHub silently ignores a bare branch name.
    const pages = octokit.paginate.iterator(octokit.rest.pulls.list, {
      owner,
      repo,
      state: 'open',
      head: `${owner}:${head}`,
      base,
      per_page: 100,
    });
    let page = 0;
    for await (const response of pages) {
      const pulls = parseBody(
        z.array(PullRequestSimple),
        response.data,
        `a list of pull requests for ${action}`,
        ctx,
      );
      const hit = pulls.find(
        (p) =>
          p.head.ref === head &&
          p.base.ref === base &&
          p.head.label.toLowerCase() === `${owner}:${head}`.toLowerCase(),
      );
      if (hit) return hit;
      page += 1;
      if (page >= MAX_LIST_PAGES) return undefined;
    }
    return undefined;
  });
}

export function findOrCreatePullRequest(client: ForgeClient): Forge['findOrCreatePullRequest'] {
  const { octokit, ctx } = client;
  return async ({ owner, repo, head, base, title, body }) => {
    checkRepo(owner, repo);
    checkNonEmpty({ head, base, title });
    const slug = `${owner}/${repo}`;
    const existing = await findOpen(client, owner, repo, head, base);
    if (existing) return toRef(existing, false);

    const action = `creating a pull request from ${head} into ${base}`;
    let created: unknown;
    try {
      created = (await octokit.rest.pulls.create({ owner, repo, head, base, title, body })).data;
    } catch (err) {
      if (!isAlreadyExists(err)) throw classify(err, { ...ctx, action, slug });
      // A retried call or a concurrent one got there first: that pull request is the answer.
      const raced = await findOpen(client, owner, repo, head, base);
      if (raced) return toRef(raced, false);
      throw transient(
        TransientFailure.ForgeUnavailable,
        ctx.redact(
          `expected GitHub (${ctx.where}) to list the open pull request from ${owner}:${head} into ${base} in ${slug} after it answered "A pull request already exists", found none listed yet`,
        ),
        { details: { owner, repo, head, base } },
      );
    }
    return toRef(
      parseBody(PullRequestSimple, created, `the pull request made by ${action} in ${slug}`, ctx),
      true,
    );
  };
}

export function getPullRequest(client: ForgeClient): Forge['getPullRequest'] {
  const { octokit, ctx } = client;
  return async ({ owner, repo, number }) => {
    checkRepo(owner, repo);
    if (!Number.isInteger(number) || number <= 0) {
      throw fatal(
        FatalFailure.BadInput,
        `expected a pull request number (a positive integer) for ${owner}/${repo}, found ${String(number)}`,
      );
    }
    const slug = `${owner}/${repo}`;
    const response = await client.call(
      `reading pull request #${number}`,
      slug,
      () => octokit.rest.pulls.get({ owner, repo, pull_number: number }),
      `expected pull request #${number} in ${slug}, found none (404: no such pull request or repository, or the token cannot see it)`,
    );
    const pr = parseBody(PullRequestFull, response.data, `pull request #${number} of ${slug}`, ctx);
    return {
      number: pr.number,
      merged: pr.merged,
      mergeCommitSha: pr.merged ? pr.merge_commit_sha : null,
      state: pr.state,
      url: pr.html_url,
    };
  };
}
