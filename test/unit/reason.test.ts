import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEPENDENCY_FILES,
  dependencyPinned,
  normaliseDependencyName,
  parseReason,
} from '../../src/lib/bump/reason.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

void describe('parseReason', () => {
  void it('a commit SHA, abbreviated or full, lowercased', () => {
    assert.deepEqual(parseReason('abc1234'), { kind: 'commit', sha: 'abc1234', raw: 'abc1234' });
    assert.deepEqual(parseReason(' C7D3A5E3B2C6898D530FF3A91362D1D987215930 '), {
      kind: 'commit',
      sha: 'c7d3a5e3b2c6898d530ff3a91362d1d987215930',
      raw: 'C7D3A5E3B2C6898D530FF3A91362D1D987215930',
    });
    const digits40 = '1234567890'.repeat(4);
    assert.deepEqual(
      parseReason(digits40),
      { kind: 'commit', sha: digits40, raw: digits40 },
      '40 digits: a full SHA',
    );
  });

  void it('a commit URL keeps its repository', () => {
    assert.deepEqual(parseReason('https://github.com/vexxhost/docker-magnum/commit/ABCDEF1234567'), {
      kind: 'commit',
      sha: 'abcdef1234567',
      owner: 'vexxhost',
      repo: 'docker-magnum',
      raw: 'https://github.com/vexxhost/docker-magnum/commit/ABCDEF1234567',
    });
  });

  void it('a pull request: 123, #123 or its URL', () => {
    assert.deepEqual(parseReason('123'), { kind: 'pull-request', number: 123, raw: '123' });
    assert.deepEqual(parseReason('#4567890'), { kind: 'pull-request', number: 4567890, raw: '#4567890' });
    // a bare number is a pull request even at 7+ digits (no letter a-f, not 40 long)
    assert.deepEqual(parseReason('1234567'), { kind: 'pull-request', number: 1234567, raw: '1234567' });
    assert.deepEqual(parseReason('123456789'), { kind: 'pull-request', number: 123456789, raw: '123456789' });
    assert.deepEqual(parseReason('https://github.com/vexxhost/docker-magnum/pull/123'), {
      kind: 'pull-request',
      number: 123,
      owner: 'vexxhost',
      repo: 'docker-magnum',
      raw: 'https://github.com/vexxhost/docker-magnum/pull/123',
    });
    const files = parseReason('https://github.com/vexxhost/docker-magnum/pull/77/files');
    assert.equal(files.kind === 'pull-request' && files.number, 77);
  });

  void it('a dependency version, == or ===', () => {
    assert.deepEqual(parseReason('magnum-cluster-api==0.36.5'), {
      kind: 'dependency',
      name: 'magnum-cluster-api',
      version: '0.36.5',
      raw: 'magnum-cluster-api==0.36.5',
    });
    assert.deepEqual(parseReason('oslo.messaging === 14.9.1'), {
      kind: 'dependency',
      name: 'oslo.messaging',
      version: '14.9.1',
      raw: 'oslo.messaging === 14.9.1',
    });
    const r = parseReason('magnum_cluster_api==0.36.5rc1');
    assert.equal(r.kind === 'dependency' && r.version, '0.36.5rc1');
  });

  void it('a release URL: repository as the dependency name, version without the v', () => {
    const url = 'https://github.com/vexxhost/magnum-cluster-api/releases/tag/v0.36.5';
    assert.deepEqual(parseReason(url), {
      kind: 'release',
      owner: 'vexxhost',
      repo: 'magnum-cluster-api',
      tag: 'v0.36.5',
      url,
      name: 'magnum-cluster-api',
      version: '0.36.5',
      raw: url,
    });
    const plain = parseReason('https://github.com/vexxhost/magnum-cluster-api/releases/tag/0.36.6/');
    assert.ok(
      plain.kind === 'release' &&
        plain.version === '0.36.6' &&
        plain.url === 'https://github.com/vexxhost/magnum-cluster-api/releases/tag/0.36.6',
    );
  });

  const refused: Array<[string, string?]> = [
    [''],
    ['   '],
    ['abc123'], // 6 hex with letters: too short for a SHA
    ['xyz1234'],
    ['1234567890', 'full 40-character SHA'], // 10 digits: neither a PR number nor a full SHA
    ['1'.repeat(39), 'full 40-character SHA'],
    ['magnum-cluster-api>=0.36.5'],
    ['magnum-cluster-api==0.36.5 extra'],
    ['==0.36.5'],
    ['https://github.com/vexxhost/docker-magnum/issues/12'],
    ['https://gitlab.com/vexxhost/docker-magnum/pull/12'],
    ['a'.repeat(41)],
  ];
  for (const [input, hint] of refused) {
    void it(`refuses ${JSON.stringify(input)} listing the accepted forms`, () => {
      assert.throws(
        () => parseReason(input),
        (err: unknown) => {
          assert.ok(err instanceof BumpflowError);
          assert.equal(err.type, FatalFailure.BadInput);
          assert.ok(err.message.includes(JSON.stringify(input)), err.message);
          assert.match(err.message, /commit SHA/);
          assert.match(err.message, /name==1\.2\.3/);
          assert.match(err.message, /releases\/tag/);
          if (hint) assert.ok(err.message.includes(hint), err.message);
          return true;
        },
      );
    });
  }
});

void describe('normaliseDependencyName', () => {
  void it('follows PEP 503', () => {
    assert.equal(normaliseDependencyName('Magnum_Cluster.API'), 'magnum-cluster-api');
    assert.equal(normaliseDependencyName('oslo..messaging'), 'oslo-messaging');
  });
});

void describe('dependencyPinned', () => {
  const N = 'magnum-cluster-api';
  const V = '0.36.5';

  void it('looks in the documented files, in order', () => {
    assert.deepEqual(
      [...DEPENDENCY_FILES],
      ['Dockerfile', 'requirements.txt', 'upper-constraints.txt', 'pyproject.toml', 'constraints.txt'],
    );
  });

  const yes: Array<[string, string]> = [
    [
      'Dockerfile',
      'FROM ghcr.io/vexxhost/openstack-venv-builder:main\nRUN pip install magnum-cluster-api==0.36.5\n',
    ],
    ['Dockerfile', 'RUN uv pip install \\\n      "magnum-cluster-api==0.36.5" \\\n      other==1.0\n'],
    ['Dockerfile', 'RUN pip install Magnum_Cluster_API===0.36.5 --no-deps\n'],
    ['Dockerfile', 'RUN pip install magnum-cluster-api[extra]==0.36.5\n'],
    [
      'Dockerfile',
      'ARG MAGNUM_CLUSTER_API_VERSION=0.36.5\nRUN pip install magnum-cluster-api==${MAGNUM_CLUSTER_API_VERSION}\n',
    ],
    ['Dockerfile', 'ENV MAGNUM_CLUSTER_API_VERSION="v0.36.5"\n'],
    ['requirements.txt', 'magnum-cluster-api==0.36.5\n'],
    ['requirements.txt', 'pbr>=2\nmagnum_cluster_api === 0.36.5 ; python_version >= "3.8"\n'],
    ['upper-constraints.txt', 'magnum-cluster-api===0.36.5\r\nmagnum==19.0.0\r\n'],
    ['upper-constraints.txt', "magnum-cluster-api===0.36.5;python_version=='3.10'\n"],
    ['constraints.txt', 'Magnum.Cluster.Api==0.36.5  # pinned for the fix\n'],
    ['pyproject.toml', '[project]\ndependencies = [\n  "magnum-cluster-api==0.36.5",\n]\n'],
    [
      'pyproject.toml',
      '[project]\ndependencies = ["magnum-cluster-api[rust] == 0.36.5; python_version >= \'3.9\'"]\n',
    ],
    ['pyproject.toml', '[tool.poetry.dependencies]\nmagnum-cluster-api = "0.36.5"\n'],
    ['pyproject.toml', '[tool.poetry.dependencies]\nmagnum-cluster-api = "==0.36.5"\n'],
    [
      'pyproject.toml',
      '[tool.poetry.dependencies]\nmagnum-cluster-api = { version = "0.36.5", optional = true }\n',
    ],
    ['sub/dir/requirements.txt', 'magnum-cluster-api==0.36.5\n'],
  ];
  for (const [file, text] of yes) {
    void it(`finds the pin in ${file}: ${JSON.stringify(text.slice(0, 60))}`, () => {
      assert.equal(dependencyPinned(text, file, N, V), true);
    });
  }

  const no: Array<[string, string]> = [
    ['Dockerfile', 'RUN pip install magnum-cluster-api==0.36.50\n'],
    ['Dockerfile', 'RUN pip install magnum-cluster-api==0.36.5.post1\n'],
    ['Dockerfile', 'RUN pip install magnum-cluster-api==0.36.4\n'],
    ['Dockerfile', 'RUN pip install magnum-cluster-api>=0.36.5\n'],
    ['Dockerfile', 'RUN pip install xmagnum-cluster-api==0.36.5\n'],
    ['Dockerfile', 'RUN pip install magnum-cluster-api-extras==0.36.5\n'],
    [
      'Dockerfile',
      '# RUN pip install magnum-cluster-api==0.36.5\nRUN pip install magnum-cluster-api==0.36.4\n',
    ],
    ['Dockerfile', 'ARG MAGNUM_VERSION=0.36.5\n'],
    ['Dockerfile', 'RUN pip install magnum==0.36.5\n'],
    ['requirements.txt', 'magnum-cluster-api==10.36.5\n'],
    ['requirements.txt', 'magnum-cluster-api==0.36.50\n'],
    ['requirements.txt', 'magnum-cluster-api~=0.36.5\n'],
    ['requirements.txt', '# magnum-cluster-api==0.36.5\n'],
    ['requirements.txt', 'other-magnum-cluster-api==0.36.5\n'],
    ['upper-constraints.txt', "magnum-cluster-api===0.36.51;python_version=='3.10'\n"],
    ['pyproject.toml', '[tool.poetry.dependencies]\nmagnum-cluster-api = "^0.36.5"\n'],
    ['pyproject.toml', '[tool.poetry.dependencies]\nmagnum-cluster-api = "0.36.50"\n'],
    ['pyproject.toml', '[project]\nname = "magnum-cluster-api"\nversion = "0.36.5"\n'],
    ['pyproject.toml', 'dependencies = ["magnum-cluster-api>=0.36.5"]\n'],
    ['requirements.txt', ''],
  ];
  for (const [file, text] of no) {
    void it(`does not take ${JSON.stringify(text.slice(0, 60))} in ${file} as ${N}==${V}`, () => {
      assert.equal(dependencyPinned(text, file, N, V), false);
    });
  }

  void it('escapes the version (a dot is not a wildcard)', () => {
    assert.equal(dependencyPinned('magnum-cluster-api==0x36x5\n', 'requirements.txt', N, V), false);
  });
});
