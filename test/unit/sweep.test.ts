import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectImageTags,
  decideSweep,
  pairId,
  platformPinsToClassify,
  renderSweepTable,
  servicesBehind,
  type SweepAnswer,
  type SweepBranch,
} from '../../src/lib/sweep/index.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { ATMOSPHERE_BRANCHES, ATMOSPHERE_FILES } from '../support/atmosphereBranches.js';

const FILES = ATMOSPHERE_FILES;
const BRANCHES = ATMOSPHERE_BRANCHES;
const PREFIX = 'ghcr.io/vexxhost/';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const NEW = (c: string) => `sha256:${c.repeat(64)}`;

/** Independent of the code under test: every `ghcr.io/vexxhost/<repo>:<tag>@sha256:<hex>` in the files, with branch and key. */
function pinsByRegex() {
  const re =
    /^\s+([A-Za-z0-9_]+):\s*"[^"]*?(ghcr\.io\/vexxhost\/[a-z0-9._/-]+):([A-Za-z0-9._-]+)@(sha256:[a-f0-9]{64})"/;
  return BRANCHES.flatMap((b) =>
    b.text.split('\n').flatMap((line) => {
      const m = re.exec(line);
      return m ? [{ branch: b.branch, key: m[1]!, id: `${m[2]}:${m[3]}`, digest: m[4]! }] : [];
    }),
  );
}
const REGEX_PINS = pinsByRegex();
const sweep = collectImageTags(BRANCHES, { imagePrefixes: [PREFIX] });

/** Every pair current at the digest its first pin (main first, file order) has, as a registry would answer. */
function currentWorld(): Record<string, SweepAnswer> {
  const out: Record<string, SweepAnswer> = {};
  for (const p of REGEX_PINS) out[p.id] ??= { digest: p.digest, mediaType: INDEX };
  return out;
}

void describe('collectImageTags on the real Atmosphere vars files (main + 5 stable branches)', () => {
  void it('gives one pair per distinct ghcr.io/vexxhost/ image:tag, with every pin that uses it', () => {
    const ids = [...new Set(REGEX_PINS.map((p) => p.id))].sort();
    assert.ok(ids.length > 50, `regex found ${ids.length} pairs`);
    assert.deepEqual(
      sweep.pairs.map((p) => p.id),
      ids,
    );
    assert.equal(sweep.pinCount, REGEX_PINS.length);
    const flat = sweep.pairs.flatMap((p) =>
      p.pins.map((pin) => ({ branch: pin.branch, key: pin.key, id: p.id, digest: pin.digest })),
    );
    const order = (x: { branch: string; key: string }) => `${x.branch} ${x.key}`;
    assert.deepEqual(flat.map(order).sort(), REGEX_PINS.map(order).sort());
    for (const p of sweep.pairs)
      for (const pin of p.pins)
        assert.ok(
          REGEX_PINS.some(
            (r) => r.id === p.id && r.branch === pin.branch && r.key === pin.key && r.digest === pin.digest,
          ),
        );
    assert.deepEqual(sweep.branches, Object.keys(FILES));
  });

  void it('pins sharing an image:tag across keys and branches are one pair (heat:main has many keys)', () => {
    const heat = sweep.pairs.find((p) => p.id === 'ghcr.io/vexxhost/heat:main');
    const expected = REGEX_PINS.filter((p) => p.id === 'ghcr.io/vexxhost/heat:main');
    assert.ok(expected.length > 5);
    assert.deepEqual(
      heat?.pins.map((p) => p.key),
      expected.map((p) => p.key),
    );
    assert.equal(pairId({ image: 'ghcr.io/vexxhost/heat', tag: 'main' }), heat?.id);
  });

  void it('without a prefix, other registries are swept too; a branch named twice is BadInput', () => {
    const all = collectImageTags(BRANCHES);
    assert.ok(all.pairs.length > sweep.pairs.length);
    assert.ok(all.pairs.some((p) => !p.image.startsWith(PREFIX)));
    assert.throws(
      () => collectImageTags([BRANCHES[0]!, BRANCHES[0]!]),
      (e: unknown) =>
        e instanceof BumpflowError && e.type === FatalFailure.BadInput && e.message.includes('"main" twice'),
    );
  });
});

void describe('decideSweep', () => {
  void it('every pin current when the registry answers each pair with the digest main pins', () => {
    const world = currentWorld();
    const outcome = decideSweep(sweep, world);
    const expectedBehind = REGEX_PINS.filter((p) => (world[p.id] as { digest: string }).digest !== p.digest);
    assert.equal(outcome.counts.behind, expectedBehind.length);
    assert.equal(outcome.counts.current, REGEX_PINS.length - expectedBehind.length);
    assert.equal(outcome.counts.unavailable, 0);
  });

  void it('a few services behind on some branches: exactly those, grouped per service, with evidence', () => {
    const world = currentWorld();
    world['ghcr.io/vexxhost/magnum:2024.1'] = {
      digest: NEW('1'),
      mediaType: INDEX,
      labels: { version: '2024.1', revision: 'c0ffee', source: 'https://github.com/vexxhost/docker-magnum' },
      sourceHead: 'c0ffee',
    };
    world['ghcr.io/vexxhost/magnum:main'] = { digest: NEW('2'), mediaType: INDEX };
    world['ghcr.io/vexxhost/barbican:2025.1'] = {
      digest: NEW('3'),
      mediaType: INDEX,
      labels: { version: '2024.2', revision: 'aaaa', source: 'https://github.com/vexxhost/docker-barbican' },
      sourceHead: 'bbbb',
    };
    const base = decideSweep(sweep, currentWorld());
    const outcome = decideSweep(sweep, world);
    const newlyBehind = outcome.pins.filter(
      (p) =>
        p.state === 'behind' &&
        !base.pins.some((b) => b.state === 'behind' && b.branch === p.branch && b.key === p.key),
    );
    const expected = REGEX_PINS.filter((p) =>
      [
        'ghcr.io/vexxhost/magnum:2024.1',
        'ghcr.io/vexxhost/magnum:main',
        'ghcr.io/vexxhost/barbican:2025.1',
      ].includes(p.id),
    );
    assert.deepEqual(
      newlyBehind.map((p) => `${p.branch} ${p.key}`).sort(),
      expected.map((p) => `${p.branch} ${p.key}`).sort(),
    );
    const services = servicesBehind(sweep, outcome).filter((s) => ['magnum', 'barbican'].includes(s.service));
    assert.deepEqual(
      services.map((s) => [s.service, s.image, s.branches]),
      [
        ['barbican', 'ghcr.io/vexxhost/barbican', ['stable/2025.1']],
        ['magnum', 'ghcr.io/vexxhost/magnum', ['main', 'stable/2024.1']],
      ],
    );
    const magnum = services[1]!;
    assert.deepEqual(magnum.evidence, []);
    assert.ok(magnum.pins.every((p) => p.to === (p.branch === 'main' ? NEW('2') : NEW('1'))));
    assert.deepEqual(services[0]!.evidence, [
      { kind: 'version-label', tag: '2025.1', version: '2024.2' },
      { kind: 'stale-revision', revision: 'aaaa', head: 'bbbb' },
    ]);
  });

  void it('a pin to one platform manifest is compared with the same platform of the new index, never the index', () => {
    const id = 'ghcr.io/vexxhost/magnum:2024.1';
    const pinned = REGEX_PINS.find((p) => p.id === id)!.digest;
    const children = [
      { digest: NEW('a'), platform: 'linux/amd64' },
      { digest: NEW('b'), platform: 'linux/arm64' },
    ];
    const world = currentWorld();
    world[id] = { digest: NEW('c'), mediaType: INDEX, children };
    assert.deepEqual(platformPinsToClassify(sweep, world), { [id]: [pinned] });
    world[id] = {
      digest: NEW('c'),
      mediaType: INDEX,
      children,
      pinnedPlatforms: { [pinned]: 'linux/arm64' },
    };
    assert.deepEqual(platformPinsToClassify(sweep, world), {});
    const magnum = decideSweep(sweep, world).pins.filter((p) => p.id === id);
    assert.ok(magnum.length > 0);
    for (const p of magnum)
      assert.deepEqual([p.state, p.to, p.platform], ['behind', NEW('b'), 'linux/arm64']);

    // the pin already is the new index's arm64 child: current, no lookup needed
    world[id] = {
      digest: NEW('c'),
      mediaType: INDEX,
      children: [children[0]!, { digest: pinned, platform: 'linux/arm64' }],
    };
    assert.deepEqual(platformPinsToClassify(sweep, world), {});
    for (const p of decideSweep(sweep, world).pins.filter((x) => x.id === id))
      assert.deepEqual([p.state, p.platform], ['current', 'linux/arm64']);

    // the new index lost that platform: unavailable, said so, never the index
    world[id] = {
      digest: NEW('c'),
      mediaType: INDEX,
      children: [children[0]!],
      pinnedPlatforms: { [pinned]: 'linux/arm64' },
    };
    const lost = decideSweep(sweep, world);
    for (const p of lost.pins.filter((x) => x.id === id)) {
      assert.equal(p.state, 'unavailable');
      assert.equal(p.to, undefined);
      assert.match(p.failure?.message ?? '', /no linux\/arm64 manifest \(it has linux\/amd64\)/);
    }
    assert.deepEqual(
      lost.unavailable.map((u) => [u.id, u.branches]),
      [[id, ['stable/2024.1']]],
    );
  });

  void it('one image answering 503 is unavailable with its error; every other result stands', () => {
    const world = currentWorld();
    world['ghcr.io/vexxhost/magnum:main'] = { digest: NEW('2'), mediaType: INDEX };
    world['ghcr.io/vexxhost/heat:main'] = {
      failure: {
        type: 'RegistryUnavailable',
        message: 'GET ghcr.io/vexxhost/heat:main: 503 Service Unavailable',
      },
    };
    const outcome = decideSweep(sweep, world);
    const heat = REGEX_PINS.filter((p) => p.id === 'ghcr.io/vexxhost/heat:main');
    assert.equal(outcome.counts.unavailable, heat.length);
    assert.deepEqual(outcome.unavailable, [
      {
        id: 'ghcr.io/vexxhost/heat:main',
        branches: ['main'],
        failure: {
          type: 'RegistryUnavailable',
          message: 'GET ghcr.io/vexxhost/heat:main: 503 Service Unavailable',
        },
      },
    ]);
    assert.equal(
      outcome.counts.current + outcome.counts.behind + outcome.counts.unavailable,
      REGEX_PINS.length,
    );
    assert.ok(servicesBehind(sweep, outcome).some((s) => s.service === 'magnum'));
    assert.ok(!servicesBehind(sweep, outcome).some((s) => s.service === 'heat'));
    // a pair with no answer at all is unavailable too, not current
    delete world['ghcr.io/vexxhost/magnum:main'];
    assert.ok(
      decideSweep(sweep, world).unavailable.some(
        (u) => u.id === 'ghcr.io/vexxhost/magnum:main' && u.failure.message.includes('not resolved'),
      ),
    );
  });

  void it('a short name shared by two images makes the service the full image name', () => {
    const extra: SweepBranch = {
      branch: 'stable/2099.1',
      text: `_atmosphere_images:\n  magnum_api: "quay.io/other/magnum:x@${NEW('d')}"\n  glance_api: "ghcr.io/vexxhost/glance:2099.1@${NEW('e')}"\n`,
    };
    const pins = collectImageTags([...BRANCHES, extra], { imagePrefixes: [PREFIX] });
    const world: Record<string, SweepAnswer> = {
      ...currentWorld(),
      'ghcr.io/vexxhost/magnum:main': { digest: NEW('2'), mediaType: INDEX },
      'ghcr.io/vexxhost/glance:2099.1': { digest: NEW('f'), mediaType: INDEX },
    };
    const services = servicesBehind(pins, decideSweep(pins, world));
    assert.ok(services.some((s) => s.service === 'ghcr.io/vexxhost/magnum'));
    assert.ok(services.some((s) => s.service === 'glance' && s.branches.includes('stable/2099.1')));
  });
});

void describe('renderSweepTable', () => {
  const world = currentWorld();
  world['ghcr.io/vexxhost/barbican:2025.1'] = {
    digest: NEW('3'),
    mediaType: INDEX,
    labels: { version: '2024.2', revision: 'aaaa', source: 'https://github.com/vexxhost/docker-barbican' },
  };
  world['ghcr.io/vexxhost/heat:main'] = {
    failure: { type: 'RegistryUnavailable', message: '503 | Service Unavailable' },
  };
  const outcome = decideSweep(sweep, world);
  const barbicanKeys = REGEX_PINS.filter((p) => p.id === 'ghcr.io/vexxhost/barbican:2025.1').map(
    (p) => p.key,
  );

  void it('markdown: image, branch, keys, old → new and evidence; unavailable images with their error', () => {
    const md = renderSweepTable(outcome, 'markdown');
    const row = md.split('\n').find((l) => l.startsWith('| ghcr.io/vexxhost/barbican:2025.1 |'));
    assert.ok(row, md);
    const old = REGEX_PINS.find((p) => p.id === 'ghcr.io/vexxhost/barbican:2025.1')!.digest.slice(7, 19);
    assert.equal(
      row,
      `| ghcr.io/vexxhost/barbican:2025.1 | stable/2025.1 | ${barbicanKeys.join(', ')} | ${old} → ${'3'.repeat(12)} | version label 2024.2 is not the tag 2025.1 |`,
    );
    assert.ok(
      md.includes('| ghcr.io/vexxhost/heat:main | main | RegistryUnavailable: 503 \\| Service Unavailable |'),
      md,
    );
    assert.match(md, new RegExp(`^\\*\\*${REGEX_PINS.length} pins: ${outcome.counts.behind} behind`));
  });

  void it('text: the same rows, aligned', () => {
    const text = renderSweepTable(outcome, 'text');
    const lines = text.split('\n');
    const head = lines.find((l) => l.startsWith('image '))!;
    const row = lines.find((l) => l.startsWith('ghcr.io/vexxhost/barbican:2025.1 '))!;
    assert.equal(row.indexOf('stable/2025.1'), head.indexOf('branch'));
    assert.ok(row.endsWith('version label 2024.2 is not the tag 2025.1'));
  });
});
