/**
 * Activities of a retag from a reviewed manifest:
 *   readRetagManifest    the ref (a branch's head, or a commit) as a full sha, the
 *                        file at that commit, parsed (MalformedManifest naming entry and line)
 *   resolveRetagEntries  each entry's source and target tags, at most `perRegistry`
 *                        reads at a time per registry host; a source or target the
 *                        registry definitely refuses is an answer, an outage is retried
 *   requestRetagImages   each write as a request to its repository's queue, by
 *                        signal-with-start with the worker's own Temporal client
 *                        (the activity context's), on the worker's task queue
 * Reads only, or requests the queue takes once per id: safe to retry.
 */
import { Context } from '@temporalio/activity';
import { parseRetagManifest, retagKey, type RetagEntry } from '../../lib/retag/retagManifest.js';
import type { RetagAnswer, RetagFailure } from '../../lib/retag/retagPlan.js';
import { limitPerKey } from '../../lib/kit/limit.js';
import { BumpflowError, fatal, FatalFailure, isFatalFailureType } from '../../shared/failures.js';
import { imageRepoWorkflowId } from '../../shared/ids.js';
import { queueRequestSignal, TagWorkflowType } from '../../shared/tagMessages.js';
import type { RetagImageRequest } from '../../shared/tags.js';
import type { ActivityDeps } from '../kit/deps.js';

const COMMIT = /^[0-9a-f]{7,40}$/;

export interface RetagManifestRead {
  /** the full sha the manifest was read at */
  commit: string;
  entries: RetagEntry[];
  repeated: { index: number; line: number; sameAs: number }[];
}

function call() {
  try {
    const ctx = Context.current();
    return { signal: ctx.cancellationSignal, heartbeat: () => ctx.heartbeat() };
  } catch {
    return {};
  }
}

/** A definite answer of the registry (not found, refused), or undefined for an outage to retry. */
function definite(err: unknown): RetagFailure | undefined {
  if (err instanceof BumpflowError && isFatalFailureType(err.type))
    return { type: err.type, message: err.message };
  return undefined;
}

export function retagActivities(deps: ActivityDeps) {
  const { git, registry } = deps;

  async function commitOf(repoUrl: string, ref: string): Promise<string> {
    if (COMMIT.test(ref)) return ref.length === 40 ? ref : git.resolveCommit(repoUrl, ref, call());
    const head = await git.branchHead(repoUrl, ref, call());
    if (head !== undefined) return head;
    const heads = [...(await git.lsRemoteHeads(repoUrl, [], call())).keys()];
    throw fatal(
      FatalFailure.MissingBranch,
      `expected the branch ${ref} in ${repoUrl} (the manifest's ref), found only ${heads.slice(0, 10).join(', ') || 'no branches'}`,
      { ref },
    );
  }

  return {
    async readRetagManifest(input: {
      repoUrl: string;
      path: string;
      ref: string;
      mirror: Record<string, string>;
    }): Promise<RetagManifestRead> {
      const commit = await commitOf(input.repoUrl, input.ref);
      const text = await git.readFile(input.repoUrl, { commit }, input.path, call());
      const shown = `${input.path}@${commit.slice(0, 12)}`;
      if (text === undefined)
        throw fatal(
          FatalFailure.MalformedManifest,
          `expected a manifest at ${shown} in ${input.repoUrl}, found no such file`,
          { path: input.path, commit },
        );
      const manifest = parseRetagManifest(text, { path: shown, mirror: input.mirror });
      return { commit, entries: manifest.entries, repeated: manifest.repeated };
    },

    async resolveRetagEntries(input: {
      entries: Pick<RetagEntry, 'registry' | 'repository' | 'image' | 'srcBuildTag' | 'tag'>[];
      perRegistry: number;
    }): Promise<Record<string, RetagAnswer>> {
      const limit = limitPerKey(input.perRegistry);
      const resolved = new Map<string, Promise<{ digest: string } | { failure: RetagFailure } | null>>();
      // one read per distinct image:tag (sources are often shared), null: no such tag
      const resolve = (e: { registry: string; repository: string; image: string }, tag: string) => {
        const key = `${e.image}:${tag}`;
        let found = resolved.get(key);
        if (found === undefined) {
          found = limit(e.registry, async () => {
            try {
              return { digest: await registry.resolveDigest({ ...e, tag }) };
            } catch (err) {
              if ((err as { type?: string }).type === FatalFailure.ManifestUnknown) return null;
              const failure = definite(err);
              if (failure === undefined) throw err;
              return { failure };
            }
          });
          resolved.set(key, found);
        }
        return found;
      };
      const answers: Record<string, RetagAnswer> = {};
      await Promise.all(
        input.entries.map(async (e) => {
          const place = { registry: e.registry, repository: e.repository, image: e.image };
          const [source, target] = await Promise.all([resolve(place, e.srcBuildTag), resolve(place, e.tag)]);
          answers[retagKey(e)] = {
            source:
              source === null
                ? {
                    failure: {
                      type: FatalFailure.ManifestUnknown,
                      message: `expected the source tag ${e.image}:${e.srcBuildTag} to exist, found no such tag`,
                    },
                  }
                : source,
            target,
          };
        }),
      );
      return answers;
    },

    async requestRetagImages(input: {
      requests: { workflowId: string; input: RetagImageRequest }[];
    }): Promise<{ requested: string[] }> {
      const ctx = Context.current();
      const client = ctx.client;
      for (const r of input.requests) {
        const image = r.input.image;
        ctx.heartbeat();
        await client.workflow.signalWithStart(TagWorkflowType.imageRepository, {
          taskQueue: ctx.info.taskQueue,
          workflowId: imageRepoWorkflowId(image),
          args: [{ image }],
          signal: queueRequestSignal,
          signalArgs: [{ procedure: 'retag', workflowId: r.workflowId, input: r.input }],
          staticSummary: `the queue of ${image.registry}/${image.repository}: one tag mutation at a time`,
        });
      }
      return { requested: input.requests.map((r) => r.workflowId) };
    },
  };
}
