/**
 * A sweep's world, from real parts: the target repo with Atmosphere's real
 * vars files (main and the five stable branches, or more), a real
 * distribution registry with token auth (the token issuer, as ghcr.io
 * has) holding a small labelled OCI index for every pinned image:tag under
 * ghcr.io/vexxhost/, every pin rewritten to that index's digest — except
 * the ones a test makes behind (pinned to an older build of the tag, or to
 * one platform's manifest of it) — the fault front before the registry
 * (counts requests, answers 503 for a repository), and the GitHub stand-in
 * for the bumps the sweep starts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ActivityDeps } from '../activities/index.js';
import { createRegistryClient } from '../clients/registry/index.js';
import { collectImageTags, type SweepPins } from '../lib/sweep/index.js';
import { dependenciesFromEnvironment } from '../worker.js';
import { createGitSandbox, type GitSandbox } from './gitFixtures.js';
import { createTargetRepo } from './fixtureRepos.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { startTokenIssuer, type RunningTokenIssuer } from './tokenIssuer.js';
import { startFaultFront, type RunningFaultFront } from './faultFront.js';
import { startGitHubStandIn, type GitHubStandIn } from './githubStandIn.js';
import { atmosphereDir } from './paths.js';
import { pushSharedLayer, pushSweepImage, type SweepImage } from './sweepImages.js';

export const SWEEP_PREFIX = 'ghcr.io/vexxhost/';
export const FIXTURE_BRANCHES = [
  'main',
  'stable/2025.1',
  'stable/2024.2',
  'stable/2024.1',
  'stable/2023.2',
  'stable/2023.1',
] as const;

export interface BehindSpec {
  /** `ghcr.io/vexxhost/magnum` */
  image: string;
  branch: string;
  /** pin one platform's manifest of the older build (`linux/amd64`) instead of its index */
  platform?: string;
  /** the newest build's version label, instead of its tag */
  version?: string;
}

export interface SweepWorldOptions {
  slug: string;
  branches?: readonly string[];
  behind?: readonly BehindSpec[];
  /** the vars file of a branch with no fixture file (as bench/world.ts makes synthetic ones) */
  synthesize?: (branch: string) => string;
  stateDir?: string;
  /** also publish a labelled index for each ghcr.io/vexxhost/ image:tag pinned by tag only (what a pin run resolves) */
  publishUnpinned?: boolean;
}

export interface SweepWorld {
  git: GitSandbox;
  registry: RunningRegistry;
  issuer: RunningTokenIssuer;
  front: RunningFaultFront;
  github: GitHubStandIn;
  targetUrl: string;
  branches: string[];
  /** the image:tag pairs pinned (with the fixtures' own digests: ids, branches and keys are what count) */
  pins: SweepPins;
  /** pair id → its newest build (what the tag points at) */
  newest: Record<string, SweepImage>;
  /** pair id → the older build, for pairs made behind somewhere */
  older: Record<string, SweepImage>;
  env: Record<string, string>;
  deps: ActivityDeps;
  secrets: string[];
  /** pushes a new build of a pair (moves its tag), without the labels named; returns it */
  publish(pairId: string, salt: string, without?: readonly ('revision' | 'source')[]): Promise<SweepImage>;
  close(): Promise<void>;
}

function fixtureFile(branch: string): string {
  return path.join(atmosphereDir, `${branch.replace(/\//g, '-')}.yml`);
}

const source = (repository: string) =>
  `https://github.com/vexxhost/docker-${repository.split('/').pop() ?? repository}`;

export async function createSweepWorld(options: SweepWorldOptions): Promise<SweepWorld> {
  // what is started so far, closed newest first when the world cannot be built (a test's
  // `before` failing must not leave servers holding its process open)
  const started: Array<{ close(): Promise<unknown> }> = [];
  const begun = <T extends { close(): Promise<unknown> }>(part: T): T => (started.push(part), part);
  try {
    return await buildSweepWorld(options, begun);
  } catch (err) {
    for (const part of started.reverse()) await part.close().catch(() => undefined);
    throw err;
  }
}

async function buildSweepWorld(
  options: SweepWorldOptions,
  begun: <T extends { close(): Promise<unknown> }>(part: T) => T,
): Promise<SweepWorld> {
  const branches = [...(options.branches ?? FIXTURE_BRANCHES)];
  const behind = options.behind ?? [];
  const parentDir = options.stateDir ?? os.tmpdir();
  const password = `reg-${randomBytes(12).toString('hex')}`;
  const token = `ghp_${randomBytes(18).toString('hex')}`;
  const user = { username: 'bumpflow', password };
  const issuer = begun(
    await startTokenIssuer({
      service: 'sweep-registry',
      users: [{ ...user, grants: { '*': ['pull', 'push', 'delete'] } }],
    }),
  );
  const registry = begun(await startRegistry({ tokenAuth: issuer.tokenAuth }));
  const front = begun(await startFaultFront({ upstream: registry.url }));
  const git = begun(await createGitSandbox(parentDir));
  const pusher = createRegistryClient({
    mirrors: { 'ghcr.io': registry.url },
    // credentials by the host contacted: the mirror's, never ghcr.io's
    credentials: (host) => (host === registry.host ? user : undefined),
  });

  const texts: Record<string, string> = {};
  for (const b of branches) {
    const text = await readFile(fixtureFile(b), 'utf8').catch(() => undefined);
    texts[b] = text ?? options.synthesize?.(b) ?? '';
    if (texts[b] === '') throw new Error(`sweep world: no vars file for ${b} (no fixture, no synthesize)`);
  }
  const fixturePins = collectImageTags(
    branches.map((branch) => ({ branch, text: texts[branch]! })),
    { imagePrefixes: [SWEEP_PREFIX] },
  );
  // what the registry holds a tag of: each pinned pair, and (publishUnpinned) each image:tag pinned by tag only
  const tagOnly = (options.publishUnpinned ? fixturePins.unpinned : []).map((u) => ({
    id: u.id,
    registry: u.image.slice(0, u.image.indexOf('/')),
    repository: u.image.slice(u.image.indexOf('/') + 1),
    tag: u.tag,
  }));
  const pairs = new Map([...fixturePins.pairs, ...tagOnly].map((p) => [p.id, p]));
  const publish = async (
    pairId: string,
    salt: string,
    version?: string,
    without: readonly ('revision' | 'source')[] = [],
  ): Promise<SweepImage> => {
    const pair = pairs.get(pairId);
    if (pair === undefined) throw new Error(`sweep world: no pinned pair ${pairId}`);
    return pushSweepImage(
      pusher,
      { registry: pair.registry, repository: pair.repository, tag: pair.tag },
      {
        version: version ?? pair.tag,
        ...(without.includes('revision')
          ? {}
          : { revision: `${salt}-${pair.tag}`.padEnd(40, '0').slice(0, 40) }),
        ...(without.includes('source') ? {} : { source: source(pair.repository) }),
      },
      salt,
    );
  };
  const older: Record<string, SweepImage> = {};
  const newest: Record<string, SweepImage> = {};
  const behindPairs = new Set(behind.map((b) => `${b.image}:${branchPairTag(fixturePins, b)}`));
  const repositories = new Map([...pairs.values()].map((p) => [`${p.registry}/${p.repository}`, p]));
  for (const p of repositories.values())
    await pushSharedLayer(pusher, { registry: p.registry, repository: p.repository });
  // older builds first (their tag then moves to the newest), a few at a time
  const ids = [...pairs.keys()];
  for (let i = 0; i < ids.length; i += 8)
    await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        if (behindPairs.has(id)) older[id] = await publish(id, 'older');
        const version = behind.find((b) => `${b.image}:${branchPairTag(fixturePins, b)}` === id)?.version;
        newest[id] = await publish(id, 'newest', version);
      }),
    );

  const target = await createTargetRepo(git, {
    slug: options.slug,
    branches,
    transform: (branch, fixture) =>
      (fixture === '' ? texts[branch]! : fixture).replace(
        /(ghcr\.io\/vexxhost\/[^\s:"'@]+):([A-Za-z0-9._-]+)@sha256:[a-f0-9]{64}/g,
        (whole, image: string, tag: string) => {
          const id = `${image}:${tag}`;
          const spec = behind.find((b) => b.image === image && b.branch === branch);
          const build = spec !== undefined && older[id] !== undefined ? older[id] : newest[id];
          if (build === undefined) return whole;
          const digest = spec?.platform === undefined ? build.digest : build.children[spec.platform]!;
          return `${image}:${tag}@${digest}`;
        },
      ),
  });

  const github = begun(await startGitHubStandIn({ token }));
  const env: Record<string, string> = {
    ...git.env,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    BUMPFLOW_REGISTRY_MIRRORS: `ghcr.io=${front.url}`,
    BUMPFLOW_REGISTRY_AUTH: JSON.stringify({ [new URL(front.url).host]: user }),
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: token,
    BUMPFLOW_WORK_DIR: await mkdtemp(path.join(parentDir, 'bumpflow-sweep-work-')),
    DOCKER_CONFIG: path.join(parentDir, 'no-docker-config'),
  };
  const deps = dependenciesFromEnvironment(env);
  return {
    git,
    registry,
    issuer,
    front,
    github,
    targetUrl: target.url,
    branches,
    pins: fixturePins,
    newest,
    older,
    env,
    deps,
    secrets: [password, token],
    async publish(pairId, salt, without = []) {
      const build = await publish(pairId, salt, undefined, without);
      newest[pairId] = build;
      return build;
    },
    async close() {
      await github.close();
      await front.close();
      await registry.close();
      await issuer.close();
      await git.close();
      await rm(env.BUMPFLOW_WORK_DIR!, { recursive: true, force: true });
    },
  };
}

/** The tag an image is pinned with on a branch (the fixture's), for a BehindSpec. */
function branchPairTag(pins: SweepPins, spec: BehindSpec): string {
  const pair = pins.pairs.find(
    (p) => p.image === spec.image && p.pins.some((pin) => pin.branch === spec.branch),
  );
  if (pair === undefined) throw new Error(`sweep world: ${spec.image} is not pinned on ${spec.branch}`);
  return pair.tag;
}
