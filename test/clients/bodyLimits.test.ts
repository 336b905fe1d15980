/**
 * Every body read into memory is bounded (issue 20): a loopback stand-in
 * serves endless or oversized answers (a manifest, a blob, a checksum file),
 * and the clients fail with a typed TooLarge after reading about the limit,
 * the stream cut off: the server sees its connection go long before it is
 * done, and the heap does not grow by the body served.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { createRegistryClient } from '../../src/clients/registry/index.js';
import { MAX_BODY_BYTES, MAX_MANIFEST_BYTES } from '../../src/clients/registry/transport.js';
import { MediaType } from '../../src/clients/registry/schema.js';
import { createHttpFetch } from '../../src/clients/httpFetch.js';
import { FatalFailure } from '../../src/shared/failures.js';
import { rejectsWith } from './registryHelpers.js';

const MiB = 1024 * 1024;
const REPOSITORY = 'vexxhost/magnum';

interface Endless {
  url: string;
  /** bytes written to each response before the client hung up */
  sent: number[];
  close(): Promise<void>;
}

/**
 * A stand-in that answers every request with `contentType`, writing 64 KiB
 * chunks until `total` bytes (Infinity: never ends) or the client goes.
 */
async function endlessServer(contentType: string, total: number, announce = false): Promise<Endless> {
  const sent: number[] = [];
  const sockets = new Set<Socket>();
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const server = http.createServer((_req, res) => {
    const index = sent.push(0) - 1;
    res.writeHead(200, {
      'content-type': contentType,
      ...(announce && Number.isFinite(total) ? { 'content-length': String(total) } : {}),
    });
    const pump = (): void => {
      while (sent[index]! < total && !res.destroyed) {
        sent[index]! += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => undefined);
    pump();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const servers: Endless[] = [];
async function serve(contentType: string, total: number, announce = false): Promise<Endless> {
  const server = await endlessServer(contentType, total, announce);
  servers.push(server);
  return server;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

void describe('bounded body reads', () => {
  void test('an endless manifest is TooLarge after about 4 MiB, the stream cut off', async () => {
    const server = await serve(MediaType.ociManifest, Infinity);
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url }, timeoutMs: 20_000 });
    const before = process.memoryUsage().arrayBuffers;
    const err = await rejectsWith(
      client.getManifest({ registry: 'ghcr.io', repository: REPOSITORY, tag: 'main' }),
      FatalFailure.TooLarge,
    );
    assert.equal(err.retryable, false);
    assert.match(err.message, new RegExp(`expected an answer of at most ${MAX_MANIFEST_BYTES} bytes`));
    assert.match(err.message, /application\/vnd\.oci\.image\.manifest\.v1\+json/);
    // the client hung up: the server wrote little more than the limit (socket buffers), not forever
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(server.sent[0]! < MAX_MANIFEST_BYTES + 8 * MiB, `the server wrote ${server.sent[0]} bytes`);
    assert.ok(
      process.memoryUsage().arrayBuffers - before < 64 * MiB,
      'the body was not buffered beyond the limit',
    );
  });

  void test('a 400 MiB manifest announced by Content-Length is refused before its body is read', async () => {
    const server = await serve(MediaType.ociManifest, 400 * MiB, true);
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    const err = await rejectsWith(
      client.getManifest({ registry: 'ghcr.io', repository: REPOSITORY, tag: 'main' }),
      FatalFailure.TooLarge,
    );
    assert.match(err.message, /found 419430400 bytes announced \(Content-Length\)/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(server.sent[0]! < 64 * MiB, `the server wrote ${server.sent[0]} bytes`);
  });

  void test('a config blob is read up to 16 MiB, then TooLarge', async () => {
    const server = await serve('application/octet-stream', Infinity);
    const client = createRegistryClient({ mirrors: { 'ghcr.io': server.url } });
    const err = await rejectsWith(
      client.getBlob({ registry: 'ghcr.io', repository: REPOSITORY, digest: `sha256:${'2'.repeat(64)}` }),
      FatalFailure.TooLarge,
    );
    assert.match(err.message, new RegExp(`at most ${MAX_BODY_BYTES} bytes`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(server.sent[0]! < MAX_BODY_BYTES + 8 * MiB, `the server wrote ${server.sent[0]} bytes`);
  });

  void test('an endless checksum file is TooLarge at the shared helper, not buffered', async () => {
    const server = await serve('text/plain', Infinity);
    const fetcher = createHttpFetch({ maxBytes: MiB });
    const err = await rejectsWith(
      fetcher.getText(`${server.url}/SHA256SUMS`, 'the checksum file'),
      FatalFailure.TooLarge,
    );
    assert.match(err.message, /at most 1048576 bytes from http:\/\/127\.0\.0\.1:\d+\/SHA256SUMS/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(server.sent[0]! < 16 * MiB, `the server wrote ${server.sent[0]} bytes`);
  });

  void test('a body within its limit is read whole', async () => {
    const server = await serve('text/plain', 3 * 64 * 1024);
    const answer = await createHttpFetch({ maxBytes: MiB }).getText(`${server.url}/ok`, 'a listing');
    assert.equal(answer.text.length, 3 * 64 * 1024);
  });
});
