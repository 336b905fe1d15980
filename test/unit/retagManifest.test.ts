import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRetagManifest, retagKey } from '../../src/lib/retag/retagManifest.js';
import { BumpflowError, FatalFailure, type FatalFailureType } from '../../src/shared/failures.js';
import { fixturesDir } from '../../src/sandbox/paths.js';

const FILES = ['image-tags-3.0-2020.yaml', 'image-tags-4.0-2020.yaml', 'image-tags-trixie.yaml'];
const read = (name: string) => readFileSync(path.join(fixturesDir, 'starlingx', name), 'utf8');
const TRIXIE = read('image-tags-trixie.yaml');
const FOUR = read('image-tags-4.0-2020.yaml');
const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Independent of the parser: `  - name: <image>` lines (a `#- name:` line is a comment), with their line numbers. */
function namesByRegex(text: string): { name: string; line: number }[] {
  return text.split('\n').flatMap((l, i) => {
    const m = /^ {2}- name: (\S+)$/.exec(l);
    return m ? [{ name: m[1]!, line: i + 1 }] : [];
  });
}

function expectFailure(
  fn: () => unknown,
  want: {
    type?: FatalFailureType;
    index?: number;
    line?: number;
    key?: string;
    includes?: string[];
    excludes?: string[];
  },
): BumpflowError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BumpflowError, `expected a BumpflowError, got ${String(caught)}`);
  assert.equal(caught.type, want.type ?? FatalFailure.MalformedManifest, caught.message);
  if (want.index !== undefined) {
    assert.equal(caught.details?.index, want.index, caught.message);
    assert.match(caught.message, new RegExp(`images\\[${want.index}\\]`));
  }
  if (want.line !== undefined) {
    assert.equal(caught.details?.line, want.line, caught.message);
    assert.match(caught.message, new RegExp(`line ${want.line}\\b`));
  }
  if (want.key !== undefined) assert.equal(caught.details?.key, want.key, caught.message);
  for (const s of want.includes ?? [])
    assert.ok(caught.message.includes(s), `${JSON.stringify(s)} not in: ${caught.message}`);
  for (const s of want.excludes ?? [])
    assert.ok(
      !caught.message.includes(s) && !JSON.stringify(caught.details).includes(s),
      `${s} leaked: ${caught.message}`,
    );
  return caught;
}

/** Replaces the one line equal to `from` (must occur once) in `text`. */
function edit(text: string, from: string, to: string | null): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l === from);
  assert.ok(at >= 0 && lines.lastIndexOf(from) === at, `line ${JSON.stringify(from)} once in the fixture`);
  if (to === null) lines.splice(at, 1);
  else lines[at] = to;
  return lines.join('\n');
}
const lineOf = (text: string, exact: string) => text.split('\n').indexOf(exact) + 1;

void describe('parseRetagManifest: the three real StarlingX manifests', () => {
  for (const file of FILES) {
    void it(`${file}: one entry per "- name:" line, at its line, fields as written`, () => {
      const text = read(file);
      const expected = namesByRegex(text);
      const { entries, repeated } = parseRetagManifest(text, { path: file });
      assert.deepEqual(
        entries.map((e) => ({ name: e.name, line: e.line })),
        expected,
      );
      assert.deepEqual(repeated, []);
      for (const e of entries) {
        const block = text
          .split('\n')
          .slice(e.line - 1, e.line + 4)
          .join('\n');
        assert.ok(block.includes(`src_build_tag: ${e.srcBuildTag}\n`), block);
        assert.ok(block.includes(`tag: ${e.tag}`), block);
        assert.ok(block.includes(`src_ref: ${e.srcRef}\n`), block);
        assert.equal(e.upstreamCommit, /\/commit\/([0-9a-f]{40})$/.exec(e.srcRef ?? '')?.[1]);
        assert.equal(e.image, e.name);
        assert.equal(`${e.registry}/${e.repository}`, e.name);
      }
    });
  }

  void it('counts 7, 9 and 20 entries; the commented-out template entry of trixie is not one', () => {
    assert.deepEqual(
      FILES.map((f) => parseRetagManifest(read(f)).entries.length),
      [7, 9, 20],
    );
    assert.ok(TRIXIE.includes('#- name: docker.io/starlingx/IMAGE'));
    const trixie = parseRetagManifest(TRIXIE).entries;
    assert.ok(
      !trixie.some(
        (e) =>
          e.name.includes('IMAGE') ||
          (e.tag === 'stx.13.0-v1.0.0-trixie' && e.srcBuildTag.includes('TIMESTAMP')),
      ),
    );
    assert.equal(trixie[0]?.name, 'docker.io/starlingx/stx-platformclients');
    assert.equal(trixie[0]?.line, lineOf(TRIXIE, '  - name: docker.io/starlingx/stx-platformclients'));
  });

  void it('4.0: several images share one tag, each is its own target', () => {
    const entries = parseRetagManifest(FOUR).entries;
    const shared = entries.filter((e) => e.tag === 'stx.4.0-v0.11.0-103-g4f28657');
    assert.equal(shared.length, 4);
    assert.equal(new Set(shared.map(retagKey)).size, 4);
  });

  void it('a mirror maps the registry prefix (whole components, the longest first), the name stays', () => {
    const { entries } = parseRetagManifest(FOUR, {
      mirror: {
        'docker.io/starlingx': '127.0.0.1:5000/stx',
        'docker.io/starlingx/dex': '127.0.0.1:5000/other/dex',
      },
    });
    const dex = entries.find((e) => e.name === 'docker.io/starlingx/dex');
    assert.deepEqual(
      { registry: dex?.registry, repository: dex?.repository, image: dex?.image },
      { registry: '127.0.0.1:5000', repository: 'other/dex', image: '127.0.0.1:5000/other/dex' },
    );
    const sriov = entries.find((e) => e.name === 'docker.io/starlingx/k8s-cni-sriov');
    assert.equal(sriov?.image, '127.0.0.1:5000/stx/k8s-cni-sriov');
    assert.equal(retagKey(sriov!), '127.0.0.1:5000/stx/k8s-cni-sriov:stx.4.0-v2.2');
    const untouched = parseRetagManifest(FOUR, {
      mirror: { 'docker.io/starling': '127.0.0.1:5000/x' },
    }).entries;
    assert.ok(
      untouched.every((e) => e.image === e.name),
      'a prefix matches whole path components only',
    );
  });

  void it('a mirror with credentials or without a namespace is BadInput, not shown', () => {
    expectFailure(
      () => parseRetagManifest(FOUR, { mirror: { 'docker.io/starlingx': 'u:s3cret@127.0.0.1:5000/x' } }),
      {
        type: FatalFailure.BadInput,
        excludes: ['s3cret'],
      },
    );
    expectFailure(() => parseRetagManifest(FOUR, { mirror: { 'docker.io': '127.0.0.1:5000' } }), {
      type: FatalFailure.BadInput,
      includes: ['registry/namespace'],
    });
  });

  void it('reads scalars as written: tag 1.0 stays "1.0"; an empty list is no entries', () => {
    const text = 'images:\n  - name: docker.io/starlingx/dex\n    src_build_tag: 2020\n    tag: 1.0\n';
    assert.deepEqual(
      parseRetagManifest(text).entries.map((e) => [e.srcBuildTag, e.tag, e.srcRef]),
      [['2020', '1.0', undefined]],
    );
    assert.deepEqual(parseRetagManifest('---\nimages:\n  #- name: docker.io/starlingx/IMAGE\n').entries, []);
  });
});

void describe('parseRetagManifest: every bad manifest is MalformedManifest naming the entry and its line', () => {
  const dexLine = lineOf(FOUR, '  - name: docker.io/starlingx/dex');
  const tagLine = lineOf(FOUR, '    tag: stx.4.0-v2.14.0-1');

  void it('malformed YAML: the line of the syntax error', () => {
    const text = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', '    tag: "stx.4.0-v2.14.0-1');
    expectFailure(() => parseRetagManifest(text, { path: 'image-tags-4.0.yaml' }), {
      includes: ['image-tags-4.0.yaml', 'expected valid YAML'],
    });
    const dup = edit(
      FOUR,
      '    tag: stx.4.0-v2.14.0-1',
      '    tag: stx.4.0-v2.14.0-1\n    tag: stx.4.0-v2.14.0-2',
    );
    expectFailure(() => parseRetagManifest(dup), { line: tagLine + 1, includes: ['unique'] });
  });

  void it('no images list, images not a list, an entry that is not a mapping', () => {
    expectFailure(() => parseRetagManifest('# nothing\n'), { includes: ['empty document'] });
    expectFailure(() => parseRetagManifest('tags: []\n'), { includes: ['top-level key images'] });
    expectFailure(() => parseRetagManifest('images: docker.io/starlingx/dex\n'), {
      line: 1,
      includes: ['a list'],
    });
    expectFailure(() => parseRetagManifest('images:\n  - docker.io/starlingx/dex\n'), { index: 0, line: 2 });
  });

  void it('a missing key, an empty value, an unknown key', () => {
    const noTag = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', null);
    expectFailure(() => parseRetagManifest(noTag), {
      index: 8,
      line: dexLine,
      includes: ['docker.io/starlingx/dex', 'the key tag'],
    });
    const empty = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', '    tag:');
    expectFailure(() => parseRetagManifest(empty), {
      index: 8,
      line: tagLine,
      key: 'tag',
      includes: ['empty value'],
    });
    const typo = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', '    tags: stx.4.0-v2.14.0-1');
    expectFailure(() => parseRetagManifest(typo), {
      index: 8,
      line: tagLine,
      key: 'tags',
      includes: ['tags'],
    });
    const nested = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', '    tag: [a, b]');
    expectFailure(() => parseRetagManifest(nested), { index: 8, line: tagLine, includes: ['a list'] });
  });

  void it('a tag or src_build_tag that is not a valid tag', () => {
    for (const bad of ['stx 4.0', '-stx.4.0', `x${'y'.repeat(128)}`, 'stx/4.0']) {
      const text = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', `    tag: ${bad}`);
      expectFailure(() => parseRetagManifest(text), { index: 8, line: tagLine, key: 'tag', includes: [bad] });
    }
    const srcLine = '    src_build_tag: master-centos-stable-20200204T162546Z.0';
    const at = FOUR.split('\n').lastIndexOf(srcLine) + 1;
    const lines = FOUR.split('\n');
    lines[at - 1] = '    src_build_tag: master:latest';
    expectFailure(() => parseRetagManifest(lines.join('\n')), {
      index: 8,
      line: at,
      key: 'src_build_tag',
      includes: ['src_build_tag', 'master:latest'],
    });
  });

  void it('a digest where a tag is expected, in tag, src_build_tag or name', () => {
    const tag = edit(FOUR, '    tag: stx.4.0-v2.14.0-1', `    tag: ${DIGEST}`);
    expectFailure(() => parseRetagManifest(tag), { index: 8, line: tagLine, includes: ['a digest'] });
    const name = edit(
      FOUR,
      '  - name: docker.io/starlingx/dex',
      `  - name: docker.io/starlingx/dex@${DIGEST}`,
    );
    expectFailure(() => parseRetagManifest(name), {
      index: 8,
      line: dexLine,
      key: 'name',
      includes: ['without a digest'],
    });
    const tagged = edit(
      FOUR,
      '  - name: docker.io/starlingx/dex',
      '  - name: docker.io/starlingx/dex:latest',
    );
    expectFailure(() => parseRetagManifest(tagged), { index: 8, line: dexLine, includes: ['without a tag'] });
  });

  void it('credentials in the name or in src_ref: refused, never shown', () => {
    const name = edit(
      FOUR,
      '  - name: docker.io/starlingx/dex',
      '  - name: robot:hunter2@docker.io/starlingx/dex',
    );
    expectFailure(() => parseRetagManifest(name), {
      index: 8,
      line: dexLine,
      includes: ['credentials', '***@docker.io/starlingx/dex'],
      excludes: ['hunter2', 'robot'],
    });
    const refLine =
      '    src_ref: https://opendev.org/starlingx/oidc-auth-armada-app/commit/5d6701bdf214e77f460f2e3dd2b6f7d3186830c8';
    const ref = edit(FOUR, refLine, refLine.replace('https://', 'https://bot:ghp_token123@'));
    expectFailure(() => parseRetagManifest(ref), {
      index: 8,
      line: lineOf(FOUR, refLine),
      key: 'src_ref',
      includes: ['credentials'],
      excludes: ['ghp_token123', 'bot:'],
    });
    const notUrl = edit(FOUR, refLine, '    src_ref: opendev/5d6701b');
    expectFailure(() => parseRetagManifest(notUrl), { index: 8, key: 'src_ref', includes: ['http(s) URL'] });
  });

  void it('the same image and tag twice from different sources; an exact repeat is listed once', () => {
    const again = (src: string) =>
      `${FOUR.trimEnd()}\n  - name: docker.io/starlingx/dex\n    src_build_tag: ${src}\n    tag: stx.4.0-v2.14.0-1\n`;
    const lastLine = FOUR.trimEnd().split('\n').length + 1;
    expectFailure(() => parseRetagManifest(again('master-centos-stable-20200301T000000Z.0')), {
      index: 9,
      key: 'tag',
      includes: [
        `images[8] (line ${dexLine})`,
        'master-centos-stable-20200204T162546Z.0',
        'master-centos-stable-20200301T000000Z.0',
      ],
    });
    const same = parseRetagManifest(again('master-centos-stable-20200204T162546Z.0'));
    assert.equal(same.entries.length, 9);
    assert.deepEqual(same.repeated, [{ index: 9, line: lastLine, sameAs: 8 }]);
  });
});
