/**
 * A file inside a repository as a person names it (a vars file, a VM image
 * catalog, a retag manifest): relative to the repository's root, in plain
 * segments. The one check for every flag, schema and config key that takes
 * one. Pure.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';

const MAX_LENGTH = 500;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/** What a repository path must look like, for messages. */
export const REPO_PATH_EXPECTED = `a relative path inside the repository such as roles/defaults/vars/main.yml (no leading / or -, no ., .., .git or empty segments, no whitespace, control characters or \\, at most ${MAX_LENGTH} characters)`;

/** Why `path` is not a plain relative path inside a repository, or undefined when it is one. */
export function repoPathProblem(path: unknown): string | undefined {
  const found = (why: string) =>
    `expected ${REPO_PATH_EXPECTED}, found ${JSON.stringify(typeof path === 'string' ? path : String(path))} (${why})`;
  if (typeof path !== 'string') return found('not text');
  if (path === '') return found('empty');
  if (path.length > MAX_LENGTH) return found(`${path.length} characters`);
  if (WHITESPACE_OR_CONTROL.test(path)) return found('whitespace or a control character');
  if (path.includes('\\')) return found('a backslash');
  if (path.startsWith('/')) return found('an absolute path');
  if (path.startsWith('-')) return found('a leading -');
  for (const segment of path.split('/')) {
    if (segment === '') return found('an empty segment');
    if (segment === '.' || segment === '..') return found(`a ${segment} segment`);
    if (segment.toLowerCase() === '.git') return found('a .git segment');
  }
  return undefined;
}

/** The path when it is a plain relative path inside a repository; BadInput (saying what and why) otherwise. */
export function assertRepoPath(path: string): string {
  const problem = repoPathProblem(path);
  if (problem !== undefined) throw fatal(FatalFailure.BadInput, problem, { path });
  return path;
}
