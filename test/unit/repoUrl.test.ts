import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRepoUrl, redactRepoUrl, repoSlug, sameRepo } from '../../src/lib/kit/repoUrl.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

function refused(pattern: RegExp, secret?: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, got ${String(err)}`);
    assert.equal(err.type, FatalFailure.BadInput);
    assert.match(err.message, pattern);
    assert.match(err.message, /found "/, 'the message shows what was found');
    if (secret !== undefined) {
      assert.ok(!err.message.includes(secret), `the secret is not echoed: ${err.message}`);
      assert.ok(!JSON.stringify(err.details).includes(secret), 'nor is it in the details');
    }
    return true;
  };
}

void describe('parseRepoUrl: accepted forms, normalised once', () => {
  const cases: Array<[string, { url: string; host: string; path: string; key: string }]> = [
    [
      'https://github.com/vexxhost/atmosphere',
      {
        url: 'https://github.com/vexxhost/atmosphere',
        host: 'github.com',
        path: 'vexxhost/atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'https://github.com/vexxhost/atmosphere/',
      {
        url: 'https://github.com/vexxhost/atmosphere',
        host: 'github.com',
        path: 'vexxhost/atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'https://github.com/vexxhost/atmosphere.git',
      {
        url: 'https://github.com/vexxhost/atmosphere',
        host: 'github.com',
        path: 'vexxhost/atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'https://github.com/vexxhost/atmosphere.git///',
      {
        url: 'https://github.com/vexxhost/atmosphere',
        host: 'github.com',
        path: 'vexxhost/atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'HTTPS://GitHub.COM:443/VexxHost/Atmosphere',
      {
        url: 'https://github.com/VexxHost/Atmosphere',
        host: 'github.com',
        path: 'VexxHost/Atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'git@github.com:VexxHost/Atmosphere.git',
      {
        url: 'git@github.com:VexxHost/Atmosphere',
        host: 'github.com',
        path: 'VexxHost/Atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'ssh://git@github.com:22/vexxhost/atmosphere.git',
      {
        url: 'ssh://git@github.com/vexxhost/atmosphere',
        host: 'github.com',
        path: 'vexxhost/atmosphere',
        key: 'github.com/vexxhost/atmosphere',
      },
    ],
    [
      'ssh://gitea.example.com:2222/Team/Repo',
      {
        url: 'ssh://gitea.example.com:2222/Team/Repo',
        host: 'gitea.example.com:2222',
        path: 'Team/Repo',
        key: 'gitea.example.com:2222/Team/Repo',
      },
    ],
    [
      'https://git.example.com:8443/group/sub/repo',
      {
        url: 'https://git.example.com:8443/group/sub/repo',
        host: 'git.example.com:8443',
        path: 'group/sub/repo',
        key: 'git.example.com:8443/group/sub/repo',
      },
    ],
    [
      'https://git.example.com:0443/a/b',
      {
        url: 'https://git.example.com/a/b',
        host: 'git.example.com',
        path: 'a/b',
        key: 'git.example.com/a/b',
      },
    ],
    [
      'deploy@git.example.com:/srv/git/repo.git',
      {
        url: 'deploy@git.example.com:/srv/git/repo',
        host: 'git.example.com',
        path: 'srv/git/repo',
        key: 'git.example.com/srv/git/repo',
      },
    ],
    ['file:///tmp/A', { url: 'file:///tmp/A', host: '', path: 'tmp/A', key: 'file:///tmp/A' }],
    [
      'file://localhost/srv/repos/target.git/',
      {
        url: 'file:///srv/repos/target',
        host: '',
        path: 'srv/repos/target',
        key: 'file:///srv/repos/target',
      },
    ],
    [
      'http://127.0.0.1:8080/o/r.git',
      { url: 'http://127.0.0.1:8080/o/r', host: '127.0.0.1:8080', path: 'o/r', key: '127.0.0.1:8080/o/r' },
    ],
    [
      'http://LOCALHOST:80/o/r',
      { url: 'http://localhost/o/r', host: 'localhost', path: 'o/r', key: 'localhost/o/r' },
    ],
    [
      'https://github.com/o/my_repo-1.2~x+y',
      {
        url: 'https://github.com/o/my_repo-1.2~x+y',
        host: 'github.com',
        path: 'o/my_repo-1.2~x+y',
        key: 'github.com/o/my_repo-1.2~x+y',
      },
    ],
  ];
  for (const [input, expected] of cases) {
    void it(input, () => assert.deepEqual(parseRepoUrl(input), expected));
  }
});

void describe('parseRepoUrl: one key per repository', () => {
  const same: Array<[string, string]> = [
    ['https://github.com/o/atmosphere/', 'https://github.com/o/atmosphere'],
    ['https://github.com/o/atmosphere.git', 'https://github.com/o/atmosphere'],
    ['https://github.com/O/Atmosphere', 'https://github.com/o/atmosphere'],
    ['git@github.com:O/Atmosphere.git', 'https://github.com/o/atmosphere'],
    ['ssh://git@github.com/o/atmosphere', 'https://github.com/o/atmosphere'],
    ['https://GITHUB.com:443/o/atmosphere', 'https://github.com/o/atmosphere'],
  ];
  for (const [a, b] of same) void it(`${a} is ${b}`, () => assert.ok(sameRepo(a, b)));
  const different: Array<[string, string]> = [
    ['file:///tmp/A', 'file:///tmp/a'],
    ['https://git.example.com/Team/Repo', 'https://git.example.com/team/repo'],
    ['https://github.com/o/atmosphere', 'https://github.com/o/atmosphere2'],
    ['https://git.example.com:8443/o/r', 'https://git.example.com/o/r'],
    ['https://github.com/o/r', 'https://gitlab.com/o/r'],
  ];
  for (const [a, b] of different) void it(`${a} is not ${b}`, () => assert.ok(!sameRepo(a, b)));
});

void describe('parseRepoUrl: refused inputs', () => {
  void it('credentials in the URL, without echoing the secret', () => {
    assert.throws(
      () => parseRepoUrl('https://user:SECRET@github.com/o/r'),
      refused(/credential helper/, 'SECRET'),
    );
    assert.throws(
      () => parseRepoUrl('https://user:SECRET@github.com/o/r'),
      refused(/"https:\/\/\*\*\*@github\.com\/o\/r"/),
    );
    assert.throws(
      () => parseRepoUrl('https://ghp_SECRETTOKEN@github.com/o/r'),
      refused(/credential helper/, 'ghp_SECRETTOKEN'),
    );
    assert.throws(
      () => parseRepoUrl('ssh://git:SECRET@github.com/o/r'),
      refused(/credential helper/, 'SECRET'),
    );
    assert.throws(() => parseRepoUrl('git:SECRET@github.com:o/r'), refused(/credential helper/, 'SECRET'));
    assert.throws(
      () => parseRepoUrl('https://user:p@ss:SECRET@github.com/o/r'),
      refused(/credential helper/, 'SECRET'),
    );
    // a credential together with another problem: still never echoed
    assert.throws(
      () => parseRepoUrl('https://x:SECRET@github.com/o/r; touch x'),
      refused(/credential helper/, 'SECRET'),
    );
    assert.throws(() => parseRepoUrl('ftp://x:SECRET@host/y'), refused(/scheme "ftp"/, 'SECRET'));
  });
  void it('whitespace and control characters', () => {
    for (const input of [
      ' https://github.com/o/r',
      'https://github.com/o/r ',
      'https://github.com/o /r',
      'https://github.com/o/r\n',
      'https://github.com/o/\tr',
      'https://github.com/o/r\u0000',
      'https://github.com/o/r\u007f',
    ]) {
      assert.throws(
        () => parseRepoUrl(input),
        refused(/no whitespace or control characters/),
        JSON.stringify(input),
      );
    }
  });
  void it('shell metacharacters', () => {
    for (const c of [
      ';',
      '|',
      '&',
      '$',
      '`',
      '<',
      '>',
      "'",
      '"',
      '\\',
      '(',
      ')',
      '{',
      '}',
      '*',
      '?',
      '!',
      '#',
      '[',
      ']',
    ]) {
      assert.throws(() => parseRepoUrl(`https://github.com/o/r${c}x`), refused(/no shell metacharacters/), c);
    }
    assert.throws(() => parseRepoUrl('https://github.com/o/r;touch x'), refused(/whitespace|metacharacters/));
    assert.throws(
      () => parseRepoUrl('https://github.com/o/$(id)'),
      refused(/no shell metacharacters such as "\$"/),
    );
  });
  void it('other schemes', () => {
    for (const input of [
      'ftp://x/y',
      'git://github.com/o/r',
      'git+ssh://git@github.com/o/r',
      'javascript://x/y',
      'ext::sh',
    ]) {
      assert.throws(() => parseRepoUrl(input), refused(/expected a plain git URL/), input);
    }
    assert.throws(() => parseRepoUrl('ftp://x/y'), refused(/scheme "ftp"/));
  });
  void it('plain http outside loopback', () => {
    assert.throws(() => parseRepoUrl('http://github.com/o/r'), refused(/127\.0\.0\.1 and localhost only/));
    assert.throws(() => parseRepoUrl('http://10.0.0.1/o/r'), refused(/localhost only/));
  });
  void it('empty paths and bad segments', () => {
    for (const input of [
      'https://github.com',
      'https://github.com/',
      'https://github.com/.git',
      'file:///',
      'git@github.com:',
    ]) {
      assert.throws(() => parseRepoUrl(input), refused(/path is empty/), input);
    }
    assert.throws(() => parseRepoUrl('https://git.example.com/a/../b'), refused(/\. or \.\. segments/));
    assert.throws(() => parseRepoUrl('file:///srv/../etc/passwd'), refused(/\. or \.\. segments/));
    assert.throws(() => parseRepoUrl('https://git.example.com/a/./b'), refused(/\. or \.\. segments/));
    assert.throws(() => parseRepoUrl('https://git.example.com//a/b'), refused(/empty segment/));
    assert.throws(() => parseRepoUrl('https://git.example.com/a/%2e%2e/b'), refused(/path segments are/));
    assert.throws(() => parseRepoUrl('https://git.example.com/a/-b'), refused(/may not start with -/));
  });
  void it('GitHub URLs that are not owner/name', () => {
    assert.throws(() => parseRepoUrl('https://github.com/o'), refused(/github\.com\/<owner>\/<repo>/));
    assert.throws(
      () => parseRepoUrl('https://github.com/o/r/tree/main'),
      refused(/github\.com\/<owner>\/<repo>/),
    );
  });
  void it('bad hosts, ports, users and forms', () => {
    assert.throws(() => parseRepoUrl(''), refused(/URL is empty/));
    assert.throws(() => parseRepoUrl('github.com/o/r'), refused(/expected a plain git URL/));
    assert.throws(() => parseRepoUrl('/srv/git/r'), refused(/expected a plain git URL/));
    assert.throws(() => parseRepoUrl('-oProxyCommand=x@h:p'), refused(/expected a plain git URL/));
    assert.throws(() => parseRepoUrl('ssh://-oProxyCommand=x/p'), refused(/host name/));
    assert.throws(() => parseRepoUrl('https://-github.com/o/r'), refused(/host name/));
    assert.throws(() => parseRepoUrl('https://github.com:99999/o/r'), refused(/port from 1 to 65535/));
    assert.throws(() => parseRepoUrl('https://github.com:x/o/r'), refused(/numeric port/));
    assert.throws(() => parseRepoUrl('file://server/share/r'), refused(/names no host/));
  });
});

void describe('redactRepoUrl', () => {
  void it('keeps plain ssh users and hides everything else before @', () => {
    assert.equal(redactRepoUrl('git@github.com:o/r'), 'git@github.com:o/r');
    assert.equal(redactRepoUrl('ssh://git@github.com/o/r'), 'ssh://git@github.com/o/r');
    assert.equal(redactRepoUrl('https://tok@github.com/o/r'), 'https://***@github.com/o/r');
    assert.equal(redactRepoUrl('https://u:p@w@github.com/o/r'), 'https://***@github.com/o/r');
    assert.equal(redactRepoUrl('https://github.com/o/r?access_token=abc'), 'https://github.com/o/r?***');
  });
});

void describe('repoSlug', () => {
  void it('is the path part of a key', () => {
    assert.equal(
      repoSlug(parseRepoUrl('https://github.com/VexxHost/Atmosphere.git/').key),
      'vexxhost/atmosphere',
    );
    assert.equal(repoSlug(parseRepoUrl('git@github.com:vexxhost/atmosphere').key), 'vexxhost/atmosphere');
    assert.equal(repoSlug(parseRepoUrl('https://git.example.com:8443/group/sub/Repo').key), 'group/sub/Repo');
    assert.equal(repoSlug(parseRepoUrl('file:///tmp/A').key), 'tmp/A');
  });
});
