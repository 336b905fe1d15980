/**
 * The catalog mirror as the worker starts with it (src/clients/s3MirrorSettings.ts,
 * src/worker.ts): the config file's `catalog.mirror` (the README's own
 * example), its credentials read from the variables it names; a variable
 * unset or empty stops the worker naming it, never showing a value.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/configFile.js';
import { catalogMirrorSecrets, catalogMirrorSettings } from '../../src/clients/s3MirrorSettings.js';
import { dependenciesFromEnvironment } from '../../src/worker.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

const ACCESS = 'osism-uploader';
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const ENV = { MINIO_ACCESS_KEY: ACCESS, MINIO_SECRET_KEY: SECRET };

/** The README's `catalog.mirror` block, as an operator copies it. */
async function readmeMirrorConfig(): Promise<string> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const block = /```yaml\n(catalog:\n {2}mirror:\n[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README shows a catalog.mirror block');
  return block[1]!;
}

function startError(fn: () => unknown): BumpflowError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BumpflowError, String(err));
    return err;
  }
  return assert.fail('expected the worker not to start');
}

void describe('the catalog mirror at worker start', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-mirror-settings-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  void test("the README's config: endpoint, bucket, prefix, baseUrl, region, part size, credentials from the named variables", async () => {
    const config = parseConfig(await readmeMirrorConfig(), 'bumpflow.yaml');
    const settings = catalogMirrorSettings(config, ENV);
    assert.ok(settings);
    const { mirror, ...rest } = settings;
    assert.equal(typeof mirror.mirrorImage, 'function');
    assert.deepEqual(rest, {
      endpoint: 'https://nbg1.your-objectstorage.com',
      bucket: 'osism',
      prefix: 'openstack-images',
      baseUrl: 'https://nbg1.your-objectstorage.com/osism/openstack-images',
      region: 'us-east-1',
      partSize: 64 * 1024 * 1024,
      credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
    });
    assert.deepEqual(catalogMirrorSecrets(settings), [SECRET]);
  });

  void test('optional keys left out: no prefix, region or part size', () => {
    const config = parseConfig(
      [
        'catalog:',
        '  mirror:',
        '    endpoint: http://127.0.0.1:9000',
        '    bucket: images',
        '    baseUrl: https://mirror.example.com/images',
        '    accessKeyIdEnv: MINIO_ACCESS_KEY',
        '    secretAccessKeyEnv: MINIO_SECRET_KEY',
        '',
      ].join('\n'),
      'bumpflow.yaml',
    );
    const settings = catalogMirrorSettings(config, ENV);
    assert.equal(settings?.prefix, '');
    assert.equal(settings?.region, undefined);
    assert.equal(settings?.partSize, undefined);
  });

  void test('no catalog.mirror, or no config file: no mirror (nothing read from the environment)', () => {
    assert.equal(catalogMirrorSettings(parseConfig('', 'bumpflow.yaml'), {}), undefined);
    assert.equal(catalogMirrorSettings(parseConfig('catalog: {}\n', 'bumpflow.yaml'), {}), undefined);
    assert.equal(catalogMirrorSettings(undefined, {}), undefined);
    assert.deepEqual(catalogMirrorSecrets(undefined), []);
  });

  void test('a named variable unset or empty stops the worker, naming the variable and never a value', async () => {
    const file = path.join(dir, 'bumpflow.yaml');
    await writeFile(file, await readmeMirrorConfig());
    const work = path.join(dir, 'work');
    for (const [env, name, key, found] of [
      [{ MINIO_ACCESS_KEY: ACCESS }, 'MINIO_SECRET_KEY', 'secretAccessKeyEnv', 'unset'],
      [{ ...ENV, MINIO_SECRET_KEY: '' }, 'MINIO_SECRET_KEY', 'secretAccessKeyEnv', 'empty'],
      [{ MINIO_SECRET_KEY: SECRET }, 'MINIO_ACCESS_KEY', 'accessKeyIdEnv', 'unset'],
      [{ ...ENV, MINIO_ACCESS_KEY: '  ' }, 'MINIO_ACCESS_KEY', 'accessKeyIdEnv', 'empty'],
    ] as const) {
      const err = startError(() =>
        dependenciesFromEnvironment({ ...env, BUMPFLOW_CONFIG: file, BUMPFLOW_WORK_DIR: work }),
      );
      assert.equal(err.type, FatalFailure.BadInput);
      assert.equal(
        err.message,
        `catalog.mirror.${key}: expected the environment variable ${name} to hold ${key === 'accessKeyIdEnv' ? 'the access key id' : 'the secret access key'}, found it ${found}`,
      );
      assert.ok(!err.message.includes(SECRET) && !err.message.includes(ACCESS));
    }
  });

  void test('the worker holds the mirror when its variables are set', async () => {
    const file = path.join(dir, 'bumpflow.yaml');
    await writeFile(file, await readmeMirrorConfig());
    const deps = dependenciesFromEnvironment({
      ...ENV,
      BUMPFLOW_CONFIG: file,
      BUMPFLOW_WORK_DIR: path.join(dir, 'work'),
    });
    assert.equal(deps.catalogMirror?.bucket, 'osism');
    assert.deepEqual(deps.catalogMirror?.credentials, { accessKeyId: ACCESS, secretAccessKey: SECRET });
    const none = dependenciesFromEnvironment({ BUMPFLOW_WORK_DIR: path.join(dir, 'work') });
    assert.equal(none.catalogMirror, undefined);
  });
});
