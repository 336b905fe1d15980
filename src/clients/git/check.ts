/** Input checks of the git client: every value that reaches a git command line is checked here first. */
import { assertValidRefName } from '../../lib/kit/branches.js';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { redactCredentials } from './classify.js';
import type { PushInput } from './types.js';

export const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const SHA_PREFIX = /^[0-9a-f]{4,64}$/;
export const CONTROL_CHARS = /\p{Cc}/u;
/** `<transport>::<address>` runs a remote helper (`ext::sh -c …`): never accepted. */
const TRANSPORT_HELPER = /^[A-Za-z][A-Za-z0-9+.-]*::/;
/** git strips these from the ends of names (`crud`); refuse them so the sign-off shows the name as given. */
const IDENT_CRUD = /^[\s.,:;<>"\\']|[\s.,:;<>"\\']$/;

/** A branch name by git's check-ref-format rules (src/lib/kit/branches.ts), without spawning git. */
export function checkBranch(name: string, what: string): string {
  return assertValidRefName(name, what);
}

export function checkUrl(url: string): void {
  const shown = JSON.stringify(redactCredentials(String(url)));
  if (typeof url !== 'string' || url.trim() === '') {
    throw fatal(
      FatalFailure.BadInput,
      `expected a git remote URL such as https://github.com/vexxhost/atmosphere, found ${shown}`,
    );
  }
  if (url.startsWith('-')) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a git remote URL, found one starting with '-' (an option): ${shown}`,
    );
  }
  if (CONTROL_CHARS.test(url)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a git remote URL without control characters, found ${shown}`,
    );
  }
  if (TRANSPORT_HELPER.test(url)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an https, ssh, git or file URL, found a remote-helper URL ${shown}`,
    );
  }
}

export function checkShaPrefix(value: string, what: string): string {
  const sha = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!SHA_PREFIX.test(sha)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${what} to be a commit sha (4 to 64 hex digits), found ${JSON.stringify(value)}`,
    );
  }
  return sha;
}

export function checkFullSha(value: string, what: string): string {
  const sha = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!FULL_SHA.test(sha)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${what} to be a full commit sha (40 hex digits), found ${JSON.stringify(value)}`,
    );
  }
  return sha;
}

/** A path inside the repository: relative, normalised, never into .git. */
export function checkRepoPath(filePath: string): void {
  const segments = typeof filePath === 'string' ? filePath.split('/') : [];
  const bad =
    segments.length === 0 ||
    CONTROL_CHARS.test(filePath) ||
    segments.some(
      (segment) => segment === '' || segment === '.' || segment === '..' || segment.toLowerCase() === '.git',
    );
  if (bad) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a relative file path such as roles/defaults/vars/main.yml, found ${JSON.stringify(filePath)}`,
    );
  }
}

/** Basenames to look for anywhere in a tree (Dockerfile, requirements.txt). */
export function checkBasenames(names: readonly string[]): void {
  for (const name of names) {
    if (name === '' || name.includes('/') || name === '.' || name === '..' || CONTROL_CHARS.test(name)) {
      throw fatal(
        FatalFailure.BadInput,
        `expected file names without a directory (Dockerfile, requirements.txt), found ${JSON.stringify(name)}`,
      );
    }
  }
}

/** ls-remote patterns: never an option, never empty, no control characters. */
export function checkPatterns(patterns: readonly string[]): void {
  for (const pattern of patterns) {
    if (pattern === '' || pattern.startsWith('-') || CONTROL_CHARS.test(pattern)) {
      throw fatal(
        FatalFailure.BadInput,
        `expected ls-remote patterns like refs/heads/stable/*, found ${JSON.stringify(pattern)}`,
      );
    }
  }
}

export function checkFiles(files: PushInput['files']): void {
  if (!Array.isArray(files) || files.length === 0) {
    throw fatal(FatalFailure.BadInput, 'expected at least one file to write, found none');
  }
  const seen = new Set<string>();
  for (const file of files) {
    checkRepoPath(file.path);
    if (typeof file.content !== 'string') {
      throw fatal(
        FatalFailure.BadInput,
        `expected text content for ${file.path}, found ${typeof file.content}`,
      );
    }
    if (seen.has(file.path)) {
      throw fatal(FatalFailure.BadInput, `expected each path once, found ${file.path} twice`);
    }
    seen.add(file.path);
  }
}

export function checkIdentity(author: PushInput['author']): void {
  const name = author?.name;
  const email = author?.email;
  if (
    typeof name !== 'string' ||
    name === '' ||
    IDENT_CRUD.test(name) ||
    /[<>]/.test(name) ||
    CONTROL_CHARS.test(name)
  ) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an author name like "Jane Doe", found ${JSON.stringify(name)}`,
    );
  }
  if (typeof email !== 'string' || !/^[^\s<>@]+@[^\s<>@]+$/.test(email)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an author email like jane@example.com, found ${JSON.stringify(email)}`,
    );
  }
}

/** ISO timestamp → git's `@<seconds> +0000`, so the commit is the same whatever the machine's zone. */
export function checkDate(date: string): string {
  const millis = typeof date === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(date) ? Date.parse(date) : Number.NaN;
  if (!Number.isFinite(millis)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an ISO timestamp like 2025-01-31T12:00:00Z, found ${JSON.stringify(date)}`,
    );
  }
  return `@${Math.floor(millis / 1000)} +0000`;
}

/** The work branch of a push: a valid name without '/', other than the base. */
export function checkWorkBranch(work: string, base: string): void {
  checkBranch(base, 'baseBranch');
  checkBranch(work, 'workBranch');
  if (work.includes('/')) {
    throw fatal(
      FatalFailure.BadInput,
      `expected workBranch without '/' (bump-magnum-2025.1), found ${JSON.stringify(work)}`,
    );
  }
  if (work === base) {
    throw fatal(
      FatalFailure.BadInput,
      `expected workBranch to differ from baseBranch, both are ${JSON.stringify(work)}`,
    );
  }
}
