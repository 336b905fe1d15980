/**
 * The worker's trust policy, from its config file's `signatures:` rules: each
 * rule's public key or trusted root read from disk (paths relative to the
 * config file), once, at start. A missing or unreadable file stops the worker
 * with the rule's index and path — never later, mid-promotion.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BumpflowConfig } from './configFile.js';
import { ConfigError } from './configFile.js';
import { loadTrustRoots, type TrustRule } from './clients/signatures/index.js';
import type { TrustPolicyEntry } from './activities/index.js';

function read(file: string, configFile: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      configFile,
      key,
      undefined,
      `expected a readable file at ${file}, found ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

export function trustPolicyOf(config: BumpflowConfig, configFile: string): TrustPolicyEntry[] {
  const base = path.dirname(path.resolve(configFile));
  return config.signatures.map((r, i): TrustPolicyEntry => {
    const at = (p: string) => path.resolve(base, p);
    if (r.key !== undefined) {
      const rule: TrustRule = {
        kind: 'key',
        name: path.basename(r.key),
        publicKeyPem: read(at(r.key), configFile, `signatures.${i}.key`),
      };
      return { images: r.images, rule };
    }
    const k = r.keyless!;
    const file = at(k.trustedRoot);
    const rootsPem = loadTrustRoots(read(file, configFile, `signatures.${i}.keyless.trustedRoot`), file);
    const identity =
      k.identity !== undefined ? { identity: k.identity } : { identityRegExp: k.identityRegExp! };
    const issuer = k.issuer !== undefined ? { issuer: k.issuer } : { issuerRegExp: k.issuerRegExp! };
    return {
      images: r.images,
      rule: { kind: 'keyless', name: path.basename(k.trustedRoot), rootsPem, ...identity, ...issuer },
    };
  });
}
