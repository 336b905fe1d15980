/**
 * The repos of the sandbox world, built from the vendored Atmosphere fixtures: the target repo (every
 * branch with its real vars file and release notes) and source repos (docker-<service>) with the commits
 * a test asks for. Same fixture identity and dates as src/sandbox/gitFixtures.ts, so same SHAs everywhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  commitFiles,
  createBare,
  DEFAULT_TARGET_BRANCHES,
  DEFAULT_TARGET_SLUG,
  fixtureGit,
  listBranches,
  VARS_PATH,
  withScratch,
  type GitSandbox,
} from './gitFixtures.js';
import { atmosphereDir } from './paths.js';

async function readFixture(file: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(atmosphereDir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** main → main.yml, stable/2025.1 → stable-2025.1.yml */
function fixtureFileFor(branch: string): string {
  return `${branch.replace(/\//g, '-')}.yml`;
}

/**
 * The target repo: every branch holds the real vars file of that branch (main → main.yml,
 * stable/X → stable-X.yml, changed by `transform`), releasenotes/config.yaml, the real notes
 * under releasenotes/notes/ and a README. Branches fork from one root commit; main always
 * exists (the root commit alone when it is not listed).
 */
export async function createTargetRepo(
  sandbox: GitSandbox,
  options: {
    slug?: string;
    branches?: string[];
    varsPath?: string;
    transform?: (branch: string, text: string) => string;
  } = {},
): Promise<{ url: string; heads: Record<string, string> }> {
  const slug = options.slug ?? DEFAULT_TARGET_SLUG;
  const branches = options.branches ?? [...DEFAULT_TARGET_BRANCHES];
  const varsPath = options.varsPath ?? VARS_PATH;

  const vars: Record<string, string> = {};
  for (const branch of branches) {
    const fixture = await readFixture(fixtureFileFor(branch));
    const text = options.transform ? options.transform(branch, fixture ?? '') : fixture;
    if (text === undefined || text === '') {
      throw new Error(
        `fixture: no vars file for ${branch}: expected ${path.join(atmosphereDir, fixtureFileFor(branch))} or content from options.transform`,
      );
    }
    vars[branch] = text;
  }
  const notes: Record<string, string> = {};
  for (const name of (await readdir(path.join(atmosphereDir, 'releasenotes'))).sort()) {
    const text = await readFile(path.join(atmosphereDir, 'releasenotes', name), 'utf8');
    notes[name === 'config.yaml' ? 'releasenotes/config.yaml' : `releasenotes/notes/${name}`] = text;
  }

  await createBare(sandbox, slug);
  await withScratch(sandbox, slug, async (dir) => {
    await fixtureGit(['symbolic-ref', 'HEAD', 'refs/heads/main'], { cwd: dir });
    const root = await commitFiles(sandbox, dir, {
      message: 'Initial commit',
      files: {
        'README.md': `# ${slug}\n\nA test copy of ${slug} built by bumpflow's git fixtures.\n`,
        ...notes,
      },
    });
    for (const branch of branches) {
      await fixtureGit(['checkout', '--quiet', '-B', branch, root], { cwd: dir });
      await commitFiles(sandbox, dir, {
        message: `chore: image pins of ${branch}`,
        files: { [varsPath]: vars[branch] ?? '' },
      });
    }
    if (!branches.includes('main')) await fixtureGit(['branch', '--quiet', '-f', 'main', root], { cwd: dir });
    const names = [...new Set(['main', ...branches])];
    await fixtureGit(
      ['push', '--quiet', 'origin', ...names.map((branch) => `refs/heads/${branch}:refs/heads/${branch}`)],
      { cwd: dir },
    );
  });
  return { url: sandbox.remoteUrl(slug), heads: pick(await listBranches(sandbox, slug), branches) };
}

/**
 * A source repo (docker-<service>): a root commit on main, every other branch forked from it,
 * then each branch's commits in order. `commits[branch]` are the SHAs of the listed commits.
 */
export async function createSourceRepo(
  sandbox: GitSandbox,
  slug: string,
  branches: Record<
    string,
    Array<{ message: string | ((done: Record<string, string[]>) => string); files: Record<string, string> }>
  >,
): Promise<{ url: string; heads: Record<string, string>; commits: Record<string, string[]> }> {
  await createBare(sandbox, slug);
  const commits: Record<string, string[]> = {};
  await withScratch(sandbox, slug, async (dir) => {
    await fixtureGit(['symbolic-ref', 'HEAD', 'refs/heads/main'], { cwd: dir });
    const root = await commitFiles(sandbox, dir, {
      message: 'Initial commit',
      files: { 'README.md': `# ${slug}\n` },
    });
    for (const [branch, list] of Object.entries(branches)) {
      await fixtureGit(['checkout', '--quiet', '-B', branch, root], { cwd: dir });
      const shas: string[] = [];
      // a message may name commits made before it (e.g. a backport's "cherry picked from commit <sha>")
      for (const commit of list) {
        const message = typeof commit.message === 'string' ? commit.message : commit.message(commits);
        shas.push(await commitFiles(sandbox, dir, { ...commit, message }));
      }
      commits[branch] = shas;
    }
    if (branches.main === undefined)
      await fixtureGit(['branch', '--quiet', '-f', 'main', root], { cwd: dir });
    const names = [...new Set(['main', ...Object.keys(branches)])];
    await fixtureGit(
      ['push', '--quiet', 'origin', ...names.map((branch) => `refs/heads/${branch}:refs/heads/${branch}`)],
      { cwd: dir },
    );
  });
  return { url: sandbox.remoteUrl(slug), heads: await listBranches(sandbox, slug), commits };
}

function pick(heads: Record<string, string>, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const sha = heads[name];
    if (sha === undefined) throw new Error(`fixture: expected branch ${name} after the push, found none`);
    picked[name] = sha;
  }
  return picked;
}
