/**
 * GitHub App settings from the worker's environment, checked when the worker
 * starts: BUMPFLOW_GITHUB_APP_ID, the private key (BUMPFLOW_GITHUB_APP_PRIVATE_KEY
 * as PEM, or BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE, a mounted file), and an
 * optional BUMPFLOW_GITHUB_APP_INSTALLATION_ID. Every failure is a fatal
 * ForgeMisconfigured that names the variable and never shows the key.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { GitHubAppOptions } from './types.js';

export const APP_ID = 'BUMPFLOW_GITHUB_APP_ID';
export const APP_KEY = 'BUMPFLOW_GITHUB_APP_PRIVATE_KEY';
export const APP_KEY_FILE = 'BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE';
export const APP_INSTALLATION = 'BUMPFLOW_GITHUB_APP_INSTALLATION_ID';

const misconfigured = (message: string) => fatal(FatalFailure.ForgeMisconfigured, message);

/** The app's settings, or undefined when none of the app variables is set. */
export function appOptionsFromEnvironment(env: NodeJS.ProcessEnv): GitHubAppOptions | undefined {
  const id = env[APP_ID]?.trim();
  const key = env[APP_KEY]?.trim();
  const keyFile = env[APP_KEY_FILE]?.trim();
  const installation = env[APP_INSTALLATION]?.trim();
  if (!id && !key && !keyFile && !installation) return undefined;
  if (!id) {
    const set = [key && APP_KEY, keyFile && APP_KEY_FILE, installation && APP_INSTALLATION].filter(Boolean);
    throw misconfigured(
      `expected ${APP_ID} (the GitHub App's numeric App ID, on its settings page) beside ${set.join(', ')}, found none`,
    );
  }
  if (key && keyFile) {
    throw misconfigured(
      `expected the GitHub App's private key in one of ${APP_KEY} (PEM) or ${APP_KEY_FILE} (a mounted file), found both set`,
    );
  }
  if (!key && !keyFile) {
    throw misconfigured(
      `expected the private key of GitHub App ${id} in ${APP_KEY} (PEM) or ${APP_KEY_FILE} (a mounted file), found neither set`,
    );
  }
  return {
    appId: positiveInteger(APP_ID, id, "the GitHub App's numeric App ID, on its settings page"),
    privateKey: key ? checkPrivateKey(key, APP_KEY) : checkPrivateKey(readKeyFile(keyFile!), APP_KEY_FILE),
    ...(installation
      ? {
          installationId: positiveInteger(
            APP_INSTALLATION,
            installation,
            "the installation's numeric id (the number at the end of its settings URL)",
          ),
        }
      : {}),
  };
}

function positiveInteger(name: string, raw: string, what: string): number {
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw misconfigured(
      `expected ${name} to be ${what}, a whole number above 0, found ${JSON.stringify(clip(raw))}`,
    );
  }
  return n;
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw misconfigured(
      `expected ${APP_KEY_FILE} to name a readable file holding the GitHub App's private key (PEM), found ${JSON.stringify(file)} unreadable (${typeof code === 'string' ? code : 'error'})`,
    );
  }
}

/**
 * The key as PKCS#8 PEM, which the JWT library signs with (GitHub hands out
 * PKCS#1, `BEGIN RSA PRIVATE KEY`). A `\n` written for each line break (an
 * env file on one line) is read as a line break.
 */
function checkPrivateKey(raw: string, name: string): string {
  const pem = raw.replace(/\\n/g, '\n').trim();
  const found = describeKeyText(pem);
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw misconfigured(
      `expected ${name} to hold the GitHub App's RSA private key in PEM (-----BEGIN RSA PRIVATE KEY----- … as downloaded from the app's settings), found ${found} that is not a readable private key`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw misconfigured(
      `expected ${name} to hold the GitHub App's RSA private key, found a ${String(key.asymmetricKeyType)} key`,
    );
  }
  // A damaged copy can still parse: its parts then disagree, and its signatures do not verify.
  const probe = Buffer.from('bumpflow: does this key sign?');
  if (!verify('sha256', probe, createPublicKey(key), sign('sha256', probe, key))) {
    throw misconfigured(
      `expected ${name} to hold the GitHub App's RSA private key, found ${found} whose parts do not agree (a damaged copy: download a new key from the app's settings)`,
    );
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** What the text looks like, never what it says: its PEM label (not secret) and its length. */
function describeKeyText(pem: string): string {
  const label = /^-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(pem)?.[1];
  return label === undefined
    ? `${pem.length} characters without a PEM "-----BEGIN …-----" line`
    : `a PEM "${label}" block of ${pem.length} characters`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
