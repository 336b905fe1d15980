/**
 * One identity per git repository. `parseRepoUrl` accepts only plain git
 * URLs, refuses anything a shell or a credential could hide in, and
 * normalises once; `key` is the identity (two URLs name the same repository
 * iff their keys are equal) and `repoSlug(key)` the part used in workflow ids.
 * Pure: no I/O, no Temporal.
 */
import { fatal, FatalFailure, type BumpflowError } from '../../shared/failures.js';

export interface RepoUrl {
  /** The normalised clone URL: `https://github.com/vexxhost/atmosphere`, `git@github.com:o/r`, `file:///srv/r`. */
  url: string;
  /** Lower-case host with a non-default port (`gitea.local:3000`); empty for `file:` URLs. */
  host: string;
  /** The repository path, without leading or trailing slash or `.git`: `vexxhost/atmosphere`. */
  path: string;
  /** The identity: `github.com/vexxhost/atmosphere` (GitHub owner/name lower-cased), `file:///srv/r`. */
  key: string;
}

const EXPECTED =
  'expected a plain git URL: https://host/owner/repo, ssh://[user@]host[:port]/path, user@host:path, file:///absolute/path or http://127.0.0.1[:port]/path';
const DEFAULT_PORTS: Readonly<Record<string, string>> = { https: '443', http: '80', ssh: '22' };
/** Hosts whose repository paths are compared without case. */
const CASE_INSENSITIVE_HOSTS: ReadonlySet<string> = new Set(['github.com']);
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost']);
const HOST_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const USER_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const SEGMENT_PATTERN = /^[A-Za-z0-9._~+-]+$/;
/** Characters a shell (or git's option parser, for `\`) gives a meaning to. */
const SHELL_METACHARACTERS = /[;|&$`<>'"\\(){}[\]*?!#]/;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/** The input with any userinfo (and query) replaced by `***`, safe to show in a message. */
export function redactRepoUrl(raw: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw);
  const start = scheme ? scheme[0].length : 0;
  const at = raw.lastIndexOf('@');
  let out = raw;
  if (at >= start) {
    const userinfo = raw.slice(start, at);
    const plainSshUser = (!scheme || scheme[1]!.toLowerCase() === 'ssh') && USER_PATTERN.test(userinfo);
    if (!plainSshUser) out = `${raw.slice(0, start)}***${raw.slice(at)}`;
  }
  const query = out.indexOf('?');
  return query >= 0 ? `${out.slice(0, query)}?***` : out;
}

function bad(raw: string, problem: string): BumpflowError {
  const shown = redactRepoUrl(raw);
  return fatal(FatalFailure.BadInput, `${problem}; found ${JSON.stringify(shown)}`, { repo: shown });
}

interface Parts {
  scheme: 'https' | 'http' | 'ssh' | 'file' | 'scp';
  user?: string | undefined;
  host: string;
  port?: string | undefined;
  rawPath: string;
}

function splitHostPort(raw: string, hostPort: string): { host: string; port?: string | undefined } {
  const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m) throw bad(raw, `${EXPECTED}: the host may carry only a numeric port`);
  const host = m[1]!.toLowerCase();
  if (!HOST_PATTERN.test(host)) throw bad(raw, `${EXPECTED}: expected a host name such as github.com`);
  const port = m[2] === undefined ? undefined : String(Number(m[2]));
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    throw bad(raw, `${EXPECTED}: expected a port from 1 to 65535`);
  return { host, port };
}

function splitForm(raw: string): Parts {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw);
  if (!scheme) {
    const scp = /^([^@/:]+)@([^/:]+):(.*)$/.exec(raw);
    if (!scp) throw bad(raw, EXPECTED);
    if (!USER_PATTERN.test(scp[1]!))
      throw bad(raw, `${EXPECTED}: expected a user name of letters, digits, . _ -`);
    return { scheme: 'scp', user: scp[1], ...splitHostPort(raw, scp[2]!), rawPath: scp[3]! };
  }
  const name = scheme[1]!.toLowerCase();
  const rest = raw.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '' : rest.slice(slash);
  if (name === 'file') {
    if (authority !== '' && authority.toLowerCase() !== 'localhost')
      throw bad(raw, `${EXPECTED}: a file URL names no host (file:///absolute/path)`);
    return { scheme: 'file', host: '', rawPath };
  }
  if (name === 'ssh') {
    const at = authority.lastIndexOf('@');
    const user = at < 0 ? undefined : authority.slice(0, at);
    if (user !== undefined && !USER_PATTERN.test(user))
      throw bad(raw, `${EXPECTED}: expected a user name of letters, digits, . _ -`);
    return { scheme: 'ssh', user, ...splitHostPort(raw, authority.slice(at + 1)), rawPath };
  }
  if (name === 'https' || name === 'http') {
    const hostPort = splitHostPort(raw, authority);
    if (name === 'http' && !LOOPBACK_HOSTS.has(hostPort.host)) {
      throw bad(
        raw,
        `${EXPECTED}: plain http is accepted for 127.0.0.1 and localhost only (the sandbox); use https`,
      );
    }
    return { scheme: name, ...hostPort, rawPath };
  }
  throw bad(
    raw,
    `${EXPECTED}: the scheme ${JSON.stringify(name)} is not one of https, ssh, file (http for loopback)`,
  );
}

function cleanPath(raw: string, parts: Parts): string {
  let p = parts.rawPath.replace(/\/+$/, '');
  if (p.toLowerCase().endsWith('.git')) p = p.slice(0, -4).replace(/\/+$/, '');
  p = p.replace(/^\//, '');
  if (p === '') throw bad(raw, `${EXPECTED}: the repository path is empty`);
  for (const segment of p.split('/')) {
    if (segment === '') throw bad(raw, `${EXPECTED}: the path has an empty segment (//)`);
    if (segment === '.' || segment === '..')
      throw bad(raw, `${EXPECTED}: the path may not contain . or .. segments`);
    if (!SEGMENT_PATTERN.test(segment))
      throw bad(raw, `${EXPECTED}: path segments are letters, digits, . _ ~ + -`);
    if (segment.startsWith('-')) throw bad(raw, `${EXPECTED}: a path segment may not start with -`);
  }
  if (parts.host === 'github.com' && p.split('/').length !== 2) {
    throw bad(raw, 'expected a GitHub repository as github.com/<owner>/<repo>, with nothing after the name');
  }
  return p;
}

/**
 * Parses and normalises a target repository's clone URL, or throws BadInput
 * saying what was expected and showing the input with any credentials
 * replaced by `***`.
 */
export function parseRepoUrl(raw: string): RepoUrl {
  if (typeof raw !== 'string' || raw === '') throw bad(String(raw ?? ''), `${EXPECTED}: the URL is empty`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== undefined && !['https', 'http', 'ssh', 'file'].includes(scheme)) {
    throw bad(
      raw,
      `${EXPECTED}: the scheme ${JSON.stringify(scheme)} is not one of https, ssh, file (http for loopback)`,
    );
  }
  const at = raw.lastIndexOf('@');
  if (
    at >= 0 &&
    (scheme === 'https' || scheme === 'http' || scheme === 'file' || raw.slice(0, at).includes(':'))
  ) {
    const plainSsh =
      (scheme === 'ssh' || scheme === undefined) &&
      USER_PATTERN.test(raw.slice(scheme ? raw.indexOf('://') + 3 : 0, at));
    if (!plainSsh) {
      throw bad(
        raw,
        "expected a repository URL without credentials: a user, token or password belongs in git's credential helper (git config credential.helper), not in the URL",
      );
    }
  }
  if (WHITESPACE_OR_CONTROL.test(raw)) throw bad(raw, `${EXPECTED}: no whitespace or control characters`);
  const meta = SHELL_METACHARACTERS.exec(raw);
  if (meta) throw bad(raw, `${EXPECTED}: no shell metacharacters such as ${JSON.stringify(meta[0])}`);
  if (raw.startsWith('-')) throw bad(raw, EXPECTED);

  const parts = splitForm(raw);
  const path = cleanPath(raw, parts);
  const port =
    parts.port !== undefined && parts.port !== DEFAULT_PORTS[parts.scheme === 'scp' ? 'ssh' : parts.scheme]
      ? parts.port
      : undefined;
  const host = port === undefined ? parts.host : `${parts.host}:${port}`;
  const user = parts.user === undefined ? '' : `${parts.user}@`;
  const leading = parts.rawPath.startsWith('/') ? '/' : '';
  const url =
    parts.scheme === 'file'
      ? `file:///${path}`
      : parts.scheme === 'scp'
        ? `${user}${host}:${leading}${path}`
        : `${parts.scheme}://${parts.scheme === 'ssh' ? user : ''}${host}/${path}`;
  const key =
    parts.scheme === 'file' ? url : `${host}/${CASE_INSENSITIVE_HOSTS.has(host) ? path.toLowerCase() : path}`;
  return { url, host, path, key };
}

/** True when both URLs parse and name the same repository. */
export function sameRepo(a: string, b: string): boolean {
  return parseRepoUrl(a).key === parseRepoUrl(b).key;
}

/** The path part of a key, for workflow ids: `github.com/vexxhost/atmosphere` → `vexxhost/atmosphere`. */
export function repoSlug(key: string): string {
  if (key.startsWith('file:///')) return key.slice('file:///'.length);
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(slash + 1);
}

/**
 * A URL for links (PR bodies, the UI), leniently: the URL without credentials, query, fragment, trailing `/` or `.git`.
 * (String work only: the URL class is not relied on in the workflow sandbox.)
 */
export function publicRepoUrl(url: string): string {
  return url
    .trim()
    .replace(/[?#].*$/, '')
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}
