/** What the config cases are made of: their shape and the key files some of them name. */
import { generateKeyPairSync } from 'node:crypto';

export interface ConfigCase {
  /** the config file's text */
  yaml: string;
  /** the key path the error names ('' for the top level) */
  key: string;
  /** the line it names (undefined only where no line exists: a file that cannot be read at all) */
  line: number | undefined;
  /** what was expected and what was found */
  says: RegExp;
  /** files beside the config file (key files, trusted roots), by name */
  files?: Record<string, string>;
}

/** The password every case with credentials writes: it must never be shown back. */
export const SECRET = 'hunter2';

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
/** A cosign-style public key, and the private half a key file must never be. */
export const PEM = {
  public: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  private: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

/** One keyless rule with `extra` lines inside `keyless:` (6-space indented), the rule's `images` on line 2. */
export const keyless = (...extra: string[]) =>
  [
    'signatures:',
    "  - images: 'ghcr.io/vexxhost/*'",
    '    keyless:',
    '      trustedRoot: trusted_root.json',
    ...extra.map((l) => `      ${l}`),
    '',
  ].join('\n');

/** A keyless rule with its identity and issuer, and `extra` lines after them. */
export const keylessWith = (...extra: string[]) =>
  keyless(
    'identity: https://github.com/vexxhost/x/.github/workflows/build.yml@refs/heads/main',
    'issuer: https://token.actions.githubusercontent.com',
    ...extra,
  );

/** A webhook target with `extra` lines (4-space indented), its name on line 2. */
export const webhook = (...extra: string[]) =>
  ['notifications:', '  - name: ops', '    kind: webhook', ...extra.map((l) => `    ${l}`), ''].join('\n');
