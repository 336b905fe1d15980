/**
 * The S3-compatible store of the image mirror (MinIO, Swift's S3 API, AWS S3)
 * as s3Mirror.ts uses it: one AWS SDK v3 client per upload, every call's
 * failure classified at the edge, and the few reads the upload decides on.
 *   no answer, 429, 5xx, SlowDown, RequestTimeout   → StoreUnavailable (transient)
 *   a host that does not resolve                    → HostNotFound
 *   401, 403, a refused key or signature            → AuthRefused (no credential in the message)
 *   NoSuchBucket, other definite refusals           → StoreMisconfigured
 */
import { HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { BumpflowError, fatal, FatalFailure, transient, TransientFailure } from '../shared/failures.js';
import { describeNoAnswer, noAnswerFailure } from './http.js';

export interface MirrorTarget {
  /** the store's S3 endpoint, `https://s3.example.com` (no credentials in it) */
  endpoint: string;
  /** the signing region; `us-east-1` when the store has none (MinIO, most Swift setups) */
  region?: string | undefined;
  bucket: string;
  /** the object key, prefix included (`images/ubuntu/noble-20250115.img`) */
  key: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`; default true, as S3-compatible stores need */
  forcePathStyle?: boolean | undefined;
}

/** Resolved from the environment variables the config names; never logged, never in a message. */
export interface MirrorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface StoreClientOptions {
  /** socket inactivity limit of one store request (a part upload included) */
  timeoutMs: number;
  /** the SDK's own attempts per request (a part is retried before the whole activity is) */
  maxAttempts: number;
  /** called with each new client (tests count commands with a middleware) */
  configureClient?: ((client: S3Client) => void) | undefined;
}

export function storeClient(
  target: MirrorTarget,
  credentials: MirrorCredentials,
  options: StoreClientOptions,
): S3Client {
  const client = new S3Client({
    endpoint: target.endpoint,
    region: target.region ?? 'us-east-1',
    forcePathStyle: target.forcePathStyle ?? true,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
    maxAttempts: options.maxAttempts,
    // S3-compatible stores do not all take the SDK's default CRC32 trailers; each part carries Content-MD5
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: Math.min(options.timeoutMs, 10_000),
      requestTimeout: options.timeoutMs,
    },
  });
  options.configureClient?.(client);
  return client;
}

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'InvalidSecurity',
  'AuthorizationHeaderMalformed',
]);
const OUTAGE_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'XMinioServerNotInitialized',
]);

/** The S3 error code and HTTP status of an SDK error; undefined for no answer at all. */
export function storeAnswer(err: unknown): { code: string; status: number } | undefined {
  if (!(err instanceof S3ServiceException)) return undefined;
  return { code: err.name, status: err.$metadata.httpStatusCode ?? 0 };
}

function clip(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** `err` from the store during `what`, as a typed failure. `where` names the endpoint and bucket (never credentials). */
export function storeFailure(
  err: unknown,
  what: string,
  where: MirrorTarget,
  timeoutMs: number,
): BumpflowError {
  if (err instanceof BumpflowError) return err;
  const at = `the store at ${where.endpoint} (bucket ${where.bucket})`;
  const answer = storeAnswer(err);
  if (answer === undefined)
    return noAnswerFailure(
      TransientFailure.StoreUnavailable,
      `${what}: expected an answer from ${at}; found ${describeNoAnswer(err, timeoutMs)}`,
      err,
      { details: { endpoint: where.endpoint, bucket: where.bucket } },
    );
  const { code, status } = answer;
  // a HEAD's error has no body to name its code: the SDK says `Unknown` (or the status's name)
  const found = /^(Unknown|NotFound|Forbidden|\d+)$/.test(code)
    ? `found HTTP ${status}`
    : `found ${code} (HTTP ${status})`;
  const details = { endpoint: where.endpoint, bucket: where.bucket, key: where.key, code, status };
  if (AUTH_CODES.has(code) || status === 401 || status === 403)
    return fatal(
      FatalFailure.AuthRefused,
      `${what}: expected ${at} to accept the mirror's credentials; ${found}: check the access key and secret in the environment variables the mirror config names`,
      details,
    );
  if (OUTAGE_CODES.has(code) || status === 429 || status >= 500)
    return transient(TransientFailure.StoreUnavailable, `${what}: expected an answer from ${at}; ${found}`, {
      details,
    });
  if (code === 'NoSuchBucket')
    return fatal(
      FatalFailure.StoreMisconfigured,
      `${what}: expected the bucket ${where.bucket} at ${where.endpoint}; ${found}: create it or fix the mirror config`,
      details,
    );
  const message = err instanceof Error ? clip(err.message) : '';
  return fatal(
    FatalFailure.StoreMisconfigured,
    `${what}: expected ${at} to accept the request; ${found}${message ? `: ${message}` : ''}`,
    details,
  );
}

export interface StoreCall {
  client: S3Client;
  target: MirrorTarget;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** `client.send(command)`, its failure typed; an abort by the caller's signal leaves as the signal's reason. */
export async function send<T>(
  call: StoreCall,
  what: string,
  run: (signal?: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await run(call.signal);
  } catch (err) {
    if (call.signal?.aborted) throw call.signal.reason;
    throw storeFailure(err, what, call.target, call.timeoutMs);
  }
}

export interface StoredObject {
  size: number;
  etag: string;
  metadata: Record<string, string>;
}

/** HeadObject: the object at the key, or undefined when there is none. */
export async function headObject(call: StoreCall, what: string): Promise<StoredObject | undefined> {
  const { client, target } = call;
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }), {
      abortSignal: call.signal,
    });
    return { size: head.ContentLength ?? 0, etag: head.ETag ?? '', metadata: head.Metadata ?? {} };
  } catch (err) {
    const answer = storeAnswer(err);
    if (answer?.status === 404 && answer.code !== 'NoSuchBucket') return undefined;
    if (call.signal?.aborted) throw call.signal.reason;
    throw storeFailure(err, what, target, call.timeoutMs);
  }
}
