/**
 * A VM image catalog's world for the workflow tests and the history recorder,
 * from real parts: one real OSISM catalog
 * (fixtures/openstack-image-manager/<distro>.yml, Ubuntu's unless asked) at
 * etc/images/<distro>.yml, or several (`catalogs`, all in one commit, with
 * `extraFiles` beside them), their distro URLs moved to the loopback mirror
 * (imageMirror.ts, serving every catalog's images), in a git bare repo standing in for
 * https://github.com/<slug>; the GitHub stand-in (the one test double) for
 * the PR; with `mirror: true`, the S3 mirror the new images are uploaded to
 * (catalogStore.ts: MinIO and the worker config naming it). `env` is what a
 * worker process of the world gets; `deps` are built from it as the worker
 * builds them. `catalogRunner` starts updates as the CLI does and follows them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ActivityDeps } from '../activities/index.js';
import { dependenciesFromEnvironment } from '../worker.js';
import type { TemporalSettings } from '../config.js';
import { startCatalog } from '../cli/catalog/catalogStart.js';
import {
  catalogStatusQuery,
  type CatalogRequest,
  type CatalogResult,
  type CatalogStatus,
} from '../shared/catalog.js';
import { startImageMirror, type RunningImageMirror } from './imageMirror.js';
import { startCatalogStore, type CatalogStore } from './catalogStore.js';
import { startGitHubStandIn, type GitHubStandIn } from './githubStandIn.js';
import { addCommit, createGitSandbox, type GitSandbox } from './gitFixtures.js';
import { headsOf, seedBare, workerEnv } from './worldParts.js';
import { fixturesDir } from './paths.js';

export const CATALOG_PATH = 'etc/images/ubuntu.yml';
/** The real catalogs vendored in fixtures/openstack-image-manager/, every one update.py updates. */
export const DISTRO_CATALOGS = ['almalinux', 'centos', 'debian', 'rockylinux', 'ubuntu'] as const;
export type DistroCatalog = (typeof DISTRO_CATALOGS)[number];

/** The vendored real catalog of `distro`. */
export function fixtureCatalog(distro: DistroCatalog): Promise<string> {
  return readFile(path.join(fixturesDir, 'openstack-image-manager', `${distro}.yml`), 'utf8');
}

export interface CatalogWorldOptions {
  /** which real catalog (default ubuntu); committed at etc/images/<distro>.yml */
  catalog?: DistroCatalog;
  /** several real catalogs (default `[catalog]`), each at etc/images/<distro>.yml in the one initial commit */
  catalogs?: readonly DistroCatalog[];
  /** other files committed alongside (path → text), e.g. a README or a subfolder's file beside the catalogs */
  extraFiles?: Record<string, string>;
  /** changes each committed catalog's text (`path`: its path) after its URLs are moved to the mirror */
  transform?: (text: string, path: string) => string;
  /** an S3 mirror on MinIO in the worker's config (catalog.mirror); default none */
  mirror?: boolean;
  /** the mirror's part size in bytes (default catalogStore's CATALOG_PART_SIZE) */
  mirrorPartSize?: number;
}

export interface CatalogWorld {
  git: GitSandbox;
  mirror: RunningImageMirror;
  github: GitHubStandIn;
  slug: string;
  repoUrl: string;
  /** the (first) catalog's path in the repository, etc/images/<distro>.yml */
  path: string;
  /** the (first) catalog as committed on main: the fixture with its URLs at the mirror */
  text: string;
  /** every catalog as committed on main, by path, in the order of `catalogs` (extraFiles not included) */
  texts: Record<string, string>;
  /** a worker process's environment: git, the stand-in, its work dir; with a store, BUMPFLOW_CONFIG and the store's keys */
  env: Record<string, string>;
  /** built from `env` as the worker builds them (deps.catalogMirror set when there is a store) */
  deps: ActivityDeps;
  /** the S3 mirror (`mirror: true`): MinIO to read objects back from, the config file naming it */
  store?: CatalogStore;
  secrets: string[];
  /** the exact bytes of `file` at the tip of `branch` on the remote; undefined when absent */
  fileOn(branch: string, file?: string): string | undefined;
  /** branch name → sha of every branch on the remote */
  branches(): Record<string, string>;
  /** commits `branch` has that main lacks: subject + body */
  commitsOn(branch: string): string[];
  /** replaces main's catalog `file` (default `path`) by `text` (as a maintainer's push would) */
  commitCatalog(text: string, file?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createCatalogWorld(
  slug: string,
  options: CatalogWorldOptions = {},
): Promise<CatalogWorld> {
  const distros = options.catalogs ?? [options.catalog ?? 'ubuntu'];
  if (distros.length === 0) throw new Error('catalog world: expected at least one catalog; found none');
  const pathOf = (distro: DistroCatalog) => `etc/images/${distro}.yml`;
  const catalogPath = pathOf(distros[0]!);
  const fixtures = await Promise.all(distros.map(fixtureCatalog));
  const mirror = await startImageMirror({ catalog: fixtures });
  const transform = options.transform ?? ((t: string) => t);
  const texts = Object.fromEntries(
    distros.map((d, n) => [pathOf(d), transform(mirror.rewrite(fixtures[n]!), pathOf(d))]),
  );
  const text = texts[catalogPath]!;
  const git = await createGitSandbox();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-catalog-work-'));
  const bare = git.barePath(slug);
  const catalogCommit = (file: string, content: string) => ({
    message: file === CATALOG_PATH ? 'Update the Ubuntu catalog' : `Update the catalog ${file}`,
    files: { [file]: content },
  });
  const commitCatalog = (content: string, file = catalogPath) =>
    addCommit(git, slug, 'main', catalogCommit(file, content));
  await seedBare(
    git,
    slug,
    ['main'],
    distros.length === 1 && options.extraFiles === undefined
      ? catalogCommit(catalogPath, text)
      : {
          message: `Add the catalogs ${Object.keys(texts).join(', ')}`,
          files: { ...texts, ...options.extraFiles },
        },
  );

  const token = `ghp_${randomBytes(18).toString('hex')}`;
  const github = await startGitHubStandIn({ token });
  github.resolveHeadSha = headsOf(git);
  const store = options.mirror
    ? await startCatalogStore(Object.values(texts), options.mirrorPartSize)
    : undefined;
  const env = workerEnv(git, { url: github.url, token }, workDir, store?.env);
  const git_ = (args: string[]) => execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' });
  return {
    git,
    mirror,
    github,
    slug,
    repoUrl: git.remoteUrl(slug),
    path: catalogPath,
    text,
    texts,
    env,
    deps: dependenciesFromEnvironment(env),
    ...(store === undefined ? {} : { store }),
    secrets: [token, ...(store === undefined ? [] : [store.minio.secretAccessKey])],
    fileOn(branch, file = catalogPath) {
      try {
        return git_(['cat-file', 'blob', `refs/heads/${branch}:${file}`]);
      } catch {
        return undefined;
      }
    },
    branches() {
      const out = git_(['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/heads/']);
      return Object.fromEntries(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ') as [string, string]),
      );
    },
    commitsOn(branch) {
      const shas = git_(['rev-list', `refs/heads/${branch}`, '^refs/heads/main'])
        .split('\n')
        .filter(Boolean);
      return shas.map((sha) => git_(['log', '-1', '--format=%B', sha]));
    },
    commitCatalog,
    async close() {
      await store?.close();
      await github.close();
      await mirror.close();
      await git.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export interface CatalogRun {
  taskQueue: string;
  start(r: Omit<CatalogRequest, 'repoUrl'>): Promise<WorkflowHandle>;
  /** the first status `ok` accepts, within `timeoutMs` (default 30 s) */
  statusWhen(
    h: WorkflowHandle,
    ok: (s: CatalogStatus) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<CatalogStatus>;
  result(h: WorkflowHandle): Promise<CatalogResult>;
  /** the typed failure the update ended with (its result must reject) */
  failure(h: WorkflowHandle): Promise<{ type: string | undefined; message: string }>;
}

/** Starts updates of `world`'s catalog as the CLI does (on `settings`' task queue) and follows them. */
export function catalogRunner(client: Client, settings: TemporalSettings, world: CatalogWorld): CatalogRun {
  return {
    taskQueue: settings.taskQueue,
    start: (r) => startCatalog(client, settings, { repoUrl: world.repoUrl, ...r }),
    async statusWhen(h, ok, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: CatalogStatus | undefined;
      while (Date.now() < deadline) {
        try {
          last = await h.query(catalogStatusQuery);
          if (ok(last)) return last;
        } catch {
          // the first workflow task may not have run yet
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`expected ${what} within ${timeoutMs / 1000} s; last status: ${JSON.stringify(last)}`);
    },
    result: (h) => h.result() as Promise<CatalogResult>,
    async failure(h) {
      try {
        const r = (await h.result()) as CatalogResult;
        throw new Error(`expected ${h.workflowId} to fail, it ended ${r.state}`);
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        const cause = err.cause as { type?: string; message?: string } | undefined;
        return { type: cause?.type, message: cause?.message ?? '' };
      }
    },
  };
}
