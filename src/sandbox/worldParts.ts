/**
 * Parts the sandbox worlds share: a bare repo seeded with one commit, the
 * GitHub stand-in answering branch heads from the bare repos, and the
 * environment a worker process gets (git, the stand-in, a work directory,
 * the bot's identity).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { commitFiles, createBare, fixtureGit, withScratch, type GitSandbox } from './gitFixtures.js';

/** A new bare repo whose `branches` (the first one its HEAD) all point at one commit of `files`; its sha. */
export async function seedBare(
  git: GitSandbox,
  slug: string,
  branches: readonly [string, ...string[]],
  commit: { message: string; files: Record<string, string> },
): Promise<string> {
  await createBare(git, slug);
  return withScratch(git, slug, async (dir) => {
    await fixtureGit(['symbolic-ref', 'HEAD', `refs/heads/${branches[0]}`], { cwd: dir });
    const sha = await commitFiles(git, dir, commit);
    const refs = branches.map((b) => `${sha}:refs/heads/${b}`);
    await fixtureGit(['push', '--quiet', 'origin', ...refs], { cwd: dir });
    return sha;
  });
}

/** The stand-in's `resolveHeadSha`: a branch's head in the sandbox's bare repo `owner/repo`. */
export function headsOf(git: GitSandbox) {
  return async (owner: string, repo: string, branch: string): Promise<string | undefined> => {
    const out = execFileSync('git', ['ls-remote', git.barePath(`${owner}/${repo}`), `refs/heads/${branch}`], {
      encoding: 'utf8',
    });
    return out.split(/\s+/)[0] || undefined;
  };
}

/** A worker's environment in a world: git's, the stand-in at `githubUrl` with `token`, `workDir`, and `more`. */
export function workerEnv(
  git: GitSandbox,
  github: { url: string; token: string },
  workDir: string,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    ...git.env,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    ...more,
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: github.token,
    BUMPFLOW_WORK_DIR: workDir,
    BUMPFLOW_GIT_AUTHOR_NAME: 'bumpflow bot',
    BUMPFLOW_GIT_AUTHOR_EMAIL: 'bot@bumpflow.test',
  };
}
