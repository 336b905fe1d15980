/**
 * The world of the retag tests: the three real StarlingX manifests in a git
 * bare repo (github.com/starlingx/root through url.insteadOf), the tag world's
 * real registry with auth (mirrored as ghcr.io), images pushed under the
 * manifests' names as `--mirror docker.io/starlingx=ghcr.io/starlingx` maps
 * them, and skopeo reading back (the retag tests and the history recorder).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseRetagManifest, type RetagEntry } from '../lib/retag/retagManifest.js';
import { pushLabelledImage } from './images.js';
import { repoRoot } from './paths.js';
import { addCommit, createGitSandbox, type GitSandbox } from './gitFixtures.js';
import { seedBare } from './worldParts.js';
import { createTagWorld, revisionOf, type TagWorld } from './tagWorld.js';
import type { ActivityDeps } from '../activities/index.js';
import { dependenciesFromEnvironment } from '../worker.js';

export const MANIFEST_SLUG = 'starlingx/root';
export const MANIFEST_DIR = 'build-tools/build-docker-images/tag-management';
/** saved fixture → its path in starlingx/root (fixtures/starlingx/SOURCES.md) */
export const MANIFESTS = {
  trixie: { fixture: 'image-tags-trixie.yaml', path: `${MANIFEST_DIR}/image-tags-trixie.yaml` },
  '4.0': { fixture: 'image-tags-4.0-2020.yaml', path: `${MANIFEST_DIR}/image-tags-4.0.yaml` },
  '3.0': { fixture: 'image-tags-3.0-2020.yaml', path: `${MANIFEST_DIR}/image-tags-3.0.yaml` },
} as const;
export type ManifestName = keyof typeof MANIFESTS;
export const MIRROR = { 'docker.io/starlingx': 'ghcr.io/starlingx' };
export const MIRROR_ARG = 'docker.io/starlingx=ghcr.io/starlingx';
const USER = 'bumpflow';

export interface RetagWorld {
  tags: TagWorld;
  git: GitSandbox;
  repoUrl: string;
  /** the worker's environment (registry, git) and its deps */
  env: Record<string, string>;
  deps: ActivityDeps;
  text(name: ManifestName): string;
  /** the manifest's entries as the workflow sees them (mirror applied) */
  entries(name: ManifestName): RetagEntry[];
  /** pushes an index under `repository:tag` (a salt makes another digest); its digest */
  push(repository: string, tag: string, salt?: string): Promise<string>;
  /** where `repository:tag` points now, or undefined */
  digestOf(repository: string, tag: string): Promise<string | undefined>;
  /** skopeo: the raw manifest bytes of `repository` at `:tag` or `@digest` */
  raw(repository: string, ref: string): Buffer;
  /** skopeo: every tag of a repository, sorted (none: []) */
  tagsOf(repository: string): string[];
  commit(file: string, content: string, message: string): Promise<string>;
  close(): Promise<void>;
}

export async function createRetagWorld(): Promise<RetagWorld> {
  const [tags, git] = await Promise.all([createTagWorld(), createGitSandbox()]);
  const texts = Object.fromEntries(
    Object.entries(MANIFESTS).map(([k, m]) => [
      k,
      readFileSync(path.join(repoRoot, 'fixtures', 'starlingx', m.fixture), 'utf8'),
    ]),
  ) as Record<ManifestName, string>;
  const files = Object.fromEntries(
    (Object.keys(MANIFESTS) as ManifestName[]).map((k) => [MANIFESTS[k].path, texts[k]]),
  );
  await seedBare(git, MANIFEST_SLUG, ['master', 'main'], { message: 'Add tag-management manifests', files });
  const work = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-retag-work-'));
  const env = { ...tags.env, ...git.env, BUMPFLOW_WORK_DIR: work };
  const skopeo = (args: string[], repository: string, ref: string) =>
    execFileSync(
      'skopeo',
      [
        ...args.slice(0, 1),
        '--tls-verify=false',
        '--creds',
        `${USER}:${tags.secrets[0]}`,
        ...args.slice(1),
        `docker://${tags.registry.host}/${repository}${ref}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  return {
    tags,
    git,
    repoUrl: git.remoteUrl(MANIFEST_SLUG),
    env,
    deps: dependenciesFromEnvironment(env),
    text: (name) => texts[name],
    entries: (name) => parseRetagManifest(texts[name], { mirror: MIRROR }).entries,
    async push(repository, tag, salt) {
      const { digest } = await pushLabelledImage(
        tags.client,
        { registry: 'ghcr.io', repository, tag },
        {
          source: `https://opendev.org/${repository}`,
          revision: revisionOf(`${repository}:${tag}:${salt ?? ''}`),
          version: tag,
        },
        { salt: `${repository}:${tag}:${salt ?? ''}` },
      );
      return digest;
    },
    async digestOf(repository, tag) {
      try {
        return await tags.client.resolveDigest({ registry: 'ghcr.io', repository, tag });
      } catch (err) {
        if ((err as { type?: string }).type === 'ManifestUnknown') return undefined;
        throw err;
      }
    },
    raw: (repository, ref) => skopeo(['inspect', '--raw'], repository, ref),
    tagsOf(repository) {
      try {
        const out = JSON.parse(skopeo(['list-tags'], repository, '').toString('utf8')) as { Tags: string[] };
        return [...out.Tags].sort();
      } catch {
        return []; // no such repository yet
      }
    },
    commit: (file, content, message) =>
      addCommit(git, MANIFEST_SLUG, 'main', { message, files: { [file]: content } }),
    async close() {
      await Promise.all([tags.close(), git.close()]);
    },
  };
}
