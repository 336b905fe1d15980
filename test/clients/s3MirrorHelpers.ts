/**
 * Shared by the image-mirror tests: a loopback HTTP server serving image
 * files (every request counted; a file can hold back its bytes after an
 * offset until the test lets them go), the S3 commands an SDK client
 * sends, counted by a middleware on the client the mirror makes, and what
 * the store holds, read through MinIO's own client.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { RunningMinio } from '../../src/sandbox/minio.js';
import { listenOnLoopback, type Listening } from '../../src/sandbox/loopback.js';
import type { MirrorChecksum } from '../../src/clients/s3Mirror.js';

export const MiB = 1024 * 1024;

export function sha256Of(bytes: Uint8Array): MirrorChecksum {
  return { algorithm: 'sha256', hex: createHash('sha256').update(bytes).digest('hex') };
}

/** Inverts the bits of one byte: the same size, another digest. */
export function flipByte(bytes: Buffer, at: number): void {
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
}

export interface ImageFile {
  bytes: Buffer;
  /** answer this status instead of the file */
  status?: number;
  /** send the bytes up to `at`, then wait for `release` before sending the rest */
  holdAt?: { at: number; release: Promise<void> };
}

export interface ImageServer extends Listening {
  files: Map<string, ImageFile>;
  /** every request, as `GET /name` */
  requests: string[];
  urlOf(name: string): string;
}

export async function startImageServer(): Promise<ImageServer> {
  const files = new Map<string, ImageFile>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    requests.push(`${req.method} /${name}`);
    const file = files.get(name);
    if (file === undefined || file.status !== undefined) {
      res.writeHead(file?.status ?? 404, { 'content-type': 'text/plain' }).end('no such image\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (file.holdAt === undefined) {
      res.end(file.bytes);
      return;
    }
    const { at, release } = file.holdAt;
    res.write(file.bytes.subarray(0, at));
    void release.then(() => res.end(file.bytes.subarray(at)));
  });
  const listening = await listenOnLoopback(server);
  return { ...listening, files, requests, urlOf: (name) => `${listening.url}/${name}` };
}

/** The names of the commands `client` sends from now on (`UploadPartCommand`, …), pushed onto `into`. */
export function countCommands(client: S3Client, into: string[]): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      into.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
}

export function countOf(commands: string[], name: string): number {
  return commands.filter((c) => c === name).length;
}

/** What MinIO's bucket holds, read with its root client: an object's bytes and head, the uploads under way at a key. */
export function storeOf(minio: RunningMinio) {
  const head = (key: string) => minio.client.send(new HeadObjectCommand({ Bucket: minio.bucket, Key: key }));
  const uploadsAt = async (prefix: string) =>
    (await minio.client.send(new ListMultipartUploadsCommand({ Bucket: minio.bucket, Prefix: prefix })))
      .Uploads ?? [];
  return {
    head,
    async objectBytes(key: string): Promise<Buffer> {
      const got = await minio.client.send(new GetObjectCommand({ Bucket: minio.bucket, Key: key }));
      return Buffer.from(await got.Body!.transformToByteArray());
    },
    /** the ids of the multipart uploads under way at `key` (and keys it prefixes) */
    async uploadsUnder(key: string): Promise<string[]> {
      return (await uploadsAt(key)).map((u) => u.UploadId ?? '');
    },
    /** the keys of the objects under `prefix` (all of them: ''), in key order */
    async keys(prefix = ''): Promise<string[]> {
      const page = await minio.client.send(
        new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: prefix }),
      );
      return (page.Contents ?? []).map((o) => o.Key ?? '');
    },
    /** how many parts the uploads under way at exactly `key` have stored */
    async partsStored(key: string): Promise<number> {
      let parts = 0;
      for (const u of await uploadsAt(key)) {
        if (u.Key !== key) continue;
        const page = await minio.client.send(
          new ListPartsCommand({ Bucket: minio.bucket, Key: key, UploadId: u.UploadId }),
        );
        parts += page.Parts?.length ?? 0;
      }
      return parts;
    },
    /** true when HeadObject answers 404 */
    async noObject(key: string): Promise<boolean> {
      try {
        await head(key);
        return false;
      } catch (err) {
        return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
      }
    },
  };
}
