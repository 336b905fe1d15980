/**
 * A file's text at a commit of a cache clone, with `git cat-file --batch`. What a commit holds never
 * changes, so texts read once are kept in memory (up to MAX_KEPT_CHARS, oldest dropped first): the
 * bump reads each branch's vars file when it plans and again when it pushes.
 */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { unavailable } from './classify.js';
import type { GitRunner } from './run.js';

const MAX_KEPT_CHARS = 16 * 1024 * 1024;

export interface BlobReader {
  /**
   * The text at `<revision>:<path>`; undefined when git finds nothing there: no such file, or the commit
   * is not in the clone (yet). A clone that does not exist, or is broken, is undefined too unless `strict`
   * (then GitUnavailable).
   */
  read(dir: string, revision: string, filePath: string, strict: boolean): Promise<string | undefined>;
}

export function createBlobReader(runner: GitRunner): BlobReader {
  const kept = new Map<string, string>();
  let keptChars = 0;

  function keep(key: string, text: string): void {
    if (text.length > MAX_KEPT_CHARS) return;
    kept.set(key, text);
    keptChars += text.length;
    for (const [oldKey, oldText] of kept) {
      if (keptChars <= MAX_KEPT_CHARS) break;
      kept.delete(oldKey);
      keptChars -= oldText.length;
    }
  }

  async function read(
    dir: string,
    revision: string,
    filePath: string,
    strict: boolean,
  ): Promise<string | undefined> {
    const key = `${dir}\0${revision}\0${filePath}`;
    const known = kept.get(key);
    if (known !== undefined) return known;
    const run = await runner.run(['cat-file', '--batch'], {
      gitDir: dir,
      input: `${revision}^{commit}:${filePath}\n`,
    });
    if (run.exitCode !== 0) {
      if (strict) throw unavailable(`git cat-file in cache ${dir}`, run);
      // a clone that does not exist yet has nothing: the caller creates and fetches it, then asks again
      return undefined;
    }
    const out = run.stdout;
    const headerEnd = out.indexOf('\n');
    const header = out.slice(0, headerEnd < 0 ? out.length : headerEnd);
    if (header.endsWith(' missing')) return undefined;
    const type = header.split(' ')[1];
    if (type !== 'blob') {
      throw fatal(
        FatalFailure.BadInput,
        `expected a file at ${filePath} in ${revision}, found a ${type ?? 'nothing readable'}`,
        { path: filePath, commit: revision },
      );
    }
    // --batch writes the content followed by one newline
    const text = out.slice(headerEnd + 1, -1);
    keep(key, text);
    return text;
  }

  return { read };
}
