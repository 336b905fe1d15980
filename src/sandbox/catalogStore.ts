/**
 * The S3 mirror of a catalog world (catalogWorld.ts, `mirror: true`), as an
 * operator configures one: MinIO on loopback (minio.ts) with the bucket
 * `osism`, and a worker config file whose `catalog.mirror` names it, with
 * OSISM's MIRROR_BASE_URL as `baseUrl` and `openstack-images` as the key
 * prefix (contrib/mirror.py's layout) and the credentials in two environment
 * variables, never in the file. The worker (in-process or a process) builds
 * its mirror from that file and environment itself
 * (dependenciesFromEnvironment → catalogMirrorSettings).
 *
 *   startCatalogStore(catalogText | catalogTexts): Promise<CatalogStore>
 *     every mirror_url of the catalog (or of each of several) must lie under
 *     CATALOG_MIRROR_BASE (mirrorUrlFor keeps the previous entry's directory,
 *     so new ones do too)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCatalog } from '../lib/catalog/catalogFile.js';
import { startMinio, type RunningMinio } from './minio.js';

/** update.py's MIRROR_BASE_URL: what every mirror_url of the vendored catalogs starts with */
export const CATALOG_MIRROR_BASE = 'https://nbg1.your-objectstorage.com/osism/openstack-images';
/** the key prefix: a mirror_url `…/openstack-images/<shortname>/<file>` is the object `openstack-images/<shortname>/<file>` */
export const CATALOG_MIRROR_PREFIX = 'openstack-images';
/** bytes per upload part: S3's least, so an image of a few MiB spans several parts */
export const CATALOG_PART_SIZE = 5 * 1024 * 1024;

const ACCESS_KEY_ENV = 'MINIO_ACCESS_KEY';
const SECRET_KEY_ENV = 'MINIO_SECRET_KEY';

export interface CatalogStore {
  /** the store, with a root client to read objects back */
  minio: RunningMinio;
  /** the worker config file holding `catalog.mirror` */
  configFile: string;
  /** what a worker's environment gets: BUMPFLOW_CONFIG and the two credential variables the file names */
  env: Record<string, string>;
  close(): Promise<void>;
}

function checkMirrorUrls(catalogText: string): void {
  for (const image of parseCatalog(catalogText).images)
    for (const v of image.versions)
      if (v.mirrorUrl !== undefined && !v.mirrorUrl.startsWith(`${CATALOG_MIRROR_BASE}/`))
        throw new Error(
          `catalog store: expected every mirror_url under ${CATALOG_MIRROR_BASE}/; found ${v.mirrorUrl} (${image.name})`,
        );
}

/**
 * `catalogText`: the world's catalog, or its several catalogs' texts (one store for all of them);
 * `partSize`: the config's part size in bytes (default CATALOG_PART_SIZE: small, several parts per test image).
 */
export async function startCatalogStore(
  catalogText: string | readonly string[],
  partSize: number = CATALOG_PART_SIZE,
): Promise<CatalogStore> {
  for (const text of typeof catalogText === 'string' ? [catalogText] : catalogText) checkMirrorUrls(text);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-catalog-store-'));
  let minio: RunningMinio | undefined;
  try {
    minio = await startMinio({ bucket: 'osism' });
    const configFile = path.join(dir, 'bumpflow.yaml');
    await writeFile(
      configFile,
      [
        "# the catalog world's worker config: the image mirror on loopback MinIO",
        'catalog:',
        '  mirror:',
        `    endpoint: ${minio.endpoint}`,
        `    bucket: ${minio.bucket}`,
        `    prefix: ${CATALOG_MIRROR_PREFIX}`,
        `    baseUrl: ${CATALOG_MIRROR_BASE}`,
        `    region: ${minio.region}`,
        `    accessKeyIdEnv: ${ACCESS_KEY_ENV}`,
        `    secretAccessKeyEnv: ${SECRET_KEY_ENV}`,
        `    partSize: ${partSize / (1024 * 1024)}MiB`,
        '',
      ].join('\n'),
    );
    const running = minio;
    return {
      minio,
      configFile,
      env: {
        BUMPFLOW_CONFIG: configFile,
        [ACCESS_KEY_ENV]: minio.accessKeyId,
        [SECRET_KEY_ENV]: minio.secretAccessKey,
      },
      async close() {
        await running.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await minio?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
