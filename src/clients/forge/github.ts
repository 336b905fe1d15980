/**
 * The forge: GitHub's REST API through Octokit, used only for what git cannot
 * do — check the token may open pull requests, find or open a pull request,
 * read a pull request's merge commit, read an upstream release's notes,
 * find or create the release that records a promotion (auditRelease.ts).
 *
 * - Base URL from GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3, or
 *   the test stand-in); token from GITHUB_TOKEN, else GH_TOKEN, or a GitHub
 *   App's installation tokens (BUMPFLOW_GITHUB_APP_*; appSettings.ts, appAuth.ts).
 * - Temporal owns retries; every HTTP exchange has a deadline (client.ts).
 * - Errors are classified at the edge into the failure taxonomy of
 *   src/shared/failures.ts (classify.ts), and never carry the token.
 */
import { checkPullRequestAccess } from './access.js';
import { findOrCreateRelease } from './auditRelease.js';
import { createClient } from './client.js';
import { createGitCredentials, webHostOf } from './gitCredentials.js';
import { findOrCreatePullRequest, getPullRequest } from './pulls.js';
import { getReleaseNotes } from './releases.js';
import type { Forge, ForgeOptions } from './types.js';

export type {
  Forge,
  ForgeOptions,
  GitHubAppOptions,
  PullRequestAccess,
  PullRequestDetails,
  PullRequestRef,
  ReleaseRef,
} from './types.js';
export { forgeOptionsFromEnvironment } from './settings.js';
export { parseRepoUrl } from './repoUrl.js';

export function createForge(options: ForgeOptions): Forge {
  const client = createClient(options);
  return {
    findOrCreatePullRequest: findOrCreatePullRequest(client),
    getPullRequest: getPullRequest(client),
    getReleaseNotes: getReleaseNotes(client),
    findOrCreateRelease: findOrCreateRelease(client),
    checkPullRequestAccess: checkPullRequestAccess(client),
    ...(client.app === undefined
      ? {}
      : { gitCredentials: createGitCredentials(client.app, webHostOf(client.ctx.where, options.webUrl)) }),
  };
}
