/**
 * Real public signatures vendored under fixtures/signatures (SOURCES.md says
 * where each came from), and a registry that holds nothing else: a test
 * double of bumpflow's own RegistryClient interface (not of any remote API),
 * serving the fixtures' real bytes so the verifier sees them exactly as a
 * registry would hand them over. Every other registry call fails the test.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MediaType } from '../../src/clients/registry/schema.js';
import type { DigestRef, RegistryClient, SignatureArtifact } from '../../src/clients/registry/types.js';
import { repoRoot } from '../../src/sandbox/paths.js';
import type { TrustedRootJson } from '../../src/clients/signatures/index.js';

export const fixtureDir = path.join(repoRoot, 'fixtures', 'signatures');

export interface FixtureCase {
  imageDigest: string;
  identity: string;
  issuer: string;
  integratedTime: number;
  certNotAfter: string;
}

export const readFixture = (...parts: string[]): Buffer => readFileSync(path.join(fixtureDir, ...parts));
export const caseOf = (name: string): FixtureCase =>
  JSON.parse(readFixture(name, 'case.json').toString('utf8')) as FixtureCase;
export const publicGoodRoot = (): TrustedRootJson =>
  JSON.parse(readFixture('public-good', 'trusted_root.json').toString('utf8')) as TrustedRootJson;

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A registry holding one signature artifact of `imageDigest`, with its layer blob. */
export function fixtureRegistry(
  imageDigest: string,
  artifact:
    | {
        source: SignatureArtifact['source'];
        mediaType: string;
        layer: { mediaType: string; annotations: Record<string, string>; bytes: Buffer };
      }
    | undefined,
): RegistryClient & { calls: string[] } {
  const calls: string[] = [];
  const blobDigest = artifact === undefined ? '' : sha256(artifact.layer.bytes);
  const refuse = (name: string) => () => {
    throw new Error(`the fixture registry holds signatures only, ${name} was called`);
  };
  return {
    calls,
    findSignatures: (ref: DigestRef) => {
      calls.push(`findSignatures ${ref.digest}`);
      if (artifact === undefined || ref.digest !== imageDigest) return Promise.resolve([]);
      return Promise.resolve([
        {
          source: artifact.source,
          manifestDigest: sha256(Buffer.from(JSON.stringify(artifact.layer.annotations))),
          mediaType: MediaType.ociManifest,
          layers: [
            {
              digest: blobDigest,
              mediaType: artifact.layer.mediaType,
              size: artifact.layer.bytes.length,
              annotations: artifact.layer.annotations,
            },
          ],
        },
      ]);
    },
    getBlob: (ref: DigestRef) => {
      calls.push(`getBlob ${ref.digest}`);
      if (artifact === undefined || ref.digest !== blobDigest)
        return Promise.reject(new Error(`no blob ${ref.digest}`));
      return Promise.resolve(artifact.layer.bytes);
    },
    resolveDigest: refuse('resolveDigest'),
    getManifest: refuse('getManifest'),
    getImageConfig: refuse('getImageConfig'),
    pushBlob: refuse('pushBlob'),
    putManifest: refuse('putManifest'),
    deleteManifest: refuse('deleteManifest'),
    listTags: refuse('listTags'),
    copyImage: refuse('copyImage'),
    tagCreateOnly: refuse('tagCreateOnly'),
    moveTag: refuse('moveTag'),
    deleteTagSafely: refuse('deleteTagSafely'),
  };
}

/** The GitHub Actions simple-signing fixture's layer annotations, as the registry served them. */
export const SIMPLE_SIGNING_FIXTURE = 'salrashid123-server-image';
export const simpleSigningAnnotations = (): Record<string, string> =>
  JSON.parse(readFixture(SIMPLE_SIGNING_FIXTURE, 'annotations.json').toString('utf8')) as Record<
    string,
    string
  >;

/** Those annotations with one change to the Rekor bundle's JSON (a tamper case). */
export function withRekorBundle(
  change: (b: { SignedEntryTimestamp: string; Payload: { integratedTime: number } }) => void,
): Record<string, string> {
  const a = simpleSigningAnnotations();
  const b = JSON.parse(a['dev.sigstore.cosign/bundle']!) as {
    SignedEntryTimestamp: string;
    Payload: { integratedTime: number };
  };
  change(b);
  return { ...a, 'dev.sigstore.cosign/bundle': JSON.stringify(b) };
}

/** A PEM block of `label` around base64 DER, as a trusted root's rawBytes are. */
export const pemOf = (label: string, b64: string): string =>
  `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
