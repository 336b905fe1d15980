/**
 * A built copy of this worktree, so the bench can run what `npm run build`
 * makes (`node dist/worker.js`, the CLI's build, the demo's prebuilt workflow
 * bundle) without writing dist/ here, where others are editing src/: the
 * sources as they are now (src, scripts, bin, fixtures, package.json,
 * tsconfig*.json) are copied to `<parent>/snapshot`, node_modules is linked,
 * and `npm run build` runs there.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../src/sandbox/paths.js';
import { round } from './measure.js';
import { runToEnd } from './processes.js';

const COPIED = ['src', 'scripts', 'bin', 'fixtures', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

export interface Snapshot {
  root: string;
  /** `npm run build` in it, wall time */
  buildMs: number;
}

/**
 * `ref` given (`--compare <ref>`): the same files as that commit has them (`git archive`), in
 * `<parent>/snapshot-baseline`; this worktree's node_modules serves both.
 */
export async function buildSnapshot(
  parent: string,
  log: (line: string) => void,
  ref?: string,
): Promise<Snapshot> {
  const root = path.join(parent, ref === undefined ? 'snapshot' : 'snapshot-baseline');
  await mkdir(root, { recursive: true });
  if (ref === undefined)
    for (const entry of COPIED)
      await cp(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
  else
    execFileSync('tar', ['-x', '-C', root], {
      input: execFileSync('git', ['-C', repoRoot, 'archive', '--format=tar', ref, '--', ...COPIED], {
        maxBuffer: 1 << 30,
      }),
    });
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  log(`bench: npm run build in a snapshot of ${ref ?? 'the worktree'} (${root})`);
  const build = await runToEnd('npm', ['run', 'build'], { cwd: root, env: process.env });
  if (build.code !== 0)
    throw new Error(
      `bench: expected npm run build to pass in the snapshot, found exit ${build.code}:\n${(build.stdout + build.stderr).trim().slice(-1500)}`,
    );
  log(`bench: built in ${round(build.ms / 1000, 1)} s`);
  return { root, buildMs: round(build.ms, 0) };
}
