/**
 * `npm run build`'s second half: the worker's workflow bundle, made once here
 * instead of at every worker start, with the hash of the sources it came
 * from (the worker uses it only while they match; see src/workflowBundle.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../src/worker.js';
import { bundleFile, bundleInfoFile, sourceHash } from '../src/workflowBundle.js';

const started = Date.now();
const hash = sourceHash();
const { code } = await bundleWorkflowCode({ workflowsPath, logger: undefined });
await mkdir(path.dirname(bundleFile), { recursive: true });
await writeFile(bundleFile, code);
await writeFile(
  bundleInfoFile,
  `${JSON.stringify({ sourceHash: hash, builtAt: new Date().toISOString() }, null, 2)}\n`,
);
console.log(
  `bundle-workflows: ${path.relative(process.cwd(), bundleFile)} (${Math.round(code.length / 1024)} KiB) in ${Date.now() - started} ms`,
);
