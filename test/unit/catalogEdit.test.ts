import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  mirrorUrlFor,
  writeCatalogVersion,
  writeCatalogVersions,
} from '../../src/lib/catalog/catalogEdit.js';
import { parseCatalog, updatableImages } from '../../src/lib/catalog/catalogFile.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { throwsTyped } from '../support/typedFailures.js';
import { fixturesDir } from '../../src/sandbox/paths.js';

const FIXTURE = path.join(fixturesDir, 'openstack-image-manager', 'ubuntu.yml');
const BYTES = readFileSync(FIXTURE);
const UBUNTU = BYTES.toString('utf8');

const NEW_HEX = 'ab'.repeat(32);
const NEWER_HEX = 'cd'.repeat(32);
const NOBLE_NEW = {
  version: '20260115',
  buildDate: '2026-01-15',
  checksum: `sha256:${NEW_HEX}`,
  url: 'https://cloud-images.ubuntu.com/noble/20260115/noble-server-cloudimg-amd64.img',
};

function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `${JSON.stringify(from)} should occur once`);
  return text.replace(from, () => to);
}

/** The Ubuntu 24.04 entry of the fixture as its lines read, with the values given. */
function nobleEntry(v: { version: string; date: string; hex: string }): string {
  return [
    `      - version: '${v.version}'`,
    '        url: ',
    `          https://cloud-images.ubuntu.com/noble/${v.version}/noble-server-cloudimg-amd64.img`,
    '        mirror_url: ',
    `          https://nbg1.your-objectstorage.com/osism/openstack-images/ubuntu-24.04/${v.version}-ubuntu-24.04.qcow2`,
    '        checksum: ',
    `          sha256:${v.hex}`,
    `        build_date: ${v.date}`,
    '',
  ].join('\n');
}
const NOBLE_OLD = {
  version: '20260108',
  date: '2026-01-08',
  hex: '00786c0936a7dd91a6b07941ca60bb56652975e0e72f9dacf73c887ada420966',
};

describe('catalog edit: a new version written in place, as update.py does', () => {
  it('replaces version, build_date, checksum, url and mirror_url of versions[0]; every other byte stays', () => {
    let expected = UBUNTU;
    expected = replaceOnce(expected, "      - version: '20260108'\n", "      - version: '20260115'\n");
    expected = replaceOnce(
      expected,
      '          https://cloud-images.ubuntu.com/noble/20260108/noble-server-cloudimg-amd64.img\n',
      '          https://cloud-images.ubuntu.com/noble/20260115/noble-server-cloudimg-amd64.img\n',
    );
    expected = replaceOnce(
      expected,
      '/ubuntu-24.04/20260108-ubuntu-24.04.qcow2\n',
      '/ubuntu-24.04/20260115-ubuntu-24.04.qcow2\n',
    );
    expected = replaceOnce(expected, `          sha256:${NOBLE_OLD.hex}\n`, `          sha256:${NEW_HEX}\n`);
    expected = replaceOnce(expected, '        build_date: 2026-01-08\n', '        build_date: 2026-01-15\n');

    const { text, written } = writeCatalogVersion(UBUNTU, { image: 'Ubuntu 24.04', version: NOBLE_NEW });
    assert.ok(Buffer.from(text, 'utf8').equals(Buffer.from(expected, 'utf8')), 'the file compared whole');
    assert.equal(written.changed, true);
    assert.equal(
      written.mirrorUrl,
      'https://nbg1.your-objectstorage.com/osism/openstack-images/ubuntu-24.04/20260115-ubuntu-24.04.qcow2',
    );
    assert.equal(written.previous.version, '20260108');
    // the fixture's own shapes are still there: `---`, trailing spaces after `key:`, wrapped values
    assert.ok(text.startsWith('---\nimages:\n'));
    assert.equal(text.split('\n        url: \n').length, UBUNTU.split('\n        url: \n').length);
  });

  it('a Minimal image keeps its `release-<date>` directory in the url it is given', () => {
    const version = {
      version: '20260130',
      buildDate: '2026-01-30',
      checksum: `sha512:${'ef'.repeat(64)}`,
      url: 'https://cloud-images.ubuntu.com/minimal/releases/jammy/release-20260130/ubuntu-22.04-minimal-cloudimg-amd64.img',
    };
    let expected = replaceOnce(UBUNTU, "- version: '20260121'", "- version: '20260130'");
    expected = replaceOnce(expected, 'jammy/release-20260121/', 'jammy/release-20260130/');
    expected = replaceOnce(
      expected,
      '/20260121-ubuntu-22.04-minimal.qcow2',
      '/20260130-ubuntu-22.04-minimal.qcow2',
    );
    expected = replaceOnce(
      expected,
      'sha256:2393905d979ca0129caf03af3f2627c6bff200b4f4cd9ca7b8e517554eea9edc',
      `sha512:${'ef'.repeat(64)}`,
    );
    expected = replaceOnce(expected, 'build_date: 2026-01-21', 'build_date: 2026-01-30');
    const { text } = writeCatalogVersion(UBUNTU, { image: 'Ubuntu 22.04 Minimal', version });
    assert.equal(text, expected);
  });

  it('the checksum already in versions[0] → the file comes back byte-identical', () => {
    const same = { ...NOBLE_NEW, checksum: `sha256:${NOBLE_OLD.hex}` };
    const { text, written } = writeCatalogVersion(UBUNTU, { image: 'Ubuntu 24.04', version: same });
    assert.ok(Buffer.from(text, 'utf8').equals(BYTES));
    assert.equal(written.changed, false);
  });

  it('writes every updatable image at once and never touches a disabled one', () => {
    const updates = updatableImages(parseCatalog(UBUNTU)).map((image, i) => ({
      image: image.name,
      version: {
        version: `2026020${i + 1}`,
        buildDate: `2026-02-0${i + 1}`,
        checksum: `sha256:${String(i).repeat(64)}`,
        url: image.versions[0]!.url.replace(image.versions[0]!.version, `2026020${i + 1}`),
      },
    }));
    assert.equal(updates.length, 4);
    const { text } = writeCatalogVersions(UBUNTU, updates);
    // everything before the first enabled image (the disabled ones) is byte-identical
    const firstEnabled = UBUNTU.indexOf('  - name: Ubuntu 22.04\n');
    assert.ok(firstEnabled > 0);
    assert.equal(text.slice(0, firstEnabled), UBUNTU.slice(0, firstEnabled));
    assert.equal(text.length, UBUNTU.length);
    for (const [i, image] of parseCatalog(text).images.entries()) {
      const before = parseCatalog(UBUNTU).images[i]!;
      if (!before.enabled) assert.deepEqual(image, before);
      else assert.match(image.versions[0]!.version, /^2026020\d$/);
    }
    throwsTyped(
      () => writeCatalogVersion(UBUNTU, { image: 'Ubuntu 20.04', version: NOBLE_NEW }),
      FatalFailure.BadInput,
      'is disabled',
      '"Ubuntu 20.04"',
    );
  });
});

describe('catalog edit: keep N entries', () => {
  it('keep: 2 inserts the new entry first, shaped like the old one, and keeps the old one', () => {
    const expected = replaceOnce(
      UBUNTU,
      nobleEntry(NOBLE_OLD),
      nobleEntry({ version: '20260115', date: '2026-01-15', hex: NEW_HEX }) + nobleEntry(NOBLE_OLD),
    );
    const { text } = writeCatalogVersion(UBUNTU, { image: 'Ubuntu 24.04', version: NOBLE_NEW }, { keep: 2 });
    assert.equal(text, expected);
    assert.deepEqual(
      parseCatalog(text)
        .images.find((i) => i.name === 'Ubuntu 24.04')!
        .versions.map((v) => v.version),
      ['20260115', '20260108'],
    );
  });

  it('keep: 2 a second time drops the oldest', () => {
    const once = writeCatalogVersion(UBUNTU, { image: 'Ubuntu 24.04', version: NOBLE_NEW }, { keep: 2 }).text;
    const newer = {
      version: '20260122',
      buildDate: '2026-01-22',
      checksum: `sha256:${NEWER_HEX}`,
      url: 'https://cloud-images.ubuntu.com/noble/20260122/noble-server-cloudimg-amd64.img',
    };
    const twice = writeCatalogVersion(once, { image: 'Ubuntu 24.04', version: newer }, { keep: 2 }).text;
    const expected = replaceOnce(
      UBUNTU,
      nobleEntry(NOBLE_OLD),
      nobleEntry({ version: '20260122', date: '2026-01-22', hex: NEWER_HEX }) +
        nobleEntry({ version: '20260115', date: '2026-01-15', hex: NEW_HEX }),
    );
    assert.equal(twice, expected);
  });

  it('keep: 1 gives the same bytes as the in-place edit; keep: 0 is refused', () => {
    const inPlace = writeCatalogVersion(UBUNTU, { image: 'Ubuntu 24.04', version: NOBLE_NEW }).text;
    const keepOne = writeCatalogVersion(
      UBUNTU,
      { image: 'Ubuntu 24.04', version: NOBLE_NEW },
      { keep: 1 },
    ).text;
    assert.equal(keepOne, inPlace);
    throwsTyped(
      () => writeCatalogVersion(UBUNTU, { image: 'Ubuntu 24.04', version: NOBLE_NEW }, { keep: 0 }),
      FatalFailure.BadInput,
      'keep',
    );
  });
});

describe('catalog edit: refusals', () => {
  it('bad new values, an unknown image, a URL with credentials → BadInput without the secret', () => {
    const image = 'Ubuntu 24.04';
    throwsTyped(
      () => writeCatalogVersion(UBUNTU, { image, version: { ...NOBLE_NEW, checksum: NEW_HEX } }),
      FatalFailure.BadInput,
      'sha256:<64 hex>',
    );
    throwsTyped(
      () => writeCatalogVersion(UBUNTU, { image, version: { ...NOBLE_NEW, buildDate: '15.01.2026' } }),
      FatalFailure.BadInput,
      'YYYY-MM-DD',
    );
    throwsTyped(
      () => writeCatalogVersion(UBUNTU, { image: 'Ubuntu 26.04', version: NOBLE_NEW }),
      FatalFailure.BadInput,
      'expected one image named "Ubuntu 26.04"; found 0',
    );
    assert.throws(
      () =>
        writeCatalogVersion(UBUNTU, {
          image,
          version: { ...NOBLE_NEW, url: 'https://bot:hunter2@cloud-images.ubuntu.com/noble/x.img' },
        }),
      (err: unknown) =>
        err instanceof BumpflowError &&
        err.type === FatalFailure.BadInput &&
        err.message.includes('without credentials') &&
        !err.message.includes('hunter2'),
    );
  });

  it('a malformed catalog → MalformedCatalog before anything is written', () => {
    const broken = replaceOnce(
      UBUNTU,
      '    tags: []\n    latest_checksum_url: \n      https://cloud-images.ubuntu.com/noble/',
      '    tags: [\n    latest_checksum_url: \n      https://cloud-images.ubuntu.com/noble/',
    );
    throwsTyped(
      () => writeCatalogVersion(broken, { image: 'Ubuntu 24.04', version: NOBLE_NEW }),
      FatalFailure.MalformedCatalog,
      'line',
    );
  });

  it('flow-style entries are edited in their own style; a flow list cannot take a new entry → MalformedCatalog', () => {
    const entry = (v: string, d: string, hex: string) =>
      `{version: '${v}', url: 'https://cloud-images.ubuntu.com/noble/${v}/noble-server-cloudimg-amd64.img', checksum: "sha256:${hex}", build_date: ${d}}`;
    const oldEntry = entry(NOBLE_OLD.version, NOBLE_OLD.date, NOBLE_OLD.hex);
    const newEntry = entry('20260115', '2026-01-15', NEW_HEX);
    const update = { image: 'Ubuntu 24.04', version: NOBLE_NEW };

    const blockOfFlow = replaceOnce(UBUNTU, nobleEntry(NOBLE_OLD), `      - ${oldEntry}\n`);
    assert.equal(writeCatalogVersion(blockOfFlow, update).text, replaceOnce(blockOfFlow, oldEntry, newEntry));
    assert.equal(
      writeCatalogVersion(blockOfFlow, update, { keep: 2 }).text,
      replaceOnce(blockOfFlow, `      - ${oldEntry}\n`, `      - ${newEntry}\n      - ${oldEntry}\n`),
    );

    const flowList = replaceOnce(
      UBUNTU,
      `    versions:\n${nobleEntry(NOBLE_OLD)}`,
      `    versions: [${oldEntry}]\n`,
    );
    assert.equal(writeCatalogVersion(flowList, update).text, replaceOnce(flowList, oldEntry, newEntry));
    throwsTyped(
      () => writeCatalogVersion(flowList, update, { keep: 2 }),
      FatalFailure.MalformedCatalog,
      '("Ubuntu 24.04")',
      'block list',
    );
  });
});

describe('catalog edit: mirror_url from the file own pattern', () => {
  it('replaces the old version in the file name, else names it as update.py does', () => {
    const image = { name: 'x', shortname: 'debian-12', format: 'qcow2' };
    assert.equal(
      mirrorUrlFor(
        image,
        { version: '20240411', mirrorUrl: 'https://m/images/debian-12/20240411-debian-12.qcow2' },
        '20240424',
      ),
      'https://m/images/debian-12/20240424-debian-12.qcow2',
    );
    assert.equal(
      mirrorUrlFor(image, { version: '1', mirrorUrl: 'https://m/images/debian-12/latest.qcow2' }, '20240424'),
      'https://m/images/debian-12/20240424-debian-12.qcow2',
    );
    assert.equal(mirrorUrlFor(image, { version: '1', mirrorUrl: undefined }, '20240424'), undefined);
  });
});
