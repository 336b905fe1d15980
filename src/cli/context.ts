/** What every subcommand gets: the settings, the config file (loaded once, when asked) and a client. */
import type { Client } from '@temporalio/client';
import type { TemporalSettings } from '../config.js';
import { loadConfig, type BumpflowConfig } from '../configFile.js';
import { durationProblem, type DurationBounds } from '../lib/duration.js';
import { connect } from './connect.js';
import { usage } from './exitCodes.js';

export interface CliContext {
  env: NodeJS.ProcessEnv;
  settings: TemporalSettings;
  /** the config file named by --config or BUMPFLOW_CONFIG, if any */
  config(): BumpflowConfig | undefined;
  /** a connected client (exit 3 if the server is not reachable) */
  client(): Promise<Client>;
}

export function createContext(
  env: NodeJS.ProcessEnv,
  settings: TemporalSettings,
  configFile: () => string | undefined,
): CliContext {
  let config: BumpflowConfig | undefined;
  let client: Promise<Client> | undefined;
  return {
    env,
    settings,
    config() {
      const file = configFile();
      if (file === undefined) return undefined;
      config ??= loadConfig(file);
      return config;
    },
    client() {
      client ??= connect(settings);
      return client;
    },
  };
}

/** A commander argument parser for `flag`: the duration as given, or exit 2 saying what was expected and found. */
export function durationArg(flag: string, bounds: DurationBounds): (value: string) => string {
  return (value) => {
    const problem = durationProblem(value, bounds);
    if (problem !== undefined) throw usage(`${flag}: ${problem}`);
    return value;
  };
}

/** `--branch a,b --branch c` → `['a', 'b', 'c']` */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

export function print(json: boolean, data: unknown, text: string): void {
  console.log(json ? JSON.stringify(data, null, 2) : text);
}
