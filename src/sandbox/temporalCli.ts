/** The Temporal CLI built by scripts/install-temporal-cli.sh (cached outside the repo), or BUMPFLOW_TEMPORAL_CLI. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

export function temporalCliPath(): string {
  const fromEnv = process.env.BUMPFLOW_TEMPORAL_CLI;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return execFileSync('bash', [path.join(repoRoot, 'scripts', 'install-temporal-cli.sh')], {
    encoding: 'utf8',
  }).trim();
}
