#!/usr/bin/env node
// The CLI, through the client's entry (src/client.ts, `run`): the build (dist/, `npm run build`) when it
// was made from the sources beside it, else the TypeScript sources through tsx, so a plain clone needs
// no build step.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1 and later (Node 24 is what bumpflow ships on): V8's compiled code of every module is kept
// on disk (NODE_COMPILE_CACHE, else the temporary directory), so each command after the first compiles
// nothing — a CLI call costs about a third less CPU. Node 20 has no such cache: nothing happens.
module.enableCompileCache?.();

const built = new URL('../dist/client.js', import.meta.url);
let run;
if (existsSync(built) && (await import('../dist/workflowBundle.js')).buildIsCurrent()) {
  ({ run } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ run } = await import('../src/client.ts'));
}
process.exitCode = await run(process.argv);
