/** Small pure helpers shared by the registry modules: hashing, lenient JSON, zod issue text. */
import { createHash } from 'node:crypto';
import { type z } from 'zod';
import { issueWords } from '../../lib/kit/zodIssue.js';

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** JSON.parse of a body, undefined when it is not JSON. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The first three issues of a zod error as `path: message; …`. */
export function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${issueWords(i)}`)
    .join('; ');
}

/** `sha256:<hex>` → `sha256-<hex>`: the tag-safe form cosign and the referrers tag schema use. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
