/**
 * HTTP status and distribution error codes → typed failures, decided once:
 * 429 and 5xx are transient RegistryUnavailable (honouring Retry-After);
 * 401/403 AuthRefused; 404 ManifestUnknown on reads; refusals of writes
 * PushRejected; 406/415 UnsupportedMediaType; anything else BadInput.
 */
import {
  fatal,
  FatalFailure,
  transient,
  TransientFailure,
  type FatalFailureType,
} from '../../shared/failures.js';
import { parseRetryAfter } from '../http.js';
import { errorBodySchema } from './schema.js';
import { readBody, where, type Session } from './transport.js';
import { parseJson } from './util.js';

export interface ClassifyContext {
  /** what the request is about, for messages: "the manifest of ghcr.io/x/y:main" */
  what: string;
  /** reads map 404 to ManifestUnknown; writes map refusals to PushRejected */
  mode: 'read' | 'write';
  registry: string;
  repository?: string;
}

/** The `code`s of a distribution error body, [] when there is none. */
export async function errorCodes(s: Session, res: Response, registry: string): Promise<string[]> {
  if (res.body === null) return [];
  const body = await readBody(s, res, 'an error body', registry).catch(() => Buffer.alloc(0));
  const parsed = errorBodySchema.safeParse(parseJson(body));
  return parsed.success ? parsed.data.errors.map((e) => e.code) : [];
}

/** Throws the typed failure for a response that is not ok; returns for an ok one. */
export async function classify(s: Session, res: Response, ctx: ClassifyContext): Promise<void> {
  if (res.ok) return;
  const { status } = res;
  const codes = await errorCodes(s, res, ctx.registry);
  const found = `HTTP ${status}${codes.length ? ` ${codes.join(', ')}` : ''}`;
  const details = {
    registry: ctx.registry,
    ...(ctx.repository === undefined ? {} : { repository: ctx.repository }),
    status,
    codes,
  };
  const shown = where(s, ctx.registry);
  if (status === 429 || codes.includes('TOOMANYREQUESTS')) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    throw transient(
      TransientFailure.RegistryUnavailable,
      `expected ${shown} to serve ${ctx.what}, found it rate limiting (${found}${retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`})`,
      { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), details },
    );
  }
  if (status >= 500) {
    // A 503 during maintenance may say when to come back.
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    throw transient(
      TransientFailure.RegistryUnavailable,
      `expected ${shown} to serve ${ctx.what}, found a server error (${found})`,
      { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), details },
    );
  }
  if (status === 401 || status === 403 || codes.includes('DENIED') || codes.includes('UNAUTHORIZED')) {
    throw fatal(
      FatalFailure.AuthRefused,
      `expected ${shown} to allow ${ctx.what}, found it refused (${found})`,
      details,
    );
  }
  let type: FatalFailureType;
  if (ctx.mode === 'write' || status === 405 || codes.includes('UNSUPPORTED')) {
    type = FatalFailure.PushRejected;
  } else if (
    status === 404 ||
    codes.some((c) => c === 'MANIFEST_UNKNOWN' || c === 'NAME_UNKNOWN' || c === 'BLOB_UNKNOWN')
  ) {
    type = FatalFailure.ManifestUnknown;
  } else if (status === 406 || status === 415) {
    type = FatalFailure.UnsupportedMediaType;
  } else {
    type = FatalFailure.BadInput;
  }
  const expected =
    type === FatalFailure.ManifestUnknown
      ? `expected ${ctx.what} to exist on ${shown}, found it unknown`
      : `expected ${shown} to accept ${ctx.what}, found it refused`;
  throw fatal(type, `${expected} (${found})`, details);
}
