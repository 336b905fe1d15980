/**
 * Bad starts of the tag procedures, their queue and a retag entry (see
 * messageCasesStart.ts): `temporal workflow start --type <type>` with input
 * no request of the queue and no retag run would send.
 */
import { TAG_IMAGE } from '../../../src/sandbox/tagWorld.js';
import { startCase as c, type StartCase } from './messageCasesStart.js';

const image = { ...TAG_IMAGE };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const entry = (v: Record<string, string>) => ({
  image,
  entry: { index: 0, line: 4, name: 'x' },
  srcBuildTag: 'staging',
  tag: 'stx.v1',
  digest: DIGEST,
  notify: `retag/${v.repoUrl}`,
});

export const tagStartCases: StartCase[] = [
  c(
    'imageRepository',
    'an empty object',
    () => ({}),
    /^expected a repository's queue \{image: \{registry, repository\}, …\}; image: /,
  ),
  c(
    'imageRepository',
    'a registry with credentials',
    () => ({ image: { registry: 'bot:hunter2@ghcr.io', repository: 'vexxhost/magnum' } }),
    /image\.registry: /,
    'hunter2',
  ),
  c(
    'imageRepository',
    'a pending request with no input',
    () => ({ image, pending: [{ procedure: 'promote', workflowId: 'promote/x' }] }),
    /pending\.0\.input: /,
  ),
  c(
    'promoteImage',
    'an empty object',
    () => ({}),
    /^expected a promotion \{image, from, to, stamp, …\}; image: /,
  ),
  c(
    'promoteImage',
    'a source digest that is not one',
    () => ({ image, from: 'sha256:XYZ', to: ['prod'], stamp: null }),
    /from: /,
  ),
  c(
    'promoteImage',
    'a target tag with a path',
    () => ({ image, from: 'staging', to: ['../prod'], stamp: null }),
    /to\.0: expected a tag of/,
  ),
  c(
    'promoteImage',
    'a 70 000-character stamp',
    () => ({ image, from: 'staging', to: ['prod'], stamp: 'x'.repeat(70_000) }),
    /stamp: Too big/,
  ),
  c(
    'rollbackImage',
    'a tag with a shell command',
    () => ({ image, tag: 'prod;rm -rf /' }),
    /^expected a rollback \{image, tag, aliases\?, to\?, …\}; tag: expected a tag of/,
  ),
  c(
    'rollbackImage',
    'approval switched off by a string',
    () => ({ image, approval: { required: 'no' } }),
    /approval\.required: Invalid input: expected boolean, received string/,
  ),
  c(
    'cleanupTags',
    'no pattern',
    () => ({ image, patterns: [], olderThan: '24h' }),
    /^expected a clean-up \{image, patterns, olderThan, …\}; patterns: Too small/,
  ),
  c('cleanupTags', 'a negative age', () => ({ image, patterns: ['*'], olderThan: '-1h' }), /olderThan: /),
  c(
    'cleanupTags',
    'a ledger that is a list',
    () => ({ image, patterns: ['*'], olderThan: '24h', firstSeen: ['prod'] }),
    /firstSeen: Invalid input: expected record, received array/,
  ),
  c(
    'inspectTags',
    'an upper-case repository',
    () => ({ image: { registry: 'ghcr.io', repository: 'Vexxhost/Magnum' } }),
    /^expected an inspection \{image: \{registry, repository\}\}; image\.repository: /,
  ),
  c(
    'inspectTags',
    'a password beside the image',
    () => ({ image, password: 'hunter2' }),
    /Unrecognized key: "password"/,
    'hunter2',
  ),
  c(
    'retagImage',
    'an empty object',
    () => ({}),
    /^expected a retag entry \{image, srcBuildTag, tag, digest, notify, …\}; image: /,
  ),
  c(
    'retagImage',
    'a digest that is not one',
    (v) => ({ ...entry(v), digest: 'sha256:zz' }),
    /digest: expected a digest sha256:/,
  ),
  c(
    'retagImage',
    'no run to tell',
    (v) => ({ ...entry(v), notify: undefined }),
    /notify: Invalid input: expected string, received undefined/,
  ),
];
