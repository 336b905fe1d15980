/**
 * The sent-ledger: one small file per delivery (named by its delivery id)
 * under the worker's work dir, written when a receiver accepted it, so a
 * retried activity, or a worker restarted on the same work dir, never sends
 * a notice twice. Written atomically (a temp file, then rename).
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DELIVERY_ID } from '../../lib/kit/notices/index.js';

export interface LedgerEntry {
  target: string;
  state: string;
  /** ISO time the receiver accepted it */
  at: string;
}

export interface SentLedger {
  has(id: string): Promise<boolean>;
  record(id: string, entry: LedgerEntry): Promise<void>;
}

function fileOf(dir: string, id: string): string {
  if (!DELIVERY_ID.test(id))
    throw new Error(`expected a delivery id (64 hex digits), found ${JSON.stringify(id)}`);
  return path.join(dir, id);
}

export function sentLedger(dir: string): SentLedger {
  return {
    async has(id) {
      try {
        return (await stat(fileOf(dir, id))).isFile();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
    async record(id, entry) {
      const file = fileOf(dir, id);
      await mkdir(dir, { recursive: true });
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, `${JSON.stringify(entry)}\n`);
      await rename(temp, file);
    },
  };
}
