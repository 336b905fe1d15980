/**
 * Pushes images shaped like the real builds (docker buildx with
 * docker/metadata-action): an OCI index holding a linux/amd64 image, a
 * linux/arm64 image and, per image, a provenance attestation manifest
 * (platform unknown/unknown, annotated `vnd.docker.reference.type:
 * attestation-manifest`). Each image has a config blob with architecture, os,
 * config.Labels and rootfs.diff_ids, and one small real gzipped tar layer.
 *
 * Everything is deterministic (fixed timestamps, mtime-less gzip): the same
 * inputs give the same digests; another salt or other labels give others.
 */
import { gzipSync } from 'node:zlib';
import { sha256, type RegistryClient } from '../clients/registry/index.js';
import { MediaType } from '../clients/registry/schema.js';

export interface ImageLabels {
  source: string;
  revision: string;
  version: string;
  /** more labels: a short key (`description`) becomes org.opencontainers.image.<key>; a dotted key is used as is */
  [k: string]: string;
}

export interface PushImageOptions {
  /** push a plain image manifest (linux/amd64) instead of an index */
  singleManifest?: boolean;
  /** Docker v2 schema 2 media types (a manifest list, or with singleManifest a v2 manifest); no attestations, as buildx */
  dockerV2?: boolean;
  /** changes the layer, so digests differ between builds of the same labels */
  salt?: string;
  /** the image's created time (config and label); IMAGE_CREATED by default; null: none at all */
  created?: string | null;
}

/** The fixed build time of every pushed image. */
export const IMAGE_CREATED = '2026-11-01T00:00:00Z';
const MTIME_SECONDS = Date.parse(IMAGE_CREATED) / 1000;
const PLATFORMS = ['amd64', 'arm64'] as const;

/** The labels metadata-action writes, as pushImage stores them in every image config. */
export function imageLabels(
  labels: ImageLabels,
  created: string | null = IMAGE_CREATED,
): Record<string, string> {
  const { source, revision, version, ...rest } = labels;
  const title = source.replace(/\/+$/, '').split('/').pop() || 'image';
  const out: Record<string, string> = {
    ...(created === null ? {} : { 'org.opencontainers.image.created': created }),
    'org.opencontainers.image.description': `${title} image`,
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.source': source,
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.url': source,
    'org.opencontainers.image.version': version,
  };
  for (const [key, value] of Object.entries(rest))
    out[key.includes('.') ? key : `org.opencontainers.image.${key}`] = value;
  return out;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A one-file POSIX ustar archive, so the layer is a real layer (`tar -tz` lists it). */
export function tarFile(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write(octal(0o644, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(data.length, 12), 124);
  header.write(octal(MTIME_SECONDS, 12), 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.write('root', 265);
  header.write('root', 297);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Pushes `config` and gives the image manifest of it and `layers` (the manifest itself not pushed). */
export async function manifestWithConfig(
  client: RegistryClient,
  repo: { registry: string; repository: string },
  types: { manifest: string; config: string },
  config: Buffer,
  layers: unknown[],
): Promise<Buffer> {
  const configDigest = await client.pushBlob(repo, config);
  return json({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: configDigest, size: config.length },
    layers,
  });
}

interface Built {
  architecture: string;
  manifest: Buffer;
  digest: string;
}

export async function pushLabelledImage(
  client: RegistryClient,
  target: { registry: string; repository: string; tag: string },
  labels: ImageLabels,
  options: PushImageOptions = {},
): Promise<{ digest: string }> {
  const repo = { registry: target.registry, repository: target.repository };
  const docker = options.dockerV2 === true;
  const types = docker
    ? {
        manifest: MediaType.dockerManifest,
        config: MediaType.dockerConfig,
        layer: MediaType.dockerLayerGzip,
        index: MediaType.dockerList,
      }
    : {
        manifest: MediaType.ociManifest,
        config: MediaType.ociConfig,
        layer: MediaType.ociLayerGzip,
        index: MediaType.ociIndex,
      };
  const created = options.created === undefined ? IMAGE_CREATED : options.created;
  const allLabels = imageLabels(labels, created);

  async function buildImage(architecture: string): Promise<Built> {
    const tarball = tarFile(
      'etc/bumpflow-build',
      `revision=${labels.revision}\narchitecture=${architecture}\nsalt=${options.salt ?? ''}\n`,
    );
    // zlib writes mtime 0 and a fixed OS byte: the same tar gives the same gzip.
    const layer = gzipSync(tarball, { level: 9 });
    const layerDigest = await client.pushBlob(repo, layer);
    const config = json({
      architecture,
      os: 'linux',
      ...(created === null ? {} : { created }),
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        WorkingDir: '/',
        Labels: allLabels,
      },
      rootfs: { type: 'layers', diff_ids: [sha256(tarball)] },
      history: [
        {
          created: IMAGE_CREATED,
          created_by: 'COPY bumpflow-build /etc/ # buildkit',
          comment: 'buildkit.dockerfile.v0',
        },
      ],
    });
    const manifest = await manifestWithConfig(client, repo, types, config, [
      { mediaType: types.layer, digest: layerDigest, size: layer.length },
    ]);
    return { architecture, manifest, digest: sha256(manifest) };
  }

  /** The provenance attestation buildx attaches to one platform image. */
  async function buildAttestation(image: Built): Promise<Built> {
    const statement = json({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [
        {
          // No tag in the subject: the same build pushed under another tag keeps its digest (as a retag would).
          name: `pkg:docker/${target.registry}/${target.repository}?platform=linux%2F${image.architecture}`,
          digest: { sha256: image.digest.slice('sha256:'.length) },
        },
      ],
      predicate: {
        builder: { id: '' },
        buildType: 'https://mobyproject.org/buildkit@v1',
        materials: [],
        metadata: {
          buildStartedOn: IMAGE_CREATED,
          buildFinishedOn: IMAGE_CREATED,
          completeness: { parameters: false, environment: false, materials: false },
          reproducible: false,
        },
        invocation: {
          configSource: {},
          parameters: { frontend: 'dockerfile.v0' },
          environment: { platform: `linux/${image.architecture}` },
        },
      },
    });
    const statementDigest = await client.pushBlob(repo, statement);
    const config = json({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(statement)] },
    });
    const oci = { manifest: MediaType.ociManifest, config: MediaType.ociConfig };
    const manifest = await manifestWithConfig(client, repo, oci, config, [
      {
        mediaType: MediaType.inToto,
        digest: statementDigest,
        size: statement.length,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
      },
    ]);
    return { architecture: image.architecture, manifest, digest: sha256(manifest) };
  }

  if (options.singleManifest) {
    const image = await buildImage('amd64');
    return { digest: await client.putManifest({ ...repo, tag: target.tag }, types.manifest, image.manifest) };
  }

  const entries: unknown[] = [];
  const attestations: unknown[] = [];
  for (const architecture of PLATFORMS) {
    const image = await buildImage(architecture);
    await client.putManifest({ ...repo, digest: image.digest }, types.manifest, image.manifest);
    entries.push({
      mediaType: types.manifest,
      digest: image.digest,
      size: image.manifest.length,
      platform: { architecture, os: 'linux' },
    });
    if (docker) continue;
    const attestation = await buildAttestation(image);
    await client.putManifest(
      { ...repo, digest: attestation.digest },
      MediaType.ociManifest,
      attestation.manifest,
    );
    attestations.push({
      mediaType: MediaType.ociManifest,
      digest: attestation.digest,
      size: attestation.manifest.length,
      annotations: {
        'vnd.docker.reference.digest': image.digest,
        'vnd.docker.reference.type': 'attestation-manifest',
      },
      platform: { architecture: 'unknown', os: 'unknown' },
    });
  }
  const index = json({ schemaVersion: 2, mediaType: types.index, manifests: [...entries, ...attestations] });
  return { digest: await client.putManifest({ ...repo, tag: target.tag }, types.index, index) };
}
