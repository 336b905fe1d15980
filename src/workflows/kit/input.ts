/** A workflow's input parsed with its schema: a bad one fails the workflow (typed BadInput), never its task. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { FatalFailure } from '../../shared/failures.js';

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, expected: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
    .join('; ');
  throw ApplicationFailure.nonRetryable(`expected ${expected}; ${problems}`, FatalFailure.BadInput);
}
