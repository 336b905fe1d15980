/**
 * The catalog's image mirror as the worker holds it: the config file's
 * `catalog.mirror`, with the access key id and secret read from the
 * variables the file names, at start and inside the worker only. A named
 * variable that is unset or empty stops the worker with its name (never a
 * value); the credentials never reach a workflow input, result, history,
 * log line or notice.
 *
 *   catalogMirrorSettings(config, env, mirror?): CatalogMirror | undefined
 *   catalogMirrorSecrets(settings): string[]    for the worker's log masking
 */
import type { BumpflowConfig } from '../configFile.js';
import { parseByteSize } from '../lib/kit/byteSize.js';
import { fatal, FatalFailure } from '../shared/failures.js';
import { createS3Mirror, type MirrorCredentials, type S3Mirror } from './s3Mirror.js';

export interface CatalogMirror {
  mirror: S3Mirror;
  /** the S3 API */
  endpoint: string;
  bucket: string;
  /** the key prefix inside the bucket (may be empty) */
  prefix: string;
  /** what each mirror_url starts with */
  baseUrl: string;
  region?: string | undefined;
  /** bytes per part; undefined: the mirror's default (64 MiB) */
  partSize?: number | undefined;
  /** resolved from the variables the config names */
  credentials: MirrorCredentials;
}

function fromEnv(env: NodeJS.ProcessEnv, key: string, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '')
    throw fatal(
      FatalFailure.BadInput,
      `catalog.mirror.${key}: expected the environment variable ${name} to hold ${what}, found it ${value === undefined ? 'unset' : 'empty'}`,
    );
  return value;
}

/** The worker's mirror, or undefined when its config file has no `catalog.mirror`. */
export function catalogMirrorSettings(
  config: BumpflowConfig | undefined,
  env: NodeJS.ProcessEnv,
  mirror: S3Mirror = createS3Mirror(),
): CatalogMirror | undefined {
  const c = config?.catalog.mirror;
  if (c === undefined) return undefined;
  const credentials = {
    accessKeyId: fromEnv(env, 'accessKeyIdEnv', c.accessKeyIdEnv, 'the access key id'),
    secretAccessKey: fromEnv(env, 'secretAccessKeyEnv', c.secretAccessKeyEnv, 'the secret access key'),
  };
  return {
    mirror,
    endpoint: c.endpoint,
    bucket: c.bucket,
    prefix: c.prefix,
    baseUrl: c.baseUrl,
    region: c.region,
    // the schema checked it (5MiB to 5GiB)
    partSize: c.partSize === undefined ? undefined : parseByteSize(c.partSize),
    credentials,
  };
}

/** The secret the worker holds for the mirror, for its log masking. */
export function catalogMirrorSecrets(settings: CatalogMirror | undefined): string[] {
  return settings === undefined ? [] : [settings.credentials.secretAccessKey];
}
