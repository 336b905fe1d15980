/**
 * Commit messages and pull-request text for one branch's bump. Pure; built
 * only from the fields below, so it can hold no secret (credentials in a URL
 * are dropped before it is shown).
 */
import type { Reason } from './reason.js';
import { publicRepoUrl } from '../kit/repoUrl.js';

export interface PlanText {
  service: string;
  branch: string;
  /** registry/repository */
  image: string;
  tag: string;
  oldDigest: string;
  newDigest: string;
  oldRevision?: string | undefined;
  newRevision: string;
  /** https://github.com/vexxhost/docker-magnum */
  sourceRepoUrl: string;
  reason?: Reason | undefined;
  /** Human sentences of what was checked. */
  validation: string[];
  changedKeys: string[];
  noteFile: string;
}

export const SUBJECT_MAX = 72;

export function commitType(reason?: Reason): 'fix' | 'chore' {
  return reason === undefined ? 'chore' : 'fix';
}

/** `owner/repo` of a GitHub URL, else undefined. */
function githubSlug(url: string): string | undefined {
  const m = /^https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(publicRepoUrl(url));
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function shortSha(sha: string, length = 12): string {
  return sha.slice(0, length);
}

function shortDigest(digest: string): string {
  return `sha256:${digest.replace(/^sha256:/, '').slice(0, 12)}`;
}

function scope(p: PlanText): string {
  return p.service.split('/').pop() ?? p.service;
}

/** Descriptions from the most to the least specific; the subject takes the first that fits. */
function descriptions(p: PlanText): string[] {
  const s = scope(p);
  const r = p.reason;
  if (r === undefined) {
    const digest = shortDigest(p.newDigest);
    return [
      `bump ${s} image to ${p.tag}@${digest}`,
      `bump image to ${p.tag}@${digest}`,
      `bump image to ${digest}`,
    ];
  }
  switch (r.kind) {
    case 'dependency':
    case 'release':
      return [
        `bump ${s} image for ${r.name} ${r.version}`,
        `bump image for ${r.name} ${r.version}`,
        `bump ${s} image for ${r.name}`,
        `bump ${s} image`,
      ];
    case 'commit': {
      const repo = r.owner && r.repo ? `${r.owner}/${r.repo}` : githubSlug(p.sourceRepoUrl);
      return [
        ...(repo ? [`bump ${s} image to include ${repo}@${shortSha(r.sha)}`] : []),
        `bump ${s} image to include commit ${shortSha(r.sha)}`,
        `bump image to include commit ${shortSha(r.sha, 7)}`,
      ];
    }
    case 'pull-request': {
      // A bare #123 would link to the target repo's own PR 123: name the repo.
      const repo = r.owner && r.repo ? `${r.owner}/${r.repo}` : githubSlug(p.sourceRepoUrl);
      return [
        ...(repo
          ? [`bump ${s} image to include ${repo}#${r.number}`, `bump image to include ${repo}#${r.number}`]
          : []),
        `bump ${s} image to include pull request ${r.number}`,
        `bump image to include pull request ${r.number}`,
      ];
    }
  }
}

/** `fix(magnum): bump magnum image for magnum-cluster-api 0.36.5`, at most 72 characters when it can be. */
export function commitSubject(p: PlanText): string {
  const prefix = `${commitType(p.reason)}(${scope(p)}): `;
  const all = descriptions(p).map((d) => `${prefix}${d}`);
  return (
    all.find((subject) => subject.length <= SUBJECT_MAX) ??
    all.reduce((a, b) => (b.length < a.length ? b : a))
  );
}

/** The commit subject and the target branch: `fix(magnum): … (stable/2025.1)`, so backports tell apart. */
export function prTitle(p: PlanText): string {
  return `${commitSubject(p)} (${p.branch})`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function code(text: string): string {
  const clean = oneLine(text).replace(/`/g, "'");
  return `\`${clean}\``;
}

function commitLink(repoUrl: string, sha: string): string {
  return `[\`${shortSha(sha)}\`](${repoUrl}/commit/${sha})`;
}

function reasonMarkdown(p: PlanText, repoUrl: string): string {
  const r = p.reason;
  if (r === undefined) return `None given: this moves \`${p.tag}\` to the newest build of its source branch.`;
  switch (r.kind) {
    case 'dependency':
      return `Brings in ${code(r.name)} version ${code(r.version)} (asked as ${code(r.raw)}).`;
    case 'release':
      return `Brings in ${code(r.name)} version ${code(r.version)}, released as [${r.owner}/${r.repo} ${oneLine(r.tag)}](${r.url}).`;
    case 'commit': {
      const url = r.owner && r.repo ? `https://github.com/${r.owner}/${r.repo}` : repoUrl;
      return `Brings in commit ${commitLink(url, r.sha)}${r.owner && r.repo ? ` of ${r.owner}/${r.repo}` : ' of the source repository'}.`;
    }
    case 'pull-request': {
      const url = r.owner && r.repo ? `https://github.com/${r.owner}/${r.repo}` : repoUrl;
      const label = r.owner && r.repo ? `${r.owner}/${r.repo}#${r.number}` : `pull request ${r.number}`;
      return `Brings in [${label}](${url}/pull/${r.number}).`;
    }
  }
}

/**
 * The PR description: service and branch, image, old and new digests, old and
 * new source commits (linked), the reason and how it was validated, the
 * changed keys and the release note.
 */
export function prBody(p: PlanText): string {
  const repoUrl = publicRepoUrl(p.sourceRepoUrl);
  const oldSource = p.oldRevision
    ? commitLink(repoUrl, p.oldRevision)
    : 'unknown (the old image could not be inspected)';
  const lines = [
    `Bumps the **${scope(p)}** image on \`${p.branch}\` to the newest build of \`${p.image}:${p.tag}\`.`,
    '',
    '| | |',
    '|---|---|',
    `| Service | \`${scope(p)}\` |`,
    `| Target branch | \`${p.branch}\` |`,
    `| Image | \`${p.image}:${p.tag}\` |`,
    `| Old digest | \`${p.oldDigest}\` |`,
    `| New digest | \`${p.newDigest}\` |`,
    `| Old source | ${oldSource} |`,
    `| New source | ${commitLink(repoUrl, p.newRevision)} |`,
    `| Source repository | ${repoUrl} |`,
  ];
  if (p.oldRevision && p.oldRevision !== p.newRevision) {
    lines.push(
      '',
      `Source changes: [\`${shortSha(p.oldRevision)}...${shortSha(p.newRevision)}\`](${repoUrl}/compare/${p.oldRevision}...${p.newRevision})`,
    );
  }
  lines.push('', '### Reason', '', reasonMarkdown(p, repoUrl), '', '### Validation', '');
  if (p.validation.length === 0) lines.push('- No checks were recorded.');
  else lines.push(...p.validation.map((v) => `- ${oneLine(v)}`));
  lines.push(
    '',
    `### Changed entries (${p.changedKeys.length})`,
    '',
    ...p.changedKeys.map((k) => `- ${code(k)}`),
  );
  lines.push('', '### Release note', '', code(p.noteFile), '');
  return lines.join('\n');
}

/** Subject, blank line, a short body; the DCO sign-off is added by `git commit -s`. */
export function commitMessage(p: PlanText): string {
  const repoUrl = publicRepoUrl(p.sourceRepoUrl);
  const lines = [
    commitSubject(p),
    '',
    `Move ${p.image}:${p.tag} on ${p.branch} to the build of`,
    `${repoUrl}/commit/${p.newRevision}`,
    ...(p.oldRevision ? [`(was ${shortSha(p.oldRevision)}).`] : ['(previous source revision unknown).']),
    '',
    `Old: ${p.oldDigest}`,
    `New: ${p.newDigest}`,
  ];
  if (p.reason !== undefined) lines.push(`Reason: ${oneLine(p.reason.raw)}`);
  lines.push(...wrapWords(`Keys: ${p.changedKeys.join(', ')}`, SUBJECT_MAX));
  return `${lines.join('\n')}\n`;
}

function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  out.push(line);
  return out;
}
