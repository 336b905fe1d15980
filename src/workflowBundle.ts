/**
 * Where the worker's workflow code comes from: the bundle `npm run build`
 * made (dist/workflows/bundle.js, loaded at once), or — in development, or
 * when the sources changed since that build — bundling src/workflows at
 * start (about 2 s and ~200 MB more). A bundle is used only when the hash of
 * the sources it was built from matches the sources beside it, so a stale
 * build never runs; without sources (an image that ships dist/ only) the
 * bundle is what there is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** the repository (or image) root: src/ and dist/ (the build of src/, `npm run build`) live beside each other under it */
const root = path.resolve(here, '..');
export const srcDir = path.join(root, 'src');
export const bundleFile = path.join(root, 'dist', 'workflows', 'bundle.js');
export const bundleInfoFile = path.join(root, 'dist', 'workflows', 'bundle.json');

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
    })
    .sort();
}

/** sha256 over every source file's path and content: any change to the sources changes it. */
export function sourceHash(dir: string = srcDir): string {
  const h = createHash('sha256');
  for (const file of tsFiles(dir))
    h.update(path.relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  return h.digest('hex');
}

/** True when this module runs from the build (dist/), not through tsx from src/. */
export const runningBuilt = path.basename(here) === 'dist';

/** The build is there and was made from the sources beside it (or there are none, as in the image). */
export function buildIsCurrent(): boolean {
  if (!existsSync(bundleInfoFile)) return false;
  if (!existsSync(srcDir)) return true;
  try {
    return (
      (JSON.parse(readFileSync(bundleInfoFile, 'utf8')) as { sourceHash?: string }).sourceHash ===
      sourceHash()
    );
  } catch {
    return false;
  }
}

export type WorkflowSource =
  { kind: 'bundle'; codePath: string } | { kind: 'sources'; workflowsPath: string; why: string };

export function workflowSource(workflowsPath: string, env: NodeJS.ProcessEnv = process.env): WorkflowSource {
  if (env.BUMPFLOW_WORKFLOW_BUNDLE === 'off')
    return { kind: 'sources', workflowsPath, why: 'BUMPFLOW_WORKFLOW_BUNDLE=off' };
  if (!existsSync(bundleFile))
    return { kind: 'sources', workflowsPath, why: 'no build (npm run build makes one)' };
  if (!existsSync(srcDir)) return { kind: 'bundle', codePath: bundleFile };
  let built: string | undefined;
  try {
    built = (JSON.parse(readFileSync(bundleInfoFile, 'utf8')) as { sourceHash?: string }).sourceHash;
  } catch {
    built = undefined;
  }
  if (built !== sourceHash())
    return { kind: 'sources', workflowsPath, why: 'the sources changed since npm run build' };
  return { kind: 'bundle', codePath: bundleFile };
}
