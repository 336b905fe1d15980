/**
 * Where a catalog image goes in the worker's S3 mirror: the object key its
 * `mirror_url` names, as OSISM's contrib/mirror.py stores it
 * (`openstack-images/<shortname>/<file>`). No I/O, no Temporal.
 *
 *   mirrorKeyFor(mirrorUrl, { baseUrl, prefix }): string
 *     `prefix/` + the mirror_url's path after `baseUrl/` (percent-escapes
 *     decoded); a mirror_url not under baseUrl, or whose path is no file path,
 *     → MirrorMisconfigured saying what was expected and what was found
 *   keyPrefixProblem(prefix): string | undefined
 *     why a config's key prefix is unusable (the config's check)
 *
 * Scheme and host are compared without case; a trailing `/` of baseUrl or
 * prefix is the same as none.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { redactSecrets } from '../kit/httpUrl.js';

/** What the mirror config says about keys (catalog.mirror). */
export interface MirrorKeyRules {
  /** what every mirror_url starts with (update.py's MIRROR_BASE_URL) */
  baseUrl: string;
  /** the key prefix inside the bucket; may be empty */
  prefix: string;
}

const ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)(.*)$/s;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const PREFIX_SEGMENT = /^[A-Za-z0-9._~+=@,!-]+$/;

/** The URL with its scheme and host in lower case (the rest as written). */
function caseless(url: string): string {
  const m = ORIGIN.exec(url);
  return m ? `${(m[1] ?? '').toLowerCase()}${m[2] ?? ''}` : url;
}

function withoutTrailingSlash(text: string): string {
  return text.replace(/\/+$/, '');
}

export function keyPrefixProblem(prefix: string): string | undefined {
  const trimmed = withoutTrailingSlash(prefix);
  if (trimmed === '') return undefined;
  const bad = trimmed.split('/').some((s) => !PREFIX_SEGMENT.test(s) || s === '.' || s === '..');
  if (prefix.startsWith('/') || bad)
    return `expected a key prefix such as openstack-images or images/osism (segments of letters, digits and . _ ~ + = @ , ! -, no leading /, no . or .. segment; or empty), found ${JSON.stringify(prefix)}`;
  return undefined;
}

/** The object key `mirrorUrl` names in the mirror `rules` describe. */
export function mirrorKeyFor(mirrorUrl: string, rules: MirrorKeyRules): string {
  const base = withoutTrailingSlash(caseless(rules.baseUrl));
  const shown = JSON.stringify(redactSecrets(mirrorUrl));
  const misfit = (expected: string, found: string) =>
    fatal(
      FatalFailure.MirrorMisconfigured,
      `mirror_url ${shown}: expected ${expected}; found ${found}: fix the catalog's mirror_url or the worker's catalog.mirror`,
      { mirrorUrl: redactSecrets(mirrorUrl), baseUrl: base },
    );
  const url = caseless(mirrorUrl);
  if (!url.startsWith(`${base}/`))
    throw misfit(
      `a URL under the worker's mirror ${base}/ (catalog.mirror.baseUrl)`,
      `one that does not start with it`,
    );
  const rest = url.slice(base.length + 1);
  const fileExpected = `a file path after ${base}/ (no query, no empty, . or .. segment)`;
  if (/[?#]/.test(rest)) throw misfit(fileExpected, `a query or fragment`);
  const segments = rest.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined;
    }
  });
  const bad = segments.some(
    (s) => s === undefined || s === '' || s === '.' || s === '..' || s.includes('/') || CONTROL.test(s),
  );
  if (bad) throw misfit(fileExpected, `the path ${JSON.stringify(rest)}`);
  const prefix = withoutTrailingSlash(rules.prefix);
  const path = segments.join('/');
  return prefix === '' ? path : `${prefix}/${path}`;
}
