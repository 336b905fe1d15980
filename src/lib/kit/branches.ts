/** Branch names, branch tags and work-branch names. Pure. */
import { fatal, FatalFailure } from '../../shared/failures.js';

const RELEASE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SERVICE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** The image tag tied to a target branch: `main` → `main`; `stable/2025.1` → `2025.1`. */
export function branchTag(branch: string): string {
  if (branch === 'main') return 'main';
  const release = /^stable\/(.+)$/.exec(branch)?.[1];
  const expected = `expected a branch main or stable/<release> (such as stable/2025.1), found ${JSON.stringify(branch)}`;
  if (release === undefined || !RELEASE_PATTERN.test(release))
    throw fatal(FatalFailure.BadInput, expected, { branch });
  try {
    assertValidRefName(branch, 'branch');
  } catch (err) {
    throw fatal(FatalFailure.BadInput, `${expected}: ${err instanceof Error ? err.message : String(err)}`, {
      branch,
    });
  }
  return release;
}

/**
 * The order branches are listed in: `main`, then the releases newest first,
 * then any other branch by name. OpenStack numbers its series by year and
 * half since `2023.1` (`stable/2025.2` before `stable/2025.1` before
 * `stable/2024.2`); the series before were named in alphabetical order
 * (… `xena`, `yoga`, `zed`), so every named one is older than every numbered
 * one, and among named ones the later letter is the newer.
 */
export function compareBranches(a: string, b: string): number {
  const [x, y] = [branchRank(a), branchRank(b)];
  if (x.group !== y.group) return x.group - y.group;
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i += 1) {
    const d = (y.parts[i] ?? 0) - (x.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  const byName = x.name.localeCompare(y.name, 'en', { numeric: true });
  // named releases newest (the later letter) first; a numbered release's own branch before its variants
  return x.group === RANK_NAMED ? -byName : byName;
}

const RANK_NAMED = 2;

/** main 0; stable/<number> 1 (its numbers, what follows them); stable/<name> 2; anything else 3. */
function branchRank(branch: string): { group: number; parts: number[]; name: string } {
  if (branch === 'main') return { group: 0, parts: [], name: '' };
  const release = /^stable\/(.+)$/.exec(branch)?.[1];
  if (release === undefined) return { group: 3, parts: [], name: branch };
  const numbered = /^(\d+(?:\.\d+)*)(.*)$/.exec(release);
  if (numbered === null) return { group: RANK_NAMED, parts: [], name: release };
  return { group: 1, parts: numbered[1]!.split('.').map(Number), name: numbered[2]! };
}

/** A branch a bump works on (`main` or `stable/<release>`), or BadInput saying what was expected and found. */
export function assertBumpBranch(branch: string): string {
  branchTag(branch);
  return branch;
}

/**
 * One of a bump's branches as a person names it: the branch (`stable/2025.1`)
 * or its tag (`2025.1`); BadInput saying what was expected and found otherwise.
 */
export function assertBranchOrTag(name: string): string {
  const bad = () =>
    fatal(
      FatalFailure.BadInput,
      `expected a branch main or stable/<release>, or its tag (such as stable/2025.1 or 2025.1), found ${JSON.stringify(name)}`,
      { branch: name },
    );
  if (typeof name !== 'string') throw bad();
  try {
    if (RELEASE_PATTERN.test(name)) assertValidRefName(name, 'tag');
    else branchTag(name);
  } catch {
    throw bad();
  }
  return name;
}

/** The source repo's branch for an image's version label: `main` → `main`, `2025.1` → `stable/2025.1`. */
export function sourceBranchForVersion(version: string): string {
  if (version === 'main') return 'main';
  if (!RELEASE_PATTERN.test(version)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected an image version label such as main or 2025.1, found ${JSON.stringify(version)}`,
      { version },
    );
  }
  return assertValidRefName(`stable/${version}`, 'source branch');
}

/** `bump-magnum-2025.1`: built from the branch tag, so it never holds a '/'. */
export function workBranchName(service: string, tag: string): string {
  if (!SERVICE_PATTERN.test(service)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a service name of lowercase letters, digits, '-' and '_' for a work branch, found ${JSON.stringify(service)}`,
      { service },
    );
  }
  if (!RELEASE_PATTERN.test(tag)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a branch tag such as main or 2025.1 (no '/') for a work branch, found ${JSON.stringify(tag)}`,
      { tag },
    );
  }
  return assertValidRefName(`bump-${service}-${tag}`, 'work branch');
}

/**
 * The one branch-name validator: git check-ref-format's rules for a branch
 * name (as `git check-ref-format --branch` applies them), without spawning
 * git. Returns the name. One deliberate difference: a bare `@` is refused
 * (git 2.39 accepts it as refs/heads/@, but `@` means HEAD in every revision).
 */
export function assertValidRefName(name: string, what: string): string {
  const bad = (why: string) =>
    fatal(FatalFailure.BadInput, `expected a valid ${what} name (${why}), found ${JSON.stringify(name)}`, {
      name,
      rule: why,
    });
  if (typeof name !== 'string') throw bad('a string');
  if (name.length === 0) throw bad('not empty');
  if (name === '@') throw bad("not '@'");
  if (name === 'HEAD') throw bad("not 'HEAD'");
  if (name.startsWith('-')) throw bad("no leading '-'");
  if (name.startsWith('/') || name.endsWith('/')) throw bad("no leading or trailing '/'");
  if (name.includes('//')) throw bad("no '//'");
  if (name.includes('..')) throw bad("no '..'");
  if (name.includes('@{')) throw bad("no '@{'");
  if (name.endsWith('.')) throw bad("no trailing '.'");
  // eslint-disable-next-line no-control-regex
  const forbidden = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (forbidden)
    throw bad(`no space, control character or any of ~^:?*[\\; found ${JSON.stringify(forbidden[0])}`);
  for (const part of name.split('/')) {
    if (part.startsWith('.')) throw bad(`no component starting with '.': ${JSON.stringify(part)}`);
    if (part.endsWith('.lock')) throw bad(`no component ending with '.lock': ${JSON.stringify(part)}`);
  }
  return name;
}

/** A full commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex characters. */
export function assertSha(sha: string, what: string): string {
  if (!/^(?:[a-f0-9]{40}|[a-f0-9]{64})$/.test(sha)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${what} as a full commit id of 40 (or 64) lowercase hex characters, found ${JSON.stringify(sha)}`,
      { what, value: sha },
    );
  }
  return sha;
}
