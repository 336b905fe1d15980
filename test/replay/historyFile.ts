/**
 * Reads a committed history file (the JSON that `temporal workflow show
 * --output json` prints) into the SDK's History message, and the index that
 * names each file's workflow id.
 *
 * Parsed with the protobufjs copy that @temporalio/proto itself uses: in this
 * install @temporalio/common carries a second copy of protobufjs 8, so the
 * SDK's own `historyFromJSON` (which runReplayHistories calls on JSON input)
 * throws "type must be a Type". A History message passes through untouched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';
import type { History } from '@temporalio/common/lib/proto-utils.js';

export const historiesDir = fileURLToPath(new URL('./histories/', import.meta.url));

export interface IndexEntry {
  workflowId: string;
  /** the type its first event starts: `bumpImage`, `bumpBranch`, `imageRepository`, `promoteImage`, … */
  workflowType: string;
  recorded: string;
}

interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
interface ProtoRoot {
  lookupType(name: string): unknown;
}

const fromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as ProtoRoot).lookupType(
  'temporal.api.history.v1.History',
);

/** Every `*.json` history file in the directory (not the index), sorted. */
export function historyFiles(dir = historiesDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort();
}

export function readIndex(dir = historiesDir): Record<string, IndexEntry> {
  return JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as Record<string, IndexEntry>;
}

/** The file's events as plain JSON, to look at or tamper with. */
export function readHistoryJson(
  file: string,
  dir = historiesDir,
): { events: Array<Record<string, unknown>> } {
  const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { events?: unknown };
  if (!Array.isArray(json.events) || json.events.length === 0) {
    throw new Error(`expected ${file} to hold a history {"events": [...]}, found no events`);
  }
  return json as { events: Array<Record<string, unknown>> };
}

/** JSON history → the SDK's History message (unknown fields from a newer server are ignored). */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
