/**
 * The worker's trust policy, from its config file's `signatures:` rules: each
 * rule's public key or trusted root read from disk (paths relative to the
 * config file), once, at start. A missing or unreadable file, or a key file
 * that is not a public key, stops the worker with the rule's index and path
 * (never the file's content) — never later, mid-promotion.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BumpflowConfig } from './configFile.js';
import { ConfigError, configLine } from './configFile.js';
import {
  loadTrustRoots,
  logKeyRoot,
  type TrustedRootJson,
  type TrustRule,
} from './clients/signatures/index.js';
import type { TrustPolicyEntry } from './activities/index.js';
import { PUBLIC_KEY_EXPECTED, publicKeyProblem } from './clients/signatures/keyVerify.js';

/** Where a rule's key is written: the config file and, when known, the key's line. */
interface KeyAt {
  config: BumpflowConfig;
  configFile: string;
}

function read(file: string, at: KeyAt, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      at.configFile,
      key,
      configLine(at.config, key),
      `expected a readable file at ${file}, found ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/** A key rule's public key, parsed now so a file that is not one stops the worker (its content never shown). */
function publicKey(file: string, at: KeyAt, key: string): string {
  const pem = read(file, at, key);
  const problem = publicKeyProblem(pem);
  if (problem !== undefined)
    throw new ConfigError(
      at.configFile,
      key,
      configLine(at.config, key),
      `expected ${PUBLIC_KEY_EXPECTED} at ${file}, found ${problem}`,
    );
  return pem;
}

/** A key rule's log: a trusted_root.json, or the log's PEM public key alone. */
/** `make()`, a trusted root read from a file; one that is not one is the config key's error, with its line. */
function rootAt(at: KeyAt, key: string, make: () => TrustedRootJson): TrustedRootJson {
  try {
    return make();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      at.configFile,
      key,
      configLine(at.config, key),
      err instanceof Error ? err.message : String(err),
    );
  }
}

function logRoot(text: string, file: string): TrustedRootJson {
  if (/-----BEGIN PUBLIC KEY-----/.test(text) && !/-----BEGIN CERTIFICATE-----/.test(text))
    return logKeyRoot(text, file);
  return loadTrustRoots(text, file);
}

export function trustPolicyOf(config: BumpflowConfig, configFile: string): TrustPolicyEntry[] {
  const base = path.dirname(path.resolve(configFile));
  const where: KeyAt = { config, configFile };
  return config.signatures.map((r, i): TrustPolicyEntry => {
    const at = (p: string) => path.resolve(base, p);
    const readAll = (files: string[] | undefined, key: string) =>
      (files ?? []).map((f, j) => ({
        name: f,
        pem: read(at(f), where, `signatures.${i}.keyless.${key}.${j}`),
      }));
    if (r.key !== undefined) {
      const rootFile = r.trustedRoot !== undefined ? at(r.trustedRoot) : undefined;
      const rule: TrustRule = {
        kind: 'key',
        name: path.basename(r.key),
        publicKeyPem: publicKey(at(r.key), where, `signatures.${i}.key`),
        tlog: r.tlog ?? 'required',
        ...(rootFile !== undefined
          ? {
              trustedRoot: rootAt(where, `signatures.${i}.trustedRoot`, () =>
                logRoot(read(rootFile, where, `signatures.${i}.trustedRoot`), rootFile),
              ),
            }
          : {}),
      };
      return { images: r.images, rule };
    }
    const k = r.keyless!;
    const file = at(k.trustedRoot);
    const trustedRoot = rootAt(where, `signatures.${i}.keyless.trustedRoot`, () =>
      loadTrustRoots(read(file, where, `signatures.${i}.keyless.trustedRoot`), file, {
        tlogKeys: readAll(k.tlogKeys, 'tlogKeys'),
        ctlogKeys: readAll(k.ctlogKeys, 'ctlogKeys'),
        timestampAuthorities: readAll(k.timestampAuthorities, 'timestampAuthorities'),
      }),
    );
    const identity =
      k.identity !== undefined ? { identity: k.identity } : { identityRegExp: k.identityRegExp! };
    const issuer = k.issuer !== undefined ? { issuer: k.issuer } : { issuerRegExp: k.issuerRegExp! };
    return {
      images: r.images,
      rule: {
        kind: 'keyless',
        name: path.basename(k.trustedRoot),
        trustedRoot,
        tlog: k.tlog ?? 'required',
        sct: k.sct ?? 'required',
        ...identity,
        ...issuer,
      },
    };
  });
}
