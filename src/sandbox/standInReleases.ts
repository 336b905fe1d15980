/** GitHub STAND-IN (a test double, not GitHub): releases seeded by tag, and GET …/releases/tags/{tag}. */
import { repoKey } from './standInRepos.js';
import { DOCS_RELEASE, errorBody, STAND_IN_USER, type Urls } from './standInShapes.js';
import type { StandInAnswer } from './standInTypes.js';

interface StoredRelease {
  id: number;
  tag: string;
  body: string;
  createdAt: string;
}

export interface ReleaseStore {
  add(owner: string, repo: string, tag: string, body: string): void;
  answer(owner: string, repo: string, tag: string, urls: Urls): StandInAnswer;
}

export function createReleaseStore(): ReleaseStore {
  const releases = new Map<string, StoredRelease>();
  return {
    add(owner, repo, tag, body) {
      releases.set(`${repoKey(owner, repo)}@${tag}`, {
        id: releases.size + 1,
        tag,
        body,
        createdAt: new Date().toISOString(),
      });
    },
    answer(owner, repo, tag, { api, html }) {
      const rel = releases.get(`${repoKey(owner, repo)}@${tag}`);
      if (!rel) return errorBody(404, 'Not Found', DOCS_RELEASE);
      const self = `${api}/repos/${owner}/${repo}/releases/${rel.id}`;
      const tagPath = encodeURIComponent(rel.tag);
      return {
        status: 200,
        body: {
          url: self,
          html_url: `${html}/${owner}/${repo}/releases/tag/${tagPath}`,
          assets_url: `${self}/assets`,
          tarball_url: `${api}/repos/${owner}/${repo}/tarball/${tagPath}`,
          zipball_url: `${api}/repos/${owner}/${repo}/zipball/${tagPath}`,
          id: rel.id,
          tag_name: rel.tag,
          target_commitish: 'main',
          name: rel.tag,
          body: rel.body,
          draft: false,
          prerelease: false,
          created_at: rel.createdAt,
          published_at: rel.createdAt,
          author: STAND_IN_USER,
          assets: [],
        },
      };
    },
  };
}
