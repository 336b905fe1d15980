/**
 * Binaries that scripts/install-*.sh build from the Go module proxy and cache
 * outside the repository (cosign v2 and v3, the OCI registry of
 * tools/oci-registry): where the cache is, and the binary itself — from the
 * cache, else by running its install script, which waits for a build under
 * way (CI starts them in the background) or builds it.
 */
import { access, constants } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './paths.js';

/** BUMPFLOW_CACHE, else `$XDG_CACHE_HOME/bumpflow` or `~/.cache/bumpflow`, as the install scripts say. */
export function bumpflowCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BUMPFLOW_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'bumpflow');
}

export interface InstalledBinary {
  /** what the binary is, for messages (`cosign v3.1.3`) */
  name: string;
  /** where the cache (or the override) has it */
  bin: string;
  /** the variable that overrides the cache, when set: then the script is not run */
  overriddenBy?: string;
  /** the install script under scripts/, and its arguments */
  script: string;
  args?: string[];
}

const installs = new Map<string, Promise<string>>();

/** The binary's path: the cached one, else what the install script prints (one run per script and arguments). */
export async function installedBinary(tool: InstalledBinary): Promise<string> {
  if (
    await access(tool.bin, constants.X_OK).then(
      () => true,
      () => false,
    )
  )
    return tool.bin;
  if (tool.overriddenBy !== undefined)
    throw new Error(`expected the ${tool.name} binary at ${tool.bin} (${tool.overriddenBy}), found none`);
  const args = [path.join(repoRoot, 'scripts', tool.script), ...(tool.args ?? [])];
  const key = args.join(' ');
  let installed = installs.get(key);
  if (installed === undefined) {
    installed = execa('bash', args).then(
      (r) => r.stdout.trim(),
      (err: unknown) => {
        installs.delete(key);
        throw new Error(`expected scripts/${tool.script} to provide ${tool.name}, it failed: ${String(err)}`);
      },
    );
    installs.set(key, installed);
  }
  return installed;
}
