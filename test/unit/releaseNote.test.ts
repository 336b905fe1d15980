import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  draftNoteText,
  isNoteFileName,
  noteFileName,
  parseNote,
  renderNote,
  serviceDisplayName,
  type NoteSection,
} from '../../src/lib/bump/releaseNote.js';
import { parseReason } from '../../src/lib/bump/reason.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';
import { atmosphereDir } from '../../src/sandbox/paths.js';

const notesDir = path.join(atmosphereDir, 'releasenotes');
const HEX = 'f88cf86553123def';

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function badInput(...needles: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, FatalFailure.BadInput);
    for (const n of needles)
      assert.ok(err.message.includes(n), `expected ${JSON.stringify(n)} in: ${err.message}`);
    return true;
  };
}

void describe('the real reno notes', () => {
  const files = readdirSync(notesDir).filter((f) => f.endsWith('.yaml') && f !== 'config.yaml');

  void it('are all there', () => {
    assert.equal(files.length, 5);
  });

  for (const file of files) {
    void it(`${file} parses as one fixes/upgrade entry`, () => {
      const text = readFileSync(path.join(notesDir, file), 'utf8');
      const note = parseNote(text);
      const data = parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(data), [note.section]);
      assert.equal(squash(note.text), squash((data[note.section] as string[])[0]!));
    });
  }

  void it('reads the sections and texts they hold', () => {
    const read = (name: string) => parseNote(readFileSync(path.join(notesDir, name), 'utf8'));
    assert.equal(read('bump-cert-manager-1-15-c84015c603c8b2f3.yaml').section, 'upgrade');
    const older = read('bump-mcapi-75db7cc58ba546d2.yaml');
    assert.equal(older.section, 'fixes');
    assert.match(older.text, /^The Cluster API driver for Magnum has been bumped to 0\.28\.0/);
    assert.match(
      read('bump-magnum-cluster-api-0-36-6-f88cf86553123def.yaml').text,
      /``disableAPIServerFloatingIP``/,
    );
  });

  void it('file names: valid ones, and the hand-written one with g/h is not', () => {
    for (const file of files) {
      assert.equal(
        isNoteFileName(`releasenotes/notes/${file}`),
        file !== 'bump-magnum-cluster-api-036-a1b2c3d4e5f6g7h8.yaml',
        file,
      );
    }
  });

  void it('renderNote re-renders each of them to the same content', () => {
    for (const file of files) {
      const note = parseNote(readFileSync(path.join(notesDir, file), 'utf8'));
      const again = parseNote(renderNote(note.section, note.text));
      assert.equal(again.section, note.section);
      assert.equal(squash(again.text), squash(note.text));
    }
  });
});

void describe('noteFileName and isNoteFileName', () => {
  void it('releasenotes/notes/bump-<service>-<slug>-<16 hex>.yaml', () => {
    const name = noteFileName('magnum', 'magnum-cluster-api 0.36.5', HEX);
    assert.equal(name, `releasenotes/notes/bump-magnum-magnum-cluster-api-0-36-5-${HEX}.yaml`);
    assert.ok(isNoteFileName(name));
    assert.equal(noteFileName('nova', '', HEX), `releasenotes/notes/bump-nova-${HEX}.yaml`);
    assert.equal(
      noteFileName('nova', '  --Fix: PR #123!! ', HEX),
      `releasenotes/notes/bump-nova-fix-pr-123-${HEX}.yaml`,
    );
  });

  void it('caps the slug at 40 characters, never ending in a dash', () => {
    const name = noteFileName(
      'heat',
      'a very long description of what this bump brings in, far too long',
      HEX,
    );
    const slug = path
      .basename(name)
      .replace(`-${HEX}.yaml`, '')
      .replace(/^bump-heat-/, '');
    assert.ok(slug.length <= 40, slug);
    assert.ok(!slug.endsWith('-'));
    assert.ok(isNoteFileName(name));
  });

  for (const bad of ['F88CF86553123DEF', 'f88cf86553123de', 'f88cf86553123def0', 'a1b2c3d4e5f6g7h8', '']) {
    void it(`refuses the id ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => noteFileName('magnum', 'x', bad),
        badInput('16 lowercase hex', JSON.stringify(bad)),
      );
    });
  }

  void it('refuses a service without letters or digits', () => {
    assert.throws(() => noteFileName('--', 'x', HEX), badInput('"--"'));
  });

  for (const [name, valid] of [
    [`releasenotes/notes/bump-libvirt-tls-sidecar-v1.0.2-54ce75437b5c7222.yaml`, true],
    [`bump-x-${HEX}.yaml`, true],
    [`bump-x-${HEX}.yml`, false],
    [`bump-x-${HEX.toUpperCase()}.yaml`, false],
    [`bump-x${HEX}.yaml`, false],
    [`${HEX}.yaml`, false],
    [`bump-x-${HEX.slice(1)}.yaml`, false],
    [`-${HEX}.yaml`, false],
  ] as const) {
    void it(`isNoteFileName(${JSON.stringify(name)}) is ${valid}`, () => {
      assert.equal(isNoteFileName(name), valid);
    });
  }
});

void describe('renderNote', () => {
  void it('renders the reno layout', () => {
    assert.equal(
      renderNote('fixes', 'The Magnum container image now includes a fix.'),
      '---\nfixes:\n  - |\n    The Magnum container image now includes a fix.\n',
    );
  });

  const texts: Array<[NoteSection, string]> = [
    [
      'fixes',
      'The Magnum container image now includes the Cluster API driver for Magnum version 0.36.6, which preserves ``disableAPIServerFloatingIP`` during cluster upgrades and fixes file descriptor leaks in the Rust components.',
    ],
    ['upgrade', 'Short.'],
    [
      'fixes',
      'Text with: colons, # hashes, "quotes", \'single\', {braces}, [brackets], & ampersands, * stars, ---, ... and a very-long-word-that-cannot-be-broken-anywhere-because-it-is-one-token-only-of-more-than-seventy-two-characters.',
    ],
    [
      'fixes',
      'First paragraph that is long enough to need wrapping because it goes on and on and on past the width.\n\nSecond paragraph.',
    ],
    [
      'upgrade',
      'Changes:\n\n- a list item that is long enough to wrap past the seventy-two column limit of the note\n- another item',
    ],
    ['fixes', '    indented first line\n    and the second line'],
    ['fixes', '- starts with a dash\n'],
  ];
  for (const [section, text] of texts) {
    void it(`round-trips through the YAML parser: ${JSON.stringify(text.slice(0, 40))}`, () => {
      const out = renderNote(section, text);
      assert.ok(out.startsWith(`---\n${section}:\n  - |\n`));
      assert.ok(out.endsWith('\n') && !out.endsWith('\n\n'));
      const data = parse(out) as Record<string, unknown>;
      assert.deepEqual(Object.keys(data), [section]);
      const items = data[section] as string[];
      assert.equal(items.length, 1);
      assert.equal(squash(items[0]!), squash(text));
      for (const line of out.split('\n')) {
        if (!line.includes('very-long-word'))
          assert.ok(line.length <= 72, `line within 72 columns: ${JSON.stringify(line)}`);
      }
      assert.deepEqual(parseNote(out), { section, text: items[0]!.replace(/\n+$/, '') });
    });
  }

  void it('keeps paragraphs and list items on their own lines', () => {
    const out = renderNote('upgrade', texts[4]![1]);
    const items = (parse(out) as { upgrade: string[] }).upgrade[0]!;
    assert.match(items, /^Changes:\n\n- a list item/);
    assert.match(items, /\n {2}\S/, 'a wrapped list item continues under its text');
    assert.match(items, /\n- another item\n$/);
  });

  for (const [text, needle] of [
    ['', 'empty'],
    ['   \n  ', 'empty'],
    ['has\ta tab', 'tab'],
    ['bell\u0007', 'printable'],
  ] as const) {
    void it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => renderNote('fixes', text), badInput(needle));
    });
  }

  void it('refuses a section reno would not file under fixes or upgrade', () => {
    assert.throws(() => renderNote('features' as NoteSection, 'x'), badInput('"features"'));
  });
});

void describe('draftNoteText', () => {
  const image = 'ghcr.io/vexxhost/magnum';

  void it('without a reason', () => {
    assert.equal(
      draftNoteText({ service: 'magnum', image }),
      'The Magnum container image has been updated to the latest build of its release branch.',
    );
  });

  void it('with a dependency or release reason, naming known packages in prose', () => {
    assert.equal(
      draftNoteText({
        service: 'magnum',
        image,
        reason: parseReason('magnum-cluster-api==0.36.5'),
        section: 'fixes',
      }),
      'The Magnum container image now includes the Cluster API driver for Magnum version 0.36.5.',
    );
    assert.equal(
      draftNoteText({
        service: 'magnum',
        image,
        reason: parseReason('https://github.com/vexxhost/magnum-cluster-api/releases/tag/v0.36.6'),
      }),
      'The Magnum container image now includes the Cluster API driver for Magnum version 0.36.6.',
    );
    assert.equal(
      draftNoteText({
        service: 'nova',
        image: 'ghcr.io/vexxhost/nova',
        reason: parseReason('os-vif==4.0.1'),
      }),
      'The Nova container image now includes ``os-vif`` version 4.0.1.',
    );
  });

  void it('with a commit or a pull request', () => {
    assert.equal(
      draftNoteText({ service: 'magnum', image, reason: parseReason('abc1234') }),
      'The Magnum container image now includes the fix from commit ``abc1234`` of its source repository.',
    );
    assert.equal(
      draftNoteText({ service: 'magnum', image, reason: parseReason('#123') }),
      'The Magnum container image now includes the fix from pull request #123 of its source repository.',
    );
    assert.equal(
      draftNoteText({
        service: 'magnum',
        image,
        reason: parseReason('https://github.com/vexxhost/docker-magnum/pull/9'),
      }),
      'The Magnum container image now includes the fix from pull request #9 of vexxhost/docker-magnum.',
    );
  });

  void it('capitalises service names, with acronyms', () => {
    assert.equal(serviceDisplayName('magnum'), 'Magnum');
    assert.equal(serviceDisplayName('ovn-bgp-agent'), 'OVN BGP Agent');
    assert.equal(serviceDisplayName('ghcr.io/vexxhost/nova-ssh'), 'Nova SSH');
    assert.equal(serviceDisplayName('python-openstackclient'), 'Python OpenStack client');
  });

  void it('is never empty and has no vague phrases, and renders as a note', () => {
    for (const reason of [undefined, '1234', 'abcdef1', 'a==1', 'https://github.com/a/b/releases/tag/v1']) {
      const text = draftNoteText({
        service: '',
        image: 'ghcr.io/vexxhost/heat',
        reason: reason === undefined ? undefined : parseReason(reason),
      });
      assert.match(text, /^The Heat container image /);
      assert.doesNotMatch(text, /several|various|key fixes|some fixes/i);
      assert.equal(squash(parseNote(renderNote('fixes', text)).text), text);
    }
  });
});

void describe('parseNote refuses what is not one fixes/upgrade entry', () => {
  for (const [text, needle] of [
    ['fixes: [', 'syntax error'],
    ['', 'mapping'],
    ['- a\n', 'a list'],
    ['features:\n  - x\n', '"features"'],
    ['fixes:\n  - a\nupgrade:\n  - b\n', '"fixes", "upgrade"'],
    ['fixes: 42\n', 'list of strings'],
    ['fixes:\n  - 42\n', 'list of strings'],
    ['fixes:\n  - a: b\n', 'list of strings'],
    ['fixes:\n  - one\n  - two\n', 'exactly one entry'],
    ['fixes: []\n', 'exactly one entry'],
    ['fixes:\n  - "has\\ta tab"\n', 'tab'],
  ] as const) {
    void it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseNote(text), badInput(needle));
    });
  }

  void it('accepts a single string, as reno does', () => {
    assert.deepEqual(parseNote('upgrade: The image was updated.\n'), {
      section: 'upgrade',
      text: 'The image was updated.',
    });
  });
});

/** reno on PATH, if installed (it is in the dev container: /usr/bin/reno). */
const renoBin = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => dir !== '')
  .map((dir) => path.join(dir, 'reno'))
  .find((candidate) => existsSync(candidate));

if (renoBin !== undefined) {
  void describe('reno itself', () => {
    void it('reno lint accepts a rendered note laid out as reno would, and rejects a broken one', () => {
      const repo = mkdtempSync(path.join(tmpdir(), 'bumpflow-reno-'));
      try {
        const git = (...args: string[]) =>
          execFileSync(
            'git',
            ['-c', 'user.name=bumpflow', '-c', 'user.email=bumpflow@example.invalid', ...args],
            {
              cwd: repo,
              stdio: 'pipe',
            },
          );
        git('init', '-q', '-b', 'main');
        mkdirSync(path.join(repo, 'releasenotes', 'notes'), { recursive: true });
        copyFileSync(path.join(notesDir, 'config.yaml'), path.join(repo, 'releasenotes', 'config.yaml'));
        const file = noteFileName('magnum', 'magnum-cluster-api 0.36.5', '0123456789abcdef');
        assert.ok(isNoteFileName(file), file);
        const note = renderNote(
          'fixes',
          draftNoteText({
            service: 'magnum',
            image: 'ghcr.io/vexxhost/magnum',
            reason: parseReason('magnum-cluster-api==0.36.5'),
          }) +
            ' It preserves ``disableAPIServerFloatingIP`` during cluster upgrades and fixes file descriptor leaks.',
        );
        writeFileSync(path.join(repo, file), note);
        git('add', '-A');
        git('commit', '-q', '-m', 'add note');
        const good = spawnSync(renoBin, ['lint'], { cwd: repo, encoding: 'utf8' });
        assert.equal(good.status, 0, `reno lint failed on:\n${note}\n${good.stdout}\n${good.stderr}`);
        assert.match(good.stderr + good.stdout, /0123456789abcdef/, 'reno scanned the note');

        // The same check fails on a note that is not valid YAML: the test can fail.
        writeFileSync(
          path.join(repo, 'releasenotes', 'notes', 'broken-0123456789abcdee.yaml'),
          'fixes: [1\n',
        );
        git('add', '-A');
        git('commit', '-q', '-m', 'add broken note');
        const bad = spawnSync(renoBin, ['lint'], { cwd: repo, encoding: 'utf8' });
        assert.notEqual(bad.status, 0, 'reno lint accepted a broken note');
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    });
  });
}
