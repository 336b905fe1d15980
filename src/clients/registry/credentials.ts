/**
 * Registry credentials from the worker's environment: BUMPFLOW_REGISTRY_AUTH
 * and a docker config.json. Errors name the source and the host, never a value.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fatal, FatalFailure } from '../../shared/failures.js';
import { normalizeRegistryHost } from './mirrors.js';
import { dockerConfigFileSchema, registryAuthEnvSchema } from './schema.js';
import { issuesOf, parseJson } from './util.js';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A ready bearer token, sent as `Authorization: Bearer <token>` when the registry asks for Bearer. */
  token?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`), exchanged at the token service. */
  identityToken?: string;
}

function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

function readDockerConfig(file: string): Record<string, RegistryCredentials> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return {};
    throw fatal(
      FatalFailure.BadInput,
      `expected ${file} to be a readable docker config.json, found ${(err as { code?: unknown }).code ?? 'an error'} reading it`,
    );
  }
  const parsed = dockerConfigFileSchema.safeParse(parseJson(Buffer.from(text)));
  if (!parsed.success) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${file} to be a docker config.json ({"auths": {host: {auth}}}), found ${issuesOf(parsed.error)}`,
    );
  }
  const table: Record<string, RegistryCredentials> = {};
  for (const [rawHost, entry] of Object.entries(parsed.data.auths ?? {})) {
    const host = normalizeRegistryHost(rawHost);
    let username = entry.username;
    let password = entry.password;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0 && !entry.identitytoken) {
        throw fatal(
          FatalFailure.BadInput,
          `expected auths[${JSON.stringify(rawHost)}].auth in ${file} to be base64 of user:password, found something else`,
        );
      }
      if (colon > 0) {
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
      }
    }
    if (entry.identitytoken)
      table[host] = { identityToken: entry.identitytoken, ...(username ? { username } : {}) };
    else if (entry.registrytoken) table[host] = { token: entry.registrytoken };
    else if (username && password !== undefined && password !== '') table[host] = { username, password };
  }
  return table;
}

/**
 * Credentials by host[:port] of the endpoint contacted (a mirror is looked up
 * under its own host, as containerd's hosts.toml does; docker keys
 * config.json the same way), from (in order of precedence) the
 * BUMPFLOW_REGISTRY_AUTH JSON object (host → {username,password} or {token})
 * and a docker config.json at $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json (auths: auth, username/password, identitytoken,
 * registrytoken; credential helpers are not run). Read once, at call time.
 * Errors name the source and the host, never a value.
 */
export function credentialsFromEnvironment(
  env: NodeJS.ProcessEnv,
): (registry: string) => RegistryCredentials | undefined {
  const table: Record<string, RegistryCredentials> = readDockerConfig(dockerConfigPath(env));
  const raw = env.BUMPFLOW_REGISTRY_AUTH?.trim();
  if (raw) {
    const json = parseJson(Buffer.from(raw));
    if (json === undefined) {
      throw fatal(
        FatalFailure.BadInput,
        'expected BUMPFLOW_REGISTRY_AUTH as JSON {"host": {"username": …, "password": …} or {"token": …}}, found text that is not JSON',
      );
    }
    const parsed = registryAuthEnvSchema.safeParse(json);
    if (!parsed.success) {
      const hosts = [
        ...new Set(parsed.error.issues.map((i) => (i.path[0] === undefined ? '(root)' : String(i.path[0])))),
      ];
      throw fatal(
        FatalFailure.BadInput,
        `expected BUMPFLOW_REGISTRY_AUTH as a JSON object of host → {"username","password"} or {"token"}, found a malformed entry for ${hosts.map((h) => JSON.stringify(h)).join(', ')}`,
      );
    }
    for (const [host, entry] of Object.entries(parsed.data))
      table[normalizeRegistryHost(host)] = { ...entry };
  }
  return (registry) => {
    const entry = table[normalizeRegistryHost(registry)];
    return entry === undefined ? undefined : { ...entry };
  };
}
