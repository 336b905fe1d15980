/**
 * signedOffMessage against the real git: every message goes through `git stripspace` and
 * `git interpret-trailers` (the pipeline the push used to run) and through `git commit -s -m`, with a
 * configuration-free git (empty HOME, no system config), and must come out byte for byte the same.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { signedOffMessage, stripSpace } from '../../src/lib/kit/commitMessage.js';

const AUTHOR = { name: 'Release Bot', email: 'bot@example.test' };
const SIGN_OFF = `Signed-off-by: ${AUTHOR.name} <${AUTHOR.email}>`;

let home = '';
let repo = '';

async function git(args: string[], input?: string): Promise<string> {
  const result = await execa('git', args, {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
    },
    extendEnv: false,
    stripFinalNewline: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
  });
  return result.stdout;
}

/** What the push used to compute with two git processes. */
async function gitPipeline(message: string): Promise<string> {
  const cleaned = await git(['stripspace'], message);
  if (cleaned.trim() === '') return '';
  return git(
    [
      'interpret-trailers',
      '--no-divider',
      '--where',
      'end',
      '--if-exists',
      'addIfDifferentNeighbor',
      '--if-missing',
      'add',
      '--trailer',
      SIGN_OFF,
    ],
    cleaned,
  );
}

/** The message `git commit -s -m` stores. */
async function gitCommit(message: string): Promise<string> {
  await git(['commit', '--quiet', '--allow-empty', '--no-gpg-sign', '-s', '-m', message]);
  const raw = await git(['cat-file', 'commit', 'HEAD']);
  return raw.slice(raw.indexOf('\n\n') + 2);
}

const CURATED = [
  'chore(magnum): bump magnum image',
  'fix(magnum): bump\n\nBody line one.   \nBody line two.\n\n\n',
  '\n\n  \nleading blank lines\n',
  'trailing spaces and tabs \t \n\nbody\t\n',
  'crlf title\r\n\r\nbody line\r\nsecond\r\n',
  'a\n\n\n\n\nruns of blank lines\n\n\n\nend',
  'only a title with no newline',
  'Fixes: #12',
  'Signed-off-by: Release Bot <bot@example.test>',
  `fix: x\n\n${SIGN_OFF}`,
  `fix: x\n\n${SIGN_OFF}\n`,
  `fix: x\n\nsigned-off-by: release bot <BOT@example.test>`,
  `fix: x\n\n${SIGN_OFF}\nCo-authored-by: Someone <s@example.test>`,
  'fix: x\n\nCo-authored-by: Someone <someone@example.test>',
  `fix: x\n\nSigned-off-by: Someone Else <else@example.test>`,
  'fix(magnum): bump\n\nText before\n---\nFixes: #12',
  'fix: x\n\nKey:value\nOther-Key :  spaced value  \nEmpty:',
  'fix: x\n\nKey: value\n  continued value\n\tand a tab',
  'fix: x\n\nNot a trailer line\nKey: value',
  'fix: x\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)',
  'fix: x\n\nsome text\nmore text\nSigned-off-by: A <a@example.test>',
  'fix: x\n\nsome text\nmore text\nmore\nmore\nSigned-off-by: A <a@example.test>',
  'fix: x\n\n# a comment\n',
  '# a comment first\n\ntitle\n\nbody',
  'fix: x\n\nKey: value\n# comment inside\nOther: v',
  'fix: x\n\nKey: value\n\n# trailing comment\n# another',
  'fix: x\n\nConflicts:\n\tsrc/a.ts\n',
  'fix: x\n\nKey: v\n# ------------------------ >8 ------------------------\nbelow: the cut',
  '# ------------------------ >8 ------------------------\nall cut',
  'fix: x\n\nTok en: not a token\nS: short token',
  'fix: x\n\nSigned: Release Bot <bot@example.test>',
  'fix: x\n\n-: dash token',
  'fix: x\n\nhttp://example.test/not-a-trailer',
  'fix: x\n\nKey=value\nKey2 = value',
  'fix: x\n\n  indented: line\nKey: v',
  'fix: x\n\nKey: v\n\nKey2: v2',
  'title\nsecond title line\nKey: v\n\nbody\n\nKey: v',
  'café: ünïcödé value\n\nClé: valeur\nKey: wert ä',
  'fix: x\n\nKey: v\r\nOther: w\r\n',
  'fix: x\n\n   \n\t\nKey: v',
  'fix: x\n\nKey:\tvalue with tab',
];

const PIECES = [
  'title',
  'fix(magnum): bump',
  '',
  '',
  '   ',
  'body text',
  'Key: value',
  'Co-authored-by: X <x@example.test>',
  SIGN_OFF,
  'Signed-off-by: Other <o@example.test>',
  '# comment',
  '  continuation',
  '\tcontinued',
  '(cherry picked from commit abc)',
  'Conflicts:',
  '\tpath/a',
  'Bad Token: x',
  'Empty:',
  'trailing  ',
  'x\r',
  '---',
];

/** A fixed pseudo-random sequence (a linear congruential generator), so every run tests the same messages. */
function generated(count: number): string[] {
  let seed = 20250601;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const messages: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const lines = Array.from({ length: 1 + next(7) }, () => PIECES[next(PIECES.length)] ?? '');
    messages.push(lines.join('\n') + (next(2) === 0 ? '\n' : ''));
  }
  return messages;
}

before(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'bumpflow-msg-home-'));
  repo = await mkdtemp(path.join(tmpdir(), 'bumpflow-msg-repo-'));
  await git(['-c', 'init.defaultBranch=main', 'init', '--quiet', repo]);
});

after(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(repo, { recursive: true, force: true });
});

void describe('stripSpace', () => {
  test('matches git stripspace, comments kept', async () => {
    for (const message of [...CURATED, ...generated(60)]) {
      assert.equal(stripSpace(message), await git(['stripspace'], message), JSON.stringify(message));
    }
  });

  test('an empty or blank message cleans up to nothing', () => {
    for (const message of ['', '\n', '  \n\t\r\n', '\r\n\r\n']) {
      assert.equal(stripSpace(message), '');
      assert.equal(signedOffMessage(message, AUTHOR), '');
    }
  });
});

void describe('signedOffMessage', () => {
  test('matches git stripspace | git interpret-trailers over curated messages', async () => {
    for (const message of CURATED) {
      assert.equal(signedOffMessage(message, AUTHOR), await gitPipeline(message), JSON.stringify(message));
    }
  });

  test('matches the same pipeline over 200 generated messages', async () => {
    for (const message of generated(200)) {
      assert.equal(signedOffMessage(message, AUTHOR), await gitPipeline(message), JSON.stringify(message));
    }
  });

  test('adds one sign-off, none when the last trailer already is it', () => {
    assert.equal(signedOffMessage('fix: x', AUTHOR), `fix: x\n\n${SIGN_OFF}\n`);
    assert.equal(signedOffMessage(`fix: x\n\n${SIGN_OFF}`, AUTHOR), `fix: x\n\n${SIGN_OFF}\n`);
    assert.equal(
      signedOffMessage(`fix: x\n\n${SIGN_OFF}\nAcked-by: Y <y@example.test>`, AUTHOR),
      `fix: x\n\n${SIGN_OFF}\nAcked-by: Y <y@example.test>\n${SIGN_OFF}\n`,
    );
  });

  test('is what git commit -s -m stores for the messages bumpflow writes', async () => {
    const messages = [
      'chore(magnum): bump magnum image',
      'fix(magnum): bump magnum image to include the Cluster API driver 0.36.6\n\nRefreshes every ghcr.io/vexxhost/magnum pin.',
      'fix(magnum): bump\n\nBody line one.   \nBody line two.\n\n\n',
      'fix(magnum): bump\n\nCo-authored-by: Someone <someone@example.test>',
      `fix(magnum): bump\n\n${SIGN_OFF}`,
      'fix(magnum): bump\n\nText before\n---\nFixes: #12',
      'crlf title\r\n\r\nbody line\r\n',
      'fix: x\n\n# a comment kept by -m\n',
      'Fixes: #12',
    ];
    for (const message of messages) {
      assert.equal(signedOffMessage(message, AUTHOR), await gitCommit(message), JSON.stringify(message));
    }
  });
});
