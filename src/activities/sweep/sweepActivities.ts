/**
 * The sweep's one activity (see src/workflows/sweep/): read the vars file of
 * every branch at the heads the workflow listed, gather the pins into
 * distinct image:tag pairs (collectImageTags), resolve each pair once, decide
 * pin by pin (decideSweep) and return what the workflow needs only: the
 * counts, the behind pins, the unavailable pairs and the bumps to start. The
 * pins and the registry's answers never cross the history (for 8 branches
 * they were some 200 KiB of it).
 *
 * Resolving a pair: one HEAD of the tag's manifest (resolveDigest). When
 * every pin of the pair already names that digest, that is all. Otherwise
 * (some pin is behind, or pins one platform's child): the tag's manifest by
 * digest (an index's children), each pinned digest not among them classified
 * (an image manifest → its platform, from its config), the image's labels,
 * and the HEAD of the source branch the tag is built from. Tag → digest is
 * never cached: the HEAD is asked on every sweep; the client's content cache
 * keys manifests and configs by digest only, which never go stale.
 *
 * A pair's calls are tried again after a retryable failure, with
 * exponential back-off and jitter (REGISTRY_BACKOFF, lib/sweep/backoff.ts: 5
 * attempts over a few seconds, a short Retry-After honoured), the activity
 * heartbeating all the while (wrap.ts), so a blip is waited out. One pair
 * failing still (a registry answering 5xx on every attempt, a missing tag) is
 * that pair's answer ({failure}, saying how many attempts); the others stand.
 */
import { BumpflowError, fatal, FatalFailure, type FailureType } from '../../shared/failures.js';
import {
  collectImageTags,
  decideSweep,
  limitPerKey,
  servicesBehind,
  type Evidence,
  type PinVerdict,
  type SweepAnswer,
  type SweepOutcome,
  type SweepPins,
  type UnpinnedRef,
} from '../../lib/sweep/index.js';
import { sourceBranchForVersion } from '../../lib/kit/branches.js';
import { nextDelay, REGISTRY_BACKOFF } from '../../lib/sweep/backoff.js';
import { INDEX_MEDIA_TYPES, IMAGE_MANIFEST_MEDIA_TYPES } from '../../clients/registry/schema.js';
import type { ActivityDeps } from '../kit/deps.js';
import { LABEL_REVISION, LABEL_SOURCE, LABEL_VERSION } from '../kit/types.js';

/** One distinct image:tag to resolve, with the digests its pins name. */
interface SweepPairRequest {
  id: string;
  registry: string;
  repository: string;
  tag: string;
  pinned: string[];
}

/** What a sweep found, as the workflow keeps it: no pins that are current, no registry answers. */
export interface SweepFindings {
  pinCount: number;
  pairCount: number;
  counts: SweepOutcome['counts'];
  /** every behind pin: image, branch, key, old → new, platform, evidence */
  behind: PinVerdict[];
  unavailable: SweepOutcome['unavailable'];
  /** one bump per service behind: the branches behind, the evidence found */
  services: { service: string; branches: string[]; evidence: Evidence[] }[];
  /** the references in scope pinned by tag only (never resolved; absent in runs before they were reported) */
  unpinned?: UnpinnedRef[] | undefined;
}

interface SweepCheckInput {
  repoUrl: string;
  varsFile: string;
  /** branch → the commit listed */
  heads: Record<string, string>;
  imagePrefixes?: string[] | undefined;
  /** the target's scope: globs over registry/repository */
  images?: string[] | undefined;
  /** pairs resolved at once per registry */
  concurrency: number;
}

interface ManifestJson {
  manifests?: {
    digest: string;
    mediaType?: string;
    platform?: Platform;
    annotations?: Record<string, string>;
  }[];
  config?: { digest: string };
}
interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
}
const platformName = (p: Platform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** A retryable failure that lasted through every attempt the back-off allowed. */
class GaveUp extends Error {
  constructor(
    readonly last: BumpflowError,
    readonly attempts: number,
  ) {
    super(last.message);
  }
}

function failureOf(err: unknown): { type: FailureType; message: string } {
  if (err instanceof GaveUp) {
    const asked = err.last.retryAfterMs ?? 0;
    const why = asked > REGISTRY_BACKOFF.maxMs ? `, asked to retry after ${Math.ceil(asked / 1000)} s` : '';
    return {
      type: err.last.type,
      message: `${err.last.message} (given up after ${err.attempts} attempt${err.attempts === 1 ? '' : 's'}${why})`,
    };
  }
  if (err instanceof BumpflowError) return { type: err.type, message: err.message };
  return { type: FatalFailure.BadInput, message: err instanceof Error ? err.message : String(err) };
}

/** `run`, again after a retryable failure while REGISTRY_BACKOFF allows (the activity beats meanwhile: wrap.ts). */
async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  let waitedMs = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof BumpflowError) || !err.retryable) throw err;
      const delay = nextDelay(REGISTRY_BACKOFF, {
        failedAttempts: attempt,
        waitedMs,
        retryAfterMs: err.retryAfterMs,
        random: Math.random(),
      });
      if (delay === undefined) throw new GaveUp(err, attempt);
      waitedMs += delay;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export function sweepActivities(deps: ActivityDeps) {
  const { git, registry } = deps;

  async function platformOf(repo: { registry: string; repository: string }, digest: string) {
    try {
      const m = await registry.getManifest({ ...repo, digest });
      const json = m.json as ManifestJson;
      if (!IMAGE_MANIFEST_MEDIA_TYPES.includes(m.mediaType) || json.config === undefined) return undefined;
      const config = JSON.parse(
        (await registry.getBlob({ ...repo, digest: json.config.digest })).toString(),
      ) as Partial<Platform> | undefined;
      if (typeof config?.os !== 'string' || typeof config.architecture !== 'string') return undefined;
      return platformName(config as Platform);
    } catch (err) {
      // a pinned digest the registry no longer has: compared with the index, as any other pin
      if (err instanceof BumpflowError && err.type === FatalFailure.ManifestUnknown) return undefined;
      throw err;
    }
  }

  async function resolvePair(pair: SweepPairRequest, heads: Map<string, Promise<string | undefined>>) {
    const repo = { registry: pair.registry, repository: pair.repository };
    const digest = await registry.resolveDigest({ ...repo, tag: pair.tag });
    if (pair.pinned.every((d) => d === digest)) return { digest, mediaType: '' };
    const manifest = await registry.getManifest({ ...repo, digest });
    const children = INDEX_MEDIA_TYPES.includes(manifest.mediaType)
      ? ((manifest.json as ManifestJson).manifests ?? [])
          .filter(
            (c) => c.platform !== undefined && c.annotations?.['vnd.docker.reference.type'] === undefined,
          )
          .map((c) => ({ digest: c.digest, platform: platformName(c.platform!) }))
      : [];
    const known = new Set([digest, ...children.map((c) => c.digest)]);
    const pinnedPlatforms: Record<string, string> = {};
    if (children.length > 0)
      for (const d of new Set(pair.pinned.filter((p) => !known.has(p)))) {
        const platform = await platformOf(repo, d);
        if (platform !== undefined) pinnedPlatforms[d] = platform;
      }
    const behind = pair.pinned.some((p) => !known.has(p));
    if (!behind) return { digest, mediaType: manifest.mediaType, children, pinnedPlatforms };
    const { labels } = await registry.getImageConfig({ ...repo, digest });
    const version = labels[LABEL_VERSION]?.trim();
    const revision = labels[LABEL_REVISION]?.trim();
    const source = labels[LABEL_SOURCE]?.trim();
    let sourceHead: string | undefined;
    if (source) {
      const branch = sourceBranchForVersion(pair.tag);
      const key = `${source} ${branch}`;
      if (!heads.has(key))
        heads.set(
          key,
          git.branchHead(source, branch).catch(() => undefined),
        );
      sourceHead = await heads.get(key);
    }
    return {
      digest,
      mediaType: manifest.mediaType,
      children,
      pinnedPlatforms,
      labels: { version, revision, source },
      ...(sourceHead === undefined ? {} : { sourceHead }),
    };
  }

  /** Every branch's vars file at the given head, as the sweep's pins (never the files themselves). */
  async function readPins(input: SweepCheckInput): Promise<SweepPins> {
    const files = await Promise.all(
      Object.entries(input.heads).map(async ([branch, commit]) => {
        const text = await git.readFile(input.repoUrl, { commit }, input.varsFile);
        if (text === undefined)
          throw fatal(
            FatalFailure.MalformedVarsFile,
            `expected ${input.varsFile} on ${branch} of ${input.repoUrl} (at ${commit.slice(0, 12)}), found no such file`,
          );
        return { branch, text, path: `${branch}:${input.varsFile}` };
      }),
    );
    return collectImageTags(files, { images: input.images, imagePrefixes: input.imagePrefixes });
  }

  /** Every pair once, at most `concurrency` at a time per registry; each pair's answer or its failure. */
  async function resolvePairs(pins: SweepPins, concurrency: number): Promise<Record<string, SweepAnswer>> {
    const limit = limitPerKey(concurrency);
    const heads = new Map<string, Promise<string | undefined>>();
    const answers: Record<string, SweepAnswer> = {};
    const one = (pair: SweepPairRequest) =>
      limit(pair.registry, async () => {
        try {
          answers[pair.id] = await withRetries(() => resolvePair(pair, heads));
        } catch (err) {
          answers[pair.id] = { failure: failureOf(err) };
        }
      });
    // A repository's first pair alone, then its others: the first answers the registry's
    // challenge and caches the repository's token, which the others reuse (one token per scope).
    const byRepository = new Map<string, SweepPairRequest[]>();
    for (const p of pins.pairs) {
      const key = `${p.registry}/${p.repository}`;
      const request = { ...p, pinned: [...new Set(p.pins.map((pin) => pin.digest))] };
      byRepository.set(key, [...(byRepository.get(key) ?? []), request]);
    }
    await Promise.all(
      [...byRepository.values()].map(async ([first, ...rest]) => {
        await one(first!);
        await Promise.all(rest.map(one));
      }),
    );
    return answers;
  }

  return {
    /** Read, resolve and decide: the findings of one sweep of the given heads. */
    async checkSweepPins(input: SweepCheckInput): Promise<SweepFindings> {
      const pins = await readPins(input);
      const outcome = decideSweep(pins, await resolvePairs(pins, input.concurrency));
      return {
        pinCount: pins.pinCount,
        pairCount: pins.pairs.length,
        counts: outcome.counts,
        behind: outcome.pins.filter((p) => p.state === 'behind'),
        unavailable: outcome.unavailable,
        services: servicesBehind(pins, outcome).map((b) => ({
          service: b.service,
          branches: b.branches,
          evidence: b.evidence,
        })),
        unpinned: pins.unpinned,
      };
    },
  };
}
