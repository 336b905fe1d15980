/** What the activities take and give: plain data, safe in workflow history (no secrets). */
export const LABEL_SOURCE = 'org.opencontainers.image.source';
export const LABEL_VERSION = 'org.opencontainers.image.version';
export const LABEL_REVISION = 'org.opencontainers.image.revision';

export interface ImageName {
  registry: string;
  repository: string;
}

export interface PinsOnBranch {
  image: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  keys: string[];
  baseSha: string;
}

export interface ImageFacts {
  digest: string;
  source: string;
  version: string;
  revision: string;
}

export interface PushBumpInput {
  repoUrl: string;
  baseBranch: string;
  workBranch: string;
  varsFile: string;
  image: string;
  newDigest: string;
  note: { file: string; content: string };
  message: string;
  /** ISO time fixed by the workflow, so a retried push builds the identical commit */
  date: string;
}

export interface PushBumpResult {
  /** the base already pins the new digest: nothing was pushed */
  alreadyCurrent: boolean;
  commitSha?: string | undefined;
  baseSha: string;
  pushed: boolean;
  changedKeys: string[];
}
