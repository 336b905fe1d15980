/**
 * A remote's credentials for one git process, through its environment only: one more
 * GIT_CONFIG_KEY_n/VALUE_n pair, `http.extraHeader` = `Authorization: Basic base64(user:password)`,
 * numbered after the caller's own GIT_CONFIG_COUNT entries. Never in argv, a file or a log line;
 * `hide` removes the password and the header's base64 from any text git wrote back.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { GitCredential } from './types.js';

export interface CredentialEnv {
  /** the variables to add to the process's environment */
  env: Record<string, string>;
  /** the text with the password and the encoded header replaced by [REDACTED] */
  hide(text: string): string;
}

/** The environment adding `credential` after the GIT_CONFIG_* entries already in `env`. */
export function credentialEnv(
  env: Readonly<Record<string, string>>,
  credential: GitCredential,
): CredentialEnv {
  const raw = env.GIT_CONFIG_COUNT;
  const count = raw === undefined || raw === '' ? 0 : /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(count)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected GIT_CONFIG_COUNT in the git environment to be a whole number, found ${JSON.stringify(raw)}`,
    );
  }
  const { username, password } = credential;
  if (username === '' || username.includes(':') || password === '' || /[\r\n]/.test(username + password)) {
    throw fatal(
      FatalFailure.BadInput,
      'expected git credentials as a user name without ":" and a password, both non-empty and on one line, found another shape',
    );
  }
  const encoded = Buffer.from(`${username}:${password}`).toString('base64');
  const secrets = [encoded, password];
  return {
    env: {
      GIT_CONFIG_COUNT: String(count + 1),
      [`GIT_CONFIG_KEY_${count}`]: 'http.extraHeader',
      [`GIT_CONFIG_VALUE_${count}`]: `Authorization: Basic ${encoded}`,
    },
    hide(text) {
      let out = text;
      for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
      return out;
    },
  };
}
