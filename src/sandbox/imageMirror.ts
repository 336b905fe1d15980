/**
 * A loopback distro mirror for the VM image catalog tests (127.0.0.1, a free
 * port): for each image of the catalogs with `latest_url` and
 * `latest_checksum_url`, the layout its distro's mirror has (by the URL's
 * host), with small generated images whose checksums are their real digests —
 *   cloud-images.ubuntu.com   dated directories, `current/` / `release/`, SHA256SUMS
 *   cdimage.debian.org        `<date>-<build>/` directories, `latest/`, SHA512SUMS
 *                             (distroMirror/datedLayout.ts)
 *   cloud.centos.org          one directory of composes, CHECKSUM (HEREBE…DRAGONS)
 *   repo.almalinux.org        one directory, the `-latest.` alias in CHECKSUM
 *   download.rockylinux.org   one directory, the `.latest.` alias with its own .CHECKSUM
 *                             (distroMirror/flatLayout.ts)
 * Directory listings are Apache index pages; every file has its build's
 * Last-Modified; a directory without its `/` redirects; HEAD is answered.
 *
 *   startImageMirror({ catalog }): Promise<RunningImageMirror>
 *     serves one build per image, the one its versions[0] records (a catalog,
 *     or several catalogs' texts).
 *   mirror.rewrite(catalogText): string
 *     the catalog's distro URLs moved to the mirror (rewriteCatalogUrls) and
 *     each served image's versions[0] checksum replaced by the served one, so
 *     the catalog starts up to date.
 *   mirror.publish(image, version, { listed?, size? }): MirrorBuild
 *     a newer build (listed: false → the checksum files omit its image; size:
 *     an image of that many bytes, e.g. several upload parts).
 *   mirror.setStyle(style, image?) · mirror.latest(image) · mirror.requests · mirror.close()
 *   mirror.faults.missing / .undated: paths answered 404 (a file a checksum file names
 *     but not yet synced), or without Last-Modified (a front that strips it)
 *   mirror.faults.tampered: paths served with one byte changed (other bytes than
 *     the checksum files say: a corrupt sync)
 *   mirror.faults.held: path → { at, release }: the next GET of the path sends
 *     `at` bytes, then holds the rest until `release` settles (once)
 *   rewriteCatalogUrls(catalogText, origin): string
 *     every origin of the catalog's latest_url, latest_checksum_url and
 *     versions' url (not mirror_url) replaced by `origin`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseCatalog } from '../lib/catalog/catalogFile.js';
import type { ChecksumStyle } from '../lib/catalog/checksums.js';
import { datedLayout, DEBIAN, UBUNTU } from './distroMirror/datedLayout.js';
import { flatLayout, type FlatFlavour } from './distroMirror/flatLayout.js';
import { digest, indexPage, TEXT, type Entry, type Layout, type MirrorBuild } from './distroMirror/files.js';

export type { MirrorBuild } from './distroMirror/files.js';

export interface RunningImageMirror {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: Array<{ method: string; path: string; status: number }>;
  rewrite(catalogText: string): string;
  publish(image: string, version: string, options?: { listed?: boolean; size?: number }): MirrorBuild;
  latest(image: string): MirrorBuild;
  setStyle(style: ChecksumStyle, image?: string): void;
  /** by request path (`/almalinux/9/…/CHECKSUM`); change at any time */
  faults: MirrorFaults;
  close(): Promise<void>;
}

export interface MirrorFaults {
  /** answered 404 */
  missing: Set<string>;
  /** answered without Last-Modified */
  undated: Set<string>;
  /** served with one byte changed: the same size, another digest than the checksum files say */
  tampered: Set<string>;
  /** the next GET sends `at` bytes, then the rest once `release` settles (the entry is then gone) */
  held: Map<string, { at: number; release: Promise<void> }>;
}

const FLAT_HOSTS: Record<string, FlatFlavour> = {
  'cloud.centos.org': 'centos',
  'repo.almalinux.org': 'alma',
  'download.rockylinux.org': 'rocky',
};

interface Answer {
  status: number;
  body?: Buffer;
  type?: string;
  location?: string;
  modified?: Date;
}

export function rewriteCatalogUrls(catalogText: string, origin: string): string {
  const origins = new Set<string>();
  for (const image of parseCatalog(catalogText).images)
    for (const url of [image.latestUrl, image.latestChecksumUrl, ...image.versions.map((v) => v.url)])
      if (url !== undefined) origins.add(new URL(url).origin);
  let text = catalogText;
  for (const from of origins) text = text.split(`${from}/`).join(`${origin.replace(/\/$/, '')}/`);
  return text;
}

/** The answer for `rest` (the path below a layout's root), or undefined when the layout has no such thing. */
function answerIn(layout: Layout, rest: string): Answer | undefined {
  const slash = rest.lastIndexOf('/');
  const dir = rest.slice(0, Math.max(slash, 0));
  const name = decodeURIComponent(rest.slice(slash + 1));
  if (dir.includes('/')) return undefined;
  const listing = layout.directory(decodeURIComponent(dir));
  if (listing === undefined) return undefined;
  if (name === '')
    return {
      status: 200,
      type: 'text/html;charset=UTF-8',
      body: indexPage(`${layout.root}${rest}`, listing, layout.indexStyle),
    };
  const entry: Entry | undefined = listing.get(name);
  if (entry === undefined) return undefined;
  if (entry.bytes === undefined) return { status: 301, location: `${layout.root}${rest}/` };
  return { status: 200, type: entry.type ?? TEXT, body: entry.bytes, modified: entry.modified };
}

export async function startImageMirror(options: {
  catalog: string | readonly string[];
}): Promise<RunningImageMirror> {
  const layouts = new Map<string, Layout>();
  const requests: RunningImageMirror['requests'] = [];
  const sockets = new Set<Socket>();
  const faults: MirrorFaults = {
    missing: new Set(),
    undated: new Set(),
    tampered: new Set(),
    held: new Map(),
  };

  function route(pathname: string): Answer {
    if (faults.missing.has(pathname)) return { status: 404 };
    for (const layout of layouts.values()) {
      if (pathname === layout.root.slice(0, -1)) return { status: 301, location: layout.root };
      if (!pathname.startsWith(layout.root)) continue;
      const answer = answerIn(layout, pathname.slice(layout.root.length));
      if (answer !== undefined) return answer;
    }
    return { status: 404 };
  }

  /** The bytes sent for `pathname`: `bytes`, with one changed when the path is tampered with. */
  function served(pathname: string, bytes: Buffer): Buffer {
    if (!faults.tampered.has(pathname) || bytes.length === 0) return bytes;
    const copy = Buffer.from(bytes);
    copy.writeUInt8(copy.readUInt8(0) ^ 0xff, 0);
    return copy;
  }

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://mirror').pathname;
    const answer: Answer = req.method === 'GET' || req.method === 'HEAD' ? route(pathname) : { status: 405 };
    requests.push({ method: req.method ?? '', path: pathname, status: answer.status });
    const body = served(pathname, answer.body ?? Buffer.from(answer.status === 404 ? 'Not Found\n' : ''));
    res.writeHead(answer.status, {
      'content-type': answer.type ?? 'text/plain',
      'content-length': body.length,
      ...(answer.location ? { location: answer.location } : {}),
      ...(answer.modified && !faults.undated.has(pathname)
        ? { 'last-modified': answer.modified.toUTCString() }
        : {}),
    });
    const held = req.method === 'GET' && answer.status === 200 ? faults.held.get(pathname) : undefined;
    if (held === undefined) {
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    faults.held.delete(pathname);
    res.write(body.subarray(0, held.at));
    const rest = () => {
      if (!res.destroyed) res.end(body.subarray(held.at));
    };
    void held.release.then(rest, rest);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const at = (path: string) => `${origin}${path}`;
  const catalogChecksums = new Map<string, string>();

  for (const text of typeof options.catalog === 'string' ? [options.catalog] : options.catalog)
    for (const image of parseCatalog(text).images) {
      const { latestUrl, latestChecksumUrl } = image;
      if (latestUrl === undefined || latestChecksumUrl === undefined || image.versions[0] === undefined)
        continue;
      const known = { ...image, latestUrl, latestChecksumUrl };
      const host = new URL(latestUrl).hostname;
      const flat = FLAT_HOSTS[host];
      const layout =
        flat !== undefined
          ? flatLayout(known, flat, at)
          : datedLayout(known, host === 'cdimage.debian.org' ? DEBIAN : UBUNTU, at);
      if (layout === undefined) continue; // a catalog entry whose names do not fit its distro's layout
      layouts.set(image.name, layout);
      catalogChecksums.set(image.name, image.versions[0].checksum);
    }

  function get(image: string): Layout {
    const layout = layouts.get(image);
    if (layout === undefined)
      throw new Error(
        `image mirror: expected one of ${[...layouts.keys()].join(', ')}; found ${JSON.stringify(image)}`,
      );
    return layout;
  }

  return {
    origin,
    requests,
    faults,
    rewrite(catalogText) {
      let text = rewriteCatalogUrls(catalogText, origin);
      for (const layout of layouts.values()) {
        const served = `${layout.style.algorithm}:${digest(layout.style.algorithm, layout.initial.bytes)}`;
        text = text.split(catalogChecksums.get(layout.image)!).join(served);
      }
      return text;
    },
    publish: (image, version, publishOptions = {}) =>
      get(image).publish(version, publishOptions.listed ?? true, publishOptions.size),
    latest: (image) => get(image).builds.at(-1)!,
    setStyle(style, image) {
      for (const layout of image === undefined ? layouts.values() : [get(image)]) layout.style = style;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
