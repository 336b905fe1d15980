/** Assertions on the typed failures pure helpers throw (src/shared/failures.ts). */
import assert from 'node:assert/strict';
import { BumpflowError, type FatalFailureType } from '../../src/shared/failures.js';

/** `fn` throws a BumpflowError of `type` whose message holds every fragment (text, or a pattern it matches). */
export function throwsTyped(
  fn: () => unknown,
  type: FatalFailureType,
  ...fragments: Array<string | RegExp>
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, type);
    for (const f of fragments)
      if (typeof f === 'string') assert.ok(err.message.includes(f), `${err.message} should include ${f}`);
      else assert.match(err.message, f);
    return true;
  });
}
