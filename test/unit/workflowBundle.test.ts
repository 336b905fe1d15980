/** The worker uses a built workflow bundle only while it matches the sources beside it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sourceHash, workflowSource } from '../../src/workflowBundle.js';

describe('workflow bundle', () => {
  it('the source hash changes with any file content or name under the tree, not with other files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-hash-'));
    try {
      await mkdir(path.join(dir, 'workflows'));
      await writeFile(path.join(dir, 'workflows', 'a.ts'), 'export const a = 1;\n');
      await writeFile(path.join(dir, 'b.ts'), 'export const b = 2;\n');
      const first = sourceHash(dir);
      assert.match(first, /^[0-9a-f]{64}$/);
      assert.equal(sourceHash(dir), first, 'stable');
      await writeFile(path.join(dir, 'notes.md'), 'not code\n');
      assert.equal(sourceHash(dir), first, 'non-.ts files do not count');
      await writeFile(path.join(dir, 'workflows', 'a.ts'), 'export const a = 3;\n');
      const edited = sourceHash(dir);
      assert.notEqual(edited, first);
      await rm(path.join(dir, 'b.ts'));
      await writeFile(path.join(dir, 'c.ts'), 'export const b = 2;\n');
      assert.notEqual(sourceHash(dir), edited, 'a renamed file counts');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('BUMPFLOW_WORKFLOW_BUNDLE=off always bundles the sources', () => {
    const s = workflowSource('/x/workflows/index.ts', { BUMPFLOW_WORKFLOW_BUNDLE: 'off' });
    assert.deepEqual(s, {
      kind: 'sources',
      workflowsPath: '/x/workflows/index.ts',
      why: 'BUMPFLOW_WORKFLOW_BUNDLE=off',
    });
  });
});
