/**
 * cosign's simple-signing payload (the bytes a cosign signature signs):
 * `{critical: {identity: {docker-reference}, image: {docker-manifest-digest},
 * type: "cosign container image signature"}, optional}`. Parsed with zod at
 * the boundary; a result carries a readable reason instead of throwing, so
 * the caller can try the next signature.
 */
import { z } from 'zod';
import { issuesOf } from '../registry/util.js';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

const payloadSchema = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string() }),
    image: z.object({ 'docker-manifest-digest': z.string().regex(/^sha256:[a-f0-9]{64}$/) }),
    type: z.literal(SIMPLE_SIGNING_TYPE),
  }),
  optional: z.record(z.string(), z.unknown()).nullish(),
});

export interface SimpleSigningPayload {
  dockerReference: string;
  signedDigest: string;
  optional: Record<string, unknown>;
}

export type PayloadResult = { ok: true; payload: SimpleSigningPayload } | { ok: false; reason: string };

export function parseSimpleSigning(bytes: Buffer): PayloadResult {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return { ok: false, reason: `the payload is not JSON (${bytes.length} bytes)` };
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `expected a simple-signing payload of type ${JSON.stringify(SIMPLE_SIGNING_TYPE)}, found ${issuesOf(parsed.error)}`,
    };
  }
  const { critical, optional } = parsed.data;
  return {
    ok: true,
    payload: {
      dockerReference: critical.identity['docker-reference'],
      signedDigest: critical.image['docker-manifest-digest'],
      optional: optional ?? {},
    },
  };
}

/** Whether the payload signs `digest`; otherwise the message half that says which digest it names. */
export function checkSignedDigest(payload: SimpleSigningPayload, digest: string): string | undefined {
  if (payload.signedDigest === digest) return undefined;
  return `expected the payload to sign ${digest}, found it signs ${payload.signedDigest}${payload.dockerReference ? ` (${payload.dockerReference})` : ''}`;
}
