/**
 * The bumpflow config file (YAML, `--config` or BUMPFLOW_CONFIG): target
 * repos, registry mirrors, where credentials come from, and the approval
 * policy. Credentials are named, never written: the file says which
 * environment variable holds a token, and only the worker reads it.
 * Errors name the file, the key path and its line.
 */
import { readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { type z } from 'zod';
import { type ApprovalRule } from './shared/approvalRule.js';
import { configSchema, LITERAL_SECRET, SECRET_NAMED_BY } from './configSchema.js';
import { duplicateKey, issueProblem } from './configIssues.js';
import { redactSecrets } from './lib/kit/httpUrl.js';
import { mirrorsSetting } from './clients/registry/mirrorSettings.js';

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

/** Config files already read, with the line of each key path (for errors found later, e.g. a key file). */
const lineIndex = new WeakMap<object, (keyPath: string) => number | undefined>();

/** The line of `keyPath` (`signatures.0.key`) in the file `config` was read from, when known. */
export function configLine(config: BumpflowConfig, keyPath: string): number | undefined {
  return lineIndex.get(config)?.(keyPath);
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): BumpflowConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const fail = (path: readonly PropertyKey[], problem: string): ConfigError =>
    new ConfigError(
      file,
      path.map(String).join('.'),
      lineOf(doc.contents, path, counter),
      redactSecrets(problem),
    );
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    if (e.code === 'DUPLICATE_KEY') {
      const twice = duplicateKey(text);
      throw new ConfigError(file, twice.path.map(String).join('.'), twice.line, twice.problem);
    }
    throw new ConfigError(
      file,
      '',
      counter.linePos(e.pos[0]).line,
      e.code === 'MULTIPLE_DOCS'
        ? 'expected one YAML document, found more than one (a --- line)'
        : `expected valid YAML, found: ${e.message.split('\n')[0]}`,
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const cycle = findCycle(data, [], []);
  if (cycle !== undefined)
    throw fail(
      cycle,
      'expected a value, found an alias (*name) to a mapping or list holding it: it never ends',
    );
  // a literal secret anywhere is refused before anything else is said about it
  const secret = findLiteralSecret(data, []);
  if (secret !== undefined) {
    const key = String(secret.at(-1));
    const instead = SECRET_NAMED_BY[key.toLowerCase()] ?? `${key}Env: GITHUB_TOKEN`;
    throw fail(
      secret,
      `expected the name of an environment variable that holds the secret (e.g. ${instead}), found a value written in the file`,
    );
  }
  const parsed = configSchema.safeParse(data);
  if (parsed.success) {
    lineIndex.set(parsed.data, (keyPath) =>
      lineOf(
        doc.contents,
        keyPath.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
        counter,
      ),
    );
    return parsed.data;
  }
  const issue = parsed.error.issues[0]!;
  const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  throw fail(keyPath, issueProblem(issue, valueAt(data, issue.path)));
}

export function loadConfig(file: string): BumpflowConfig {
  if (file.trim() === '')
    throw new ConfigError(
      '--config (or BUMPFLOW_CONFIG)',
      '',
      undefined,
      'expected the path of a config file, found ""',
    );
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

/** The path of a value that holds itself (an alias to an enclosing mapping or list), if any. */
function findCycle(data: unknown, path: PropertyKey[], enclosing: object[]): PropertyKey[] | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  if (enclosing.includes(data)) return path;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const found = findCycle(v, [...path, Array.isArray(data) ? Number(k) : k], [...enclosing, data]);
    if (found !== undefined) return found;
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
  if (!out.BUMPFLOW_REGISTRY_MIRRORS && Object.keys(config.registry.mirrors).length > 0)
    out.BUMPFLOW_REGISTRY_MIRRORS = mirrorsSetting(config.registry.mirrors);
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

/** One rule of `promotion.approval`. */
export type TagApprovalRule = BumpflowConfig['promotion']['approval'][number];

/**
 * Whether a promotion of `image` to `tags` waits for a human: the first rule
 * whose image glob and tag glob (any of the tags) match decides; none: it waits.
 */
export function tagApproval(
  config: { promotion: { approval: readonly TagApprovalRule[] } } | undefined,
  image: string,
  tags: readonly string[],
): { required: boolean; pattern?: string } {
  for (const r of config?.promotion.approval ?? []) {
    const imageOk = r.images === undefined || picomatch(r.images)(image);
    const tagOk = r.tags === undefined || tags.some((t) => picomatch(r.tags!)(t));
    if (imageOk && tagOk) return { required: r.required, pattern: `${r.images ?? '*'}:${r.tags ?? '*'}` };
  }
  return { required: true };
}
