/**
 * What a signer (cosign v3, say) wrote as OCI 1.1 referrers of a digest, read
 * straight from a loopback registry with plain HTTP (basic auth or none), for
 * tests to check independently of the registry client: the referrers API
 * (`GET /v2/<name>/referrers/<digest>`), or where the registry answers it 404
 * (distribution 2.8) the referrers tag `sha256-<hex>`. Each referrer comes
 * with its manifest and its layers' bytes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RegistryAuth } from './cosignRun.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const indexSchema = z.object({ manifests: z.array(descriptorSchema) });
const manifestSchema = z.object({
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type ReferrerDescriptor = z.infer<typeof descriptorSchema>;

export interface Referrer {
  /** as the referrers API or the referrers tag's index lists it */
  descriptor: ReferrerDescriptor;
  manifest: z.infer<typeof manifestSchema>;
  /** each layer's bytes, checked against its digest */
  layers: Buffer[];
}

export interface Referrers {
  /** `referrers`: the registry's API answered; `referrers-tag`: it did not (404), the tag was read (or absent: no referrers) */
  source: 'referrers' | 'referrers-tag';
  referrers: Referrer[];
}

/** The referrers of `ref` (`host:port/repository@sha256:<hex>`), over `http://host:port`. */
export async function listReferrers(options: {
  ref: string;
  registryAuth?: RegistryAuth;
}): Promise<Referrers> {
  const match = /^([^/]+)\/(.+)@(sha256:[a-f0-9]{64})$/.exec(options.ref);
  if (!match)
    throw new Error(
      `expected an image reference host:port/repository@sha256:<hex>, found ${JSON.stringify(options.ref)}`,
    );
  const [, host, repository, digest] = match as unknown as [string, string, string, string];
  const headers: Record<string, string> = {};
  if (options.registryAuth) {
    const { username, password } = options.registryAuth;
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  async function get(target: string, accept: string): Promise<Buffer | undefined> {
    const res = await fetch(`http://${host}/v2/${repository}/${target}`, {
      headers: { ...headers, accept },
      signal: AbortSignal.timeout(10_000),
    });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new Error(`expected 200 or 404 for GET ${target} on ${host}, found ${res.status}: ${body}`);
    return body;
  }
  const verified = (body: Buffer | undefined, expected: string, what: string): Buffer => {
    const actual = body && `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (actual !== expected) throw new Error(`expected ${what} at ${expected}, found ${actual ?? 'none'}`);
    return body!;
  };

  let source: Referrers['source'] = 'referrers';
  let index = await get(`referrers/${digest}`, OCI_INDEX);
  if (index === undefined) {
    source = 'referrers-tag';
    index = await get(`manifests/${digest.replace(':', '-')}`, OCI_INDEX);
  }
  const descriptors =
    index === undefined ? [] : indexSchema.parse(JSON.parse(index.toString('utf8'))).manifests;
  const referrers: Referrer[] = [];
  for (const descriptor of descriptors) {
    const raw = verified(
      await get(`manifests/${descriptor.digest}`, OCI_MANIFEST),
      descriptor.digest,
      'a manifest',
    );
    const manifest = manifestSchema.parse(JSON.parse(raw.toString('utf8')));
    const layers: Buffer[] = [];
    for (const layer of manifest.layers)
      layers.push(verified(await get(`blobs/${layer.digest}`, '*/*'), layer.digest, 'a layer'));
    referrers.push({ descriptor, manifest, layers });
  }
  return { source, referrers };
}
