/**
 * The world moving between measured runs, as it does between two real bumps:
 * per branch, a new commit on the source branch (docker-magnum), a new build
 * of the branch's tag labelled with that commit (a new digest, new labels),
 * and a new unrelated commit on the target branch (so a clone from before must
 * fetch). Commits are made in the bare repos with git's plumbing (no clone);
 * the image is pushed straight to the registry, not through the counting front.
 * Also: reading a branch head from a bare repo's files, for the GitHub stand-in
 * (so it starts no git process in the bench's own process).
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { branchTag } from '../src/lib/kit/branches.js';
import { fixtureGit } from '../src/sandbox/gitFixtures.js';
import type { Scenario } from '../src/sandbox/scenario.js';
import { SOURCE_SLUG } from '../src/sandbox/scenario.js';

/** Commits `files` on top of `branch` in a bare repo, through a temporary index; returns the new sha. */
export async function commitOnBare(
  bare: string,
  branch: string,
  files: Record<string, string>,
  message: string,
): Promise<string> {
  const index = path.join(bare, `bench-index-${branch.replace(/\W/g, '_')}-${process.pid}`);
  const env = { GIT_INDEX_FILE: index };
  const git = async (args: string[], input?: string): Promise<string> =>
    (await fixtureGit(args, { cwd: bare, env, ...(input === undefined ? {} : { input }) })).stdout.trim();
  try {
    const parent = await git(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`]);
    await git(['read-tree', parent]);
    for (const [file, content] of Object.entries(files)) {
      const blob = await git(['hash-object', '-w', '--stdin'], content);
      await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`]);
    }
    const tree = await git(['write-tree']);
    const sha = await git(['commit-tree', tree, '-p', parent, '-m', message]);
    await git(['update-ref', `refs/heads/${branch}`, sha, parent]);
    return sha;
  } finally {
    await rm(index, { force: true });
  }
}

/**
 * Moves the world one step for every branch: a source commit, the tag's new
 * image built from it, a target commit. Returns the tag → new digest map.
 */
export async function advanceWorld(
  scenario: Scenario,
  branches: readonly string[],
  step: number,
): Promise<Record<string, string>> {
  const sourceBare = scenario.git.barePath(SOURCE_SLUG);
  const targetBare = scenario.git.barePath(scenario.slug);
  const digests: Record<string, string> = {};
  await Promise.all(
    branches.map(async (branch) => {
      const tag = branchTag(branch);
      const revision = await commitOnBare(
        sourceBare,
        branch,
        { 'patches/bench-rebuild.txt': `rebuild ${step} of ${branch}\n` },
        `chore: rebuild ${step}`,
      );
      digests[tag] = await scenario.publish(tag, { revision, salt: `bench-${step}` });
      await commitOnBare(
        targetBare,
        branch,
        { 'doc/bench-activity.txt': `unrelated change ${step} on ${branch}\n` },
        `docs: unrelated change ${step}`,
      );
    }),
  );
  return digests;
}

/** A branch head read from the bare repo's files (a loose ref, else packed-refs), no git process. */
export function headFromFiles(bare: string, branch: string): string | undefined {
  const loose = path.join(bare, 'refs', 'heads', ...branch.split('/'));
  if (existsSync(loose)) return readFileSync(loose, 'utf8').trim() || undefined;
  const packed = path.join(bare, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, 'utf8').split('\n')) {
    const [sha, ref] = line.split(' ');
    if (ref === `refs/heads/${branch}`) return sha;
  }
  return undefined;
}
