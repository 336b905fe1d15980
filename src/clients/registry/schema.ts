/**
 * The registry's JSON (and the credential files that lead to it), parsed at
 * the boundary. Unknown fields are tolerated everywhere: registries and
 * builders add them freely; we only insist on the fields we use.
 */
import { z } from 'zod';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  cosignSignatureArtifact: 'application/vnd.dev.cosign.artifact.sig.v1+json',
} as const;

/** The annotation holding a cosign signature (base64) on a simple-signing layer. */
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/** The manifest media types this client reads, in the order it prefers them. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerList];
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociManifest,
  MediaType.dockerManifest,
];
export const CONFIG_MEDIA_TYPES: readonly string[] = [MediaType.ociConfig, MediaType.dockerConfig];

/** The Accept header for manifest requests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 lowercase hex>');

export const platformSchema = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
});

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  platform: platformSchema.optional(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

/** OCI image index (`mediaType` is optional in the OCI spec). */
export const ociIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.ociIndex).optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** Docker manifest list (schema 2). */
export const dockerListSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.dockerList),
  manifests: z.array(descriptorSchema),
});

/** OCI image manifest (`mediaType` is optional in the OCI spec). */
export const ociManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.ociManifest).optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** Docker image manifest, version 2 schema 2. */
export const dockerManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MediaType.dockerManifest),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});

/** Either kind of index, for code that only needs the descriptors. */
export const indexSchema = z.union([ociIndexSchema, dockerListSchema]);
export type ImageIndex = z.infer<typeof indexSchema>;

/** Either kind of image manifest, for code that only needs config and layers. */
export const manifestSchema = z.union([ociManifestSchema, dockerManifestSchema]);
export type ImageManifest = z.infer<typeof manifestSchema>;

/** The image config blob; only what we read is required to have a shape. */
export const configSchema = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({
      Labels: z.record(z.string(), z.string()).nullish(),
    })
    .nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(digestSchema) }).optional(),
});
export type ImageConfig = z.infer<typeof configSchema>;

/** `GET /v2/<name>/tags/list`: distribution answers `"tags": null` for a repository without tags. */
export const tagListSchema = z.object({
  name: z.string(),
  tags: z.array(z.string()).nullable(),
});

/** The token service's answer (Docker token auth and its OAuth2 form). */
export const tokenSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().positive().optional(),
  issued_at: z.string().optional(),
});

/** The distribution error body: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}`. */
export const errorBodySchema = z.object({
  errors: z.array(
    z.object({ code: z.string(), message: z.string().optional(), detail: z.unknown().optional() }),
  ),
});

/** One entry of BUMPFLOW_REGISTRY_AUTH: basic credentials or a ready bearer token. */
export const registryAuthEntrySchema = z.union([
  z.object({ username: z.string().min(1), password: z.string() }).strict(),
  z.object({ token: z.string().min(1) }).strict(),
]);
export const registryAuthEnvSchema = z.record(z.string().min(1), registryAuthEntrySchema);

/** The parts of a docker `config.json` we use (credsStore/credHelpers are not run). */
export const dockerConfigFileSchema = z.object({
  auths: z
    .record(
      z.string(),
      z.object({
        auth: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        identitytoken: z.string().optional(),
        registrytoken: z.string().optional(),
      }),
    )
    .optional(),
});
