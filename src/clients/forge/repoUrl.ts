/** GitHub repository names: parsing a repository URL and checking owner/repo input. */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { parseRepoUrl as parseGitUrl } from '../../lib/kit/repoUrl.js';

const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

function validOwnerAndRepo(owner: unknown, repo: unknown): boolean {
  return (
    typeof owner === 'string' &&
    OWNER_PATTERN.test(owner) &&
    typeof repo === 'string' &&
    REPO_PATTERN.test(repo) &&
    repo !== '.' &&
    repo !== '..'
  );
}

/**
 * Owner, repo (and host) of a GitHub repository URL, on top of the one URL
 * parser (src/lib/kit/repoUrl.ts): https://github.com/vexxhost/atmosphere(.git)(/),
 * git@github.com:o/r.git, ssh://git@github.com/o/r.git. Userinfo is dropped
 * (the forge authenticates with its token), never echoed.
 */
export function parseRepoUrl(url: string): { host: string; owner: string; repo: string } {
  const text = withoutUserinfo(url.trim());
  const expected =
    'expected a repository URL like https://github.com/<owner>/<repo>(.git) or git@github.com:<owner>/<repo>.git';
  const refuse = (found: string) =>
    fatal(FatalFailure.BadInput, `${expected}, found ${found}`, { url: withoutUserinfo(url) });
  let parsed: { host: string; path: string };
  try {
    parsed = parseGitUrl(text);
  } catch {
    throw refuse(JSON.stringify(withoutUserinfo(url)));
  }
  const [owner, repo, ...rest] = parsed.path.split('/');
  if (parsed.host === '' || rest.length > 0 || !validOwnerAndRepo(owner, repo)) {
    throw refuse(
      `owner ${JSON.stringify(owner ?? '')} and repository ${JSON.stringify(repo ?? '')} in ${JSON.stringify(withoutUserinfo(url))}`,
    );
  }
  return { host: parsed.host, owner: owner!, repo: repo! };
}

export function checkRepo(owner: string, repo: string): void {
  if (!validOwnerAndRepo(owner, repo)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a GitHub owner and repository like vexxhost/atmosphere, found ${JSON.stringify(owner)}/${JSON.stringify(repo)}`,
    );
  }
}

export function checkNonEmpty(fields: Record<string, string>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw fatal(FatalFailure.BadInput, `expected a non-empty ${name}, found ${JSON.stringify(value)}`, {
        fields,
      });
    }
  }
}

/** The URL without `user:password@`, so a refused URL is never echoed with its credentials. */
export function withoutUserinfo(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/, '//');
}
