/**
 * The local world of the tag procedures (promote, rollback, clean-up), for
 * tests and the demo: a real distribution registry with htpasswd auth and
 * deletes enabled (mirrored as ghcr.io), images pushed as real builds are
 * (an index of two platforms with attestations), signed by the real cosign
 * with a generated key pair, the GitHub stand-in for audit releases, and the
 * worker's activity dependencies with a trust policy for that key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRegistryClient, type RegistryClient } from '../clients/registry/index.js';
import type { ActivityDeps, TrustPolicyEntry } from '../activities/index.js';
import { dependenciesFromEnvironment } from '../worker.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { pushLabelledImage } from './images.js';
import { generateKeyPair, signImage, type CosignKeyPair } from './cosign.js';
import { startGitHubStandIn, type GitHubStandIn } from './githubStandIn.js';

export const TAG_IMAGE = { registry: 'ghcr.io', repository: 'vexxhost/magnum' } as const;
export const TAG_SOURCE_SLUG = 'vexxhost/docker-magnum';

export interface PushOptions {
  revision?: string;
  /** another salt gives another digest */
  salt?: string;
  /** the image's created time; null for none */
  created?: string | null;
  singleManifest?: boolean;
  /** sign with the trusted key (default), the other key, or not at all */
  sign?: 'trusted' | 'other' | false;
}

export interface TagWorld {
  registry: RunningRegistry;
  client: RegistryClient;
  github: GitHubStandIn;
  /** the key the worker trusts, and one it does not */
  key: CosignKeyPair;
  otherKey: CosignKeyPair;
  trust: TrustPolicyEntry[];
  /** the worker's environment: mirrors, registry auth, forge, BUMPFLOW_CONFIG with the trust policy */
  env: Record<string, string>;
  /** built from `env` as the worker builds them */
  deps: ActivityDeps;
  /** registry credentials and the forge token, to check they never show up */
  secrets: string[];
  /** pushes an image under `tag` and signs it (by default); returns its digest */
  push(tag: string, o?: PushOptions): Promise<string>;
  sign(digest: string, key?: 'trusted' | 'other'): Promise<void>;
  /** where a tag points now, or undefined */
  digestOf(tag: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** A 40-hex revision made from a word (its sha1), so tests can tell images apart by it, even by its first 7. */
export function revisionOf(word: string): string {
  return createHash('sha1').update(word).digest('hex');
}

/** One rule of the worker's `promotion.approval` (the config file's). */
export interface TagWorldApprovalRule {
  images?: string;
  tags?: string;
  required: boolean;
}

/**
 * The worker's approval rules by default: none of its own, the request decides
 * (the tests ask `approval: {required: false}` where they mean it).
 */
export const PERMISSIVE_APPROVAL: readonly TagWorldApprovalRule[] = [
  { images: `${TAG_IMAGE.registry}/${TAG_IMAGE.repository}`, required: false },
];

export async function createTagWorld(
  options: {
    parentDir?: string;
    /** the worker's `promotion.approval` rules; default PERMISSIVE_APPROVAL */
    approval?: readonly TagWorldApprovalRule[];
    /** the worker's `cleanup.approveAbove`; default the config's (10) */
    approveAbove?: number;
  } = {},
): Promise<TagWorld> {
  const dir = await mkdtemp(path.join(options.parentDir ?? os.tmpdir(), 'bumpflow-tags-'));
  const password = `reg-${randomBytes(12).toString('hex')}`;
  const token = `ghp_${randomBytes(18).toString('hex')}`;
  const auth = { username: 'bumpflow', password };
  const registry = await startRegistry({ auth });
  const client = createRegistryClient({
    mirrors: { [TAG_IMAGE.registry]: registry.url },
    // credentials by the host contacted: the mirror's, never ghcr.io's
    credentials: (host) => (host === registry.host ? auth : undefined),
  });
  await mkdir(path.join(dir, 'trusted'));
  await mkdir(path.join(dir, 'other'));
  const [key, otherKey] = await Promise.all([
    generateKeyPair(path.join(dir, 'trusted')),
    generateKeyPair(path.join(dir, 'other')),
  ]);
  const github = await startGitHubStandIn({ token });
  const configFile = path.join(dir, 'bumpflow.yaml');
  await writeFile(
    configFile,
    // cosign signs here without a transparency log (none runs offline): the rule says so
    [
      `# the tag world's worker config: trust the generated key for ghcr.io/vexxhost/*`,
      `signatures:\n  - images: "ghcr.io/vexxhost/*"\n    key: ${key.publicKeyPath}\n    tlog: optional`,
      // the worker's say on approval (JSON is YAML): the stricter of it and the request's decides
      `promotion:\n  approval: ${JSON.stringify(options.approval ?? PERMISSIVE_APPROVAL)}`,
      ...(options.approveAbove === undefined ? [] : [`cleanup:\n  approveAbove: ${options.approveAbove}`]),
      '',
    ].join('\n'),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    BUMPFLOW_REGISTRY_MIRRORS: `${TAG_IMAGE.registry}=${registry.url}`,
    BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [registry.host]: auth }),
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: token,
    BUMPFLOW_CONFIG: configFile,
    BUMPFLOW_WORK_DIR: path.join(dir, 'work'),
    DOCKER_CONFIG: path.join(dir, 'no-docker-config'),
  };
  const deps = dependenciesFromEnvironment(env);
  const trust = [...(deps.trust ?? [])];
  const world: TagWorld = {
    registry,
    client,
    github,
    key,
    otherKey,
    trust,
    env,
    deps,
    secrets: [password, token, key.password, otherKey.password],
    async sign(digest, which = 'trusted') {
      const k = which === 'trusted' ? key : otherKey;
      await signImage({
        ref: `${registry.host}/${TAG_IMAGE.repository}@${digest}`,
        key: k.privateKeyPath,
        password: k.password,
        registryAuth: auth,
      });
    },
    async push(tag, o = {}) {
      const { digest } = await pushLabelledImage(
        client,
        { ...TAG_IMAGE, tag },
        {
          source: `https://github.com/${TAG_SOURCE_SLUG}`,
          revision: o.revision ?? revisionOf(tag),
          version: '2025.1',
        },
        {
          salt: o.salt ?? tag,
          ...(o.created === undefined ? {} : { created: o.created }),
          ...(o.singleManifest ? { singleManifest: true } : {}),
        },
      );
      if (o.sign !== false) await world.sign(digest, o.sign ?? 'trusted');
      return digest;
    },
    async digestOf(tag) {
      try {
        return await client.resolveDigest({ ...TAG_IMAGE, tag });
      } catch (err) {
        if ((err as { type?: string }).type === 'ManifestUnknown') return undefined;
        throw err;
      }
    },
    async close() {
      await github.close();
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}
