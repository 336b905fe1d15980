/**
 * The worker's telemetry: the SDK's runtime metrics on a Prometheus endpoint
 * and structured logs (one JSON object per line). Secret values the worker
 * holds are masked in every log line as a last line of defence: activities
 * never log them, and this makes sure a stray error message cannot either.
 */
import { types } from 'node:util';
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';

export interface ObservabilitySettings {
  /** host:port of the Prometheus endpoint (`/metrics`), or undefined for none */
  metricsAddress: string | undefined;
  logLevel: LogLevel;
  logFormat: 'json' | 'text';
}

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Environment variables whose values are secrets, by name. */
export const SECRET_ENV = /(TOKEN|PASSWORD|SECRET|CREDENTIAL|_AUTH(?!OR)|PRIVATE_KEY)/;

export function observabilitySettings(env: NodeJS.ProcessEnv = process.env): ObservabilitySettings {
  const metrics = env.BUMPFLOW_METRICS_ADDRESS ?? '127.0.0.1:9464';
  const level = (env.BUMPFLOW_LOG_LEVEL ?? 'INFO').toUpperCase();
  if (!LEVELS.includes(level as LogLevel)) {
    throw new Error(
      `BUMPFLOW_LOG_LEVEL: expected one of ${LEVELS.join(', ')}, found ${JSON.stringify(env.BUMPFLOW_LOG_LEVEL)}`,
    );
  }
  const format = env.BUMPFLOW_LOG_FORMAT ?? 'json';
  if (format !== 'json' && format !== 'text') {
    throw new Error(`BUMPFLOW_LOG_FORMAT: expected json or text, found ${JSON.stringify(format)}`);
  }
  if (metrics !== 'off' && !/^[^\s:]+:\d{1,5}$/.test(metrics) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(metrics)) {
    throw new Error(
      `BUMPFLOW_METRICS_ADDRESS: expected host:port (e.g. 0.0.0.0:9464) or off, found ${JSON.stringify(metrics)}`,
    );
  }
  return {
    metricsAddress: metrics === 'off' ? undefined : metrics,
    logLevel: level as LogLevel,
    logFormat: format,
  };
}

/** The values of the secret environment variables, longest first (so a secret that contains another is masked whole). */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([key, value]) => SECRET_ENV.test(key) && value !== undefined && value.length >= 6)
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a secret value in `text`. Pure. */
export function mask(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}

/** True for an Error of any realm: a workflow's errors come from its sandbox (or a structured clone of one). */
function isError(v: unknown): v is Error {
  return v instanceof Error || types.isNativeError(v);
}

/**
 * What an error is called: an ApplicationFailure's `type` (RepoNotFound), else its class name. An
 * error that crossed from the workflow thread is a structured clone — a plain `Error` that kept its
 * message, stack and cause but not its class — so its stack's first word names the class it was.
 */
function errorType(err: Error): string {
  const type = (err as { type?: unknown }).type;
  if (typeof type === 'string' && type !== '') return type;
  const named = typeof err.stack === 'string' ? /^([A-Za-z_$][\w$]*): /.exec(err.stack)?.[1] : undefined;
  return err.name === 'Error' && named !== undefined ? named : err.name || 'Error';
}

/**
 * An error as plain log fields: its type and message, and each cause's `type: message`, outermost
 * first. Never its stack or details (which may carry data); messages are masked with the rest of
 * the line. Temporal's own log calls pass Error objects, which JSON writes as `{}`.
 */
export function errorFields(err: Error, key = 'error'): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {
    [`${key}Type`]: errorType(err),
    [`${key}Message`]: err.message,
  };
  const causes: string[] = [];
  const seen = new Set<unknown>([err]);
  for (let c: unknown = err.cause; isError(c) && !seen.has(c) && causes.length < 8; c = c.cause) {
    seen.add(c);
    causes.push(`${errorType(c)}: ${c.message}`);
  }
  if (causes.length > 0) fields[`${key}Causes`] = causes;
  return fields;
}

/** The entry's metadata with every error in it as plain fields (`error` → errorType, errorMessage, errorCauses). */
function plainMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (isError(v)) Object.assign(out, errorFields(v, k));
    else out[k] = v;
  }
  return out;
}

/** JSON for a log line: bigints as text, an error nested deeper than the top level as `type: message`. */
function jsonValue(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  return isError(v) ? `${errorType(v)}: ${v.message}` : v;
}

/** One log entry as one JSON line: time, level, message, then the SDK's metadata (workflow id, activity type, …). */
export function formatLogEntry(entry: LogEntry, format: 'json' | 'text', secrets: readonly string[]): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = plainMeta(entry.meta ?? {});
  const line =
    format === 'json'
      ? JSON.stringify({ time, level: entry.level.toLowerCase(), msg: entry.message, ...meta }, jsonValue)
      : `${time} ${entry.level.padEnd(5)} ${entry.message}${Object.keys(meta).length ? ` ${JSON.stringify(meta, jsonValue)}` : ''}`;
  return mask(line, secrets);
}

/**
 * Installs the process-wide Temporal runtime with Prometheus metrics and
 * structured logs (the SDK's Rust core logs are forwarded into the same
 * stream). Call once, before any connection or worker is made.
 */
export function installRuntime(
  settings: ObservabilitySettings,
  options: {
    secrets?: readonly string[];
    write?: (line: string) => void;
    shutdownSignals?: NodeJS.Signals[];
  } = {},
): void {
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  Runtime.install({
    logger: new DefaultLogger(settings.logLevel, (entry) =>
      write(formatLogEntry(entry, settings.logFormat, secrets)),
    ),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      ...(settings.metricsAddress === undefined
        ? {}
        : { metrics: { prometheus: { bindAddress: settings.metricsAddress } } }),
    },
    // SIGINT/SIGTERM: the runtime shuts running workers down cleanly (in-flight activities finish or time out)
    shutdownSignals: options.shutdownSignals ?? ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'],
  });
}
