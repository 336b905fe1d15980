/**
 * Pre-flight before anything is pushed: may the configured token open pull
 * requests in owner/repo? One `GET /repos/{owner}/{repo}`, whose
 * `permissions.push` says whether the token may push the bump branch (and so
 * open a pull request from it). A wrong GITHUB_TOKEN or GITHUB_API_URL shows
 * here, as a fatal failure, instead of after a branch was pushed.
 */
import { BumpflowError, fatal, FatalFailure } from '../../shared/failures.js';
import {
  classify,
  isGitHubErrorAnswer,
  rateLimitWaitMs,
  responseOf,
  statusOf,
  type HttpResponse,
} from './classify.js';
import type { Context, ForgeClient } from './client.js';
import { quote } from './quote.js';
import { checkRepo } from './repoUrl.js';
import { Repository, tryParse } from './schema.js';
import type { Forge } from './types.js';

const PERMISSIONS = ['admin', 'maintain', 'push', 'triage', 'pull'] as const;
/** What a GitHub App's installation must grant (metadata: read comes with every app). */
const APP_NEEDS = ['contents', 'pull_requests'] as const;

export function checkPullRequestAccess(client: ForgeClient): Forge['checkPullRequestAccess'] {
  const { octokit, ctx } = client;
  return async ({ owner, repo }) => {
    checkRepo(owner, repo);
    const slug = `${owner}/${repo}`;
    // An installation token's permissions come with the token: GET /repos lists none for it.
    const granted =
      client.app === undefined ? undefined : (await client.app.tokenFor(owner, repo)).permissions;
    if (!ctx.hasToken) {
      throw fatal(
        FatalFailure.AuthRefused,
        `no GITHUB_TOKEN (or GH_TOKEN) is configured: expected a token that may push to ${slug} so that bumpflow can open pull requests there (GitHub API ${ctx.where}), found none`,
        { slug },
      );
    }
    const action = `reading repository ${slug} to check that the token may open pull requests there`;
    let response: HttpResponse;
    try {
      const answer = await octokit.rest.repos.get({ owner, repo });
      response = { data: answer.data, headers: answer.headers as HttpResponse['headers'] };
    } catch (err) {
      throw refusal(err, ctx, action, slug);
    }
    const parsed = tryParse(Repository, response.data);
    if (!parsed.ok) throw misconfigured(ctx, slug, 200, response, parsed.reason);
    const found = parsed.value;
    if (granted !== undefined) {
      const missing = APP_NEEDS.filter((p) => granted[p] !== 'write');
      if (missing.length === 0)
        return { fullName: found.full_name, defaultBranch: found.default_branch, canPush: true };
      const has = Object.entries(granted).map(([p, level]) => `${p}: ${level}`);
      throw fatal(
        FatalFailure.AuthRefused,
        ctx.redact(
          `the GitHub App ${String(ctx.app?.appId)} cannot open pull requests in ${found.full_name}: expected its installation to grant ${APP_NEEDS.map((p) => `${p}: write`).join(' and ')}, to push the bump branch and open a pull request from it, found ${has.length === 0 ? 'no permissions' : has.join(', ')}; give the app Contents and Pull requests, read and write, on its settings page and accept the change on the installation`,
        ),
        { slug, permissions: granted },
      );
    }
    if (found.permissions?.push !== true) {
      const granted = PERMISSIONS.filter((p) => found.permissions?.[p] === true);
      const has =
        found.permissions === undefined
          ? 'no permissions listed for it'
          : `only ${granted.length === 0 ? 'no' : granted.join(', ')} permission${granted.length === 1 ? '' : 's'}`;
      throw fatal(
        FatalFailure.AuthRefused,
        ctx.redact(
          `the token cannot open pull requests in ${found.full_name}: expected it (GITHUB_TOKEN or GH_TOKEN) to have push access there, to push the bump branch and open a pull request from it, found ${has} (GET ${ctx.where}/repos/${slug}); give the token write access to the repository (fine-grained tokens: Contents and Pull requests, read and write)`,
        ),
        { slug, permissions: found.permissions ?? null },
      );
    }
    return { fullName: found.full_name, defaultBranch: found.default_branch, canPush: true };
  };
}

/** A failed GET /repos/{owner}/{repo}: RepoNotFound for GitHub's 404, ForgeMisconfigured for a stranger's answer. */
function refusal(err: unknown, ctx: Context, action: string, slug: string): Error {
  if (err instanceof BumpflowError) return err;
  const status = statusOf(err);
  const response = responseOf(err);
  if (status !== undefined && response !== undefined) {
    // 5xx (a proxy's 502 page included) and rate limits stay transient, whatever their body.
    const strange = status < 500 && rateLimitWaitMs(status, response) === undefined;
    if (strange && !isGitHubErrorAnswer(response)) return misconfigured(ctx, slug, status, response, '');
    if (status === 404) {
      return fatal(
        FatalFailure.RepoNotFound,
        ctx.redact(
          `expected repository ${slug} to exist on ${ctx.where} and be visible to the token, found 404 Not Found; check the repository URL, and that ${ctx.app === undefined ? 'the token (GITHUB_TOKEN or GH_TOKEN) was granted access to it' : `the GitHub App ${ctx.app.appId}'s installation includes it`}`,
        ),
        { slug, status },
      );
    }
  }
  return classify(err, { ...ctx, action, slug });
}

function misconfigured(
  ctx: Context,
  slug: string,
  status: number,
  response: HttpResponse,
  reason: string,
): BumpflowError {
  const contentType = response.headers['content-type'];
  return fatal(
    FatalFailure.ForgeMisconfigured,
    ctx.redact(
      `expected the GitHub REST API at ${ctx.where} (GITHUB_API_URL) to answer GET /repos/${slug} with GitHub's JSON, found ${status} ${contentType === undefined ? 'without a content type' : `(${contentType})`}${reason}: ${quote(response.data)}; set GITHUB_API_URL to the API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server`,
    ),
    { baseUrl: ctx.where, slug, status, ...(contentType === undefined ? {} : { contentType }) },
  );
}
