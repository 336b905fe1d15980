/**
 * GitHub STAND-IN (a test double, not GitHub): GitHub's JSON shapes, as
 * documented at https://docs.github.com/rest, filled from the stand-in's state.
 */
import type { StandInAnswer, StandInPullRequest, StandInRepository } from './standInTypes.js';

export const DOCS = 'https://docs.github.com/rest';
export const DOCS_LIST = `${DOCS}/pulls/pulls#list-pull-requests`;
export const DOCS_CREATE = `${DOCS}/pulls/pulls#create-a-pull-request`;
export const DOCS_GET = `${DOCS}/pulls/pulls#get-a-pull-request`;
export const DOCS_RELEASE = `${DOCS}/releases/releases#get-a-release-by-tag-name`;
export const DOCS_RELEASE_CREATE = `${DOCS}/releases/releases#create-a-release`;
export const DOCS_REPO = `${DOCS}/repos/repos#get-a-repository`;
export const PLACEHOLDER_SHA = 'f'.repeat(40);
export const STAND_IN_USER = { login: 'bumpflow-bot', id: 1, type: 'User', site_admin: false };

/** GitHub's error body: {message, documentation_url, errors?, status}. */
export function errorBody(
  status: number,
  message: string,
  documentationUrl: string,
  errors?: unknown[],
): StandInAnswer {
  return {
    status,
    body: {
      message,
      documentation_url: documentationUrl,
      ...(errors === undefined ? {} : { errors }),
      status: String(status),
    },
  };
}

export interface Urls {
  /** The stand-in's API root. */
  api: string;
  /** Where html_url links point, e.g. https://github.com. */
  html: string;
}

/** The "repository" shape as nested in pull requests (no permissions). */
export function repoJson(owner: string, repo: string, settings: StandInRepository, urls: Urls) {
  return {
    id: 1,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: { login: owner, id: 1, type: 'Organization', site_admin: false },
    private: settings.private,
    html_url: `${urls.html}/${owner}/${repo}`,
    description: null,
    fork: false,
    url: `${urls.api}/repos/${owner}/${repo}`,
    default_branch: settings.defaultBranch,
    visibility: settings.private ? 'private' : 'public',
  };
}

/** The "pull-request-simple" shape of the list endpoint (no merged, mergeable, counts…). */
export function simplePullJson(
  pr: StandInPullRequest,
  settings: StandInRepository,
  urls: Urls,
  baseSha: string,
) {
  const self = `${urls.api}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
  const html = `${urls.html}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  const closedAt = pr.state === 'closed' ? pr.createdAt : null;
  const repo = repoJson(pr.owner, pr.repo, settings, urls);
  return {
    url: self,
    id: pr.number,
    number: pr.number,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${urls.api}/repos/${pr.owner}/${pr.repo}/issues/${pr.number}`,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: STAND_IN_USER,
    body: pr.body,
    labels: [],
    milestone: null,
    created_at: pr.createdAt,
    updated_at: pr.createdAt,
    closed_at: closedAt,
    merged_at: pr.merged ? pr.createdAt : null,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    head: { label: `${pr.owner}:${pr.head}`, ref: pr.head, sha: pr.headSha, user: { login: pr.owner }, repo },
    base: { label: `${pr.owner}:${pr.base}`, ref: pr.base, sha: baseSha, user: { login: pr.owner }, repo },
    _links: { self: { href: self }, html: { href: html } },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: false,
  };
}

/** The full "pull-request" shape of get and create. */
export function fullPullJson(
  pr: StandInPullRequest,
  settings: StandInRepository,
  urls: Urls,
  baseSha: string,
) {
  return {
    ...simplePullJson(pr, settings, urls, baseSha),
    merged: pr.merged,
    mergeable: pr.state === 'open' ? true : null,
    mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
    merged_by: pr.merged ? STAND_IN_USER : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}
