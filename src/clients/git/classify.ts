/**
 * git's failures, typed for an operator (src/shared/failures.ts):
 *   - RepoNotFound (fatal): the remote has no such repository — a missing file:// or local path, GitHub's
 *     "Repository not found", "does not appear to be a git repository", an HTTP 404 from a smart-HTTP server;
 *   - AuthRefused (fatal): the remote refused our credentials (or wanted some and we have none to give);
 *   - GitUnavailable (transient): everything a later attempt may not meet — a host that does not resolve,
 *     connection refused or reset, a timeout, HTTP 5xx, a broken cache.
 * Messages quote git's output with every URL's userinfo removed.
 */
import {
  type BumpflowError,
  fatal,
  FatalFailure,
  transient,
  TransientFailure,
} from '../../shared/failures.js';
import type { GitRun } from './run.js';

const REPO_NOT_FOUND =
  /does not appear to be a git repository|Repository not found|repository '[^'\n]*' not found|requested URL returned error: 404|No such repository|project you were looking for could not be found/i;
const AUTH_REFUSED =
  /Authentication failed|could not read (?:Username|Password)|terminal prompts disabled|Permission denied \((?:publickey|password)|HTTP Basic: Access denied|requested URL returned error: 40[13]|Invalid username or password/i;
const HOST_NOT_FOUND = /Could not resolve host: (\S+)|Could not resolve hostname (\S+?):? /i;
const MAX_QUOTED_OUTPUT = 2000;

/** Removes `user:password@` from every URL in `text` (the same userinfo git itself recognises). */
export function redactCredentials(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\s@]*@/g, '$1');
}

/** git's stderr and stdout, trimmed, redacted and cut to a readable length. */
export function quoteOutput(run: GitRun): string {
  const text = redactCredentials([run.stderr.trim(), run.stdout.trim()].filter(Boolean).join('\n'));
  return text.length > MAX_QUOTED_OUTPUT ? `${text.slice(0, MAX_QUOTED_OUTPUT)}…` : text;
}

/** `what` failed for a reason a later attempt may not meet (outage, timeout, a broken cache). */
export function unavailable(what: string, run: GitRun, url?: string): BumpflowError {
  const output = quoteOutput(run);
  const details = { ...(url === undefined ? {} : { url: redactCredentials(url) }), output };
  if (run.timedOut) {
    return transient(
      TransientFailure.GitUnavailable,
      `${what}: expected git to finish within ${run.timeoutMs} ms, it did not`,
      { details },
    );
  }
  if (run.spawnError !== undefined) {
    return transient(TransientFailure.GitUnavailable, `${what}: could not run git: ${run.spawnError}`, {
      details,
    });
  }
  return transient(TransientFailure.GitUnavailable, `${what}: git exited with ${run.exitCode}: ${output}`, {
    details,
    cause: new Error(output),
  });
}

/** Which kind of failure a finished conversation with a remote was. */
export function classifyRemote(
  run: GitRun,
): 'repo-not-found' | 'auth-refused' | 'host-not-found' | 'unavailable' {
  if (run.timedOut || run.spawnError !== undefined) return 'unavailable';
  const output = `${run.stderr}\n${run.stdout}`;
  if (HOST_NOT_FOUND.test(output)) return 'host-not-found';
  if (REPO_NOT_FOUND.test(output)) return 'repo-not-found';
  if (AUTH_REFUSED.test(output)) return 'auth-refused';
  return 'unavailable';
}

/** A failed conversation with `url` while doing `action` ("fetch from", "push bump-x to"). */
export function remoteFailure(action: string, url: string, run: GitRun): BumpflowError {
  const shown = redactCredentials(url);
  const what = `${action} ${shown}`;
  const output = quoteOutput(run);
  switch (classifyRemote(run)) {
    case 'repo-not-found':
      return fatal(
        FatalFailure.RepoNotFound,
        `${what}: expected a git repository at ${shown}, found none (check the URL and that the repository exists): ${output}`,
        { url: shown, output },
      );
    case 'auth-refused':
      return fatal(
        FatalFailure.AuthRefused,
        `${what}: expected the remote to accept our credentials, it refused: ${output}`,
        { url: shown, output },
      );
    case 'host-not-found': {
      const host = HOST_NOT_FOUND.exec(`${run.stderr}\n${run.stdout}`)?.slice(1).find(Boolean) ?? 'the host';
      return fatal(
        FatalFailure.HostNotFound,
        `${what}: expected the host ${host} to resolve, found no such host (check the URL, or DNS): ${output}`,
        { url: shown, output },
      );
    }
    case 'unavailable':
      return unavailable(what, run, url);
  }
}
