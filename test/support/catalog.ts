/**
 * Workflow-test helpers for catalog updates: a worker on a catalog world
 * (src/sandbox/catalogWorld.ts) while a test runs, the approval, and the
 * expected catalog text built by string operations on the committed text
 * (never by the product's edit functions).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { catalogGate, type CatalogStatus } from '../../src/shared/catalog.js';
import type { ChecksumAlgorithm } from '../../src/lib/catalog/checksums.js';
import {
  catalogRunner,
  createCatalogWorld,
  type CatalogRun,
  type CatalogWorld,
  type CatalogWorldOptions,
} from '../../src/sandbox/catalogWorld.js';
import type { MirrorBuild } from '../../src/sandbox/imageMirror.js';
import { runWorker } from './bump.js';

export {
  CATALOG_PATH,
  createCatalogWorld,
  DISTRO_CATALOGS,
  type CatalogRun,
  type CatalogWorld,
  type DistroCatalog,
} from '../../src/sandbox/catalogWorld.js';

export function withCatalogWorker<T>(
  env: TestWorkflowEnvironment,
  world: CatalogWorld,
  fn: (run: CatalogRun) => Promise<T>,
): Promise<T> {
  return runWorker(env, world.deps, (settings) => fn(catalogRunner(env.client, settings, world)));
}

/** `fn` on a fresh catalog world (`slug`, `options`) with a worker on it; the world closed after. */
export async function inCatalogWorld<T>(
  env: TestWorkflowEnvironment,
  slug: string,
  options: CatalogWorldOptions,
  fn: (world: CatalogWorld, run: CatalogRun) => Promise<T>,
): Promise<T> {
  const world = await createCatalogWorld(slug, options);
  try {
    return await withCatalogWorker(env, world, (run) => fn(world, run));
  } finally {
    await world.close();
  }
}

export function approveCatalog(h: WorkflowHandle): Promise<CatalogStatus> {
  return h.executeUpdate(catalogGate.approveUpdate, { args: [{ approver: 'tester' }] });
}

/** `<algorithm>:<hex>` of `bytes`, as a catalog writes a checksum. */
export function checksumOf(algorithm: ChecksumAlgorithm, bytes: Buffer): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** The lines of one image's entry in `text`: from its `- name:` to the next image's. */
export function imageBlock(text: string, image: string): { start: number; end: number } {
  const start = text.indexOf(`  - name: ${image}\n`);
  assert.ok(start >= 0, `expected ${image} in the catalog`);
  const next = text.indexOf('\n  - name: ', start + 1);
  return { start, end: next < 0 ? text.length : next + 1 };
}

/** `text` with each `[from, to]` replaced inside `image`'s entry only (each must be there). */
export function inImage(text: string, image: string, swaps: Array<[string, string]>): string {
  const { start, end } = imageBlock(text, image);
  let part = text.slice(start, end);
  for (const [from, to] of swaps) {
    assert.ok(part.includes(from), `expected ${JSON.stringify(from)} in ${image}'s entry`);
    part = part.split(from).join(to);
  }
  return text.slice(0, start) + part + text.slice(end);
}

/** The swaps update.py makes for an image from its old build to `next`: version, date, url, mirror_url, checksum. */
export function swapsFor(
  old: MirrorBuild,
  next: MirrorBuild,
  shortname: string,
  algorithm: ChecksumAlgorithm = 'sha256',
): Array<[string, string]> {
  return [
    [`version: '${old.version}'`, `version: '${next.version}'`],
    [`build_date: ${old.buildDate}`, `build_date: ${next.buildDate}`],
    ...(old.url === next.url ? [] : [[old.url, next.url] as [string, string]]),
    [`/${old.version}-${shortname}.qcow2`, `/${next.version}-${shortname}.qcow2`],
    [checksumOf(algorithm, old.bytes), checksumOf(algorithm, next.bytes)],
  ];
}

/** The files each commit `branch` has that main lacks touches, per commit (newest first), as git records them. */
export function filesTouchedOn(world: CatalogWorld, branch: string): string[][] {
  const git = (args: string[]) =>
    execFileSync('git', ['--git-dir', world.git.barePath(world.slug), ...args], { encoding: 'utf8' });
  const lines = (out: string) => out.split('\n').filter(Boolean);
  return lines(git(['rev-list', `refs/heads/${branch}`, '^refs/heads/main'])).map((sha) =>
    lines(git(['diff-tree', '--no-commit-id', '--name-only', '-r', sha])).sort(),
  );
}
