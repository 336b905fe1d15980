/**
 * The bump's commit, built by one `git fast-import` in a cache clone: the new blobs, the trees and the
 * commit on its base, with exact author/committer lines and the message as given. Which files change
 * is decided before, in-process, from the base's tree listing and each new blob's object id.
 */
import { createHash } from 'node:crypto';
import { fatal, FatalFailure, transient, TransientFailure } from '../../shared/failures.js';
import { compare, type TreeEntry } from './read.js';
import type { GitRunner } from './run.js';
import type { PushInput } from './types.js';

export interface FileChange {
  path: string;
  content: string;
  /** the mode it keeps (an existing file) or gets (a new one) */
  mode: string;
}

/** The object id git gives `content` as a blob, in the repository's hash (sha1, or sha256 for 64-hex ids). */
export function blobId(content: string, hexLength: number): string {
  const body = Buffer.from(content, 'utf8');
  const hash = createHash(hexLength === 64 ? 'sha256' : 'sha1');
  return hash.update(`blob ${body.length}\0`).update(body).digest('hex');
}

/**
 * The files of `files` whose content differs from the base (sorted by path), each with its mode; BadInput
 * when a path cannot be a file there (a parent is a file, the path is a directory, a symlink or submodule).
 */
export function changesOver(
  baseSha: string,
  baseTree: readonly TreeEntry[],
  files: PushInput['files'],
): FileChange[] {
  const entries = new Map(baseTree.map((entry) => [entry.path, entry]));
  const changes: FileChange[] = [];
  for (const file of files) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const parent = segments.slice(0, i).join('/');
      if (entries.has(parent)) {
        throw fatal(
          FatalFailure.BadInput,
          `expected ${parent} to be a directory at ${baseSha} so that ${file.path} can be written, found a file`,
          { path: file.path },
        );
      }
    }
    const existing = entries.get(file.path);
    if (existing !== undefined && existing.mode !== '100644' && existing.mode !== '100755') {
      throw fatal(
        FatalFailure.BadInput,
        `expected ${file.path} to be a regular file at ${baseSha}, found mode ${existing.mode} (${existing.type})`,
        { path: file.path },
      );
    }
    const prefix = `${file.path}/`;
    if (baseTree.some((entry) => entry.path.startsWith(prefix))) {
      throw fatal(
        FatalFailure.BadInput,
        `expected ${file.path} to be a file or absent at ${baseSha}, found a directory`,
        { path: file.path },
      );
    }
    if (existing?.oid === blobId(file.content, baseSha.length)) continue;
    changes.push({ path: file.path, content: file.content, mode: existing?.mode ?? '100644' });
  }
  return changes.sort((a, b) => compare(a.path, b.path));
}

/** A path in a fast-import command: as is, or C-quoted when it starts with a double quote. */
function importPath(filePath: string): string {
  if (!filePath.startsWith('"')) return filePath;
  return `"${filePath.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
}

/**
 * Writes the commit of `changes` on `baseSha` into the clone at `dir` and returns its sha and tree. No ref
 * is left behind: the import's branch is reset away before fast-import ends.
 */
export async function importCommit(
  runner: GitRunner,
  dir: string,
  commit: {
    baseSha: string;
    changes: readonly FileChange[];
    /** `<name> <<email>> <seconds> +0000`, for author and committer */
    ident: string;
    message: string;
    /** a ref name private to this build (never written) */
    scratchRef: string;
  },
): Promise<{ commitSha: string; tree: string }> {
  const { baseSha, changes, ident, message, scratchRef } = commit;
  const stream = [
    'feature done\n',
    ...changes.map((change, i) => `blob\nmark :${i + 1}\n${data(change.content)}`),
    `commit ${scratchRef}\nmark :${changes.length + 1}\n`,
    `author ${ident}\ncommitter ${ident}\n${data(message)}from ${baseSha}\n`,
    ...changes.map((change, i) => `M ${change.mode} :${i + 1} ${importPath(change.path)}\n`),
    '\n',
    `get-mark :${changes.length + 1}\n`,
    `ls :${changes.length + 1} ""\n`,
    `reset ${scratchRef}\n\n`,
    'done\n',
  ].join('');
  const out = await runner.local(dir, ['fast-import', '--quiet', '--date-format=raw', '--done'], {
    input: stream,
  });
  const [markLine = '', lsLine = ''] = out.split('\n');
  const commitSha = markLine.trim();
  const tree = /^040000 tree ([0-9a-f]+)\t/.exec(lsLine)?.[1];
  if (!/^[0-9a-f]{40,64}$/.test(commitSha) || tree === undefined) {
    throw transient(
      TransientFailure.GitUnavailable,
      `git fast-import in cache ${dir}: expected a commit sha and its tree, found ${JSON.stringify(out)}`,
    );
  }
  return { commitSha, tree };
}
