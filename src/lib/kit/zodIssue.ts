/**
 * A schema issue in words: zod's own messages ("Too small: expected string to
 * have >=1 characters", "Invalid input: expected array, received undefined")
 * say what was expected in plain words instead; a schema's own message (it
 * says "expected …" itself) is kept. For every message a person reads:
 * config files, trusted roots, registry documents. Pure.
 */
import type { z } from 'zod';

/** zod's type names, in the words of a YAML or JSON document where they differ. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  int: 'a whole number',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  nonoptional: 'a value',
};

/** zod's default messages start so; the schemas' own messages say "expected …". */
export const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too small|Too big|Expected)/;

/** What an issue expected, in words (its own message when the schema gave one). */
export function issueWords(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  const count = (n: number | bigint, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return issue.minimum === 1
          ? 'expected a non-empty string'
          : `expected at least ${count(issue.minimum, 'character')}`;
      if (issue.origin === 'array') return `expected at least ${count(issue.minimum, 'item')}`;
      return `expected a number of at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${count(issue.maximum, 'character')}`;
      if (issue.origin === 'array') return `expected at most ${count(issue.maximum, 'item')}`;
      return `expected a number of at most ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}`;
    default:
      return 'expected a value of the documented form';
  }
}
