/**
 * The worker: builds real clients from the environment and runs the
 * workflows and activities. Stops cleanly on SIGINT/SIGTERM.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { installRuntime, observabilitySettings, secretValues } from './observability.js';
import { loadConfig, workerEnvironment } from './configFile.js';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { searchAttributeKeys } from './shared/messages.js';
import { createActivities, type ActivityDeps } from './activities/index.js';
import {
  createRegistryClient,
  credentialsFromEnvironment,
  mirrorsFromEnvironment,
} from './clients/registry/index.js';
import { createGit } from './clients/git/index.js';
import { createForge, forgeOptionsFromEnvironment } from './clients/forge/index.js';
import { authorIdentity, gitEnvironment, temporalSettings, workDir } from './config.js';
import { trustPolicyOf } from './trustPolicy.js';
import { noticeSecrets, noticeSettings } from './clients/notify/index.js';
import { catalogMirrorSecrets, catalogMirrorSettings } from './clients/s3MirrorSettings.js';
import { workflowSource } from './workflowBundle.js';

/** The workflows' entry for bundling: the sources under tsx, the compiled files when running from dist/. */
export const workflowsPath = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './workflows/index.ts' : './workflows/index.js', import.meta.url),
);

export function dependenciesFromEnvironment(env: NodeJS.ProcessEnv = process.env): ActivityDeps {
  const config = env.BUMPFLOW_CONFIG ? loadConfig(env.BUMPFLOW_CONFIG) : undefined;
  const { uiUrl, namespace } = temporalSettings(env);
  const ledgerDir = path.join(path.resolve(workDir(env)), 'notices');
  const forge = createForge(forgeOptionsFromEnvironment(env));
  return {
    registry: createRegistryClient({
      mirrors: mirrorsFromEnvironment(env),
      credentials: credentialsFromEnvironment(env),
    }),
    // as a GitHub App, git's pushes and fetches use the installation tokens too; a personal token: git's own
    git: createGit({
      workDir: path.resolve(workDir(env)),
      env: gitEnvironment(env),
      ...(forge.gitCredentials === undefined ? {} : { credentials: forge.gitCredentials }),
    }),
    forge,
    author: authorIdentity(env),
    trust: config && env.BUMPFLOW_CONFIG ? trustPolicyOf(config, env.BUMPFLOW_CONFIG) : [],
    notices: config && noticeSettings(config, env, { uiUrl, namespace, ledgerDir }),
    promotion: config && { stamp: config.promotion.stamp, aliases: config.promotion.aliases },
    tagApproval: config && { rules: config.promotion.approval, approveAbove: config.cleanup.approveAbove },
    catalogMirror: catalogMirrorSettings(config, env),
  };
}

/** The environment with the config file's sources (BUMPFLOW_CONFIG) filled in; the environment wins. */
export function workerEnvironmentFrom(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.BUMPFLOW_CONFIG ? workerEnvironment(loadConfig(env.BUMPFLOW_CONFIG), env) : env;
}

export async function createWorker(
  options: {
    connection: NativeConnection;
    namespace: string;
    taskQueue: string;
    deps: ActivityDeps;
  } & Partial<WorkerOptions>,
): Promise<Worker> {
  const { deps, ...rest } = options;
  const source = rest.workflowBundle || rest.workflowsPath ? undefined : workflowSource(workflowsPath);
  if (source !== undefined)
    Runtime.instance().logger.info(
      source.kind === 'bundle'
        ? `workflow code from the build: ${source.codePath}`
        : `bundling the workflow code at start (${source.why})`,
    );
  return Worker.create({
    ...(source === undefined
      ? {}
      : source.kind === 'bundle'
        ? { workflowBundle: { codePath: source.codePath } }
        : { workflowsPath: source.workflowsPath }),
    activities: createActivities(deps),
    ...rest,
  });
}

/** Registers the Keyword search attributes the workflows set, when the server lacks them. */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributeKeys.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((k) => [k.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const settings = temporalSettings();
  const telemetry = observabilitySettings();
  const deps = dependenciesFromEnvironment(workerEnvironmentFrom(process.env));
  const secrets = [
    ...secretValues(),
    ...noticeSecrets(deps.notices),
    ...catalogMirrorSecrets(deps.catalogMirror),
  ].sort((a, b) => b.length - a.length);
  installRuntime(telemetry, { secrets });
  await ensureSearchAttributes(settings.address, settings.namespace);
  const connection = await NativeConnection.connect({ address: settings.address });
  try {
    const worker = await createWorker({
      connection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      deps,
    });
    Runtime.instance().logger.info('bumpflow worker started', {
      taskQueue: settings.taskQueue,
      address: settings.address,
      namespace: settings.namespace,
      metrics: telemetry.metricsAddress === undefined ? 'off' : `http://${telemetry.metricsAddress}/metrics`,
    });
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`bumpflow worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
