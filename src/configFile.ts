/**
 * The bumpflow config file (YAML, `--config` or BUMPFLOW_CONFIG): target
 * repos, registry mirrors, where credentials come from, and the approval
 * policy. Credentials are named, never written: the file says which
 * environment variable holds a token, and only the worker reads it.
 * Errors name the file, the key path and its line.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { patternProblem, type ApprovalRule } from './shared/approvalRule.js';
import { DEFAULT_VARS_FILE } from './shared/messages.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly key: string,
    readonly line: number | undefined,
    problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${key === '' ? '(top level)' : key}: ${problem}`);
  }
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const envName = z
  .string()
  .regex(ENV_NAME, { message: 'expected the NAME of an environment variable (A-Z, 0-9, _)' });
const duration = z
  .string()
  .regex(/^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)$/, { message: 'expected a duration such as 30m, 72h or 7d' });
const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: 'expected an http(s) URL' });
const repoUrl = z
  .string()
  .refine((v) => /^(https?|ssh|git|file):\/\/[^\s]+$/.test(v) || /^[\w.-]+@[\w.-]+:[^\s]+$/.test(v), {
    message: 'expected a git URL (https://…, ssh://…, git@host:owner/repo)',
  });
const registryHost = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?$/, { message: 'expected a registry host such as ghcr.io' });

/** Keys that would hold a secret value: the file must name an environment variable instead. */
const LITERAL_SECRET = /^(token|password|secret|auth|apiKey|privateKey)$/i;

const configSchema = z
  .object({
    targets: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
          message: 'expected a target name of lowercase letters, digits, . _ -',
        }),
        z.object({ repo: repoUrl, varsFile: z.string().min(1).default(DEFAULT_VARS_FILE) }).strict(),
      )
      .default({}),
    registry: z
      .object({ mirrors: z.record(registryHost, httpUrl).default({}) })
      .strict()
      .default({ mirrors: {} }),
    credentials: z
      .object({
        github: z
          .object({ tokenEnv: envName.default('GITHUB_TOKEN'), apiUrl: httpUrl.optional() })
          .strict()
          .optional(),
        registries: z
          .record(registryHost, z.object({ usernameEnv: envName, passwordEnv: envName }).strict())
          .default({}),
        dockerConfig: z.string().min(1).optional(),
      })
      .strict()
      .default({ registries: {} }),
    approval: z
      .object({
        timeout: duration.optional(),
        branches: z
          .array(
            z
              .object({
                pattern: z.string().superRefine((p, ctx) => {
                  const problem = patternProblem(p);
                  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
                }),
                required: z.boolean(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ branches: [] }),
  })
  .strict();

export type BumpflowConfig = z.output<typeof configSchema>;

/** The line (1-based) of the node at `path` in the document, or of its nearest ancestor that exists. */
function lineOf(
  root: Node | null,
  path: ReadonlyArray<PropertyKey>,
  counter: LineCounter,
): number | undefined {
  let node: Node | null | undefined = root;
  let line: number | undefined = node?.range ? counter.linePos(node.range[0]).line : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (pair === undefined) break;
      if (isScalar(pair.key) && pair.key.range) line = counter.linePos(pair.key.range[0]).line;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | null | undefined;
      if (node?.range) line = counter.linePos(node.range[0]).line;
    } else break;
  }
  return line;
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): BumpflowConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(
      file,
      '',
      counter.linePos(e.pos[0]).line,
      `expected valid YAML, found: ${e.message.split('\n')[0]}`,
    );
  }
  const data: unknown = doc.toJS() ?? {};
  // a literal secret anywhere is refused before anything else is said about it
  const secret = findLiteralSecret(data, []);
  if (secret !== undefined) {
    throw new ConfigError(
      file,
      secret.join('.'),
      lineOf(doc.contents, secret, counter),
      `expected the name of an environment variable that holds the secret (e.g. ${String(secret.at(-1))}Env: GITHUB_TOKEN), found a value written in the file`,
    );
  }
  const parsed = configSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const found = valueAt(data, issue.path);
  const shown = found === undefined ? 'nothing' : JSON.stringify(found);
  const problem =
    issue.code === 'unrecognized_keys'
      ? `unknown key (expected one of the documented keys; see bumpflow.config.example.yaml)`
      : issue.code === 'invalid_type'
        ? `expected ${issue.expected}, found ${shown}`
        : `${issue.message}, found ${shown}`;
  throw new ConfigError(file, keyPath.map(String).join('.'), lineOf(doc.contents, keyPath, counter), problem);
}

export function loadConfig(file: string): BumpflowConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      file,
      '',
      undefined,
      `expected a readable config file, found ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseConfig(text, file);
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = data;
  for (const k of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function findLiteralSecret(data: unknown, path: PropertyKey[]): PropertyKey[] | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const here = [...path, Array.isArray(data) ? Number(k) : k];
    if (!Array.isArray(data) && LITERAL_SECRET.test(k)) return here;
    const deeper = findLiteralSecret(v, here);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/**
 * The worker's environment with the config's sources filled in, so the
 * registry, git and forge clients read one place. Variables already set in
 * the environment win over the file. Secrets are copied from the variables
 * the file names, inside the worker's process only.
 */
export function workerEnvironment(config: BumpflowConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const mirrors = Object.entries(config.registry.mirrors);
  if (!out.BUMPFLOW_REGISTRY_MIRRORS && mirrors.length > 0) {
    out.BUMPFLOW_REGISTRY_MIRRORS = mirrors.map(([host, url]) => `${host}=${url}`).join(',');
  }
  const github = config.credentials.github;
  if (github !== undefined) {
    if (!out.GITHUB_TOKEN && env[github.tokenEnv]) out.GITHUB_TOKEN = env[github.tokenEnv];
    if (!out.GITHUB_API_URL && github.apiUrl) out.GITHUB_API_URL = github.apiUrl;
  }
  const registries = Object.entries(config.credentials.registries);
  if (!out.BUMPFLOW_REGISTRY_AUTH && registries.length > 0) {
    const table: Record<string, { username: string; password: string }> = {};
    for (const [host, names] of registries) {
      const username = env[names.usernameEnv];
      const password = env[names.passwordEnv];
      if (username && password) table[host] = { username, password };
    }
    if (Object.keys(table).length > 0) out.BUMPFLOW_REGISTRY_AUTH = JSON.stringify(table);
  }
  if (!out.DOCKER_CONFIG && config.credentials.dockerConfig)
    out.DOCKER_CONFIG = config.credentials.dockerConfig;
  return out;
}

/** The approval rules a bump request carries (plain data, no secrets). */
export function approvalPolicy(config: BumpflowConfig): ApprovalRule[] {
  return config.approval.branches.map((r) => ({ pattern: r.pattern, required: r.required }));
}
