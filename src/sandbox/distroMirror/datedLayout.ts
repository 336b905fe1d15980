/**
 * Dated build directories beside a latest one, as cloud-images.ubuntu.com and
 * cdimage.debian.org lay them out:
 *   <listing>/                      the index of the dated builds and the latest directory
 *   <listing>/<dated>/<file>        a build: the image, files beside it, its checksum file
 *   <listing>/<latest>/<file>       `current/`, `release/` or `latest/`: the newest build
 * Ubuntu: `20260108/` (`release-20260108/` for Minimal), the same file names
 * everywhere, SHA256SUMS in GNU binary mode. Debian: `20260124-2367/` (the
 * daily build number), the files there renamed `<stem>-20260124-2367.<ext>`
 * while `latest/` keeps `<stem>.<ext>`, SHA512SUMS in GNU text mode, a table
 * index.
 */
import type { ChecksumStyle } from '../../lib/catalog/checksums.js';
import type { CatalogImage } from '../../lib/catalog/catalogFile.js';
import * as files from './files.js';
import type { Layout, Listing, MirrorBuild } from './files.js';

export interface DatedFlavour {
  /** Debian: `YYYYMMDD-<build>` directories, their files carrying the same suffix */
  numbered: boolean;
  style: ChecksumStyle;
  indexStyle: Layout['indexStyle'];
  siblings: readonly string[];
}

export const UBUNTU: DatedFlavour = {
  numbered: false,
  style: { format: 'gnu-binary', algorithm: 'sha256' },
  indexStyle: 'pre',
  siblings: ['manifest', 'tar.gz'],
};

export const DEBIAN: DatedFlavour = {
  numbered: true,
  style: { format: 'gnu', algorithm: 'sha512' },
  indexStyle: 'table',
  siblings: ['json', 'raw', 'tar.xz'],
};

function segmentsOf(url: string): string[] {
  return new URL(url).pathname.split('/').map(decodeURIComponent);
}

/** `debian-12-genericcloud-amd64-daily.qcow2` → `debian-12-genericcloud-amd64-daily-20260124-2367.qcow2` */
function numberedName(name: string, suffix: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? `${name}${suffix}` : `${name.slice(0, dot)}${suffix}${name.slice(dot)}`;
}

export function datedLayout(
  image: CatalogImage & { latestUrl: string; latestChecksumUrl: string },
  flavour: DatedFlavour,
  at: (path: string) => string,
): Layout {
  const parts = segmentsOf(image.latestUrl);
  const fileName = parts.pop()!;
  const latestDir = parts.pop()!;
  const root = `${parts.map(encodeURIComponent).join('/')}/`;
  const checksumName = segmentsOf(image.latestChecksumUrl).pop()!;
  const first = image.versions[0]!;
  const firstDir = segmentsOf(first.url).at(-2) ?? '';
  const prefix =
    /^release-\d{8}/.test(firstDir) || (!/^\d{8}/.test(firstDir) && latestDir === 'release')
      ? 'release-'
      : '';
  const serials = new Map<string, number>();

  function build(version: string, serial: number, listed: boolean): MirrorBuild {
    const directory = `${prefix}${version}${flavour.numbered ? `-${serial}` : ''}`;
    const name = flavour.numbered ? numberedName(fileName, `-${version}-${serial}`) : fileName;
    const base = `${root}${encodeURIComponent(directory)}/`;
    serials.set(version, serial);
    return {
      image: image.name,
      version,
      buildDate: files.dateOf(version),
      directory,
      url: at(`${base}${encodeURIComponent(name)}`),
      checksumUrl: at(`${base}${encodeURIComponent(checksumName)}`),
      fileName: name,
      bytes: files.generatedBytes(`${image.name} ${version} ${name}`),
      listed,
    };
  }

  /** A build's files under its dated names, or under the latest directory's (Debian's undated ones). */
  function filesOf(b: MirrorBuild, latest: boolean, style: ChecksumStyle): Listing {
    const modified = files.modifiedOn(b.buildDate);
    const name = latest ? fileName : b.fileName;
    const served: Array<[string, Buffer]> = [[name, b.bytes]];
    for (const sibling of files.siblingNames(name, flavour.siblings))
      served.push([sibling, files.generatedBytes(`${image.name} ${b.version} ${sibling}`)]);
    const listing: Listing = new Map(
      served.map(([n, bytes]) => [n, { modified, bytes, type: files.BINARY }]),
    );
    listing.set(checksumName, files.checksumEntry(style, b.listed ? served : served.slice(1), modified));
    return listing;
  }

  const dated = /^\d{8}-(\d+)$/.exec(firstDir.replace(/^release-/, ''));
  return files.layoutOf({
    image: image.name,
    root,
    indexStyle: flavour.indexStyle,
    style: flavour.style,
    initial: build(first.version, dated ? Number(dated[1]) : 1000, true),
    build: (version, listed) =>
      build(version, serials.get(version) ?? Math.max(...serials.values()) + 1, listed),
    directory(path, builds, style) {
      const newest = builds.at(-1)!;
      const when = (b: MirrorBuild): [string, { modified: Date }] => [
        b.directory,
        { modified: files.modifiedOn(b.buildDate) },
      ];
      if (path === '') return new Map([...builds.map(when), [latestDir, when(newest)[1]]]);
      if (path === latestDir) return filesOf(newest, true, style);
      const b = builds.find((x) => x.directory === path);
      return b && filesOf(b, false, style);
    },
  });
}
