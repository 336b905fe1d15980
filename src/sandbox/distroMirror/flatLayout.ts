/**
 * One flat directory holding every build and a name for the newest, as
 * cloud.centos.org, repo.almalinux.org and download.rockylinux.org lay it out:
 *   CentOS  `CentOS-Stream-GenericCloud-9-<compose>.x86_64.qcow2` per build (the
 *           compose dated the day before the upload, `20260119.0`), the
 *           `…-9-latest.x86_64.qcow2` alias, one `CHECKSUM` of BSD lines each
 *           after a `# <name>: <size> bytes` comment, naming every file.
 *   Alma    `AlmaLinux-9-GenericCloud-9.6-<date>.x86_64.qcow2` per build, the
 *           `…-latest.x86_64.qcow2` alias, one `CHECKSUM` in GNU text mode.
 *   Rocky   `Rocky-9-GenericCloud-Base-9.6-<date>.0.x86_64.qcow2` per build, each with
 *           its own `<file>.CHECKSUM`; the `….latest.x86_64.qcow2` alias and its
 *           `.CHECKSUM`, a link to the newest build's (so it names the dated file).
 * (The point release, 9.6, is made up.) Every file's Last-Modified is its
 * build's day, the version update.py records for these distros.
 */
import type { ChecksumStyle } from '../../lib/catalog/checksums.js';
import type { CatalogImage } from '../../lib/catalog/catalogFile.js';
import {
  BINARY,
  checksumEntry,
  dateOf,
  generatedBytes,
  layoutOf,
  modifiedOn,
  siblingNames,
  type Entry,
  type Layout,
  type Listing,
  type MirrorBuild,
} from './files.js';

export type FlatFlavour = 'centos' | 'alma' | 'rocky';

const STYLES: Record<FlatFlavour, ChecksumStyle> = {
  centos: { format: 'bsd-sized', algorithm: 'sha256' },
  alma: { format: 'gnu', algorithm: 'sha256' },
  rocky: { format: 'bsd-sized', algorithm: 'sha256' },
};

interface Naming {
  /** the file update.py records for a build: the dated one (CentOS) or the alias */
  recorded(b: { version: string; stamp: string }): string;
  dated(b: { version: string; stamp: string }): string;
  alias: string;
  /** the initial build's compose stamp, and a published one's */
  stamp(version: string, initial: boolean): string;
}

function dayBefore(version: string): string {
  const d = new Date(`${dateOf(version)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** How a flavour names its files, from the catalog's own names; undefined when they do not fit it. */
function namingOf(flavour: FlatFlavour, latestName: string, recordedUrl: string): Naming | undefined {
  const major = /-(\d+)-/.exec(latestName)?.[1] ?? '9';
  if (flavour === 'centos') {
    // the catalog's dated file gives the name's parts (CentOS 7's entry holds only the pattern: not served)
    const m = /^(.*-)(\d{8}\.\d+)(\..+)$/.exec(recordedUrl.slice(recordedUrl.lastIndexOf('/') + 1));
    if (m === null) return undefined;
    const [, before = '', initialStamp = '', after = ''] = m;
    const dated = (b: { stamp: string }) => `${before}${b.stamp}${after}`;
    return {
      recorded: dated,
      dated,
      alias: `${before}latest${after}`,
      stamp: (version, initial) => (initial ? initialStamp : `${dayBefore(version)}.0`),
    };
  }
  const marker = flavour === 'alma' ? '-latest.' : '.latest.';
  if (!latestName.includes(marker)) return undefined;
  const middle = (v: string) => (flavour === 'alma' ? `-${major}.6-${v}.` : `-Base-${major}.6-${v}.0.`);
  return {
    recorded: () => latestName,
    dated: (b) => latestName.replace(marker, middle(b.version)),
    alias: latestName,
    stamp: () => '',
  };
}

export function flatLayout(
  image: CatalogImage & { latestUrl: string; latestChecksumUrl: string },
  flavour: FlatFlavour,
  at: (path: string) => string,
): Layout | undefined {
  // the latest_url may hold a regular expression (`\d`): read it as text, not as a URL
  const path = image.latestUrl.slice(new URL(image.latestUrl).origin.length);
  const root = path.slice(0, path.lastIndexOf('/') + 1);
  const latestName = path.slice(root.length);
  const checksumUrl = new URL(image.latestChecksumUrl);
  const checksumName = decodeURIComponent(
    checksumUrl.pathname.slice(checksumUrl.pathname.lastIndexOf('/') + 1),
  );
  const first = image.versions[0]!;
  const naming = namingOf(flavour, latestName, first.url);
  if (naming === undefined) return undefined;
  const stamps = new Map<string, string>();
  const extensions = flavour === 'centos' ? ['raw.xz'] : ['raw'];

  function build(version: string, listed: boolean, initial = false): MirrorBuild {
    const stamp = stamps.get(version) ?? naming!.stamp(version, initial);
    stamps.set(version, stamp);
    const fileName = naming!.recorded({ version, stamp });
    return {
      image: image.name,
      version,
      buildDate: dateOf(version),
      directory: root.split('/').at(-2) ?? '',
      url: at(`${root}${encodeURIComponent(fileName)}`),
      checksumUrl: at(`${root}${encodeURIComponent(checksumName)}`),
      fileName,
      bytes: generatedBytes(`${image.name} ${version} ${naming!.dated({ version, stamp })}`),
      listed,
    };
  }

  function directory(sub: string, builds: MirrorBuild[], style: ChecksumStyle): Listing | undefined {
    if (sub !== '') return undefined;
    const listing: Listing = new Map();
    const named: Array<[string, Buffer]> = [];
    const add = (name: string, bytes: Buffer, modified: Date, listed: boolean): void => {
      listing.set(name, { modified, bytes, type: BINARY });
      if (listed) named.push([name, bytes]);
    };
    const ownChecksums = new Map<MirrorBuild, Entry>();
    for (const b of builds) {
      const modified = modifiedOn(b.buildDate);
      const dated = naming!.dated({ version: b.version, stamp: stamps.get(b.version)! });
      add(dated, b.bytes, modified, b.listed);
      for (const s of siblingNames(dated, extensions))
        add(s, generatedBytes(`${image.name} ${b.version} ${s}`), modified, true);
      if (flavour === 'rocky') {
        const own = checksumEntry(style, b.listed ? [[dated, b.bytes]] : [], modified);
        listing.set(`${dated}.CHECKSUM`, own);
        ownChecksums.set(b, own);
      }
    }
    const newest = builds.at(-1)!;
    add(naming!.alias, newest.bytes, modifiedOn(newest.buildDate), newest.listed);
    if (flavour === 'rocky') listing.set(checksumName, ownChecksums.get(newest)!);
    else listing.set(checksumName, checksumEntry(style, named, modifiedOn(newest.buildDate)));
    return new Map([...listing].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  return layoutOf({
    image: image.name,
    root,
    indexStyle: 'pre',
    style: STYLES[flavour],
    initial: build(first.version, true, true),
    build,
    directory,
  });
}
