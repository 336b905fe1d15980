/** Activities on the forge (GitHub): check access before anything is pushed; find or create the PR. */
import { log } from '@temporalio/activity';
import { parseRepoUrl } from '../../clients/forge/index.js';
import type { ActivityDeps } from './deps.js';

export function forgeActivities(deps: ActivityDeps) {
  const { forge } = deps;
  return {
    /** Before anything is pushed: the forge answers, knows the repository, and the token may open PRs there. */
    async checkForge(input: { repoUrl: string }): Promise<{ fullName: string; defaultBranch: string }> {
      const { owner, repo } = parseRepoUrl(input.repoUrl);
      const access = await forge.checkPullRequestAccess({ owner, repo });
      return { fullName: access.fullName, defaultBranch: access.defaultBranch };
    },

    async openPullRequest(input: {
      repoUrl: string;
      head: string;
      base: string;
      title: string;
      body: string;
    }): Promise<{ number: number; url: string; created: boolean }> {
      const { owner, repo } = parseRepoUrl(input.repoUrl);
      const pr = await forge.findOrCreatePullRequest({
        owner,
        repo,
        head: input.head,
        base: input.base,
        title: input.title,
        body: input.body,
      });
      log.info('pull request ready', { url: pr.url, created: pr.created });
      return { number: pr.number, url: pr.url, created: pr.created };
    },
  };
}
