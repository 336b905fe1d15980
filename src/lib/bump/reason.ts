/** The operator's stated reason for a bump, and checks of dependency pins. Pure. */
import { fatal, FatalFailure } from '../../shared/failures.js';

export type Reason =
  /** A commit (abbreviated or full) of the source repo; from a commit URL also its owner/repo. */
  | { kind: 'commit'; sha: string; owner?: string | undefined; repo?: string | undefined; raw: string }
  /** A pull request of the source repo; from a PR URL also its owner/repo. */
  | {
      kind: 'pull-request';
      number: number;
      owner?: string | undefined;
      repo?: string | undefined;
      raw: string;
    }
  /** A dependency pinned at a version: `magnum-cluster-api==0.36.5`. */
  | { kind: 'dependency'; name: string; version: string; raw: string }
  /** An upstream GitHub release; `name` is the repository, `version` the tag without a leading v. */
  | {
      kind: 'release';
      owner: string;
      repo: string;
      tag: string;
      url: string;
      name: string;
      version: string;
      raw: string;
    };

/** The files of a source repo where a dependency version is looked for, in order. */
export const DEPENDENCY_FILES: readonly string[] = [
  'Dockerfile',
  'requirements.txt',
  'upper-constraints.txt',
  'pyproject.toml',
  'constraints.txt',
];

export const REASON_FORMS =
  'a commit SHA (7 to 40 hex characters, or https://github.com/<owner>/<repo>/commit/<sha>), a pull request (#123, or https://github.com/<owner>/<repo>/pull/123), a dependency version (name==1.2.3) or a release URL (https://github.com/<owner>/<repo>/releases/tag/<tag>)';

const OWNER = '([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))';
const REPO = '([A-Za-z0-9._-]{1,100})';
const PR_URL = new RegExp(
  `^https://github\\.com/${OWNER}/${REPO}/pull/(\\d{1,9})(?:/(?:files|commits))?/?(?:[#?].*)?$`,
);
const COMMIT_URL = new RegExp(
  `^https://github\\.com/${OWNER}/${REPO}/commit/([a-fA-F0-9]{7,40})/?(?:[#?].*)?$`,
);
const RELEASE_URL = new RegExp(
  `^https://github\\.com/${OWNER}/${REPO}/releases/tag/([A-Za-z0-9][A-Za-z0-9._+-]*)/?$`,
);
/** PEP 508 name, then == or ===, then a PEP 440-ish version. */
const DEPENDENCY = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)$/;

function badReason(raw: string, why?: string): never {
  throw fatal(
    FatalFailure.BadInput,
    `expected a reason as ${REASON_FORMS}, found ${JSON.stringify(raw)}${why === undefined ? '' : ` (${why})`}`,
    { reason: raw },
  );
}

/**
 * Parses the reason an operator gives. A bare number (`123`, up to 9 digits)
 * or `#123` is a pull request; a string of 7 to 40 hex characters is a commit
 * when it holds a letter a-f or is a full 40-character SHA. Digits only, 10 to
 * 39 of them, fit neither and are refused.
 */
export function parseReason(raw: string): Reason {
  const text = raw.trim();
  if (text === '') badReason(raw, 'it is empty');

  let m = /^#(\d{1,9})$/.exec(text);
  if (m) return { kind: 'pull-request', number: Number(m[1]), raw: text };
  if (/^\d+$/.test(text)) {
    if (text.length <= 9) return { kind: 'pull-request', number: Number(text), raw: text };
    if (text.length === 40) return { kind: 'commit', sha: text, raw: text };
    badReason(
      raw,
      `${text.length} digits are too many for a pull request number and too few for a full commit SHA; give the full 40-character SHA`,
    );
  }
  m = PR_URL.exec(text);
  if (m) return { kind: 'pull-request', number: Number(m[3]), owner: m[1]!, repo: m[2]!, raw: text };
  m = COMMIT_URL.exec(text);
  if (m) return { kind: 'commit', sha: m[3]!.toLowerCase(), owner: m[1]!, repo: m[2]!, raw: text };
  m = RELEASE_URL.exec(text);
  if (m) {
    const owner = m[1]!;
    const repo = m[2]!;
    const tag = m[3]!;
    const version = tag.replace(/^v(?=\d)/i, '');
    return {
      kind: 'release',
      owner,
      repo,
      tag,
      url: `https://github.com/${owner}/${repo}/releases/tag/${tag}`,
      name: repo,
      version,
      raw: text,
    };
  }
  if (/^https?:\/\//.test(text))
    badReason(raw, 'a URL that is neither a GitHub pull request, commit nor release');
  m = DEPENDENCY.exec(text);
  if (m) return { kind: 'dependency', name: m[1]!, version: m[2]!, raw: text };
  if (/^[a-fA-F0-9]{7,40}$/.test(text)) return { kind: 'commit', sha: text.toLowerCase(), raw: text };
  return badReason(raw);
}

/** PEP 503 normalisation: case-insensitive; runs of -, _ and . are the same. */
export function normaliseDependencyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Drops comment lines (`# …`) so a commented-out pin never counts. */
function withoutCommentLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (/^\s*#/.test(line) ? '' : line))
    .join('\n');
}

/**
 * Does this file pin `name` at exactly `version`? Understands
 *  - Dockerfile: `pip install name==1.2.3` (any installer, quoted or not) and
 *    `ARG|ENV NAME_VERSION=1.2.3` where NAME is the dependency name;
 *  - requirements*.txt, *constraints.txt: `name==1.2.3`, `name===1.2.3`,
 *    with extras and environment markers;
 *  - pyproject.toml: `"name==1.2.3"`, `name = "1.2.3"`, `name = "==1.2.3"`,
 *    `name = { version = "==1.2.3" }`.
 * Names compare PEP 503-normalised; `1.2.3` never matches `1.2.30` or `1.2.3.post1`.
 */
export function dependencyPinned(fileText: string, fileName: string, name: string, version: string): boolean {
  const wanted = normaliseDependencyName(name.trim());
  const v = escapeRegExp(version.trim().replace(/^v(?=\d)/i, ''));
  if (wanted === '' || v === '') return false;
  const text = withoutCommentLines(fileText.replace(/\r\n/g, '\n'));
  const base = (fileName.split('/').pop() ?? fileName).toLowerCase();
  const end = '(?![0-9A-Za-z.+!_-])';
  const dep = '([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)';
  const extras = '(?:\\[[^\\]\\n]*\\])?';
  const start = '(?<![A-Za-z0-9._-])';
  const patterns: RegExp[] = [];
  if (base === 'pyproject.toml') {
    patterns.push(new RegExp(`["']\\s*${dep}\\s*${extras}\\s*===?\\s*${v}${end}`, 'g'));
    patterns.push(new RegExp(`^\\s*["']?${dep}["']?\\s*=\\s*["'](?:===?)?\\s*${v}["']`, 'gm'));
    patterns.push(
      new RegExp(
        `^\\s*["']?${dep}["']?\\s*=\\s*\\{[^}\\n]*\\bversion\\s*=\\s*["'](?:===?)?\\s*${v}["']`,
        'gm',
      ),
    );
  } else if (
    base === 'dockerfile' ||
    base.startsWith('dockerfile.') ||
    base.endsWith('.dockerfile') ||
    base === 'containerfile'
  ) {
    patterns.push(new RegExp(`${start}${dep}${extras}\\s*===?\\s*${v}${end}`, 'g'));
    patterns.push(new RegExp(`\\b(?:ARG|ENV)\\s+([A-Za-z0-9_]+?)_VERSION\\s*=\\s*["']?v?${v}${end}`, 'g'));
  } else {
    patterns.push(new RegExp(`^\\s*${dep}\\s*${extras}\\s*===?\\s*${v}${end}`, 'gm'));
  }
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      if (m[1] !== undefined && normaliseDependencyName(m[1]) === wanted) return true;
    }
  }
  return false;
}
