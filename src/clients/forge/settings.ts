/** Forge settings: from the environment, and checked before any request. */
import { fatal, FatalFailure } from '../../shared/failures.js';
import { APP_ID, appOptionsFromEnvironment } from './appSettings.js';
import { withoutUserinfo } from './repoUrl.js';
import type { ForgeOptions } from './types.js';

export const DEFAULT_BASE_URL = 'https://api.github.com';
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * GITHUB_API_URL (GitHub Enterprise, the stand-in), GITHUB_TOKEN, else GH_TOKEN
 * (gh's name), or a GitHub App (BUMPFLOW_GITHUB_APP_*, appSettings.ts). A
 * personal token and an app together are refused: which identity opens the
 * pull requests must be chosen, not guessed.
 */
export function forgeOptionsFromEnvironment(env: NodeJS.ProcessEnv): ForgeOptions {
  const baseUrl = env.GITHUB_API_URL?.trim();
  const webUrl = env.GITHUB_SERVER_URL?.trim();
  const tokenName = env.GITHUB_TOKEN?.trim() ? 'GITHUB_TOKEN' : env.GH_TOKEN?.trim() ? 'GH_TOKEN' : undefined;
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  const app = appOptionsFromEnvironment(env);
  if (app !== undefined && tokenName !== undefined) {
    throw fatal(
      FatalFailure.ForgeMisconfigured,
      `expected one GitHub identity for the worker, found both a personal token (${tokenName}) and a GitHub App (${APP_ID}=${app.appId}); unset ${tokenName} to act as the app, or the ${APP_ID.replace(/_ID$/, '')}_* variables to act as the token's account`,
    );
  }
  return {
    ...(baseUrl ? { baseUrl } : {}),
    ...(webUrl ? { webUrl } : {}),
    ...(token ? { token } : {}),
    ...(app ? { app } : {}),
  };
}

/** The API root without a trailing slash; BadInput for anything but a plain http(s) URL. */
export function checkBaseUrl(raw: string): string {
  const text = raw.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fatal(
      FatalFailure.BadInput,
      `expected the GitHub API URL (GITHUB_API_URL) to be an http(s) URL like https://api.github.com, found ${JSON.stringify(withoutUserinfo(raw))}`,
    );
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw fatal(
      FatalFailure.BadInput,
      `expected the GitHub API URL (GITHUB_API_URL) to be a plain http(s) URL without credentials, query or fragment, like https://api.github.com or https://ghe.example.com/api/v3, found ${JSON.stringify(withoutUserinfo(raw))}`,
    );
  }
  return text;
}

export function checkTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a request timeout in milliseconds above 0, found ${String(timeoutMs)}`,
    );
  }
  return timeoutMs;
}
