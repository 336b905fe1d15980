/**
 * The worker's Helm chart (deploy/helm/bumpflow), checked the way CI can
 * without a cluster: `helm lint` and `helm template` with the real Helm
 * (built by scripts/install-helm.sh, cached outside the repo), the rendered
 * YAML read back and checked for what matters — no secret value, the
 * security context, the probes, the env names the worker reads, the
 * ConfigMap is values.config and a config the worker accepts — and the
 * readiness probe's own check run against a real worker polling a real
 * Temporal dev server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { repoRoot } from '../../src/sandbox/paths.js';
import { freePort } from '../../src/sandbox/registry.js';
import { temporalCliPath } from '../../src/sandbox/temporalCli.js';
import { installRuntime } from '../../src/observability.js';
import { parseConfig } from '../../src/configFile.js';
import { createWorker, dependenciesFromEnvironment } from '../../src/worker.js';

const run = promisify(execFile);
const chart = path.join(repoRoot, 'deploy', 'helm', 'bumpflow');

/**
 * The settings a deployment gives the worker as plain values (none is a
 * secret); each is checked below to be read (`env.NAME`) by the worker's code
 * under src/ (src/config.ts, src/observability.ts, src/worker.ts, the forge client).
 */
const PLAIN_ENV = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'BUMPFLOW_TASK_QUEUE',
  'BUMPFLOW_WORK_DIR',
  'BUMPFLOW_METRICS_ADDRESS',
  'BUMPFLOW_LOG_FORMAT',
  'BUMPFLOW_LOG_LEVEL',
  'BUMPFLOW_GIT_AUTHOR_NAME',
  'BUMPFLOW_GIT_AUTHOR_EMAIL',
  'BUMPFLOW_CONFIG',
  'GITHUB_API_URL',
  'GITHUB_SERVER_URL',
];

/** The worker's code: src/ but the CLI and the sandbox (the demo's and the tests' world). */
async function workerSources(): Promise<string> {
  const src = path.join(repoRoot, 'src');
  const files = (await readdir(src, { recursive: true }))
    .filter((f) => f.endsWith('.ts') && !/^(cli|sandbox)\//.test(f))
    .sort();
  return (await Promise.all(files.map((f) => readFile(path.join(src, f), 'utf8')))).join('\n');
}

/**
 * BUMPFLOW_HELM, else scripts/install-helm.sh: the cached binary of the
 * version it pins, or — while CI builds it in the background — the build's
 * result once it is done (the script waits on the build's lock), or a build.
 */
async function helmBinary(): Promise<string> {
  if (process.env.BUMPFLOW_HELM) return process.env.BUMPFLOW_HELM;
  const { stdout } = await run('bash', [path.join(repoRoot, 'scripts', 'install-helm.sh')], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const bin = stdout.trim();
  await access(bin, constants.X_OK);
  return bin;
}

let helm = '';
let home = '';

/** helm with its config, cache and data in a throwaway home; never throws, returns the exit code. */
async function runHelm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(helm, args, {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        HELM_CACHE_HOME: path.join(home, 'cache'),
        HELM_CONFIG_HOME: path.join(home, 'config'),
        HELM_DATA_HOME: path.join(home, 'data'),
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function valuesFile(values: unknown): Promise<string> {
  const file = path.join(home, `values-${randomBytes(4).toString('hex')}.yaml`);
  await writeFile(file, stringify(values));
  return file;
}

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  periodSeconds?: number;
}
interface Container {
  name: string;
  image: string;
  env: EnvVar[];
  envFrom?: { secretRef?: { name: string } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext: Record<string, unknown>;
  automountServiceAccountToken: boolean;
  serviceAccountName: string;
  containers: Container[];
  volumes: {
    name: string;
    emptyDir?: unknown;
    persistentVolumeClaim?: { claimName: string };
    secret?: { secretName: string; defaultMode?: number; items?: { key: string; path: string }[] };
    configMap?: { name: string };
  }[];
}
interface Rendered {
  text: string;
  manifests: Manifest[];
  deployment: Manifest & {
    spec: {
      replicas: number;
      template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec };
    };
  };
  pod: PodSpec;
  worker: Container;
}

async function render(values?: unknown): Promise<Rendered> {
  const args = ['template', 'bumpflow', chart, '--namespace', 'bumpflow'];
  if (values !== undefined) args.push('-f', await valuesFile(values));
  const { code, stdout, stderr } = await runHelm(args);
  assert.equal(code, 0, `helm template: ${stderr}`);
  const docs = parseAllDocuments(stdout);
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    assert.deepEqual(doc.errors, [], 'the rendered output is YAML');
    const m = doc.toJS() as Manifest | null;
    if (m !== null) manifests.push(m);
  }
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  assert.equal(deployments.length, 1, 'one Deployment');
  const deployment = deployments[0] as Rendered['deployment'];
  const pod = deployment.spec.template.spec;
  assert.equal(pod.containers.length, 1);
  return { text: stdout, manifests, deployment, pod, worker: pod.containers[0]! };
}

function envOf(container: Container): Map<string, EnvVar> {
  return new Map(container.env.map((e) => [e.name, e]));
}

const fullValues = {
  replicas: 2,
  image: { repository: 'registry.example.com/bumpflow', tag: '9.9.9' },
  temporal: { address: 'temporal.example.com:7233', namespace: 'bots', taskQueue: 'bumpflow-prod' },
  existingSecret: 'bumpflow-secrets',
  secretEnv: {
    GITHUB_TOKEN: { key: 'github-token' },
    GHCR_TOKEN: { key: 'ghcr-token', optional: true },
    BUMPFLOW_REGISTRY_AUTH: null,
  },
  secretEnvFrom: true,
  config: {
    targets: {
      atmosphere: {
        repo: 'https://github.com/vexxhost/atmosphere',
        varsFile: 'roles/defaults/vars/main.yml',
      },
    },
    credentials: {
      github: { tokenEnv: 'GITHUB_TOKEN' },
      registries: { 'ghcr.io': { usernameEnv: 'GHCR_USERNAME', passwordEnv: 'GHCR_TOKEN' } },
    },
    approval: { timeout: '72h', branches: [{ pattern: 'stable/*', required: true }] },
    signatures: [{ images: 'ghcr.io/vexxhost/*', key: '/etc/bumpflow/cosign.pub', tlog: 'optional' }],
  },
  configFiles: { 'cosign.pub': '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n' },
  workDir: { existingClaim: 'bumpflow-work' },
  metrics: { port: 9500, serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'bots', operator: 'Exists', effect: 'NoSchedule' }],
};

before(async () => {
  helm = await helmBinary();
  home = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-helm-'));
});

after(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the Helm chart', () => {
  it('passes helm lint --strict with the default values and with every option set', async () => {
    for (const args of [[], ['-f', await valuesFile(fullValues)]]) {
      const { code, stdout, stderr } = await runHelm(['lint', '--strict', chart, ...args]);
      assert.equal(code, 0, `helm lint ${args.join(' ')}: ${stdout}${stderr}`);
      assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it("says in Chart.yaml the version of bumpflow it runs: package.json's", async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await runHelm(['show', 'chart', chart]);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^appVersion: "?'?${pkg.version.replace(/\./g, '\\.')}'?"?$`, 'm'));
    const { worker } = await render();
    assert.equal(worker.image, `bumpflow:${pkg.version}`);
  });

  it('renders, by default, a locked-down worker pod on emptyDirs, with probes, metrics annotations and a Service', async () => {
    const r = await render();
    assert.deepEqual(r.manifests.map((m) => m.kind).sort(), ['Deployment', 'Service', 'ServiceAccount']);
    assert.equal(r.deployment.spec.replicas, 1);
    assert.deepEqual(r.pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(r.worker.securityContext.readOnlyRootFilesystem, true);
    assert.equal(r.worker.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(r.worker.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(r.pod.automountServiceAccountToken, false);

    const env = envOf(r.worker);
    const optional = ['BUMPFLOW_CONFIG', 'GITHUB_API_URL', 'GITHUB_SERVER_URL'];
    for (const name of PLAIN_ENV.filter((n) => !optional.includes(n)))
      assert.ok(env.get(name)?.value !== undefined, `${name} is set`);
    assert.equal(env.get('BUMPFLOW_METRICS_ADDRESS')?.value, '0.0.0.0:9464');
    assert.equal(env.get('BUMPFLOW_TASK_QUEUE')?.value, 'bumpflow');
    assert.equal(env.has('BUMPFLOW_CONFIG'), false, 'no config file by default');
    assert.equal(env.has('GITHUB_TOKEN'), false, 'no secret mapped without existingSecret');

    // the work dir and /tmp are writable volumes; nothing else is
    const mounts = new Map(r.worker.volumeMounts.map((m) => [m.mountPath, m.name]));
    const volumes = new Map(r.pod.volumes.map((v) => [v.name, v]));
    const workMount = mounts.get(env.get('BUMPFLOW_WORK_DIR')!.value!);
    assert.ok(workMount, 'BUMPFLOW_WORK_DIR is a mounted volume');
    assert.ok(volumes.get(workMount)?.emptyDir !== undefined, 'the work dir is an emptyDir by default');
    assert.ok(volumes.get(mounts.get('/tmp')!)?.emptyDir !== undefined, '/tmp is an emptyDir');

    const port = r.worker.ports.find((p) => p.name === 'metrics');
    assert.equal(port?.containerPort, 9464);
    assert.deepEqual(r.worker.livenessProbe?.httpGet, { path: '/metrics', port: 'metrics' });
    assert.deepEqual(r.worker.readinessProbe?.exec?.command.slice(0, 2), ['node', '-e']);
    const annotations = r.deployment.spec.template.metadata.annotations ?? {};
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/port'], '9464');
    const service = r.manifests.find((m) => m.kind === 'Service') as Manifest & {
      spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
    };
    assert.equal(service.spec.ports[0]?.targetPort, 'metrics');
  });

  it('names only variables the worker reads, or that its config file names', async () => {
    const sources = await workerSources();
    const full = await render({
      ...fullValues,
      githubApiUrl: 'https://github.example.com/api/v3',
      githubServerUrl: 'https://github.example.com',
    });
    const names = [...envOf(full.worker).keys()];
    const plain = names.filter((n) => !Object.hasOwn(fullValues.secretEnv, n));
    assert.deepEqual(plain.sort(), [...PLAIN_ENV].sort());
    for (const name of [...PLAIN_ENV, 'GITHUB_TOKEN', 'BUMPFLOW_REGISTRY_AUTH'])
      assert.match(sources, new RegExp(`\\benv\\.${name}\\b`), `the worker reads env.${name} (src/)`);
    // a variable the config file names (credentials.registries.*.passwordEnv) is read through the config
    assert.equal(fullValues.config.credentials.registries['ghcr.io'].passwordEnv, 'GHCR_TOKEN');
    assert.ok(names.includes('GHCR_TOKEN'));
  });

  it('maps secrets from the existing Secret only, renders no Secret, and gives plain values to known settings only', async () => {
    const r = await render(fullValues);
    assert.equal(r.manifests.filter((m) => m.kind === 'Secret').length, 0);
    const env = envOf(r.worker);
    assert.deepEqual(env.get('GITHUB_TOKEN')?.valueFrom?.secretKeyRef, {
      name: 'bumpflow-secrets',
      key: 'github-token',
      optional: false,
    });
    assert.deepEqual(env.get('GHCR_TOKEN')?.valueFrom?.secretKeyRef, {
      name: 'bumpflow-secrets',
      key: 'ghcr-token',
      optional: true,
    });
    assert.equal(env.has('BUMPFLOW_REGISTRY_AUTH'), false, 'an entry set to null is dropped');
    assert.deepEqual(r.worker.envFrom, [{ secretRef: { name: 'bumpflow-secrets' } }]);
    // every variable with a plain value is a known non-secret setting; the others come from the Secret
    for (const e of r.worker.env)
      if (e.value !== undefined) assert.ok(PLAIN_ENV.includes(e.name), `${e.name} has a plain value`);
      else
        assert.equal(e.valueFrom?.secretKeyRef?.name, 'bumpflow-secrets', `${e.name} is from existingSecret`);
  });

  it('with a GitHub App: its id, its key as a file mounted from existingSecret, and no GITHUB_TOKEN', async () => {
    const r = await render({
      ...fullValues,
      githubApp: { appId: '12345', installationId: '678', privateKeySecretKey: 'app.pem' },
    });
    const env = envOf(r.worker);
    assert.equal(env.has('GITHUB_TOKEN'), false, 'the worker refuses a token and an App at once');
    assert.equal(env.get('BUMPFLOW_GITHUB_APP_ID')?.value, '12345');
    assert.equal(env.get('BUMPFLOW_GITHUB_APP_INSTALLATION_ID')?.value, '678');
    const keyFile = env.get('BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE')?.value ?? '';
    assert.equal(env.has('BUMPFLOW_GITHUB_APP_PRIVATE_KEY'), false, 'the key is never an env value');
    const mount = r.worker.volumeMounts.find((m) => keyFile.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `the key file ${keyFile} is on a mounted volume`);
    const volume = r.pod.volumes.find((v) => v.name === mount.name);
    assert.deepEqual(volume?.secret, {
      secretName: 'bumpflow-secrets',
      defaultMode: 0o400,
      items: [{ key: 'app.pem', path: path.basename(keyFile) }],
    });
    const sources = await workerSources();
    for (const name of [
      'BUMPFLOW_GITHUB_APP_ID',
      'BUMPFLOW_GITHUB_APP_INSTALLATION_ID',
      'BUMPFLOW_GITHUB_APP_PRIVATE_KEY_FILE',
    ])
      assert.ok(sources.includes(`'${name}'`), `the worker reads ${name} (src/)`);
    // an App without the Secret that holds its key is refused
    const { code, stderr } = await runHelm([
      'template',
      'bumpflow',
      chart,
      '-f',
      await valuesFile({ githubApp: { appId: '12345' } }),
    ]);
    assert.notEqual(code, 0);
    assert.match(stderr, /githubApp\.appId: expected existingSecret/);
  });

  it('refuses a token put into the values, without repeating it', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    for (const values of [
      { githubToken: token },
      { config: { credentials: { github: { token } } } },
      { config: { credentials: { registries: { 'ghcr.io': { username: 'bot', password: token } } } } },
    ]) {
      const { code, stdout, stderr } = await runHelm([
        'template',
        'bumpflow',
        chart,
        '-f',
        await valuesFile(values),
      ]);
      assert.notEqual(code, 0, `refused: ${JSON.stringify(Object.keys(values))}`);
      assert.match(stderr, /values don't meet the specifications of the schema/);
      assert.ok(!`${stdout}${stderr}`.includes(token), 'the token is not repeated');
    }
  });

  it('renders values.config into the ConfigMap the worker reads, a config the worker accepts', async () => {
    const r = await render(fullValues);
    const configMap = r.manifests.find((m) => m.kind === 'ConfigMap') as Manifest & {
      data: Record<string, string>;
    };
    assert.ok(configMap, 'a ConfigMap');
    const text = configMap.data['bumpflow.yaml']!;
    assert.deepEqual(parseAllDocuments(text)[0]?.toJS(), fullValues.config);
    assert.equal(configMap.data['cosign.pub'], fullValues.configFiles['cosign.pub']);
    const parsed = parseConfig(text, 'bumpflow.yaml');
    assert.equal(parsed.targets.atmosphere?.repo, 'https://github.com/vexxhost/atmosphere');

    const env = envOf(r.worker);
    assert.equal(env.get('BUMPFLOW_CONFIG')?.value, '/etc/bumpflow/bumpflow.yaml');
    const configVolume = r.pod.volumes.find((v) => v.configMap?.name === configMap.metadata.name);
    assert.ok(configVolume, 'the ConfigMap is a volume of the pod');
    const mount = r.worker.volumeMounts.find((m) => m.name === configVolume.name);
    assert.equal(mount?.mountPath, '/etc/bumpflow');
    assert.match(
      r.deployment.spec.template.metadata.annotations?.['checksum/config'] ?? '',
      /^[0-9a-f]{64}$/,
    );

    const own = await render({ existingConfigMap: 'my-bumpflow-config', configKey: 'worker.yaml' });
    assert.equal(own.manifests.filter((m) => m.kind === 'ConfigMap').length, 0);
    assert.equal(envOf(own.worker).get('BUMPFLOW_CONFIG')?.value, '/etc/bumpflow/worker.yaml');
    assert.ok(own.pod.volumes.some((v) => v.configMap?.name === 'my-bumpflow-config'));
  });

  it('renders replicas, the PVC, the Temporal settings and a ServiceMonitor only when enabled', async () => {
    const r = await render(fullValues);
    assert.equal(r.deployment.spec.replicas, 2);
    assert.equal(r.worker.image, 'registry.example.com/bumpflow:9.9.9');
    const env = envOf(r.worker);
    assert.equal(env.get('TEMPORAL_ADDRESS')?.value, 'temporal.example.com:7233');
    assert.equal(env.get('TEMPORAL_NAMESPACE')?.value, 'bots');
    assert.equal(env.get('BUMPFLOW_TASK_QUEUE')?.value, 'bumpflow-prod');
    assert.equal(env.get('BUMPFLOW_METRICS_ADDRESS')?.value, '0.0.0.0:9500');
    const work = r.worker.volumeMounts.find((m) => m.mountPath === env.get('BUMPFLOW_WORK_DIR')?.value);
    assert.deepEqual(r.pod.volumes.find((v) => v.name === work?.name)?.persistentVolumeClaim, {
      claimName: 'bumpflow-work',
    });
    assert.deepEqual((r.pod as unknown as { nodeSelector: unknown }).nodeSelector, fullValues.nodeSelector);

    const monitors = r.manifests.filter((m) => m.kind === 'ServiceMonitor') as (Manifest & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    })[];
    assert.equal(monitors.length, 1);
    assert.equal(monitors[0]!.metadata.labels?.release, 'prometheus');
    const service = r.manifests.find((m) => m.kind === 'Service') as Manifest & {
      spec: { ports: { name: string }[] };
    };
    for (const [k, v] of Object.entries(monitors[0]!.spec.selector.matchLabels))
      assert.equal(service.metadata.labels?.[k], v, `the ServiceMonitor selects the metrics Service (${k})`);
    assert.ok(service.spec.ports.some((p) => p.name === monitors[0]!.spec.endpoints[0]!.port));
    const noMonitor = await render({ ...fullValues, metrics: { port: 9500 } });
    assert.equal(noMonitor.manifests.filter((m) => m.kind === 'ServiceMonitor').length, 0);
  });
});

describe("the chart's readiness probe", () => {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let work = '';

  after(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await env?.teardown();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The probe's own command, as the chart renders it, run here; true when it exits 0. */
  async function probe(command: string[]): Promise<boolean> {
    try {
      await run(command[0] === 'node' ? process.execPath : command[0]!, command.slice(1), {
        timeout: 10_000,
      });
      return true;
    } catch {
      return false;
    }
  }

  it('says ready only once the real worker polls its task queue, and not for another queue', async () => {
    const port = await freePort();
    installRuntime(
      { metricsAddress: `127.0.0.1:${port}`, logLevel: 'WARN', logFormat: 'json' },
      { write: () => undefined, shutdownSignals: [] },
    );
    const queue = `helm-probe-${randomBytes(3).toString('hex')}`;
    const command = (
      await render({ metrics: { port }, temporal: { ...fullValues.temporal, taskQueue: queue } })
    ).worker.readinessProbe!.exec!.command;
    const otherQueue = (
      await render({ metrics: { port }, temporal: { ...fullValues.temporal, taskQueue: 'bumpflow' } })
    ).worker.readinessProbe!.exec!.command;

    assert.equal(
      await probe(command),
      false,
      'not ready before the worker polls (the metrics endpoint is up)',
    );
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        extraArgs: ['--log-level', 'error'],
      },
    });
    work = await mkdtemp(path.join(os.tmpdir(), 'bumpflow-helm-work-'));
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: queue,
      deps: dependenciesFromEnvironment({ BUMPFLOW_WORK_DIR: work }),
    });
    running = worker.run();
    let ready = false;
    const deadline = Date.now() + 60_000;
    while (!ready && Date.now() < deadline) {
      ready = await probe(command);
      if (!ready) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(ready, true, 'ready once the worker polls its task queue');
    assert.equal(await probe(otherQueue), false, 'a worker of another task queue does not make it ready');
  });
});
