#!/usr/bin/env node
// The CLI: the build (dist/, `npm run build`) when it was made from the sources beside it, else the
// TypeScript sources through tsx, so a plain clone needs no build step.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (existsSync(built) && (await import('../dist/workflowBundle.js')).buildIsCurrent()) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
