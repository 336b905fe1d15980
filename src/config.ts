/**
 * Settings from the environment, shared by the worker and the client.
 * Secrets (GITHUB_TOKEN, registry credentials) are read by the worker only
 * and never leave its process: they are not part of any workflow input.
 */
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TASK_QUEUE } from './shared/messages.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.BUMPFLOW_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    uiUrl: (env.BUMPFLOW_UI_URL ?? 'http://localhost:8233').replace(/\/+$/, ''),
  };
}

export function workDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.BUMPFLOW_WORK_DIR ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'bumpflow', 'work')
  );
}

/** Git's own environment that the worker passes on (url.<base>.insteadOf, credential helpers, ssh). */
export function gitEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (
      key === 'HOME' ||
      key === 'GIT_SSH_COMMAND' ||
      key === 'GIT_CONFIG_GLOBAL' ||
      key === 'GIT_CONFIG_NOSYSTEM' ||
      key.startsWith('GIT_CONFIG_')
    ) {
      out[key] = value;
    }
  }
  return out;
}

export function authorIdentity(env: NodeJS.ProcessEnv = process.env): { name: string; email: string } {
  return {
    name: env.BUMPFLOW_GIT_AUTHOR_NAME ?? 'bumpflow',
    email: env.BUMPFLOW_GIT_AUTHOR_EMAIL ?? 'bumpflow@users.noreply.github.com',
  };
}

/** URL of a workflow in the Temporal UI. */
export function workflowUiUrl(settings: TemporalSettings, workflowId: string): string {
  return `${settings.uiUrl}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
