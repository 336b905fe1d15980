/**
 * Test support of the retag tests: the retag world (src/sandbox/retagWorld.ts,
 * which the history recorder uses too) and the CLI run in this process.
 */
import { runCliWithoutConfig } from './cli.js';

export * from '../../src/sandbox/retagWorld.js';

export const bumpflow = runCliWithoutConfig;
