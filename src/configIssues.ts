/**
 * What a config file's error says: a schema issue as "expected …, found …"
 * in words (never zod's own "Too small: expected string to have >=1
 * characters" or a pattern), and where a key is written twice. Pure.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { issueWords, ZOD_DEFAULT_MESSAGE } from './lib/kit/zodIssue.js';

/** A found value for a message: JSON, shortened. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** The problem an issue names, as "expected …, found …" (`found`: the value at the issue's path). */
export function issueProblem(issue: z.core.$ZodIssue, found: unknown): string {
  if (issue.code === 'unrecognized_keys')
    return `expected one of the documented keys (see bumpflow.config.example.yaml), found an unknown key ${JSON.stringify(issue.keys[0])}`;
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    const what =
      inner !== undefined && !ZOD_DEFAULT_MESSAGE.test(inner.message)
        ? inner.message
        : 'expected a key as documented';
    return `${what}, found the key ${JSON.stringify(issue.path.at(-1))}`;
  }
  const message = issueWords(issue);
  // a message that says what it found itself (a duration, a URL shown redacted) is kept whole
  return / found /.test(message) ? message : `${message}, found ${shown(found)}`;
}

/** Where a key is written twice in one mapping (the second one), and what to say. */
export function duplicateKey(text: string): {
  path: PropertyKey[];
  line: number | undefined;
  problem: string;
} {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  const lineAt = (node: Node | null | undefined) =>
    node?.range ? counter.linePos(node.range[0]).line : undefined;
  const walk = (node: unknown, path: PropertyKey[]): ReturnType<typeof duplicateKey> | undefined => {
    if (isMap(node)) {
      const seen = new Map<unknown, Node>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
        const first = seen.get(key);
        if (first !== undefined)
          return {
            path: [...path, String(key)],
            line: lineAt(pair.key as Node),
            problem: `expected each key once in a mapping, found ${JSON.stringify(key)} again (first on line ${lineAt(first)})`,
          };
        seen.set(key, pair.key as Node);
        const deeper = walk(pair.value, [...path, String(key)]);
        if (deeper !== undefined) return deeper;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const deeper = walk(item, [...path, i]);
        if (deeper !== undefined) return deeper;
      }
    }
    return undefined;
  };
  return (
    walk(doc.contents, []) ?? {
      path: [],
      line: undefined,
      problem: 'expected each key once in a mapping, found one twice',
    }
  );
}
