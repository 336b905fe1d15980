/** Config cases: the catalog's image mirror (`catalog.mirror`), every key of it. */
import { SECRET, type ConfigCase } from './configCaseKit.js';

/** A valid mirror, one line a key, in this order (lines 3 to 10). */
const MIRROR: ReadonlyArray<[string, string]> = [
  ['endpoint', 'https://nbg1.your-objectstorage.com'],
  ['bucket', 'osism'],
  ['prefix', 'openstack-images'],
  ['baseUrl', 'https://nbg1.your-objectstorage.com/osism/openstack-images'],
  ['region', 'us-east-1'],
  ['accessKeyIdEnv', 'MINIO_ACCESS_KEY'],
  ['secretAccessKeyEnv', 'MINIO_SECRET_KEY'],
  ['partSize', '64MiB'],
];

/** An AWS-style secret access key, and an access key id: written where a variable's name goes, never shown back. */
const AWS_SECRET = `wJalrXUtnFEMI/K7MDENG/bPxRf${SECRET}`;
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

/**
 * The mirror with `set` (a key → its YAML value; undefined leaves the key
 * out; new keys are added last), failing at `key` (under catalog.mirror): on
 * its own line, or on the line of `mirror:` when the key is not written.
 */
function mirrorCase(set: Record<string, string | undefined>, key: string, says: RegExp): ConfigCase {
  const entries = MIRROR.map(([k, v]): [string, string | undefined] => [k, k in set ? set[k] : v]);
  for (const [k, v] of Object.entries(set)) if (!MIRROR.some(([m]) => m === k)) entries.push([k, v]);
  const lines = ['catalog:', '  mirror:'];
  for (const [k, v] of entries) if (v !== undefined) lines.push(`    ${k}: ${v}`);
  const at = lines.findIndex((l) => l.startsWith(`    ${key}:`));
  return {
    yaml: `${lines.join('\n')}\n`,
    key: `catalog.mirror.${key}`,
    line: at < 0 ? 2 : at + 1,
    says,
  };
}

const NOT_SHOWN = (what: string) =>
  new RegExp(
    `^expected the NAME of an environment variable \\(A-Z, 0-9, _\\) holding ${what}, found "\\*\\*\\*" \\(not shown: it (may be|looks like) ${what} itself; put it in the worker's environment and name that variable here\\)$`,
  );
const BUCKET = /^expected a bucket name of 3 to 63 lowercase letters, digits, \. and - .*, found /;
const PREFIX = /^expected a key prefix such as openstack-images or images\/osism .*, found /;
const PART =
  /^expected a part size of a whole number of B, KiB, MiB or GiB such as 64MiB, from 5MiB to 5GiB, found /;

export const catalogCases: ConfigCase[] = [
  {
    yaml: 'catalog: yes\n',
    key: 'catalog',
    line: 1,
    says: /^expected a mapping, found "yes"/,
  },
  {
    yaml: 'catalog:\n  mirrors:\n    endpoint: https://s3.example.com\n',
    key: 'catalog.mirrors',
    line: 2,
    says: /^expected one of the documented keys .*, found an unknown key "mirrors"/,
  },
  mirrorCase({ endpoint: undefined }, 'endpoint', /^expected string, found nothing/),
  mirrorCase(
    { endpoint: `https://minio:${SECRET}@s3.example.com` },
    'endpoint',
    /^expected an S3 endpoint URL without credentials: the keys belong in accessKeyIdEnv and secretAccessKeyEnv .*; found "https:\/\/\*\*\*@s3\.example\.com"$/,
  ),
  mirrorCase(
    { endpoint: 's3.example.com' },
    'endpoint',
    /^expected an http\(s\) URL, found "s3\.example\.com"/,
  ),
  mirrorCase(
    { endpoint: 'https://s3.example.com?X-Amz-Signature=abc' },
    'endpoint',
    /^expected an http\(s\) URL, found "https:\/\/s3\.example\.com\?\*\*\*" \(expected no query/,
  ),
  mirrorCase({ bucket: undefined }, 'bucket', /^expected string, found nothing/),
  mirrorCase({ bucket: 'OSISM_Images' }, 'bucket', new RegExp(`${BUCKET.source}"OSISM_Images"$`)),
  mirrorCase({ bucket: 'os' }, 'bucket', new RegExp(`${BUCKET.source}"os"$`)),
  mirrorCase({ bucket: "''" }, 'bucket', new RegExp(`${BUCKET.source}""$`)),
  mirrorCase({ prefix: '/openstack-images' }, 'prefix', new RegExp(`${PREFIX.source}"/openstack-images"$`)),
  mirrorCase({ prefix: 'images/../other' }, 'prefix', new RegExp(`${PREFIX.source}"images/\\.\\./other"$`)),
  mirrorCase({ prefix: '42' }, 'prefix', /^expected string, found 42/),
  mirrorCase({ baseUrl: undefined }, 'baseUrl', /^expected string, found nothing/),
  mirrorCase(
    { baseUrl: `https://osism:${SECRET}@mirror.example.com/openstack-images` },
    'baseUrl',
    /^expected a mirror base URL without credentials: the store's keys belong in accessKeyIdEnv and secretAccessKeyEnv; found "https:\/\/\*\*\*@mirror\.example\.com\/openstack-images"$/,
  ),
  mirrorCase(
    { baseUrl: 'ftp://mirror.example.com/images' },
    'baseUrl',
    /^expected an http\(s\) URL, found "ftp:\/\/mirror\.example\.com\/images"$/,
  ),
  mirrorCase(
    { region: "'us east 1'" },
    'region',
    /^expected a region name such as us-east-1 or RegionOne \(letters, digits, \. _ -\), found "us east 1"$/,
  ),
  mirrorCase({ region: '1' }, 'region', /^expected string, found 1$/),
  mirrorCase({ accessKeyIdEnv: undefined }, 'accessKeyIdEnv', /^expected the NAME of an .*, found nothing$/),
  mirrorCase({ accessKeyIdEnv: AWS_KEY_ID }, 'accessKeyIdEnv', NOT_SHOWN('the access key id')),
  mirrorCase({ accessKeyIdEnv: 'minio-admin' }, 'accessKeyIdEnv', NOT_SHOWN('the access key id')),
  mirrorCase({ accessKeyIdEnv: '12345678' }, 'accessKeyIdEnv', NOT_SHOWN('the access key id')),
  mirrorCase({ secretAccessKeyEnv: AWS_SECRET }, 'secretAccessKeyEnv', NOT_SHOWN('the secret access key')),
  mirrorCase({ secretAccessKeyEnv: SECRET }, 'secretAccessKeyEnv', NOT_SHOWN('the secret access key')),
  mirrorCase(
    { secretAccessKeyEnv: 'Q3AM3UQ867SPQQA43P2F' },
    'secretAccessKeyEnv',
    NOT_SHOWN('the secret access key'),
  ),
  mirrorCase(
    { secretAccessKeyEnv: undefined, secretAccessKey: AWS_SECRET },
    'secretAccessKey',
    /^expected the name of an environment variable that holds the secret \(e\.g\. secretAccessKeyEnv: MINIO_SECRET_KEY\), found a value written in the file$/,
  ),
  mirrorCase(
    { accessKeyIdEnv: undefined, accessKeyId: AWS_KEY_ID },
    'accessKeyId',
    /^expected the name of an environment variable that holds the secret \(e\.g\. accessKeyIdEnv: MINIO_ACCESS_KEY\), found a value written in the file$/,
  ),
  mirrorCase(
    { secretKey: SECRET },
    'secretKey',
    /^expected the name .* \(e\.g\. secretAccessKeyEnv: MINIO_SECRET_KEY\), found a value written in the file$/,
  ),
  mirrorCase({ partSize: '4MiB' }, 'partSize', new RegExp(`${PART.source}"4MiB" \\(4194304 bytes\\)$`)),
  mirrorCase({ partSize: '6GiB' }, 'partSize', new RegExp(`${PART.source}"6GiB" \\(6442450944 bytes\\)$`)),
  mirrorCase({ partSize: '64MB' }, 'partSize', new RegExp(`${PART.source}"64MB"$`)),
  mirrorCase(
    { partSize: '67108864' },
    'partSize',
    new RegExp(`${PART.source.replace(/, found $/, '')}, found 67108864$`),
  ),
  mirrorCase(
    { sessionTokenEnv: 'AWS_SESSION_TOKEN' },
    'sessionTokenEnv',
    /^expected one of the documented keys .*, found an unknown key "sessionTokenEnv"/,
  ),
];
