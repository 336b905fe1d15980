/**
 * Registry mirrors as settings: BUMPFLOW_REGISTRY_MIRRORS (the old
 * `host=URL` form unchanged, endpoints in order with `|`, a repository prefix
 * with `;prefix=`), the config file's `registry.mirrors` (the old `host: URL`
 * and the list of `{url, prefix}`), what the worker is given from the file,
 * the client's option, and the endpoints a registry's requests go to. Every
 * malformed form is refused with what was expected and what was found.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mirrorsFromEnvironment,
  mirrorsSetting,
  mirrorTable,
  registryEndpoint,
  registryRoutes,
} from '../../src/clients/registry/index.js';
import { ConfigError, parseConfig, workerEnvironment } from '../../src/configFile.js';
import { BumpflowError, FatalFailure } from '../../src/shared/failures.js';

const SECRET = 'hunter2-9f3c';
const env = (value: string) => mirrorsFromEnvironment({ BUMPFLOW_REGISTRY_MIRRORS: value });

function refusedEnv(value: string): BumpflowError {
  try {
    env(value);
  } catch (err) {
    assert.ok(err instanceof BumpflowError, `expected a BumpflowError, found ${String(err)}`);
    assert.equal(err.type, FatalFailure.BadInput);
    assert.match(err.message, /^expected BUMPFLOW_REGISTRY_MIRRORS as host=URL\[;prefix=PATH\]/);
    return err;
  }
  return assert.fail(`expected ${JSON.stringify(value)} to be refused, found it read`);
}

function refusedConfig(yaml: string): ConfigError {
  try {
    parseConfig(yaml, 'c.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, found ${String(err)}`);
    return err;
  }
  return assert.fail(`expected the config to be refused, found it read:\n${yaml}`);
}

describe('BUMPFLOW_REGISTRY_MIRRORS', () => {
  it('reads the old host=URL form as before: one endpoint, a path before /v2 is a base path, not a prefix', () => {
    assert.deepEqual(env('ghcr.io=http://127.0.0.1:5000,quay.io=https://mirror.local/quay/'), {
      'ghcr.io': [{ url: 'http://127.0.0.1:5000' }],
      'quay.io': [{ url: 'https://mirror.local/quay' }],
    });
    // as containerd reads a host URL: a trailing /v2 is the API root, not part of the base
    assert.deepEqual(env('ghcr.io=https://mirror.local/v2/'), {
      'ghcr.io': [{ url: 'https://mirror.local' }],
    });
    assert.deepEqual(registryRoutes('ghcr.io', env('ghcr.io=https://mirror.local/quay')), [
      { base: 'https://mirror.local/quay', prefix: undefined, mirror: true },
    ]);
    assert.equal(registryEndpoint('ghcr.io', { 'ghcr.io': 'https://mirror.local/' }), 'https://mirror.local');
  });

  it('reads several endpoints per host in order, each with its own repository prefix', () => {
    const table = env(
      ' ghcr.io = https://harbor.example.com ; prefix = ghcr-proxy | https://flat.example.com;prefix=ghcr.io|http://127.0.0.1:5000 , quay.io=https://q.local',
    );
    assert.deepEqual(table, {
      'ghcr.io': [
        { url: 'https://harbor.example.com', prefix: 'ghcr-proxy' },
        { url: 'https://flat.example.com', prefix: 'ghcr.io' },
        { url: 'http://127.0.0.1:5000' },
      ],
      'quay.io': [{ url: 'https://q.local' }],
    });
    assert.deepEqual(
      registryRoutes('ghcr.io', table).map((r) => [r.base, r.prefix]),
      [
        ['https://harbor.example.com', 'ghcr-proxy'],
        ['https://flat.example.com', 'ghcr.io'],
        ['http://127.0.0.1:5000', undefined],
      ],
    );
    assert.equal(registryEndpoint('ghcr.io', table), 'https://harbor.example.com', 'writes: the first');
    // hosts without mirrors: the registry itself
    assert.deepEqual(registryRoutes('docker.io', table), [
      { base: 'https://registry-1.docker.io', prefix: undefined, mirror: false },
    ]);
    assert.deepEqual(registryRoutes('127.0.0.1:5000', table)[0]?.base, 'http://127.0.0.1:5000');
    // prefixes with several components
    assert.deepEqual(env('docker.io=https://h;prefix=proxies/docker.io'), {
      'docker.io': [{ url: 'https://h', prefix: 'proxies/docker.io' }],
    });
  });

  it('refuses each malformed form, saying what was expected and what was found', () => {
    const cases: [string, RegExp][] = [
      ['ghcr.io=https://h;prefix=', /found for ghcr\.io: expected a repository path prefix .*found ""/],
      ['ghcr.io=https://h;prefix=/ghcr-proxy', /without leading or trailing \/, found "\/ghcr-proxy"/],
      ['ghcr.io=https://h;prefix=ghcr-proxy/', /found "ghcr-proxy\/"/],
      ['ghcr.io=https://h;prefix=GHCR', /lowercase name components .*found "GHCR"/],
      ['ghcr.io=https://h;prefix=a b', /found "a b"/],
      [
        'ghcr.io=https://h;prefix=a;prefix=b',
        /found ";prefix=b" after a URL of ghcr\.io \(the one attribute is prefix=PATH, once\)/,
      ],
      ['ghcr.io=https://h;prefx=a', /found ";prefx=a" after a URL of ghcr\.io/],
      ['ghcr.io=https://h;ghcr-proxy', /found ";ghcr-proxy" after a URL of ghcr\.io/],
      ['ghcr.io=https://h|', /found an empty endpoint for ghcr\.io \(no URL\)/],
      ['ghcr.io=|https://h', /found an empty endpoint for ghcr\.io/],
      ['ghcr.io=;prefix=x', /found an empty endpoint for ghcr\.io/],
      [
        'ghcr.io=https://h|https://h/',
        /with each endpoint of a host once, found https:\/\/h twice for ghcr\.io/,
      ],
      ['ghcr.io=https://h;prefix=p|https://h;prefix=p', /found https:\/\/h \(prefix p\) twice/],
      [
        'ghcr.io=https://harbor.example.com/v2/ghcr-proxy',
        /expected the mirror's base URL \(what comes before \/v2\), found "https:\/\/harbor\.example\.com\/v2\/ghcr-proxy": for names under ghcr-proxy\/ on it, give the URL before \/v2 and the prefix ghcr-proxy/,
      ],
      ['ghcr.io=harbor.example.com;prefix=p', /found for ghcr\.io: "harbor\.example\.com" is not a URL/],
      ['ghcr.io=ftp://h', /"ftp:\/\/h": only http\(s\) URLs without credentials, query or fragment/],
      ['ghcr.io=https://h/?x=1;prefix=p', /only http\(s\) URLs without credentials, query or fragment/],
      ['ghcr.io=https://h,ghcr.io=https://g', /with each host once, found "ghcr\.io" twice/],
      ['ghcr.io', /the host before '=' is not a registry host/],
    ];
    for (const [value, says] of cases) {
      const err = refusedEnv(value);
      assert.match(err.message, says, value);
    }
    // credentials in any endpoint: refused, never shown
    for (const value of [
      `ghcr.io=https://a|https://bot:${SECRET}@b;prefix=p`,
      `https://u:${SECRET}@x=https://a`,
    ]) {
      const err = refusedEnv(value);
      assert.ok(!err.message.includes(SECRET), err.message);
    }
    assert.match(
      refusedEnv(`ghcr.io=https://a|https://bot:${SECRET}@b`).message,
      /a URL with credentials \(not shown\)/,
    );
  });
});

describe("the client's mirrors option", () => {
  it('takes a URL, {url, prefix} or a list of them per host, checked as the environment is', () => {
    assert.deepEqual(
      mirrorTable({
        'GHCR.io': [{ url: 'https://harbor.example.com/', prefix: 'ghcr-proxy' }, 'http://127.0.0.1:5000'],
        'quay.io': { url: 'https://q.local' },
        'docker.io': 'https://hub.local/v2',
      }),
      {
        'ghcr.io': [
          { url: 'https://harbor.example.com', prefix: 'ghcr-proxy' },
          { url: 'http://127.0.0.1:5000' },
        ],
        'quay.io': [{ url: 'https://q.local' }],
        'docker.io': [{ url: 'https://hub.local' }],
      },
    );
    for (const [option, says] of [
      [{ 'ghcr.io': [] }, /found no endpoint for ghcr\.io/],
      [{ 'ghcr.io': { url: 'https://h', prefix: '../etc' } }, /found "\.\.\/etc"/],
      [{ 'ghcr.io': ['https://h', 'https://h'] }, /found https:\/\/h twice for ghcr\.io/],
    ] as const) {
      assert.throws(
        () => mirrorTable(option),
        (err: unknown) =>
          err instanceof BumpflowError &&
          err.type === FatalFailure.BadInput &&
          /^expected the registry client's mirrors as/.test(err.message) &&
          says.test(err.message),
      );
    }
  });
});

describe('registry.mirrors in the config file', () => {
  it('keeps the old host: URL form, and gives the worker the same variable as before', () => {
    const config = parseConfig(
      'registry:\n  mirrors:\n    ghcr.io: https://ghcr-mirror.example.com\n',
      'c.yaml',
    );
    assert.equal(config.registry.mirrors['ghcr.io'], 'https://ghcr-mirror.example.com');
    assert.equal(
      workerEnvironment(config, {}).BUMPFLOW_REGISTRY_MIRRORS,
      'ghcr.io=https://ghcr-mirror.example.com',
    );
  });

  it('reads endpoints in order with prefixes, and the worker reads back the same table', () => {
    const config = parseConfig(
      [
        'registry:',
        '  mirrors:',
        '    ghcr.io:',
        '      - url: https://harbor.example.com',
        '        prefix: ghcr-proxy',
        '      - https://ghcr-mirror.example.com/base',
        '      - { url: "https://flat.example.com", prefix: ghcr.io }',
        '    quay.io: https://quay-mirror.example.com',
        '',
      ].join('\n'),
      'c.yaml',
    );
    const variable = workerEnvironment(config, {}).BUMPFLOW_REGISTRY_MIRRORS!;
    assert.equal(
      variable,
      'ghcr.io=https://harbor.example.com;prefix=ghcr-proxy|https://ghcr-mirror.example.com/base|https://flat.example.com;prefix=ghcr.io,quay.io=https://quay-mirror.example.com',
    );
    assert.deepEqual(env(variable), {
      'ghcr.io': [
        { url: 'https://harbor.example.com', prefix: 'ghcr-proxy' },
        { url: 'https://ghcr-mirror.example.com/base' },
        { url: 'https://flat.example.com', prefix: 'ghcr.io' },
      ],
      'quay.io': [{ url: 'https://quay-mirror.example.com' }],
    });
    assert.equal(mirrorsSetting({}), '');
    // the environment wins over the file, as for every variable
    assert.equal(
      workerEnvironment(config, { BUMPFLOW_REGISTRY_MIRRORS: 'ghcr.io=http://other:1' })
        .BUMPFLOW_REGISTRY_MIRRORS,
      'ghcr.io=http://other:1',
    );
  });

  it('refuses each malformed form with the key, its line, what was expected and what was found', () => {
    const head = 'registry:\n  mirrors:\n';
    const cases: [string, string, number, RegExp][] = [
      [
        '    ghcr.io: []\n',
        'registry.mirrors.ghcr.io',
        3,
        /^expected at least one endpoint \(a URL or \{url, prefix\}\)/,
      ],
      [
        '    ghcr.io: 5000\n',
        'registry.mirrors.ghcr.io',
        3,
        /^expected a mirror URL, or a list of endpoints in order \(each a URL or \{url, prefix\}\), found 5000/,
      ],
      [
        '    ghcr.io: [7]\n',
        'registry.mirrors.ghcr.io.0',
        3,
        /^expected an endpoint: a URL or \{url, prefix\}, found 7/,
      ],
      [
        '    ghcr.io:\n      - url: https://h\n        prefix: /ghcr-proxy\n',
        'registry.mirrors.ghcr.io.0.prefix',
        5,
        /^expected a repository path prefix .*found "\/ghcr-proxy"/,
      ],
      [
        '    ghcr.io:\n      - url: https://harbor.example.com/v2/ghcr-proxy\n',
        'registry.mirrors.ghcr.io.0.url',
        4,
        /^expected the mirror's base URL \(what comes before \/v2\).*the prefix ghcr-proxy/,
      ],
      [
        '    ghcr.io:\n      - url: https://h\n        prefx: a\n',
        'registry.mirrors.ghcr.io.0.prefx',
        5,
        /found an unknown key "prefx"/,
      ],
      [
        '    ghcr.io:\n      - prefix: a\n',
        'registry.mirrors.ghcr.io.0.url',
        4,
        /^expected the endpoint URL \(url: https:\/\/…\), found nothing/,
      ],
      [
        '    ghcr.io: [https://a, https://b, https://a]\n',
        'registry.mirrors.ghcr.io.2',
        3,
        /^expected each endpoint of a host once, found the one of item 0 again/,
      ],
      [
        '    ghcr.io: "https://a/base|https://b"\n',
        'registry.mirrors.ghcr.io',
        3,
        /^expected a mirror URL without , ; or \|/,
      ],
      [
        '    ghcr.io: ["https://a/base;prefix=p"]\n',
        'registry.mirrors.ghcr.io.0',
        3,
        /^expected a mirror URL without , ; or \|/,
      ],
      [
        '    ghcr.io:\n      - url: ftp://h\n',
        'registry.mirrors.ghcr.io.0.url',
        4,
        /^expected an http\(s\) URL, found "ftp:\/\/h"/,
      ],
    ];
    for (const [body, key, line, says] of cases) {
      const err = refusedConfig(head + body);
      assert.equal(err.key, key, body);
      assert.equal(err.line, line, body);
      assert.match(err.message, new RegExp(`^c\\.yaml:${line}: ${key.replace(/\./g, '\\.')}: `), body);
      assert.match(err.message.slice(err.message.indexOf(`${key}: `) + key.length + 2), says, body);
    }
    const secret = refusedConfig(
      `${head}    ghcr.io:\n      - url: https://bot:${SECRET}@mirror.example.com\n`,
    );
    assert.equal(secret.key, 'registry.mirrors.ghcr.io.0.url');
    assert.match(
      secret.message,
      /expected a registry mirror URL without credentials: .*credentials\.registries/,
    );
    assert.ok(!secret.message.includes(SECRET), secret.message);
  });
});
