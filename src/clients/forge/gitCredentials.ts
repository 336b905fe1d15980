/**
 * git's credentials from a GitHub App: for an `https://` URL of a repository
 * on the forge's web host, `x-access-token` and the installation token of
 * that repository (appAuth.ts keeps it until just before it expires). Any
 * other URL (another host, ssh, a file path) gets none: git uses its own.
 *
 * The web host is GITHUB_SERVER_URL's host when set (the name GitHub Actions
 * gives the web root beside GITHUB_API_URL); else derived from the API root:
 * api.github.com → github.com, api.<x> → <x> (GitHub Enterprise Cloud,
 * api.<sub>.ghe.com), any other → its own host (GitHub Enterprise Server,
 * https://<host>/api/v3).
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { AppTokens } from './appAuth.js';
import { parseRepoUrl, withoutUserinfo } from './repoUrl.js';

export const SERVER_URL = 'GITHUB_SERVER_URL';

export interface GitCredential {
  username: string;
  password: string;
}

export type GitCredentials = (
  repoUrl: string,
  options?: { refresh?: boolean },
) => Promise<GitCredential | undefined>;

/** The host (with a non-default port) git remotes of this forge are on. */
export function webHostOf(apiRoot: string, webUrl?: string): string {
  if (webUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webUrl.trim());
    } catch {
      url = undefined;
    }
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.username !== '' || url.password !== '') {
      throw fatal(
        FatalFailure.ForgeMisconfigured,
        `expected ${SERVER_URL} to be the forge's web root like https://github.com, without credentials, found ${JSON.stringify(withoutUserinfo(webUrl))}`,
      );
    }
    return url.host.toLowerCase();
  }
  const host = new URL(apiRoot).host.toLowerCase();
  return /^api\.[^:]+\.[^:]+/.test(host) ? host.slice('api.'.length) : host;
}

/** owner and repo of an https:// URL on `webHost`, else undefined. */
function repositoryOn(webHost: string, repoUrl: string): { owner: string; repo: string } | undefined {
  if (!/^https:\/\//i.test(repoUrl)) return undefined;
  let parsed;
  try {
    parsed = parseRepoUrl(repoUrl);
  } catch {
    return undefined;
  }
  return parsed.host.toLowerCase() === webHost ? { owner: parsed.owner, repo: parsed.repo } : undefined;
}

export function createGitCredentials(tokens: AppTokens, webHost: string): GitCredentials {
  return async (repoUrl, options = {}) => {
    const repository = repositoryOn(webHost, repoUrl);
    if (repository === undefined) return undefined;
    const { token } = await tokens.tokenFor(repository.owner, repository.repo, {
      refresh: options.refresh === true,
    });
    return { username: 'x-access-token', password: token };
  };
}
