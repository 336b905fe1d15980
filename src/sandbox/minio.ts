/**
 * MinIO on loopback: the S3-compatible store of the image mirror's tests and
 * of the bench, built and cached by scripts/install-minio.sh (or
 * BUMPFLOW_MINIO). Run only as a separate server process (MinIO is AGPL-3.0;
 * bumpflow never links or ships it) with a single drive in a temp dir, root
 * credentials made at random for each start and handed over in the
 * environment (never on argv), the console off and bound to loopback, and one
 * bucket created through the S3 API. stop() kills it and removes its drive;
 * so does this process's exit (registryProcess.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { bumpflowCacheDir, installedBinary } from './installedTools.js';
import { disownDir, freePort, ownDir, registryProcess, startOnPort } from './registryProcess.js';

/** The pseudo-version scripts/install-minio.sh builds (MinIO publishes its server only as such). */
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

export interface RunningMinio {
  /** `http://127.0.0.1:<port>`: the S3 endpoint (path-style) */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** the bucket made at start */
  bucket: string;
  /** the drive (a temp dir; removed by stop) */
  dataDir: string;
  /** a client with the root credentials, for tests to look at the store with; destroyed by stop */
  client: S3Client;
  stop(): Promise<void>;
}

/** BUMPFLOW_MINIO, else where scripts/install-minio.sh caches the binary. */
export function minioPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUMPFLOW_MINIO) return env.BUMPFLOW_MINIO;
  return path.join(bumpflowCacheDir(env), `minio-${MINIO_VERSION}`, 'minio');
}

/** The environment without MINIO_* and AWS_* variables, and with the root credentials of this start. */
function childEnvironment(user: string, password: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('MINIO_') && !key.startsWith('AWS_')) env[key] = value;
  return {
    ...env,
    MINIO_ROOT_USER: user,
    MINIO_ROOT_PASSWORD: password,
    MINIO_BROWSER: 'off',
    MINIO_UPDATE: 'off',
  };
}

export async function startMinio(options: { bucket?: string } = {}): Promise<RunningMinio> {
  const bin = await installedBinary({
    name: `MinIO ${MINIO_VERSION}`,
    bin: minioPath(),
    ...(process.env.BUMPFLOW_MINIO ? { overriddenBy: 'BUMPFLOW_MINIO' } : {}),
    script: 'install-minio.sh',
  });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-minio-'));
  ownDir(dataDir);
  const accessKeyId = `bumpflow-${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const env = childEnvironment(accessKeyId, secretAccessKey);
  const proc = registryProcess(async (port) => ({
    command: bin,
    args: [
      'server',
      path.join(dataDir, 'drive'),
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${await freePort()}`,
      '--certs-dir',
      path.join(dataDir, 'certs'),
      '--quiet',
      '--anonymous',
    ],
    env,
    readyPath: '/minio/health/live',
  }));
  const stopAll = async (client?: S3Client): Promise<void> => {
    client?.destroy();
    await proc.stop();
    await rm(dataDir, { recursive: true, force: true });
    disownDir(dataDir);
  };
  let port: number;
  try {
    port = await startOnPort(proc, undefined);
  } catch (err) {
    await stopAll();
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';
  const bucket = options.bucket ?? 'images';
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    await stopAll(client);
    throw new Error(`expected MinIO at ${endpoint} to create bucket ${bucket}, found ${String(err)}`);
  }
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    bucket,
    dataDir,
    client,
    stop: () => stopAll(client),
  };
}
