/**
 * The http(s) URLs a config file names (registry mirrors, the GitHub API, a
 * webhook): one check for every such key, refusing credentials and never
 * showing them back; and the redaction of any `scheme://user:secret@` a
 * message would echo. Pure (string work only: no URL class, no I/O).
 */
import { redactRepoUrl } from './repoUrl.js';

// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;
const FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])$/i;

export interface HttpUrlRules {
  /** how the URL is named when it carries credentials: `a registry mirror URL` */
  what: string;
  /** where a credential goes instead, said when the URL carries one */
  credentialsGo: string;
  /** whether a query (`?…`) may follow; it is refused (and not shown) otherwise */
  query?: boolean;
}

/** Why `url` is not a plain http(s) URL under `rules`, or undefined when it is one; never shows a credential. */
export function httpUrlProblem(url: unknown, rules: HttpUrlRules): string | undefined {
  if (typeof url !== 'string') return `expected an http(s) URL, found ${JSON.stringify(url) ?? String(url)}`;
  const shown = JSON.stringify(redactRepoUrl(url));
  const bad = (why: string) => `expected an http(s) URL, found ${shown} (${why})`;
  if (url === '') return bad('empty');
  if (WHITESPACE_OR_CONTROL.test(url)) return bad('whitespace or a control character');
  const m = FORM.exec(url);
  if (!m) return bad('not scheme://host/path');
  const [, scheme = '', authority = '', , query] = m;
  if (!/^https?$/i.test(scheme)) return `expected an http(s) URL, found ${shown}`;
  if (authority.includes('@'))
    return `expected ${rules.what} without credentials: ${rules.credentialsGo}; found ${shown}`;
  const hostPort = /^(.*?)(?::(\d{1,5}))?$/.exec(authority)!;
  const host = hostPort[1] ?? '';
  if (host === '' || !HOST.test(host)) return bad('expected a host name such as example.com');
  const port = hostPort[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return bad('expected a port from 1 to 65535');
  if (query !== undefined && !rules.query)
    return bad('expected no query (?…): a query may hold a credential');
  return undefined;
}

/**
 * `text` with the user information of every URL in it (`https://user:token@…`,
 * any `user@` but an ssh user's) replaced by `***`: a message may echo what a
 * person typed, never the credential in it.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(
      /\b([A-Za-z][A-Za-z0-9+.-]*):\/\/([^\s/@"'[\]]+)@/g,
      (whole, scheme: string, userinfo: string) =>
        scheme.toLowerCase() === 'ssh' && !userinfo.includes(':') ? whole : `${scheme}://***@`,
    )
    .replace(/(^|[\s"'(=])[^\s/@"'=:[\]]+:[^\s/@"'[\]]*@(?=[A-Za-z0-9[])/g, '$1***@'); // user:password@host
}
