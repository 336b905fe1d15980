/**
 * The deployable stack, validated the only way this machine can: Debian's
 * `docker-compose config` (no Docker engine runs here) on a copy of the
 * compose file, the Dockerfile and an env file made from the example.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '../../src/sandbox/paths.js';

const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: { context: string };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
  volumes?: string[];
}

async function composeConfig(files: {
  env?: string;
}): Promise<{ code: number; stdout: string; stderr: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-compose-'));
  await copyFile(path.join(repoRoot, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
  await copyFile(path.join(repoRoot, 'Dockerfile'), path.join(dir, 'Dockerfile'));
  if (files.env !== undefined) await writeFile(path.join(dir, 'bumpflow.env'), files.env);
  try {
    const { stdout, stderr } = await run('docker-compose', ['config'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    return { code: 0, stdout, stderr, dir };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
      dir,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('docker-compose.yml', () => {
  it('is a valid stack: Temporal on PostgreSQL, the UI, the worker built here with secrets from bumpflow.env', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const example = await readFile(path.join(repoRoot, 'bumpflow.env.example'), 'utf8');
    const env = example.replace(/^GITHUB_TOKEN=.*$/m, `GITHUB_TOKEN=${token}`);
    assert.notEqual(env, example, 'the example env file names GITHUB_TOKEN');

    const result = await composeConfig({ env });
    assert.equal(result.code, 0, result.stderr);
    const config = parse(result.stdout) as {
      services: Record<string, ComposeService>;
      volumes: Record<string, unknown>;
    };
    const { postgresql, temporal, worker } = config.services;
    const ui = config.services['temporal-ui'];
    assert.ok(postgresql && temporal && ui && worker, `services: ${Object.keys(config.services).join(', ')}`);

    assert.match(postgresql.image ?? '', /^postgres:/);
    assert.ok(postgresql.healthcheck, 'postgresql has a health check');
    assert.match(temporal.image ?? '', /^temporalio\/auto-setup:/);
    assert.equal(temporal.environment?.DB, 'postgres12');
    assert.equal(temporal.environment?.POSTGRES_SEEDS, 'postgresql');
    assert.equal(temporal.depends_on?.postgresql?.condition, 'service_healthy');
    assert.match(ui.image ?? '', /^temporalio\/ui:/);
    assert.equal(ui.environment?.TEMPORAL_ADDRESS, 'temporal:7233');

    assert.equal(
      path.basename(worker.build?.context ?? ''),
      path.basename(result.dir),
      'the worker is built from the Dockerfile beside the compose file',
    );
    assert.equal(worker.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(worker.environment?.GITHUB_TOKEN, token, 'the token reaches the worker from bumpflow.env');
    for (const [name, service] of Object.entries(config.services)) {
      if (name !== 'worker') assert.ok(!JSON.stringify(service).includes(token), `the token reaches ${name}`);
      for (const port of service.ports ?? [])
        assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} beyond loopback`);
    }
    assert.ok(
      !(await readFile(path.join(repoRoot, 'docker-compose.yml'), 'utf8')).includes('ghp_'),
      'no token in the compose file',
    );
  });

  it('refuses to run without the env file that holds the secrets', async () => {
    const result = await composeConfig({});
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /bumpflow\.env/);
  });
});
