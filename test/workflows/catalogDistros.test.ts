/**
 * Every vendored real catalog updated as update.py updates it, on real parts:
 * the catalog in a git bare repo, its URLs moved to the loopback distro
 * mirror serving that distro's layout (Ubuntu's and Debian's dated
 * directories, CentOS's CHECKSUM of composes matched by HEREBE…DRAGONS,
 * AlmaLinux's `-latest.` name in CHECKSUM, Rocky's `.latest.` file with its
 * own .CHECKSUM), the Temporal dev server, the git push and the GitHub
 * stand-in. Per catalog: a newer build is written byte-exactly (the pushed
 * file compared whole with bytes built here by string operations on the
 * committed text), and a checksum file that does not have the form the image
 * is found by fails typed with nothing pushed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChecksumAlgorithm, ChecksumStyle } from '../../src/lib/catalog/checksums.js';
import type { RunningImageMirror } from '../../src/sandbox/imageMirror.js';
import { startTemporal } from '../support/temporal.js';
import {
  approveCatalog,
  checksumOf,
  DISTRO_CATALOGS,
  inCatalogWorld,
  inImage,
  swapsFor,
  type CatalogRun,
  type CatalogWorld,
  type DistroCatalog,
} from '../support/catalog.js';

interface DistroCase {
  algorithm: ChecksumAlgorithm;
  /** every image the update checks (enabled, with latest_url) */
  checked: string[];
  /** newer builds: image, version update.py records, shortname (the mirror_url's file name) */
  newer: Array<{ image: string; version: string; shortname: string }>;
  mismatch: Mismatch;
}

/** A newer build whose checksum file loses the form the image is found by; the failure that names it. */
interface Mismatch {
  image: string;
  version: string;
  /** the checksum file in another algorithm than its name says; absent: it omits the image */
  style?: ChecksumStyle;
  /** the served build omitted too (CentOS: no compose matching the pattern left) */
  unlistServed?: boolean;
  type: string;
  message: RegExp;
}

function breakChecksumFile(mirror: RunningImageMirror, m: Mismatch): void {
  if (m.unlistServed) mirror.publish(m.image, mirror.latest(m.image).version, { listed: false });
  mirror.publish(m.image, m.version, { listed: m.style !== undefined });
  if (m.style) mirror.setStyle(m.style, m.image);
}

const CASES: Record<DistroCatalog, DistroCase> = {
  ubuntu: {
    algorithm: 'sha256',
    checked: ['Ubuntu 22.04', 'Ubuntu 22.04 Minimal', 'Ubuntu 24.04', 'Ubuntu 24.04 Minimal'],
    newer: [{ image: 'Ubuntu 24.04', version: '20260115', shortname: 'ubuntu-24.04' }],
    mismatch: {
      image: 'Ubuntu 24.04',
      version: '20260115',
      style: { format: 'gnu-binary', algorithm: 'sha512' },
      type: 'MalformedChecksumFile',
      message:
        /SHA256SUMS: expected a sha256 line for "noble-server-cloudimg-amd64\.img" .*; found a sha512 line/,
    },
  },
  debian: {
    algorithm: 'sha512',
    checked: ['Debian 11', 'Debian 12', 'Debian 13'],
    newer: [
      { image: 'Debian 12', version: '20260201', shortname: 'debian-12' },
      { image: 'Debian 13', version: '20260202', shortname: 'debian-13' },
    ],
    mismatch: {
      image: 'Debian 13',
      version: '20260202',
      style: { format: 'gnu', algorithm: 'sha256' },
      type: 'MalformedChecksumFile',
      message:
        /SHA512SUMS: expected a sha512 line for "debian-13-genericcloud-amd64-daily-20260202-2368\.qcow2"/,
    },
  },
  centos: {
    algorithm: 'sha256',
    checked: ['CentOS Stream 9'],
    newer: [{ image: 'CentOS Stream 9', version: '20260302', shortname: 'centos-stream-9' }],
    mismatch: {
      image: 'CentOS Stream 9',
      version: '20260302',
      unlistServed: true,
      type: 'ChecksumNotFound',
      message:
        /CHECKSUM: expected a file whose name matches latest_url's .*HEREBE.*DRAGONS.*; found none among \d+: /,
    },
  },
  almalinux: {
    algorithm: 'sha256',
    checked: ['AlmaLinux 9'],
    newer: [{ image: 'AlmaLinux 9', version: '20260301', shortname: 'almalinux-9' }],
    mismatch: {
      image: 'AlmaLinux 9',
      version: '20260301',
      type: 'ChecksumNotFound',
      message:
        /CHECKSUM: expected a sha256 or sha512 line for "AlmaLinux-9-GenericCloud-latest\.x86_64\.qcow2"/,
    },
  },
  rockylinux: {
    algorithm: 'sha256',
    checked: ['Rocky 9'],
    newer: [{ image: 'Rocky 9', version: '20260301', shortname: 'rocky-9' }],
    mismatch: {
      image: 'Rocky 9',
      version: '20260301',
      type: 'ChecksumNotFound',
      message: /\.latest\.x86_64\.qcow2\.CHECKSUM: expected a line for .*; found no sha256 or sha512 line/,
    },
  },
};

describe('updateCatalog on every real catalog', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  const inWorld = (
    distro: DistroCatalog,
    name: string,
    fn: (world: CatalogWorld, run: CatalogRun) => Promise<void>,
  ) => inCatalogWorld(env, `osism/distro-${distro}-${name}`, { catalog: distro }, fn);

  for (const distro of DISTRO_CATALOGS) {
    const c = CASES[distro];

    it(`${distro}.yml: the newer builds written byte-exactly, one commit, one PR`, async () => {
      await inWorld(distro, 'update', async (world, run) => {
        let expected = world.text;
        for (const n of c.newer) {
          const old = world.mirror.latest(n.image);
          const next = world.mirror.publish(n.image, n.version);
          expected = inImage(expected, n.image, swapsFor(old, next, n.shortname, c.algorithm));
        }
        const h = await run.start({ path: world.path });
        const waiting = await run.statusWhen(h, (s) => s.state === 'awaiting-approval', 'awaiting approval');
        assert.deepEqual(waiting.images.map((r) => r.image).sort(), [...c.checked].sort());
        for (const row of waiting.images) {
          const n = c.newer.find((x) => x.image === row.image);
          assert.equal(row.change, n ? 'update' : 'unchanged', row.image);
          if (n === undefined) continue;
          const next = world.mirror.latest(n.image);
          assert.equal(row.new?.version, n.version, row.image);
          assert.equal(row.new?.checksum, checksumOf(c.algorithm, next.bytes), row.image);
          assert.equal(row.new?.url, next.url, row.image);
        }
        assert.deepEqual(Object.keys(world.branches()), ['main'], 'nothing pushed before approval');

        await approveCatalog(h);
        const result = await run.result(h);
        assert.equal(result.state, 'pr-opened');
        assert.equal(world.fileOn(result.workBranch!), expected, 'the pushed catalog, whole');
        assert.equal(world.fileOn('main'), world.text, 'main untouched');
        assert.equal(world.commitsOn(result.workBranch!).length, 1);
        assert.equal(world.github.pulls.length, 1);
      });
    });

    it(`${distro}.yml: a checksum file without the form ${c.mismatch.image} is found by → ${c.mismatch.type}, nothing pushed`, async () => {
      await inWorld(distro, 'mismatch', async (world, run) => {
        breakChecksumFile(world.mirror, c.mismatch);
        const failure = await run.failure(await run.start({ path: world.path }));
        assert.equal(failure.type, c.mismatch.type, failure.message);
        assert.ok(failure.message.includes(`${c.mismatch.image} (line `), failure.message);
        assert.match(failure.message, c.mismatch.message);
        assert.deepEqual(Object.keys(world.branches()), ['main'], 'no work branch');
        assert.equal(world.github.pulls.length, 0, 'no PR');
      });
    });
  }
});
