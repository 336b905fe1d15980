import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { indexVarsFile, type ServiceSelection } from '../../src/lib/kit/varsFile.js';
import { commonDigest, selectService } from '../../src/lib/bump/serviceSelection.js';
import { replaceDigest } from '../../src/lib/kit/digestEdit.js';
import { imageName } from '../../src/lib/kit/imageRef.js';
import { BumpflowError, FatalFailure, type FatalFailureType } from '../../src/shared/failures.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

const FILES = [
  'main.yml',
  'stable-2023.1.yml',
  'stable-2023.2.yml',
  'stable-2024.1.yml',
  'stable-2024.2.yml',
  'stable-2025.1.yml',
];
const TAG_OF: Record<string, string> = {
  'main.yml': 'main',
  'stable-2023.1.yml': '2023.1',
  'stable-2023.2.yml': '2023.2',
  'stable-2024.1.yml': '2024.1',
  'stable-2024.2.yml': '2024.2',
  'stable-2025.1.yml': '2025.1',
};
const NEW_DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function fixture(name: string): string {
  return readFileSync(path.join(atmosphereDir, name), 'utf8');
}
const MAIN = fixture('main.yml');

/** Independent of the code under test: keys whose value pins `<image>:<tag>@sha256:<hex>`, with their 1-based lines. */
function pinsByRegex(text: string, image: string): Array<{ key: string; line: number; digest: string }> {
  const escaped = image.replace(/[.]/g, '\\.');
  const re = new RegExp(
    `^\\s+([A-Za-z0-9_]+):\\s*"[^"]*(?<![a-z0-9./-])${escaped}:[A-Za-z0-9._-]+@(sha256:[a-f0-9]{64})"\\s*$`,
  );
  const out: Array<{ key: string; line: number; digest: string }> = [];
  text.split('\n').forEach((line, i) => {
    const m = re.exec(line);
    if (m) out.push({ key: m[1]!, line: i + 1, digest: m[2]! });
  });
  return out;
}

function failsWith(type: FatalFailureType, ...needles: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(
      err instanceof BumpflowError,
      `expected a BumpflowError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    assert.equal(err.type, type, err.message);
    for (const n of needles)
      assert.ok(
        err.message.includes(n),
        `expected the message to include ${JSON.stringify(n)}: ${err.message}`,
      );
    return true;
  };
}

function keys(selection: ServiceSelection): string[] {
  return selection.pins.map((p) => p.key).sort();
}

function replaceLine(text: string, key: string, edit: (line: string) => string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`  ${key}:`));
  assert.ok(i >= 0, `fixture has ${key}`);
  lines[i] = edit(lines[i]!);
  return lines.join('\n');
}

void describe('indexVarsFile on the real files', () => {
  for (const file of FILES) {
    void it(`${file}: indexes every tag+digest pin at its real line`, () => {
      const text = fixture(file);
      const lines = text.split('\n');
      const index = indexVarsFile(text, file);
      const expected = [
        ...text.matchAll(
          /^ {2}[A-Za-z0-9_]+: "[^"]*[a-z0-9-]+\.[a-z.]+\/[a-z0-9._/-]+:[A-Za-z0-9._-]+@sha256:[a-f0-9]{64}"$/gm,
        ),
      ].length;
      assert.equal(index.pins.length, expected);
      for (const pin of index.pins) {
        const line = lines[pin.line - 1]!;
        assert.equal(pin.text, line);
        assert.ok(line.startsWith(`  ${pin.key}: `), `line ${pin.line} holds ${pin.key}`);
        assert.ok(line.includes(`${imageName(pin.ref)}:${pin.ref.tag}@${pin.ref.digest}`));
        assert.equal(line.indexOf(imageName(pin.ref)) + 1, pin.column);
      }
    });
  }

  void it('collects entries pinned by tag only and by digest only, not templated ones', () => {
    const index = indexVarsFile(MAIN);
    const tagOnly = new Map(index.tagOnly.map((t) => [t.key, t]));
    assert.equal(tagOnly.get('magnum_registry')?.ref.repository, 'vexxhost/magnum-cluster-api-registry');
    assert.equal(tagOnly.get('magnum_registry')?.ref.tag, 'latest');
    assert.equal(tagOnly.get('openvswitch_vswitchd')?.ref.tag, 'v3.3.6-6');
    assert.equal(tagOnly.has('kube_apiserver'), false, 'a templated tag is not a pin');
    assert.equal(
      index.pins.some((p) => p.key === 'magnum_registry'),
      false,
    );
    assert.deepEqual(
      index.digestOnly?.map((d) => d.key),
      ['secretgen_controller'],
    );
    assert.equal(
      index.entries?.length,
      [
        ...MAIN.split('\n_atmosphere_images:\n')[1]!
          .split('\n\n')[0]!
          .matchAll(/^ {2}\w+:/gm),
      ].length,
    );
  });

  void it('counts lines the same with CRLF line endings and a BOM', () => {
    const crlf = `\ufeff${MAIN.replace(/\n/g, '\r\n')}`;
    const a = indexVarsFile(MAIN).pins;
    const b = indexVarsFile(crlf).pins;
    assert.deepEqual(
      b.map((p) => [p.key, p.line, p.text.replace(/^\ufeff/, '')]),
      a.map((p) => [p.key, p.line, p.text]),
    );
  });
});

void describe('indexVarsFile refuses what is not a vars file', () => {
  void it('a syntax error: MalformedVarsFile with the path and the real line', () => {
    const line = pinsByRegex(MAIN, 'ghcr.io/vexxhost/magnum').find((p) => p.key === 'magnum_api')!.line;
    const broken = replaceLine(MAIN, 'magnum_api', (l) => l.replace(/"$/, ''));
    assert.throws(
      () => indexVarsFile(broken, 'main:roles/defaults/vars/main.yml'),
      (err: unknown) => {
        failsWith(
          FatalFailure.MalformedVarsFile,
          'main:roles/defaults/vars/main.yml',
          `line ${line}`,
          'magnum_api',
        )(err);
        assert.equal((err as BumpflowError).details?.line, line);
        return true;
      },
    );
  });

  void it('a broken indentation in the images mapping', () => {
    const broken = replaceLine(MAIN, 'magnum_conductor', (l) =>
      l.replace('  magnum_conductor:', 'magnum_conductor'),
    );
    assert.throws(
      () => indexVarsFile(broken, 'vars.yml'),
      failsWith(FatalFailure.MalformedVarsFile, 'vars.yml', 'syntax error'),
    );
  });

  void it('a duplicated key', () => {
    const dup = MAIN.replace('  magnum_db_sync:', '  magnum_api:');
    assert.throws(() => indexVarsFile(dup), failsWith(FatalFailure.MalformedVarsFile, 'unique'));
  });

  void it('no _atmosphere_images mapping', () => {
    assert.throws(
      () => indexVarsFile(MAIN.replace('\n_atmosphere_images:\n', '\n_other_images:\n'), 'f.yml'),
      failsWith(FatalFailure.MalformedVarsFile, '_atmosphere_images', 'f.yml'),
    );
    assert.throws(
      () => indexVarsFile('_atmosphere_images: "x"\n'),
      failsWith(FatalFailure.MalformedVarsFile, '_atmosphere_images'),
    );
    assert.throws(
      () => indexVarsFile('_atmosphere_images:\n  - a\n'),
      failsWith(FatalFailure.MalformedVarsFile, '_atmosphere_images'),
    );
    assert.throws(() => indexVarsFile(''), failsWith(FatalFailure.MalformedVarsFile, 'empty'));
    assert.throws(() => indexVarsFile('- a\n- b\n'), failsWith(FatalFailure.MalformedVarsFile));
  });

  void it('a value that is not a string', () => {
    const bad = MAIN.replace('_atmosphere_images:\n', '_atmosphere_images:\n  numbered: 42\n');
    const line = MAIN.split('\n').indexOf('_atmosphere_images:') + 2;
    assert.throws(
      () => indexVarsFile(bad),
      failsWith(FatalFailure.MalformedVarsFile, 'numbered', '42', `line ${line}`),
    );
    const nested = MAIN.replace('_atmosphere_images:\n', '_atmosphere_images:\n  nested:\n    a: b\n');
    assert.throws(() => indexVarsFile(nested), failsWith(FatalFailure.MalformedVarsFile, 'nested'));
  });
});

void describe('selectService selects by image repository', () => {
  void it('magnum: exactly the four ghcr.io/vexxhost/magnum pins, never magnum_registry', () => {
    const selection = selectService(indexVarsFile(MAIN), 'magnum');
    assert.equal(selection.image, 'ghcr.io/vexxhost/magnum');
    assert.deepEqual(keys(selection), [
      'magnum_api',
      'magnum_cluster_api_proxy',
      'magnum_conductor',
      'magnum_db_sync',
    ]);
    assert.ok(selection.pins.every((p) => p.ref.tag === 'main'));
  });

  for (const file of FILES) {
    void it(`${file}: magnum, heat and nova match an independent count`, () => {
      const text = fixture(file);
      const index = indexVarsFile(text, file);
      for (const [service, image] of [
        ['magnum', 'ghcr.io/vexxhost/magnum'],
        ['heat', 'ghcr.io/vexxhost/heat'],
        ['nova', 'ghcr.io/vexxhost/nova'],
      ] as const) {
        const selection = selectService(index, service);
        const expected = pinsByRegex(text, image);
        assert.ok(expected.length > 0);
        assert.equal(selection.image, image);
        assert.deepEqual(
          selection.pins.map((p) => [p.key, p.line]),
          expected.map((p) => [p.key, p.line]),
          `${service} on ${file}`,
        );
        assert.ok(selection.pins.every((p) => p.ref.tag === TAG_OF[file]));
      }
    });
  }

  void it('heat: every entry of the heat image, whatever its key (bootstrap, db_*, ks_*, helpers of other services)', () => {
    const selection = selectService(indexVarsFile(MAIN), 'heat');
    const found = keys(selection);
    assert.equal(found.length, pinsByRegex(MAIN, 'ghcr.io/vexxhost/heat').length);
    assert.equal(found.length, 22);
    for (const key of [
      'bootstrap',
      'db_drop',
      'db_init',
      'ks_endpoints',
      'ks_service',
      'ks_user',
      'heat_api',
      'heat_engine',
      'keystone_credential_cleanup',
      'nova_service_cleaner',
      'octavia_health_manager_init',
      'ironic_manage_cleaning_network',
    ]) {
      assert.ok(found.includes(key), `heat selection includes ${key}`);
    }
    assert.ok(!found.includes('keystone_api'));
  });

  void it('nova: nova_compute_ssh uses ghcr.io/vexxhost/nova-ssh and is left out; heat-image nova_* keys too', () => {
    for (const file of FILES) {
      const text = fixture(file);
      assert.match(
        text,
        /nova_compute_ssh: "[^"]*ghcr\.io\/vexxhost\/nova-ssh:/,
        `${file} pins nova-ssh for nova_compute_ssh`,
      );
      const found = keys(selectService(indexVarsFile(text), 'nova'));
      assert.ok(found.includes('nova_compute'));
      assert.ok(found.includes('nova_api'));
      assert.ok(!found.includes('nova_compute_ssh'), file);
      assert.ok(!found.includes('nova_service_cleaner'), file);
    }
    assert.deepEqual(keys(selectService(indexVarsFile(MAIN), 'nova-ssh')), ['nova_compute_ssh']);
  });

  void it('a full image name selects exactly that repository', () => {
    const index = indexVarsFile(MAIN);
    assert.deepEqual(selectService(index, 'ghcr.io/vexxhost/magnum'), selectService(index, 'magnum'));
    assert.deepEqual(keys(selectService(index, 'ghcr.io/vexxhost/libvirtd')), [
      'ceph_config_helper',
      'libvirt',
    ]);
  });

  void it('keeps same-repository entries pinned by tag only aside (csi-attacher)', () => {
    const selection = selectService(indexVarsFile(MAIN), 'csi-attacher');
    assert.equal(selection.image, 'registry.k8s.io/sig-storage/csi-attacher');
    assert.deepEqual(keys(selection), ['hpe_csi_attacher']);
    assert.deepEqual(selection.tagOnly?.map((t) => t.key).sort(), [
      'csi_rbd_attacher',
      'ibm_block_csi_attacher',
    ]);
  });

  void it('falls back to key prefixes only when no image has the name (ks → heat)', () => {
    assert.equal(selectService(indexVarsFile(MAIN), 'ks').image, 'ghcr.io/vexxhost/heat');
    assert.equal(selectService(indexVarsFile(MAIN), 'ovn_bgp_agent').image, 'ghcr.io/vexxhost/ovn-bgp-agent');
  });
});

void describe('selectService refuses ambiguous, unknown and unpinned services', () => {
  void it('libvirt: keys libvirt and libvirt_* pin two repositories → AmbiguousService listing key → image', () => {
    assert.throws(
      () => selectService(indexVarsFile(MAIN), 'libvirt'),
      (err: unknown) => {
        failsWith(
          FatalFailure.AmbiguousService,
          'libvirt → ghcr.io/vexxhost/libvirtd',
          'libvirt_tls_sidecar → ghcr.io/vexxhost/libvirt-tls-sidecar',
          'full image name',
        )(err);
        const details = (err as BumpflowError).details!;
        assert.deepEqual(details.images, [
          'ghcr.io/vexxhost/libvirtd',
          'ghcr.io/vexxhost/libvirt-tls-sidecar',
        ]);
        assert.ok((details.candidates as string[]).includes('libvirt → ghcr.io/vexxhost/libvirtd'));
        return true;
      },
    );
  });

  void it('nova_compute and keystone_credential are ambiguous in every real file', () => {
    for (const file of FILES) {
      const index = indexVarsFile(fixture(file));
      assert.throws(
        () => selectService(index, 'nova_compute'),
        failsWith(
          FatalFailure.AmbiguousService,
          'nova_compute_ssh → ghcr.io/vexxhost/nova-ssh',
          'nova_compute → ghcr.io/vexxhost/nova',
        ),
      );
      assert.throws(
        () => selectService(index, 'keystone_credential'),
        failsWith(
          FatalFailure.AmbiguousService,
          'keystone_credential_cleanup → ghcr.io/vexxhost/heat',
          'keystone_credential_rotate → ghcr.io/vexxhost/keystone',
        ),
      );
    }
  });

  void it('one name on two registries is ambiguous; the full name resolves it', () => {
    const digest = pinsByRegex(MAIN, 'ghcr.io/vexxhost/magnum')[0]!.digest;
    const text = MAIN.replace(
      '_atmosphere_images:\n',
      `_atmosphere_images:\n  magnum_mirror: "quay.io/vexxhost/magnum:main@${digest}"\n`,
    );
    const index = indexVarsFile(text);
    assert.throws(
      () => selectService(index, 'magnum'),
      failsWith(
        FatalFailure.AmbiguousService,
        'ghcr.io/vexxhost/magnum',
        'quay.io/vexxhost/magnum',
        'full image name',
      ),
    );
    assert.deepEqual(keys(selectService(index, 'quay.io/vexxhost/magnum')), ['magnum_mirror']);
    assert.equal(selectService(index, 'ghcr.io/vexxhost/magnum').pins.length, 4);
  });

  void it('an unknown service → UnknownService, with similar names when there are some', () => {
    const index = indexVarsFile(MAIN);
    assert.throws(() => selectService(index, 'swift'), failsWith(FatalFailure.UnknownService, '"swift"'));
    assert.throws(
      () => selectService(index, 'magnun'),
      (err: unknown) => {
        failsWith(FatalFailure.UnknownService, 'similar: magnum')(err);
        assert.deepEqual((err as BumpflowError).details?.similar, ['magnum']);
        return true;
      },
    );
    assert.throws(() => selectService(index, 'nova-compute'), failsWith(FatalFailure.UnknownService, 'nova'));
    assert.throws(
      () => selectService(index, 'ghcr.io/vexxhost/swift'),
      failsWith(FatalFailure.UnknownService, 'ghcr.io/vexxhost/swift'),
    );
  });

  void it('an image pinned by tag only (or digest only) → NotPinnedByDigest', () => {
    const index = indexVarsFile(MAIN);
    assert.throws(
      () => selectService(index, 'openvswitch'),
      failsWith(
        FatalFailure.NotPinnedByDigest,
        'openvswitch_vswitchd → ghcr.io/vexxhost/openvswitch:v3.3.6-6',
      ),
    );
    assert.throws(
      () => selectService(index, 'ghcr.io/vexxhost/openvswitch'),
      failsWith(FatalFailure.NotPinnedByDigest, 'tag only'),
    );
    assert.throws(
      () => selectService(index, 'cert_manager'),
      failsWith(
        FatalFailure.NotPinnedByDigest,
        'cert_manager_controller → quay.io/jetstack/cert-manager-controller:v1.15.5',
      ),
    );
    assert.throws(
      () => selectService(index, 'magnum-cluster-api-registry'),
      failsWith(FatalFailure.NotPinnedByDigest, 'magnum_registry'),
    );
    assert.throws(
      () => selectService(index, 'secretgen-controller'),
      failsWith(FatalFailure.NotPinnedByDigest, 'without a tag', 'secretgen_controller'),
    );
  });

  for (const bad of [
    'Magnum',
    'magnum api',
    '',
    '-magnum',
    'magnum;rm',
    'ghcr.io/vexxhost/magnum:main',
    'vexxhost/magnum',
    `ghcr.io/vexxhost/magnum@sha256:${'a'.repeat(64)}`,
  ]) {
    void it(`refuses the service ${JSON.stringify(bad)} with BadInput`, () => {
      assert.throws(
        () => selectService(indexVarsFile(MAIN), bad),
        failsWith(FatalFailure.BadInput, JSON.stringify(bad)),
      );
    });
  }

  void it('refuses an entry naming the image in a form it cannot update (a partial update)', () => {
    const text = MAIN.replace(
      '_atmosphere_images:\n',
      `_atmosphere_images:\n  magnum_odd: "ghcr.io/vexxhost/magnum:main@sha256:${'A'.repeat(64)}"\n`,
    );
    assert.throws(
      () => selectService(indexVarsFile(text), 'magnum'),
      failsWith(FatalFailure.MalformedVarsFile, 'magnum_odd', 'ghcr.io/vexxhost/magnum'),
    );
  });
});

void describe('commonDigest', () => {
  void it('returns the shared tag and digest on every branch', () => {
    for (const file of FILES) {
      const text = fixture(file);
      const expected = pinsByRegex(text, 'ghcr.io/vexxhost/magnum')[0]!.digest;
      assert.deepEqual(commonDigest(selectService(indexVarsFile(text), 'magnum'), file), {
        tag: TAG_OF[file],
        digest: expected,
      });
    }
  });

  void it('InconsistentPins when one entry differs in digest, listing key → tag@digest', () => {
    const text = replaceLine(MAIN, 'magnum_conductor', (l) => l.replace(/sha256:[a-f0-9]{64}/, NEW_DIGEST));
    const selection = selectService(indexVarsFile(text), 'magnum');
    assert.throws(
      () => commonDigest(selection, 'main'),
      (err: unknown) => {
        failsWith(
          FatalFailure.InconsistentPins,
          `magnum_conductor → main@${NEW_DIGEST}`,
          'magnum_api → main@sha256:be30fc62',
          'on main',
        )(err);
        assert.equal(((err as BumpflowError).details?.entries as string[]).length, 4);
        return true;
      },
    );
  });

  void it('InconsistentPins when one entry differs in tag', () => {
    const text = replaceLine(MAIN, 'magnum_db_sync', (l) => l.replace('magnum:main@', 'magnum:2025.1@'));
    assert.throws(
      () => commonDigest(selectService(indexVarsFile(text), 'magnum')),
      failsWith(FatalFailure.InconsistentPins, 'magnum_db_sync → 2025.1@'),
    );
  });

  void it('NotPinnedByDigest for an empty selection', () => {
    assert.throws(
      () => commonDigest({ image: 'ghcr.io/vexxhost/magnum', pins: [] }, 'main'),
      failsWith(FatalFailure.NotPinnedByDigest, 'ghcr.io/vexxhost/magnum'),
    );
  });
});

void describe('replaceDigest', () => {
  function checkReplacement(text: string, service: string, image: string): void {
    const selection = selectService(indexVarsFile(text), service);
    const oldDigest = commonDigest(selection).digest;
    const result = replaceDigest(text, selection, NEW_DIGEST);
    const before = text.split('\n');
    const after = result.text.split('\n');
    assert.equal(after.length, before.length);
    const changed = before.flatMap((l, i) => (l === after[i] ? [] : [i + 1]));
    const expectedLines = pinsByRegex(text, image).map((p) => p.line);
    assert.deepEqual(changed, expectedLines);
    assert.deepEqual(result.changedLines, expectedLines);
    for (const n of changed) assert.equal(after[n - 1], before[n - 1]!.replace(oldDigest, NEW_DIGEST));
    assert.equal(result.text.length, text.length);
    const reread = selectService(indexVarsFile(result.text), service);
    assert.deepEqual(commonDigest(reread), { tag: commonDigest(selection).tag, digest: NEW_DIGEST });
  }

  for (const file of FILES) {
    void it(`${file}: changes exactly the magnum and heat lines`, () => {
      const text = fixture(file);
      checkReplacement(text, 'magnum', 'ghcr.io/vexxhost/magnum');
      checkReplacement(text, 'heat', 'ghcr.io/vexxhost/heat');
    });
  }

  void it('keeps CRLF line endings and every other byte', () => {
    const crlf = MAIN.replace(/\n/g, '\r\n');
    const selection = selectService(indexVarsFile(crlf), 'magnum');
    const result = replaceDigest(crlf, selection, NEW_DIGEST);
    const oldDigest = commonDigest(selection).digest;
    assert.equal(result.text, crlf.split(oldDigest).join(NEW_DIGEST));
    assert.equal((result.text.match(/\r\n/g) ?? []).length, (crlf.match(/\r\n/g) ?? []).length);
  });

  void it('leaves other images and comments that share the old digest alone', () => {
    const magnum = pinsByRegex(MAIN, 'ghcr.io/vexxhost/magnum')[0]!.digest;
    let text = replaceLine(MAIN, 'netoffload', (l) => l.replace(/sha256:[a-f0-9]{64}/, magnum));
    text = text.replace(
      '_atmosphere_images:\n',
      `_atmosphere_images:\n  # was ghcr.io/vexxhost/magnum:main@${magnum}\n`,
    );
    const before = text.split('\n');
    const selection = selectService(indexVarsFile(text), 'magnum');
    const result = replaceDigest(text, selection, NEW_DIGEST);
    const after = result.text.split('\n');
    assert.equal(result.changedLines.length, 4);
    const netoffload = before.findIndex((l) => l.startsWith('  netoffload:'));
    assert.equal(after[netoffload], before[netoffload]);
    assert.ok(after[netoffload]!.includes(magnum));
    const comment = before.findIndex((l) => l.startsWith('  # was'));
    assert.equal(after[comment], before[comment]);
  });

  void it('is a no-op with the current digest', () => {
    const selection = selectService(indexVarsFile(MAIN), 'magnum');
    const result = replaceDigest(MAIN, selection, commonDigest(selection).digest);
    assert.equal(result.text, MAIN);
    assert.deepEqual(result.changedLines, []);
  });

  for (const bad of ['sha256:abc', `sha256:${'A'.repeat(64)}`, 'a'.repeat(64), '']) {
    void it(`refuses the new digest ${JSON.stringify(bad)} with BadInput`, () => {
      const selection = selectService(indexVarsFile(MAIN), 'magnum');
      assert.throws(
        () => replaceDigest(MAIN, selection, bad),
        failsWith(FatalFailure.BadInput, JSON.stringify(bad)),
      );
    });
  }

  void it('throws a plain Error when the selection belongs to another text', () => {
    const selection = selectService(indexVarsFile(MAIN), 'magnum');
    const other = fixture('stable-2025.1.yml');
    assert.throws(
      () => replaceDigest(other, selection, NEW_DIGEST),
      (err: unknown) =>
        err instanceof Error && !(err instanceof BumpflowError) && /another text/.test(err.message),
    );
  });

  void it('throws a plain Error when the selection leaves a pin of the image behind', () => {
    const selection = selectService(indexVarsFile(MAIN), 'magnum');
    const partial = { ...selection, pins: selection.pins.slice(1) };
    assert.throws(
      () => replaceDigest(MAIN, partial, NEW_DIGEST),
      (err: unknown) =>
        err instanceof Error && !(err instanceof BumpflowError) && /replaceDigest/.test(err.message),
    );
  });

  void it('refuses a pin that is not written verbatim (escaped), as it cannot be edited in place', () => {
    const text = replaceLine(MAIN, 'magnum_api', (l) =>
      l.replace('ghcr.io/vexxhost/magnum', 'ghcr.io\\/vexxhost/magnum'),
    );
    const selection = selectService(indexVarsFile(text), 'magnum');
    assert.equal(selection.pins.length, 4, 'the escaped value still reads as a magnum pin');
    assert.throws(
      () => replaceDigest(text, selection, NEW_DIGEST),
      failsWith(FatalFailure.MalformedVarsFile, 'magnum_api', 'verbatim'),
    );
  });
});

describe('one parse per content (issue 21)', () => {
  it('the same text read for another branch or step is the same frozen index; a failure names each path', () => {
    const text = MAIN;
    const first = indexVarsFile(text, 'main:roles/defaults/vars/main.yml');
    const again = indexVarsFile(text, 'stable/2025.1:roles/defaults/vars/main.yml');
    assert.equal(again, first, 'answered from memory');
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.pins) && Object.isFrozen(first.pins[0]!.ref));
    assert.throws(() => (first.pins as unknown[]).push({}), TypeError);
    const changed = indexVarsFile(`${text}\n# another line\n`);
    assert.notEqual(changed, first, 'another content is parsed anew');
    for (const where of ['main:vars.yml', 'stable/2025.1:vars.yml'])
      assert.throws(
        () => indexVarsFile('_atmosphere_images: [', where),
        (err: BumpflowError) => err.type === FatalFailure.MalformedVarsFile && err.message.includes(where),
      );
  });
});
